-- Nested JSON rows (tests/macros_nested.rs): a table of the types whose JSON is not their text
-- (`json_agg(e)` renders a timestamptz as an ISO string, a numeric as a number, a bytea as hex).
CREATE TABLE macro_events (
    id int4 PRIMARY KEY,
    post int4 REFERENCES macro_posts(id),
    at timestamptz NOT NULL,
    day date,
    amount numeric,
    payload bytea,
    ratio float8,
    big int8,
    tags text[],
    meta jsonb
);
