SELECT id, email, full_name, phone FROM customers ORDER BY id
SELECT id, phone FROM customers WHERE phone IS NOT NULL
SELECT * FROM products WHERE active ORDER BY name
SELECT id, name, price_with_vat, effective_price, sale_discount FROM products
SELECT sku, name, description FROM products WHERE description ILIKE '%phone%'
SELECT id, credit_limit FROM customers WHERE credit_limit > 100
SELECT id, country, phone FROM customers WHERE country = 'DE' OR phone IS NULL
SELECT o.id, c.full_name, c.email, o.status FROM orders o JOIN customers c ON c.id = o.customer_id
SELECT o.id, a.city, a.postal_code FROM orders o LEFT JOIN addresses a ON a.id = o.shipping_address_id
SELECT c.full_name, a.line1, a.city FROM customers c LEFT JOIN addresses a ON a.customer_id = c.id AND a.is_default
SELECT p.name, c.name AS category FROM products p LEFT JOIN categories c ON c.id = p.category_id
SELECT p.name, c.name AS category, parent.name AS parent FROM products p JOIN categories c ON c.id = p.category_id LEFT JOIN categories parent ON parent.id = c.parent_id
SELECT c.id, c.name, p.id AS product_id FROM categories c LEFT JOIN products p ON p.category_id = c.id
SELECT ol.order_id, ol.line_no, p.name, ol.quantity, ol.line_total_cents FROM order_lines ol JOIN products p ON p.id = ol.product_id
SELECT o.id, ol.line_no, ol.product_id FROM orders o LEFT JOIN order_lines ol ON ol.order_id = o.id
SELECT i.number, p.amount, p.method FROM invoices i LEFT JOIN payments p ON p.invoice_id = i.id
SELECT p.id, p.amount, i.number FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id
SELECT p.id, i.number, i.due_on FROM payments p JOIN invoices i ON i.id = p.invoice_id
SELECT p.id, p.invoice_id FROM payments p JOIN invoices i ON i.id = p.invoice_id
SELECT s.name, p.name AS product FROM suppliers s FULL JOIN products p ON p.supplier_id = s.id
SELECT w.code, i.product_id, i.quantity FROM warehouses w LEFT JOIN inventory i ON i.warehouse_id = w.id
SELECT c.email, s.prefs, s.overrides FROM customers c LEFT JOIN settings s ON s.customer_id = c.id
SELECT c.full_name, r.full_name AS referrer FROM customers c LEFT JOIN customers r ON r.id = c.referred_by
SELECT c.full_name, r.full_name AS referrer, c.referred_by FROM customers c JOIN customers r ON r.id = c.referred_by
SELECT o.id, cp.code, cp.max_uses FROM orders o LEFT JOIN coupons cp ON cp.code = o.coupon_code
SELECT o.id, cp.percent_off, cp.amount_off_cents FROM orders o JOIN coupons cp ON cp.code = o.coupon_code
SELECT c.id, o.id AS order_id, o.status FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.status = 'delivered'
SELECT c.id, o.id AS order_id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL
SELECT c.id, c.full_name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL
SELECT o.id, c.full_name FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id
SELECT coalesce(w.city, a.city) AS city, w.code, a.id AS address_id FROM warehouses w FULL JOIN addresses a ON a.city = w.city
SELECT * FROM customers c CROSS JOIN warehouses w
SELECT o.id, p.name FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id LEFT JOIN categories cat ON cat.id = p.category_id WHERE cat.id IS NULL
SELECT order_id, line_no, number FROM order_lines JOIN invoices USING (order_id)
SELECT order_id, i.number, ol.line_no FROM invoices i FULL JOIN order_lines ol USING (order_id)
SELECT customer_id, plan, prefs FROM settings NATURAL JOIN subscriptions
SELECT c.full_name, o.id AS order_id, i.number, p.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id LEFT JOIN invoices i ON i.order_id = o.id LEFT JOIN payments p ON p.invoice_id = i.id
SELECT c.full_name, o.id AS order_id, ol.product_id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id JOIN order_lines ol ON ol.order_id = o.id
SELECT c.full_name, o.id AS order_id, ol.line_no FROM customers c LEFT JOIN (orders o JOIN order_lines ol ON ol.order_id = o.id) ON o.customer_id = c.id
SELECT e.kind, c.email FROM events e LEFT JOIN customers c ON c.id = e.customer_id
SELECT id, kind, payload FROM events_2024
SELECT id, title, body FROM documents
SELECT id, title FROM ONLY documents
SELECT id, title, customer_id, signed_at FROM contracts
SELECT d.id, d.title, k.signed_at, k.value_cents FROM documents d LEFT JOIN contracts k ON k.id = d.id
SELECT * FROM customer_order_summary
SELECT customer_id, full_name, order_id FROM customer_order_summary WHERE order_id IS NOT NULL
SELECT * FROM product_catalog
SELECT * FROM invoice_balances
SELECT full_name, count(order_id) AS orders FROM customer_order_summary GROUP BY full_name
SELECT name, category_name FROM product_catalog WHERE category_name IS NOT NULL
SELECT count(*), max(placed_at), min(total_cents), sum(total_cents), avg(total_cents) FROM orders
SELECT customer_id, count(*), sum(total_cents) FROM orders GROUP BY customer_id
SELECT c.id, count(o.id) AS n_orders, sum(o.total_cents) AS spent FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id
SELECT c.id, coalesce(sum(o.total_cents), 0) AS spent FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id
SELECT status, count(*), max(shipped_at) FROM orders GROUP BY status
SELECT product_id, sum(quantity) AS units, sum(line_total_cents) AS revenue FROM order_lines GROUP BY product_id ORDER BY revenue DESC
SELECT p.id, p.name, coalesce(sum(ol.quantity), 0) AS units FROM products p LEFT JOIN order_lines ol ON ol.product_id = p.id GROUP BY p.id, p.name
SELECT category_id, avg(price_cents)::numeric(10,2) AS avg_price, min(sale_price_cents) AS min_sale FROM products GROUP BY category_id
SELECT string_agg(name, ', ' ORDER BY name) FROM products
SELECT customer_id, array_agg(id ORDER BY placed_at) AS order_ids FROM orders GROUP BY customer_id
SELECT bool_and(active), bool_or(active), every(price_cents > 0) FROM products
SELECT method, sum(amount) FILTER (WHERE amount > 0) AS received, sum(amount) FILTER (WHERE amount < 0) AS refunded FROM payments GROUP BY method
SELECT jsonb_agg(jsonb_build_object('id', id, 'name', name)) FROM products WHERE active
SELECT json_object_agg(code, city) FROM warehouses
SELECT max(id) FROM orders WHERE status = 'cancelled'
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_cents) FROM orders
SELECT customer_id, max(received_at) AS last_paid FROM payments GROUP BY customer_id HAVING sum(amount) > 100
SELECT date_trunc('month', placed_at) AS month, count(*), sum(total_cents) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(year FROM placed_at)::int AS yr, count(*) FROM orders GROUP BY yr
SELECT status, customer_id, count(*) FROM orders GROUP BY GROUPING SETS ((status), (customer_id), ())
SELECT c.country, c.status, count(*) FROM customers c GROUP BY ROLLUP (c.country, c.status)
SELECT method, date_trunc('year', received_at) AS y, sum(amount) FROM payments GROUP BY CUBE (method, date_trunc('year', received_at))
SELECT status, grouping(status) AS is_total, count(*) FROM orders GROUP BY ROLLUP (status)
SELECT coalesce(status::text, 'TOTAL') AS status, sum(total_cents) FROM orders GROUP BY ROLLUP (status)
SELECT p.category_id, p.supplier_id, sum(p.price_cents) FROM products p GROUP BY GROUPING SETS ((p.category_id, p.supplier_id), (p.category_id))
SELECT count(*), sum(quantity) FROM order_lines WHERE order_id = 9
SELECT p.id, avg(r.rating) AS avg_rating, count(r.id) AS n_reviews FROM products p LEFT JOIN product_reviews r ON r.product_id = p.id GROUP BY p.id
SELECT id, placed_at, lag(placed_at) OVER (PARTITION BY customer_id ORDER BY placed_at) AS prev_order FROM orders
SELECT id, lag(total_cents, 1, 0) OVER (ORDER BY placed_at) AS prev_total FROM orders
SELECT id, lead(shipped_at, 1, placed_at) OVER (ORDER BY id) AS next_shipped FROM orders
SELECT id, last_value(note) OVER (PARTITION BY customer_id ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_note FROM orders
SELECT id, sum(total_cents) OVER (PARTITION BY customer_id ORDER BY placed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM orders
SELECT id, sum(total_cents) OVER (ORDER BY placed_at ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS prev_two FROM orders
SELECT id, avg(total_cents) OVER w, count(*) OVER w FROM orders WINDOW w AS (PARTITION BY status)
SELECT id, nth_value(id, 2) OVER (PARTITION BY customer_id ORDER BY id) AS second_order FROM orders
SELECT id, ntile(3) OVER (ORDER BY total_cents), percent_rank() OVER (ORDER BY total_cents), cume_dist() OVER (ORDER BY total_cents) FROM orders
SELECT customer_id, amount, amount - lag(amount) OVER (PARTITION BY customer_id ORDER BY received_at) AS delta FROM payments
SELECT * FROM (SELECT o.*, row_number() OVER (PARTITION BY customer_id ORDER BY placed_at DESC) AS rn FROM orders o) t WHERE rn = 1
SELECT c.id, o.id AS order_id, count(o.id) OVER (PARTITION BY c.id) AS n FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
SELECT id, max(shipped_at) OVER (PARTITION BY customer_id) AS last_shipped FROM orders
SELECT id, first_value(shipped_at) OVER (ORDER BY id) FROM orders
WITH totals AS (SELECT customer_id, sum(total_cents) AS spent FROM orders GROUP BY customer_id) SELECT c.full_name, t.spent FROM customers c LEFT JOIN totals t ON t.customer_id = c.id
WITH totals AS (SELECT customer_id, sum(total_cents) AS spent FROM orders GROUP BY customer_id) SELECT c.full_name, t.spent FROM customers c JOIN totals t ON t.customer_id = c.id
WITH RECURSIVE tree AS (SELECT id, parent_id, name, 1 AS depth, name::text AS path FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.name, t.depth + 1, t.path || ' > ' || c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree
WITH RECURSIVE ancestors AS (SELECT id, parent_id FROM categories WHERE id = 7 UNION ALL SELECT c.id, c.parent_id FROM categories c JOIN ancestors a ON c.id = a.parent_id) SELECT id, parent_id FROM ancestors
WITH RECURSIVE chain AS (SELECT id, referred_by, full_name, 0 AS hops FROM customers WHERE id = 6 UNION ALL SELECT c.id, c.referred_by, c.full_name, ch.hops + 1 FROM customers c JOIN chain ch ON c.id = ch.referred_by) SELECT * FROM chain
WITH RECURSIVE days AS (SELECT date '2024-01-01' AS d UNION ALL SELECT d + 1 FROM days WHERE d < '2024-01-10') SELECT d FROM days
WITH recent AS (SELECT * FROM orders WHERE placed_at > '2025-01-01') SELECT r.id, r.note, c.email FROM recent r JOIN customers c ON c.id = r.customer_id
WITH x AS MATERIALIZED (SELECT id, shipped_at - placed_at AS lead_time FROM orders) SELECT id, lead_time FROM x WHERE lead_time IS NOT NULL
WITH paid AS (SELECT invoice_id, sum(amount) AS paid FROM payments WHERE invoice_id IS NOT NULL GROUP BY invoice_id) SELECT i.number, i.amount_cents, p.paid, i.amount_cents / 100.0 - coalesce(p.paid, 0) AS outstanding FROM invoices i LEFT JOIN paid p ON p.invoice_id = i.id
WITH RECURSIVE sub AS (SELECT id FROM categories WHERE id = 1 UNION SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id) SELECT p.name, p.category_id FROM products p WHERE p.category_id IN (SELECT id FROM sub)
WITH RECURSIVE tree AS (SELECT id, name FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT t.name, count(p.id) AS products FROM tree t LEFT JOIN products p ON p.category_id = t.id GROUP BY t.name
SELECT email AS contact FROM customers UNION SELECT contact_email FROM suppliers
SELECT country FROM customers EXCEPT SELECT country FROM addresses
SELECT city FROM addresses UNION SELECT city FROM warehouses
SELECT customer_id FROM orders EXCEPT SELECT customer_id FROM payments
SELECT id, phone FROM customers WHERE phone IS NOT NULL UNION ALL SELECT id, NULL FROM suppliers
SELECT name, NULL::int AS parent FROM categories WHERE parent_id IS NULL UNION ALL SELECT name, parent_id FROM categories WHERE parent_id IS NOT NULL
SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c
SELECT c.id, (SELECT max(placed_at) FROM orders o WHERE o.customer_id = c.id) AS last_order FROM customers c
SELECT p.id, (SELECT name FROM categories WHERE id = p.category_id) AS cat FROM products p
SELECT o.id, (SELECT email FROM customers WHERE id = o.customer_id) AS email FROM orders o
SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'delivered')
SELECT id, full_name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
SELECT id, name FROM products WHERE id NOT IN (SELECT product_id FROM order_lines)
SELECT c.full_name, last.id, last.placed_at FROM customers c LEFT JOIN LATERAL (SELECT id, placed_at FROM orders o WHERE o.customer_id = c.id ORDER BY placed_at DESC LIMIT 1) last ON true
SELECT c.full_name, last.id FROM customers c CROSS JOIN LATERAL (SELECT id FROM orders o WHERE o.customer_id = c.id ORDER BY placed_at DESC LIMIT 1) last
SELECT p.name, s.total FROM products p, LATERAL (SELECT sum(quantity) AS total FROM order_lines ol WHERE ol.product_id = p.id) s
SELECT o.id, o.total_cents, o.total_cents::numeric / (SELECT sum(total_cents) FROM orders) AS share FROM orders o
SELECT o.id, EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id) AS invoiced FROM orders o
SELECT id, id IN (SELECT order_id FROM invoices) AS invoiced FROM orders
SELECT id, coupon_code IN (SELECT code FROM coupons WHERE max_uses IS NOT NULL) AS limited FROM orders
SELECT c.full_name, a.n FROM customers c JOIN (SELECT customer_id, count(*) AS n FROM addresses GROUP BY customer_id) a ON a.customer_id = c.id
SELECT id, CASE WHEN shipped_at IS NULL THEN 'pending' ELSE 'shipped' END AS ship_state FROM orders
SELECT id, CASE status WHEN 'cart' THEN 'open' WHEN 'cancelled' THEN 'void' END AS label FROM orders
SELECT id, coalesce(phone, 'n/a') AS phone FROM customers
SELECT id, coalesce(sale_price_cents, weight_g) AS x FROM products
SELECT id, nullif(credit_limit, 0) AS credit FROM customers
SELECT id, greatest(price_cents, sale_price_cents) AS hi FROM products
SELECT id, price_cents - sale_price_cents AS savings FROM products
SELECT id, CASE WHEN sale_price_cents IS NOT NULL THEN sale_price_cents ELSE price_cents END AS price FROM products
SELECT id, full_name || ' <' || email || '>' AS display FROM customers
SELECT id, full_name || ' ' || phone AS display FROM customers
SELECT id, concat(full_name, ' ', phone) AS display FROM customers
SELECT id, concat_ws(', ', line1, line2, city, postal_code) AS formatted FROM addresses
SELECT upper(full_name), lower(email), length(phone) FROM customers
SELECT id, substring(email from '@(.*)$') AS domain FROM customers
SELECT id, split_part(email, '@', 2) AS domain FROM customers
SELECT id, trim(both from full_name) AS n, left(full_name, 3) AS initials, replace(coalesce(phone, ''), ' ', '') AS digits FROM customers
SELECT id, placed_at::date AS placed, shipped_at::date AS shipped FROM orders
SELECT id, shipped_at - placed_at AS fulfilment FROM orders
SELECT id, extract(epoch FROM shipped_at - placed_at) / 3600 AS hours FROM orders
SELECT id, date_part('dow', placed_at) AS dow FROM orders
SELECT id, due_on - issued_on AS terms_days, paid_on - issued_on AS days_to_pay FROM invoices
SELECT id, issued_on + interval '30 days' AS default_due, coalesce(due_on, issued_on + 30) AS due FROM invoices
SELECT id, lower(service_period), upper(service_period), upper_inf(service_period) FROM invoices
SELECT id, lower(active_during), upper(active_during), active_during @> now() AS current FROM subscriptions
SELECT customer_id, prefs->>'theme' AS theme FROM settings
SELECT customer_id, prefs ? 'theme' AS has_theme, prefs #>> '{notifications,sms}' AS sms FROM settings
SELECT customer_id, prefs || coalesce(overrides, '{}') AS effective FROM settings
SELECT customer_id, prefs || overrides AS effective FROM settings
SELECT s.customer_id, k.key, k.value FROM settings s, jsonb_each(s.prefs) k
SELECT s.customer_id, k.key, k.value FROM settings s CROSS JOIN LATERAL jsonb_each_text(s.prefs) k
SELECT id, attributes->>'color' AS color, (attributes->>'storage_gb')::int AS storage FROM products
SELECT id, jsonb_typeof(attributes->'color') AS t FROM products
SELECT id, jsonb_build_object('sku', sku, 'price', price_cents, 'sale', sale_price_cents) AS doc FROM products
SELECT to_jsonb(c) AS doc FROM customers c
SELECT id, payload->>'path' AS path FROM events WHERE kind = 'page_view'
SELECT e.kind, count(*), avg((e.payload->>'ms')::int) AS avg_ms FROM events e GROUP BY e.kind
SELECT customer_id, jsonb_array_length(prefs->'tags') AS n_tags FROM settings
SELECT customer_id, t.tag FROM settings, jsonb_array_elements_text(prefs->'tags') AS t(tag)
SELECT a.table_name, a.action, a.new_data->>'status' AS new_status, a.old_data->>'status' AS old_status FROM audit_log a WHERE a.table_name = 'orders'
SELECT id, coalesce(new_data, old_data) AS data FROM audit_log
SELECT row_to_json(x) AS j FROM (SELECT id, status FROM orders) x
SELECT id, jsonb_path_query_first(attributes, '$.dims.w') AS width FROM products
SELECT id, tags, array_length(tags, 1) AS n FROM products
SELECT id, cardinality(tags) AS n FROM products
SELECT id, tags[1] AS first_tag FROM products
SELECT id, name, tags FROM products WHERE tags && ARRAY['gift', 'classic']
SELECT p.id, t.tag FROM products p, unnest(p.tags) AS t(tag)
SELECT p.id, t.tag, t.ord FROM products p LEFT JOIN LATERAL unnest(p.tags) WITH ORDINALITY AS t(tag, ord) ON true
SELECT tag, count(*) FROM products, unnest(tags) tag GROUP BY tag ORDER BY count(*) DESC
SELECT id, array_to_string(alt_names, ', ') AS aka FROM products
SELECT id, array_append(tags, 'all') AS t1, alt_names || tags AS t2 FROM products
SELECT unnest(ARRAY[1, 2, 3]) AS n
SELECT id, unnest(alt_names) AS aka FROM products
SELECT d::date AS day, count(o.id) AS orders FROM generate_series('2024-01-01'::timestamptz, '2024-01-31', '1 day') d LEFT JOIN orders o ON o.placed_at::date = d::date GROUP BY d
SELECT m.month, sum(o.total_cents) AS revenue FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-12-01', interval '1 month') AS m(month) LEFT JOIN orders o ON date_trunc('month', o.placed_at) = m.month GROUP BY m.month ORDER BY m.month
SELECT DISTINCT ON (customer_id) customer_id, id, placed_at FROM orders ORDER BY customer_id, placed_at DESC
SELECT DISTINCT ON (r.product_id) r.product_id, r.rating, r.body FROM product_reviews r ORDER BY r.product_id, r.created_at DESC
SELECT DISTINCT c.full_name, a.city FROM customers c LEFT JOIN addresses a ON a.customer_id = c.id
SELECT order_id, line_no, quantity * unit_price_cents AS gross, discount_cents * 1.0 / nullif(quantity, 0) AS unit_discount FROM order_lines
SELECT id, (credit_limit IS NULL) AS unlimited, credit_limit > 0 AS has_credit FROM customers
SELECT product_id, warehouse_id, quantity - coalesce(reserved, 0) AS available, quantity - reserved AS free FROM inventory
SELECT id, CAST(price_cents AS numeric) / 100 AS price, sku::text AS sku FROM products
SELECT sku FROM products WHERE sku LIKE 'PHN%'
SELECT p.sku, c.name FROM categories c LEFT JOIN products p ON p.category_id = c.id
SELECT o.id, c.email FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
SELECT ol.order_id, p.name, p.sku FROM order_lines ol LEFT JOIN products p ON p.id = ol.product_id
SELECT i.number, o.status, c.full_name FROM invoices i LEFT JOIN orders o ON o.id = i.order_id LEFT JOIN customers c ON c.id = o.customer_id
SELECT p.amount, i.number, o.status FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id LEFT JOIN orders o ON o.id = i.order_id
SELECT p.id, p.amount, i.number FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id WHERE i.paid_on IS NOT NULL
SELECT o.id, a.city FROM orders o LEFT JOIN addresses a ON a.id = o.shipping_address_id WHERE a.country = 'GB'
SELECT o.id, a.city FROM orders o LEFT JOIN addresses a ON a.id = o.shipping_address_id WHERE o.shipping_address_id IS NOT NULL
SELECT c.id, s.prefs FROM customers c LEFT JOIN settings s ON s.customer_id = c.id WHERE s.customer_id IS NOT NULL
SELECT c.full_name, sub.plan FROM customers c LEFT JOIN subscriptions sub ON sub.customer_id = c.id AND sub.cancelled_at IS NULL
SELECT w.code, sum(i.quantity) AS stock FROM warehouses w LEFT JOIN inventory i ON i.warehouse_id = w.id GROUP BY w.code
SELECT s.name, count(p.id) AS n, max(p.price_cents) AS top_price FROM suppliers s LEFT JOIN products p ON p.supplier_id = s.id GROUP BY s.id, s.name
SELECT cat.name, parent.name AS parent, child.name AS child FROM categories cat LEFT JOIN categories parent ON parent.id = cat.parent_id LEFT JOIN categories child ON child.parent_id = cat.id
SELECT customer_id, count(*) FROM events GROUP BY customer_id
SELECT r.rating, r.body, c.full_name FROM product_reviews r LEFT JOIN customers c ON c.id = r.customer_id
SELECT id, (SELECT array_agg(tag) FROM unnest(tags) tag WHERE tag <> 'new') AS kept FROM products
SELECT c.id, (SELECT json_agg(o.id) FROM orders o WHERE o.customer_id = c.id) AS orders FROM customers c
SELECT c.id, ARRAY(SELECT o.id FROM orders o WHERE o.customer_id = c.id ORDER BY o.id) AS order_ids FROM customers c
SELECT o.id, o.total_cents, sum(o.total_cents) OVER () AS grand FROM orders o
SELECT * FROM (VALUES (1, 'a'), (2, NULL)) AS v(id, label)
SELECT v.code, c.percent_off FROM (VALUES ('WELCOME10'), ('NOPE')) v(code) LEFT JOIN coupons c USING (code)
SELECT o.id, CASE WHEN o.coupon_code IS NULL THEN NULL ELSE cp.percent_off END AS pct FROM orders o LEFT JOIN coupons cp ON cp.code = o.coupon_code
SELECT c.id, o.placed_at FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.placed_at = (SELECT max(placed_at) FROM orders o2 WHERE o2.customer_id = c.id)
SELECT o.status, count(*) FILTER (WHERE o.shipped_at IS NULL) AS unshipped FROM orders o GROUP BY o.status HAVING max(o.total_cents) > 0
WITH ranked AS (SELECT product_id, rating, rank() OVER (PARTITION BY product_id ORDER BY rating DESC) AS r FROM product_reviews) SELECT p.name, ranked.rating FROM products p LEFT JOIN ranked ON ranked.product_id = p.id AND ranked.r = 1
SELECT id, reference FROM payments WHERE reference IS NULL OR method = 'card'
SELECT id, phone FROM customers WHERE phone LIKE '+4%'
SELECT id, shipped_at FROM orders WHERE shipped_at > placed_at + interval '1 day'
SELECT id, note FROM orders WHERE coalesce(note, '') <> ''
SELECT o.id, o.coupon_code FROM orders o WHERE EXISTS (SELECT 1 FROM coupons c WHERE c.code = o.coupon_code)
SELECT id, due_on FROM invoices WHERE due_on < current_date AND paid_on IS NULL
SELECT id, name, description FROM products WHERE NOT (description IS NULL)
SELECT o.id, i.number FROM orders o LEFT JOIN invoices i ON i.order_id = o.id WHERE i.id IS NOT NULL OR o.status = 'cart'
SELECT id, unnest(tags) AS tag, generate_series(1, 2) AS n FROM products
SELECT t.n, t.label FROM unnest(ARRAY[1, 2, 3], ARRAY['one', 'two']) AS t(n, label)
SELECT customer_id, string_agg(note, '; ' ORDER BY placed_at) AS notes FROM orders GROUP BY customer_id
SELECT order_id, sum(discount_cents) AS discount, max(discount_cents) AS max_discount FROM order_lines GROUP BY order_id
SELECT c.id, min(o.placed_at) AS first_order FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id HAVING count(o.id) > 0
SELECT customer_id, array_agg(coupon_code) FILTER (WHERE coupon_code IS NOT NULL) AS coupons FROM orders GROUP BY customer_id
SELECT id, (regexp_match(phone, '^\+(\d+)'))[1] AS country_code FROM customers
SELECT id, array_upper(tags, 1) AS last_idx FROM products
SELECT s.customer_id, jsonb_set(s.prefs, '{phone}', to_jsonb(c.phone)) AS merged FROM settings s JOIN customers c ON c.id = s.customer_id
SELECT r.id, r.name, r.qty FROM jsonb_to_recordset('[{"id":1,"name":"a","qty":2},{"id":2,"name":"b"}]') AS r(id int, name text, qty int)
SELECT c.id, (SELECT phone FROM customers r WHERE r.id = c.referred_by) AS referrer_phone FROM customers c
SELECT o.id, (SELECT p.name FROM order_lines ol JOIN products p ON p.id = ol.product_id WHERE ol.order_id = o.id ORDER BY ol.line_no LIMIT 1) AS first_item FROM orders o
WITH RECURSIVE tree AS (SELECT id, name, NULL::text AS parent_name FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.name, t.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree
SELECT c.name AS category, p.name AS product, s.name AS supplier FROM categories c JOIN products p ON p.category_id = c.id RIGHT JOIN suppliers s ON s.id = p.supplier_id
SELECT coalesce(c.country, s.country) AS country, count(DISTINCT c.id) AS customers, count(DISTINCT s.id) AS suppliers FROM customers c FULL JOIN suppliers s ON s.country = c.country GROUP BY 1
SELECT DISTINCT ON (c.id) c.id, o.id AS latest_order, o.placed_at FROM customers c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY c.id, o.placed_at DESC
SELECT p.id, p.name, lead(p.price_cents, 1, p.sale_price_cents) OVER (ORDER BY p.price_cents) AS next_price FROM products p
SELECT id, max(total_cents) OVER (ORDER BY placed_at ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) AS upcoming_max FROM orders
SELECT i.id, i.number, i.amount_cents, sum(p.amount) OVER (PARTITION BY i.id ORDER BY p.received_at) AS cumulative FROM invoices i LEFT JOIN payments p ON p.invoice_id = i.id
SELECT x.status, x.n FROM (SELECT status, count(*) AS n FROM orders GROUP BY ROLLUP (status)) x WHERE x.status IS NOT NULL
SELECT p.id, stock.total FROM products p LEFT JOIN (SELECT product_id, sum(quantity) AS total FROM inventory GROUP BY product_id) stock ON stock.product_id = p.id
SELECT c.id, coalesce(st.plan, 'free') AS plan, st.seats FROM customers c LEFT JOIN LATERAL (SELECT plan, seats FROM subscriptions s WHERE s.customer_id = c.id AND s.cancelled_at IS NULL ORDER BY lower(s.active_during) DESC LIMIT 1) st ON true
SELECT w.code, i.product_id, i.quantity, p.name FROM warehouses w LEFT JOIN (inventory i JOIN products p ON p.id = i.product_id) ON i.warehouse_id = w.id
SELECT count(*) AS total, count(*) FILTER (WHERE paid_on IS NULL) AS unpaid, sum(amount_cents) FILTER (WHERE paid_on IS NULL) AS unpaid_cents FROM invoices
SELECT c.id, c.id IN (SELECT referred_by FROM customers) AS is_referrer FROM customers c
SELECT status, percentile_disc(0.5) WITHIN GROUP (ORDER BY total_cents) AS median FROM orders GROUP BY status
SELECT a.id, a.action, a.at, lag(a.at) OVER (PARTITION BY a.table_name, a.row_id ORDER BY a.at) AS prev_at FROM audit_log a
SELECT s.customer_id, e.key, e.value #>> '{}' AS v FROM settings s, jsonb_each(s.prefs) e
SELECT m.customer_id, m.last_seen FROM (SELECT customer_id, max(occurred_at) AS last_seen FROM events GROUP BY customer_id) m
WITH o AS (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id), p AS (SELECT customer_id, sum(amount) AS paid FROM payments GROUP BY customer_id) SELECT c.id, o.n, p.paid FROM customers c LEFT JOIN o ON o.customer_id = c.id LEFT JOIN p ON p.customer_id = c.id
