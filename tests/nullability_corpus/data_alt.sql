-- Alternative data state (applied on top of data.sql in database ho_alt):
-- the very first order has not shipped yet.
UPDATE orders SET status = 'placed', shipped_at = NULL WHERE id = 1;
ANALYZE;
-- PostgreSQL documents that a column of a NOT NULL domain can still hold NULL:
-- a scalar subquery yielding no row produces a NULL already typed as the domain,
-- and no domain check is applied to it.  These rows witness that loophole.
INSERT INTO customers (id, email, full_name, created_at)
    VALUES (99, (SELECT email FROM customers WHERE false), 'Legacy Import', '2025-01-01 00:00+00');
INSERT INTO products (id, sku, name, description, price_cents)
    VALUES (99, (SELECT sku FROM products WHERE false), 'Imported phone', 'Imported phone stock', 100);
INSERT INTO orders (id, customer_id, status, placed_at, shipped_at, total_cents)
    VALUES (99, 99, 'delivered', '2025-08-01 00:00+00', '2025-08-02 00:00+00', 100);
INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
    VALUES (99, 1, 99, 1, 100);
ANALYZE;
