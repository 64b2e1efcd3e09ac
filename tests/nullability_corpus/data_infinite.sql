-- An order placed at 'infinity' (a timestamp may hold it): extract/date_part of fields that do
-- not grow with time (dow, hour, ...) are NULL for it.
INSERT INTO orders (id, customer_id, status, placed_at, total_cents)
    VALUES (98, 1, 'cart', 'infinity', 0);
ANALYZE;
