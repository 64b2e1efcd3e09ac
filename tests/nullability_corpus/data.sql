-- Data designed so that every possible NULL has a witness.
INSERT INTO customers (id, email, full_name, phone, country, referred_by, status, created_at, deleted_at, credit_limit) VALUES
 (1, 'ann@example.com',   'Ann Archer',   '+44 1111', 'GB', NULL, 'active',    '2023-01-05 10:00+00', NULL, 500.00),
 (2, 'bob@example.com',   'Bob Baker',    NULL,       'US', 1,    'active',    '2023-03-10 12:00+00', NULL, NULL),
 (3, 'cat@example.com',   'Cat Cole',     '+1 555',   NULL, 1,    'active',    '2023-06-01 09:30+00', NULL, 1000.00),
 (4, 'dan@example.com',   'Dan Dorn',     NULL,       'DE', 2,    'suspended', '2024-02-14 08:00+00', NULL, NULL),
 (5, 'eve@example.com',   'Eve Evans',    '+33 777',  'FR', NULL, 'active',    '2024-05-20 17:45+00', NULL, 0),
 (6, 'fay@example.com',   'Fay Fox',      NULL,       NULL, 3,    'active',    '2024-11-11 11:11+00', NULL, NULL),
 (7, 'gus@example.com',   'Gus Grant',    '+49 888',  'DE', NULL, 'active',    '2025-01-02 13:00+00', NULL, 250.00),
 (8, 'hal@example.com',   'Hal Hughes',   NULL,       'US', 7,    'closed',    '2022-07-07 07:07+00', '2024-12-31 23:00+00', NULL);
SELECT setval('customers_id_seq', 8);

INSERT INTO addresses (id, customer_id, line1, line2, city, postal_code, country, is_default) VALUES
 (1, 1, '1 High St',     'Flat 2', 'London',   'N1 1AA', 'GB', true),
 (2, 1, '9 Low Rd',      NULL,     'Leeds',    NULL,     'GB', false),
 (3, 2, '5 Main St',     NULL,     'Boston',   '02101',  'US', true),
 (4, 3, '77 Elm Ave',    'Apt 9',  'Toronto',  NULL,     'CA', false),
 (5, 4, 'Hauptstr. 3',   NULL,     'Berlin',   '10115',  'DE', true),
 (6, 5, '3 Rue Verte',   NULL,     'Paris',    '75001',  'FR', true);
SELECT setval('addresses_id_seq', 6);

INSERT INTO categories (id, parent_id, name, slug, position) VALUES
 (1, NULL, 'Electronics', 'electronics', 1),
 (2, NULL, 'Books',       'books',       2),
 (3, NULL, 'Garden',      'garden',      NULL),
 (4, 1,    'Phones',      'phones',      1),
 (5, 1,    'Laptops',     'laptops',     NULL),
 (6, 2,    'Fiction',     'fiction',     1),
 (7, 4,    'Accessories', 'phone-accessories', 3);
SELECT setval('categories_id_seq', 7);

INSERT INTO suppliers (id, name, contact_email, country) VALUES
 (1, 'Acme Corp',   'sales@acme.test', 'US'),
 (2, 'Globex',      NULL,              NULL),
 (3, 'Initech',     'hi@initech.test', 'GB');
SELECT setval('suppliers_id_seq', 3);

INSERT INTO products (id, sku, name, description, category_id, supplier_id, price_cents, sale_price_cents, weight_g, tags, alt_names, attributes, active) VALUES
 (1,  'PHN-0001', 'Phone X',       'Flagship phone', 4,    1,    99900, 89900, 180,  '{mobile,new}',        '{"X phone",NULL}', '{"color":"black","storage_gb":256,"dims":{"w":7,"h":15}}', true),
 (2,  'PHN-0002', 'Phone Mini',    NULL,             4,    1,    49900, NULL,  120,  '{mobile}',            NULL,          '{"color":"white"}', true),
 (3,  'LAP-0001', 'Laptop Pro',    'For work',       5,    2,    199900, NULL, NULL, '{}',                  '{}',          '{"color":null,"storage_gb":512}', true),
 (4,  'BOK-0001', 'Dune',          'Sci-fi classic', 6,    NULL, 1299,  999,   450,  '{classic,scifi}',     NULL,          '{}', true),
 (5,  'BOK-0002', 'Cookbook',      NULL,             2,    NULL, 2500,  NULL,  900,  '{}',                  NULL,          '{"pages":320}', true),
 (6,  'ACC-0001', 'Phone Case',    'Protective',     7,    2,    1999,  1499,  NULL, '{mobile,accessory}',  '{"cover","shell"}', '{"color":"red"}', true),
 (7,  'MSC-0001', 'Mystery Box',   NULL,             NULL, NULL, 999,   NULL,  NULL, '{}',                  NULL,          '{}', true),
 (8,  'LAP-0002', 'Laptop Old',    'Discontinued',   5,    1,    99900, 49900, 2000, '{clearance,refurb,sale}',         NULL,          '{"color":"grey"}', false),
 (9,  'MSC-0002', 'Gift Card',     NULL,             NULL, 2,    5000,  NULL,  NULL, '{gift,NULL}',              NULL,          '{"digital":true}', true),
 (10, 'BOK-0003', 'Poems',         'Unsold poems',   6,    NULL, 1500,  NULL,  200,  '{}',                  NULL,          '{}', true);
SELECT setval('products_id_seq', 10);

INSERT INTO warehouses (id, code, city) VALUES (1, 'LON', 'London'), (2, 'NYC', 'New York'), (3, 'TMP', NULL);
SELECT setval('warehouses_id_seq', 3);
INSERT INTO inventory (product_id, warehouse_id, quantity, reserved) VALUES
 (1, 1, 10, 2), (1, 2, 5, NULL), (2, 1, 0, NULL), (3, 2, 7, 1), (4, 1, 100, 0), (6, 1, 30, NULL), (8, 2, 1, NULL);

INSERT INTO coupons (code, percent_off, amount_off_cents, valid_during, max_uses) VALUES
 ('WELCOME10', 10.00, NULL, '[2023-01-01,2026-01-01)', 1000),
 ('FIVEOFF',   NULL,  500,  NULL, NULL),
 ('UNUSED',    5.00,  100,  '[2024-01-01,)', NULL);

INSERT INTO orders (id, customer_id, shipping_address_id, coupon_code, status, placed_at, shipped_at, note, total_cents) VALUES
 (1,  1, 1,    'WELCOME10', 'delivered', '2024-01-10 10:00+00', '2024-01-11 09:00+00', 'Leave at door', 98910),
 (2,  1, 2,    NULL,        'shipped',   '2024-06-01 15:00+00', '2024-06-02 10:00+00', NULL,            2500),
 (3,  1, NULL, NULL,        'cart',      '2025-02-01 12:00+00', NULL,                  NULL,            0),
 (4,  2, 3,    'FIVEOFF',   'paid',      '2024-03-03 13:00+00', NULL,                  'Gift wrap',     199400),
 (5,  2, NULL, NULL,        'cancelled', '2024-04-04 14:00+00', NULL,                  'Changed mind',  1299),
 (6,  3, 4,    NULL,        'delivered', '2024-12-24 18:00+00', '2024-12-27 08:00+00', NULL,            51398),
 (7,  4, 5,    NULL,        'placed',    '2025-01-15 09:00+00', NULL,                  NULL,            1999),
 (8,  5, 6,    'WELCOME10', 'delivered', '2025-03-01 10:00+00', '2025-03-05 10:00+00', NULL,            4999),
 (9,  6, NULL, NULL,        'cart',      '2025-04-01 10:00+00', NULL,                  NULL,            0),
 (10, 3, NULL, NULL,        'placed',    '2025-05-05 05:05+00', NULL,                  'Call first',    5000),
 (11, 2, 3,    NULL,        'delivered', '2024-08-01 10:00+00', '2024-08-03 10:00+00', NULL,            999),
 (12, 6, NULL, NULL,        'placed',    '2025-06-01 10:00+00', NULL,                  'Quote only',    12000);
SELECT setval('orders_id_seq', 12);

INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents, discount_cents) VALUES
 (1, 1, 1, 1, 99900, 9990),
 (2, 1, 5, 1, 2500,  NULL),
 (4, 1, 3, 1, 199900, 500),
 (5, 1, 4, 1, 1299,  NULL),
 (6, 1, 2, 1, 49900, NULL),
 (6, 2, 6, 1, 1499,  1),
 (7, 1, 6, 1, 1999,  NULL),
 (8, 1, 9, 1, 5000,  1),
 (8, 2, 4, 2, 999,   NULL),
 (3, 1, 7, 3, 999,   NULL),
 (10, 1, 9, 1, 5000, NULL),
 (11, 1, 7, 1, 999,  NULL);
-- order 12 (quote) has an invoice but no lines
-- orders 9 (cart) has no lines

INSERT INTO invoices (id, order_id, number, issued_on, due_on, paid_on, amount_cents, service_period) VALUES
 (1, 1, 'INV-0001', '2024-01-10', '2024-02-10', '2024-01-12', 98910,  '[2024-01-01,2024-02-01)'),
 (2, 2, 'INV-0002', '2024-06-01', NULL,         NULL,         2500,   NULL),
 (3, 4, 'INV-0003', '2024-03-03', '2024-04-03', NULL,         199400, '[2024-03-01,2024-04-01)'),
 (4, 6, 'INV-0004', '2024-12-24', '2025-01-24', '2025-01-02', 51398,  NULL),
 (5, 8, 'INV-0005', '2025-03-01', NULL,         '2025-03-01', 4999,   '[2025-03-01,)'),
 (6, 12, 'INV-0006', '2025-06-01', NULL,        NULL,         12000,  NULL);
SELECT setval('invoices_id_seq', 6);

INSERT INTO payments (id, invoice_id, customer_id, amount, method, received_at, reference) VALUES
 (1, 1,    1, 989.10,  'card',   '2024-01-12 08:00+00', 'ch_001'),
 (2, 3,    2, 1000.00, 'bank',   '2024-03-20 08:00+00', NULL),
 (3, 4,    3, 513.98,  'paypal', '2025-01-02 08:00+00', 'pp_77'),
 (4, NULL, 3, 50.00,   'card',   '2025-02-02 08:00+00', NULL),
 (5, 5,    5, 49.99,   'card',   '2025-03-01 08:00+00', NULL),
 (6, 3,    2, -10.00,  'bank',   '2024-03-25 08:00+00', 'refund'),
 (7, NULL, 5, -5.00,   'credit', '2025-03-10 08:00+00', NULL);
SELECT setval('payments_id_seq', 7);

INSERT INTO subscriptions (id, customer_id, plan, seats, active_during, cancelled_at, trial_ends_on) VALUES
 (1, 1, 'pro',   5, '[2024-01-01,2025-01-01)', NULL, '2024-01-15'),
 (2, 1, 'team',  10, '[2025-01-01,)', NULL, NULL),
 (3, 2, 'basic', 1, '[2024-03-01,2024-09-01)', '2024-08-15 00:00+00', NULL),
 (4, 5, 'pro',   2, '[2025-01-01,)', NULL, '2025-01-31'),
 (5, 3, 'legacy', 1, '(,2023-12-31)', '2023-12-31 00:00+00', NULL);
SELECT setval('subscriptions_id_seq', 5);

INSERT INTO settings (customer_id, prefs, overrides, updated_at) VALUES
 (1, '{"theme":"dark","lang":"en","notifications":{"email":true,"sms":false},"tags":["vip","beta",null]}', '{"max_items":50}', '2024-02-01 00:00+00'),
 (2, '{"lang":"en","theme":null}', NULL, '2024-03-01 00:00+00'),
 (3, '{"theme":"light","notifications":{"email":false}}', '{}', '2024-07-01 00:00+00'),
 (5, '{}', NULL, '2025-01-01 00:00+00');

INSERT INTO audit_log (actor_id, table_name, row_id, action, old_data, new_data, at) VALUES
 (1,    'orders',    1,    'insert', NULL, '{"status":"cart"}', '2024-01-10 10:00+00'),
 (1,    'orders',    1,    'update', '{"status":"cart"}', '{"status":"placed"}', '2024-01-10 10:05+00'),
 (NULL, 'products',  8,    'update', '{"active":true}', '{"active":false}', '2024-09-01 00:00+00'),
 (2,    'addresses', NULL, 'delete', '{"city":"Austin"}', NULL, '2024-04-01 00:00+00'),
 (NULL, 'settings',  NULL, 'insert', NULL, NULL, '2025-01-01 00:00+00'),
 (3,    'orders',    6,    'update', '{"status":"paid"}', '{"status":"delivered"}', '2024-12-27 08:00+00'),
 (2,    'orders',    5,    'delete', '{"status":"cancelled"}', NULL, '2024-04-05 00:00+00');

INSERT INTO events (customer_id, kind, payload, occurred_at) VALUES
 (1,    'login',     '{"ip":"10.0.0.1"}',                '2024-01-10 09:59+00'),
 (1,    'page_view', '{"path":"/phones","ms":120}',      '2024-01-10 10:01+00'),
 (2,    'login',     NULL,                               '2024-03-03 12:59+00'),
 (NULL, 'page_view', '{"path":"/","ms":80}',             '2024-05-05 05:05+00'),
 (3,    'checkout',  '{"order_id":6}',                   '2024-12-24 18:00+00'),
 (5,    'login',     '{"ip":"10.0.0.5"}',                '2025-03-01 09:00+00'),
 (NULL, 'error',     '{"code":500}',                     '2025-06-01 00:00+00'),
 (4,    'page_view', '{"path":"/laptops"}',              '2026-02-01 00:00+00'),
 (7,    'signup',    NULL,                               '2025-01-02 13:00+00'),
 (NULL, 'page_view', NULL,                               '2025-07-01 00:00+00');

INSERT INTO documents (id, title, body, created_at) VALUES
 (1, 'Terms of Service', 'Be nice.', '2023-01-01 00:00+00'),
 (2, 'Privacy Policy',   NULL,       '2023-01-01 00:00+00');
INSERT INTO contracts (id, title, body, created_at, customer_id, signed_at, value_cents) VALUES
 (3, 'Enterprise deal', 'Big contract', '2024-01-01 00:00+00', 1, '2024-01-05 00:00+00', 5000000),
 (4, 'Pilot',           NULL,           '2024-06-01 00:00+00', 3, NULL, 100000);
SELECT setval('documents_id_seq', 4);

INSERT INTO product_reviews (product_id, customer_id, rating, body, created_at) VALUES
 (1, 1,    5, 'Great phone',  '2024-01-20 00:00+00'),
 (1, NULL, 2, NULL,           '2024-02-01 00:00+00'),
 (3, 2,    4, 'Fast',         '2024-03-15 00:00+00'),
 (4, 2,    3, NULL,           '2024-04-02 00:00+00'),
 (6, 3,    5, 'Fits well',    '2025-01-05 00:00+00');

ANALYZE;
