//! The nullability table shared by `tests/describe_nullability.rs` (through `describe()`) and
//! `cli/tests/cli_describe.rs` (through `quarry describe --json`): a schema, data to fill it, and
//! queries with the nullability every column must get — on an empty database and on a
//! populated, ANALYZEd one alike.
// Each test binary uses a different part of the table.
#![allow(dead_code, unreachable_pub)]

/// The schema every case runs against: a migration of the folder `quarry.toml` names, so that
/// `quarry prepare` checks `tests/macros_nullability.rs` against the same tables.
pub const SCHEMA: &str = include_str!("../sql/migrations/0003_nullability_schema.sql");

/// Rows with NULLs where NULLs are allowed, users without posts, posts without comments.
pub const DATA: &str = "
INSERT INTO users SELECT g, 'user ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE g || '@x' END,
    CASE WHEN g % 4 = 0 THEN NULL ELSE g END FROM generate_series(1, 500) g;
INSERT INTO posts SELECT g, 1 + g % 250, 'post ' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'b' END,
    CASE WHEN g % 5 = 0 THEN '{}' ELSE ARRAY['t'] END,
    CASE WHEN g % 3 = 0 THEN NULL ELSE '{\"a\": null}'::jsonb END FROM generate_series(1, 2000) g;
INSERT INTO comments SELECT g, 1 + g % 1000, 'c' FROM generate_series(1, 3000) g;
INSERT INTO \"Mixed\" VALUES (1, NULL), (2, 2);
-- A post no comment shares an id with, holding a NULL tag; users sharing a name.
INSERT INTO posts VALUES (5000, 1, 'lonely', NULL, '{NULL}', NULL);
INSERT INTO users VALUES (501, 'dup', NULL, NULL), (502, 'dup', NULL, NULL);
INSERT INTO parent_t VALUES (1, 'p');
INSERT INTO child_t VALUES (2, NULL);
INSERT INTO part_t VALUES (1, 'x');
INSERT INTO checked (id, a, b, c) VALUES (1, 1, NULL, 5), (2, 2, 3, NULL);
INSERT INTO orders SELECT g, g, CASE WHEN g % 2 = 0 THEN g END, g FROM generate_series(1, 100) g;
INSERT INTO order_items SELECT g, 1 + g % 100 FROM generate_series(1, 300) g;
INSERT INTO pk_part VALUES (1, 'a');
INSERT INTO fk_part VALUES (1, 1);
-- An order without items; a NULL in a NOT NULL domain column (PostgreSQL's documented gap).
INSERT INTO orders VALUES (101, 1, NULL, 1);
INSERT INTO dom_t VALUES (1, 1), (2, 2);
INSERT INTO dom_t VALUES (3, (SELECT v FROM dom_t WHERE false));
INSERT INTO events VALUES (1, '2026-01-01 00:00+00'), (2, 'infinity');
ANALYZE;
";

/// NULL possible.
const N: bool = true;
/// Never NULL.
const X: bool = false;

/// Each query and the nullability of its columns in order.
pub const CASES: &[(&str, &[bool])] = &[
    // Catalog NOT NULL, `*`, qualified names, quoted identifiers.
    // id, name: catalog NOT NULL (a primary key is NOT NULL too).
    ("SELECT id, name, email FROM users", &[X, X, N]),
    ("SELECT * FROM users", &[X, X, N, N]),
    ("SELECT u.* FROM users u", &[X, X, N, N]),
    ("SELECT id FROM public.users", &[X]),
    // "Id": catalog NOT NULL.
    ("SELECT \"Id\", val FROM \"Mixed\"", &[X, N]),
    // name: catalog NOT NULL; DISTINCT only removes rows.
    ("SELECT DISTINCT name FROM users ORDER BY name", &[X]),
    // Views resolve to their base columns, through views of views and their joins.
    // id, name (user_id: users.id): NOT NULL base columns on the preserved side of the views' LEFT
    // JOIN.
    ("SELECT id, name, email FROM user_emails", &[X, X, N]),
    ("SELECT user_id, name, title FROM user_posts", &[X, X, N]),
    ("SELECT * FROM v_of_v", &[X, X, N]),
    // Joins.
    // Both ids: catalog NOT NULL, an inner join extends no side.
    (
        "SELECT u.id, p.id FROM users u JOIN posts p ON p.user_id = u.id",
        &[X, X],
    ),
    // u.id: the preserved side.
    (
        "SELECT u.id, p.id FROM users u LEFT JOIN posts p ON p.user_id = u.id",
        &[X, N],
    ),
    // posts.user_id is a NOT NULL foreign key to users: every post has its user.
    // u.id: the key finds each post's user; p.id: the preserved side.
    (
        "SELECT u.id, p.id FROM users u RIGHT JOIN posts p ON p.user_id = u.id",
        &[X, X],
    ),
    // u.id: every post has its user, so no post row is left unmatched and u is never extended.
    (
        "SELECT u.id, p.id FROM users u FULL JOIN posts p ON p.user_id = u.id",
        &[X, N],
    ),
    // u.id: the preserved side of every outer join here.
    (
        "SELECT u.id, p.id, c.id FROM users u LEFT JOIN (posts p JOIN comments c ON c.post_id = p.id) ON p.user_id = u.id",
        &[X, N, N],
    ),
    (
        "SELECT u.id, p.id, c.id FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN comments c ON c.post_id = p.id",
        &[X, N, N],
    ),
    // All: the inner join on c.post_id = p.id drops the rows where p was NULL-extended.
    (
        "SELECT u.id, p.id, c.id FROM users u LEFT JOIN posts p ON p.user_id = u.id JOIN comments c ON c.post_id = p.id",
        &[X, X, X],
    ),
    // u.id: on the preserved side of the RIGHT join and of its inner LEFT join.
    (
        "SELECT u.id, p.id FROM posts p RIGHT JOIN (users u LEFT JOIN comments c ON c.id = u.id) ON p.user_id = u.id",
        &[X, N],
    ),
    // Catalog NOT NULL columns, cross and comma joins extend nothing.
    ("SELECT p.id FROM users u CROSS JOIN posts p", &[X]),
    ("SELECT u.name, p.title FROM users u, posts p", &[X, X]),
    // u.id: preserved side.
    (
        "SELECT u.id, x.title FROM users u LEFT JOIN LATERAL (SELECT title FROM posts WHERE user_id = u.id LIMIT 1) x ON true",
        &[X, N],
    ),
    // title: catalog NOT NULL, the lateral join is inner.
    (
        "SELECT u.id, x.title FROM users u CROSS JOIN LATERAL (SELECT title FROM posts p WHERE p.user_id = u.id) x",
        &[X, X],
    ),
    // Catalog NOT NULL columns of an inner join; the merged id is equal on both sides.
    (
        "SELECT * FROM posts JOIN comments USING (id)",
        &[X, X, X, N, X, N, X, X],
    ),
    // id: USING's merged column is the preserved side's (LEFT) or COALESCE of both sides (FULL).
    (
        "SELECT id, text FROM posts LEFT JOIN comments USING (id)",
        &[X, N],
    ),
    (
        "SELECT id, text FROM posts FULL JOIN comments USING (id)",
        &[X, N],
    ),
    // WHERE narrows.
    // The filter is false or NULL for a NULL value, so no NULL passes.
    ("SELECT email FROM users WHERE email IS NOT NULL", &[X]),
    ("SELECT age FROM users WHERE age > 18", &[X]),
    (
        "SELECT p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.title IS NOT NULL",
        &[X],
    ),
    // Aggregates.
    // count is never NULL, over no rows too (0).
    ("SELECT count(*), count(email) FROM users", &[X, X]),
    (
        "SELECT sum(age), min(id), max(name), avg(age) FROM users",
        &[N, N, N, N],
    ),
    (
        "SELECT array_agg(id), string_agg(name, ',') FROM users",
        &[N, N],
    ),
    // name: catalog NOT NULL; count; max(id): a group has a row and id is NOT NULL; array_agg of a
    // non-empty group is an array.
    (
        "SELECT name, count(*), max(id), sum(age), array_agg(email) FROM users GROUP BY name",
        &[X, X, X, N, X],
    ),
    // name: catalog NOT NULL, grouped in every set.
    (
        "SELECT name, max(age) FROM users GROUP BY name HAVING count(*) > 1",
        &[X, N],
    ),
    // name: grouped, NOT NULL; count(*) FILTER: a count.
    (
        "SELECT name, max(id) FILTER (WHERE age > 1), count(*) FILTER (WHERE age > 1) FROM users GROUP BY name",
        &[X, N, X],
    ),
    // count(*): a count.
    (
        "SELECT name, count(*), max(id) FROM users GROUP BY ROLLUP(name)",
        &[N, X, N],
    ),
    (
        "SELECT name, age, count(*) FROM users GROUP BY CUBE(name, age)",
        &[N, N, X],
    ),
    (
        "SELECT name, sum(id) FROM users GROUP BY GROUPING SETS ((name), ())",
        &[N, N],
    ),
    // Window functions.
    // row_number, rank: never NULL; first_value: the default frame starts at the partition's first
    // row, whose name is NOT NULL.
    (
        "SELECT row_number() OVER (ORDER BY id), rank() OVER (ORDER BY id), lag(id) OVER (ORDER BY id), first_value(name) OVER (ORDER BY id) FROM users",
        &[X, X, N, X],
    ),
    // lag(id, 1, 0): id NOT NULL where there is a row, the non-NULL default where there is none.
    (
        "SELECT lag(id, 1, 0) OVER (ORDER BY id), lead(id, 1, age) OVER (ORDER BY id), last_value(email) OVER (ORDER BY id), first_value(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM users",
        &[X, N, N, N],
    ),
    // count: never NULL; sum(id) over a whole partition: it holds the current row, id NOT NULL.
    (
        "SELECT count(*) OVER (), sum(id) OVER (PARTITION BY name), sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM users",
        &[X, X, N],
    ),
    // COALESCE, GREATEST, LEAST, CASE.
    // coalesce(email, 'none'): its last argument is a non-NULL literal.
    (
        "SELECT coalesce(email, 'none'), coalesce(email, age::text) FROM users",
        &[X, N],
    ),
    // greatest ignores NULL arguments and 1 is not NULL.
    (
        "SELECT greatest(age, 1), least(age, NULL) FROM users",
        &[X, N],
    ),
    // Every branch, ELSE included, is a non-NULL literal.
    (
        "SELECT CASE WHEN age > 18 THEN 'adult' ELSE 'minor' END, CASE WHEN age > 18 THEN 'adult' END FROM users",
        &[X, N],
    ),
    (
        "SELECT CASE id WHEN 1 THEN name ELSE email END FROM users",
        &[N],
    ),
    // Literals, casts, operators.
    // Non-NULL literals.
    ("SELECT 1, 'a', true, NULL, 1.5", &[X, X, X, N, X]),
    // A cast of a NOT NULL column (id, name) is not NULL.
    (
        "SELECT id::text, email::varchar, CAST(name AS varchar(3)) FROM users",
        &[X, N, X],
    ),
    // Strict operators over NOT NULL id.
    ("SELECT id + 1, age * 2, -id FROM users", &[X, N, X]),
    // Strict comparisons of NOT NULL id and name with literals.
    (
        "SELECT id = 1, age > 1, name LIKE 'a%', email ILIKE '%x' FROM users",
        &[X, N, X, N],
    ),
    (
        "SELECT age BETWEEN 1 AND 2, id BETWEEN 1 AND 2 FROM users",
        &[N, X],
    ),
    // name || '!': text concatenation of non-NULLs; concat() skips NULL arguments and never returns
    // NULL.
    (
        "SELECT name || '!', email || '!', concat(email, '!') FROM users",
        &[X, N, X],
    ),
    // Functions: non-NULL for non-NULL input only when known; never for ->>, [], NULLIF, ...
    // length, abs, upper: strict, non-NULL for the NOT NULL name and id.
    (
        "SELECT length(name), abs(id), length(email), upper(name) FROM users",
        &[X, X, N, X],
    ),
    (
        "SELECT meta ->> 'a', tags[1], nullif(id, 1), regexp_match(title, 'x'), array_length(tags, 1) FROM posts",
        &[N, N, N, N, N],
    ),
    // substring(from for) of a NOT NULL string is a (maybe empty) string; the regex form may not
    // match.
    (
        "SELECT substring(name from 1 for 2), substring(name from 'a.') FROM users",
        &[X, N],
    ),
    // jsonb_build_object always builds an object; to_jsonb of NOT NULL name.
    (
        "SELECT jsonb_build_object('a', email), to_jsonb(name) FROM users",
        &[X, X],
    ),
    // The transaction's clock is never NULL.
    ("SELECT now(), current_timestamp, current_date", &[X, X, X]),
    // An array constructor builds an array (its elements may be NULL), ARRAY(subquery) too (empty).
    (
        "SELECT ARRAY[email], ARRAY(SELECT id FROM users WHERE false) FROM users",
        &[X, X],
    ),
    // EXISTS, IS [NOT] NULL, IN.
    // EXISTS is true or false.
    (
        "SELECT EXISTS (SELECT 1 FROM posts), NOT EXISTS (SELECT 1 FROM posts WHERE body IS NULL)",
        &[X, X],
    ),
    // IS [NOT] NULL and IS DISTINCT FROM are never NULL.
    (
        "SELECT email IS NULL, email IS NOT NULL, age IS DISTINCT FROM 1 FROM users",
        &[X, X, X],
    ),
    // id IN (...): NOT NULL id against non-NULL values (literals, the NOT NULL posts.user_id).
    (
        "SELECT id IN (1, 2), age IN (1, 2), id IN (SELECT user_id FROM posts) FROM users",
        &[X, N, X],
    ),
    // Scalar subqueries: NULL unless an aggregate without GROUP BY.
    // count(*) without GROUP BY: exactly one row, never NULL; (SELECT 1): one row, a literal.
    (
        "SELECT (SELECT count(*) FROM posts), (SELECT max(id) FROM posts), (SELECT id FROM posts LIMIT 1), (SELECT 1)",
        &[X, N, N, X],
    ),
    (
        "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) FROM users u",
        &[X, X],
    ),
    ("SELECT s.n FROM (SELECT count(*) AS n FROM users) s", &[X]),
    // CTEs, recursive too.
    // id: catalog NOT NULL through the CTE (renamed too).
    (
        "WITH x AS (SELECT id, email FROM users) SELECT id, email FROM x",
        &[X, N],
    ),
    (
        "WITH x(a, b) AS (SELECT id, email FROM users) SELECT * FROM x",
        &[X, N],
    ),
    // n: 1, then n + 1 of a non-NULL n.
    (
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT n FROM t",
        &[X],
    ),
    (
        "WITH RECURSIVE t(n, m) AS (SELECT 1, 1 UNION ALL SELECT n + 1, NULL::int FROM t WHERE n < 5) SELECT n, m FROM t",
        &[X, N],
    ),
    // Set operations, VALUES.
    ("SELECT id FROM users UNION SELECT age FROM users", &[N]),
    // Every branch's column is catalog NOT NULL.
    (
        "SELECT id, name FROM users UNION ALL SELECT id, title FROM posts",
        &[X, X],
    ),
    // INTERSECT keeps only values the NOT NULL name also has.
    (
        "SELECT email FROM users INTERSECT SELECT name FROM users",
        &[X],
    ),
    (
        "SELECT email FROM users EXCEPT SELECT name FROM users",
        &[N],
    ),
    // column1: non-NULL literals in every row.
    ("VALUES (1, 'a'), (2, NULL)", &[X, N]),
    (
        "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)",
        &[X, X],
    ),
    // generate_series, unnest.
    // A strict set-returning function of non-NULL bounds yields non-NULL values; ORDINALITY counts.
    ("SELECT g FROM generate_series(1, 10) g", &[X]),
    ("SELECT generate_series(1, 3)", &[X]),
    (
        "SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS t(v, i)",
        &[X, X],
    ),
    ("SELECT u FROM unnest(ARRAY[1, NULL]) u", &[N]),
    // v: the array's only element is a literal; i: ORDINALITY counts.
    (
        "SELECT * FROM unnest(ARRAY['a']) WITH ORDINALITY AS t(v, i)",
        &[X, X],
    ),
    (
        "SELECT * FROM unnest(ARRAY['a', NULL]) WITH ORDINALITY AS t(v, i)",
        &[N, X],
    ),
    ("SELECT unnest(tags) FROM posts", &[N]),
    // Set-returning functions in a select list run in lock step: the shorter ones are padded
    // with NULLs (a: NULL in rows 4 and 5), so each column holding one is nullable.
    (
        "SELECT generate_series(1, 3) AS a, generate_series(1, 5) AS b",
        &[N, N],
    ),
    // c: a literal, repeated on every row.
    (
        "SELECT generate_series(1, 3) AS a, unnest(ARRAY[1, 2, 3, 4]) AS b, 7 AS c",
        &[N, N, X],
    ),
    ("SELECT generate_series(1, 2) + generate_series(1, 3)", &[N]),
    // One set-returning function pads nothing.
    // a: one strict SRF of non-NULL bounds; b, c: a literal and concat() are never NULL.
    (
        "SELECT generate_series(1, 3) AS a, 1 AS b, concat('a', 'b') AS c",
        &[X, X, X],
    ),
    // Parameters may be NULL.
    ("SELECT $1::int, $2::text", &[N, N]),
    // id: catalog NOT NULL.
    ("SELECT id FROM users WHERE id = $1", &[X]),
    // INSERT / UPDATE / DELETE ... RETURNING, ON CONFLICT.
    // RETURNING gives the written row, whose catalog NOT NULL columns (id, name, ...) hold.
    (
        "INSERT INTO users (id, name) VALUES ($1, $2) RETURNING id, name, email",
        &[X, X, N],
    ),
    (
        "INSERT INTO users (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING *",
        &[X, X, N, N],
    ),
    (
        "INSERT INTO users VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        &[X],
    ),
    (
        "UPDATE users SET email = $1 WHERE id = $2 RETURNING id, email",
        &[X, N],
    ),
    (
        "UPDATE users SET name = $1 WHERE id = $2 RETURNING name",
        &[X],
    ),
    // p.id: the updated row's catalog NOT NULL column.
    (
        "UPDATE posts p SET title = u.name FROM users u WHERE u.id = p.user_id RETURNING p.id, u.email",
        &[X, N],
    ),
    (
        "DELETE FROM posts WHERE id = $1 RETURNING id, body",
        &[X, N],
    ),
    (
        "WITH ins AS (INSERT INTO users (id, name) VALUES (100000, 'x') RETURNING id, email) SELECT * FROM ins",
        &[X, N],
    ),
    // Inheritance: a child that dropped NOT NULL makes the parent's column nullable in scans;
    // partitions cannot drop it.
    // id: NOT NULL in the parent and every child.
    ("SELECT id, v FROM parent_t", &[X, N]),
    ("SELECT id, v FROM child_t", &[X, N]),
    // A partition keeps its parent's NOT NULL.
    ("SELECT id, v FROM part_t", &[X, X]),
    ("SELECT id, v FROM part_t1", &[X, X]),
    // CHECK constraints: NOT NULL only when NULL makes them false (NULL passes a CHECK).
    // Generated columns over NOT NULL inputs.
    // a: CHECK (a IS NOT NULL) is false for NULL; d: id * 2 of the NOT NULL id.
    ("SELECT a, b, c, d, e FROM checked", &[X, N, N, X, N]),
    // Casts to NOT NULL domains (an error, never NULL), domains over them too.
    // A NULL int cast to a NOT NULL domain (or one over it) raises an error instead.
    (
        "SELECT age::nn_int, CAST(age AS nn_int2), CAST(age AS public.nn_int) FROM users WHERE id = 1",
        &[X, X, X],
    ),
    ("SELECT c, b::int FROM checked", &[N, N]),
    // System columns: there in every row of a table, not in a NULL-extended one.
    (
        "SELECT ctid, xmin, tableoid, u.cmin FROM users u",
        &[X, X, X, X],
    ),
    (
        "SELECT p.ctid FROM users u LEFT JOIN posts p ON p.id = u.id + 100000",
        &[N],
    ),
    // Foreign keys: a NOT NULL, immediate key cannot miss; a nullable or deferrable one, or an
    // ON with more than the key, can.
    // o.id: preserved side; u.name: the NOT NULL immediate key orders.user_id finds its user.
    (
        "SELECT o.id, u.name, u.email FROM orders o LEFT JOIN users u ON u.id = o.user_id",
        &[X, X, N],
    ),
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON o.user_id = u.id",
        &[X, X],
    ),
    // o.id: preserved side.
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.helper_id",
        &[X, N],
    ),
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.age > 1",
        &[X, N],
    ),
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.late_id",
        &[X, N],
    ),
    // i.id: preserved; o.id: order_items.order_id's key finds the order; u.name: then user_id's.
    (
        "SELECT i.id, o.id, u.name FROM order_items i LEFT JOIN orders o ON o.id = i.order_id LEFT JOIN users u ON u.id = o.user_id",
        &[X, X, X],
    ),
    // u.name: user_id's key finds each order's user; o.id: preserved side.
    (
        "SELECT u.name, o.id FROM users u RIGHT JOIN orders o ON o.user_id = u.id",
        &[X, X],
    ),
    // u.name: no order is left without its user, so u is never NULL-extended.
    (
        "SELECT u.name, o.id FROM users u FULL JOIN orders o ON o.user_id = u.id",
        &[X, N],
    ),
    // u.name: preserved side.
    (
        "SELECT u.name, o.id FROM users u LEFT JOIN orders o ON o.user_id = u.id",
        &[X, N],
    ),
    // Filters: a WHERE conjunct false or NULL for a NULL column proves it NOT NULL, and undoes
    // the outer join that NULL-extended its relation.
    // p.title: p.body = 'b' / p.id > 5 is NULL for a NULL-extended p, so p is matched.
    (
        "SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.body = 'b'",
        &[X, X],
    ),
    (
        "SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id > 5",
        &[X, X],
    ),
    // u.id: preserved side.
    (
        "SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id IS NULL",
        &[X, N],
    ),
    // c.id > 0 rejects an extended c, hence c matched p (so p is not extended either).
    (
        "SELECT u.id, p.title, c.text FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN comments c ON c.post_id = p.id WHERE c.id > 0",
        &[X, X, X],
    ),
    // p.id > 0 rejects an extended p; c stays outer.
    (
        "SELECT u.id, p.title, c.text FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN comments c ON c.post_id = p.id WHERE p.id > 0",
        &[X, X, N],
    ),
    // Each filter is NULL or false when the column is NULL: NOT (true), LIKE, IN, BETWEEN, a strict
    // function compared, IS NOT DISTINCT FROM a non-NULL, = ANY, NOT (NULL).
    ("SELECT email FROM users WHERE NOT (email IS NULL)", &[X]),
    ("SELECT email FROM users WHERE email LIKE '%x'", &[X]),
    ("SELECT age FROM users WHERE age IN (1, 2, 3)", &[X]),
    ("SELECT age FROM users WHERE age BETWEEN 1 AND 100", &[X]),
    ("SELECT email FROM users WHERE lower(email) = '1@x'", &[X]),
    (
        "SELECT age FROM users WHERE age IS NOT DISTINCT FROM 5",
        &[X],
    ),
    (
        "SELECT age FROM users WHERE age = ANY(ARRAY[1, 2, 3])",
        &[X],
    ),
    ("SELECT age FROM users WHERE NOT (age > 1000)", &[X]),
    ("SELECT age FROM users WHERE age IS DISTINCT FROM 5", &[N]),
    (
        "SELECT email FROM users WHERE coalesce(email, '') <> 'zz'",
        &[N],
    ),
    // Both arms of the OR are NULL for a NULL email.
    (
        "SELECT email FROM users WHERE email = '1@x' OR email = '2@x'",
        &[X],
    ),
    (
        "SELECT email, age FROM users WHERE email = '4@x' OR age = 3",
        &[N, N],
    ),
    (
        "SELECT email FROM users WHERE (email > 'a') IS NOT FALSE",
        &[N],
    ),
    // u.age: p.user_id = NULL matches no row, so EXISTS is false.
    (
        "SELECT u.age FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.age)",
        &[X],
    ),
    (
        "SELECT u.age FROM users u WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.age)",
        &[N],
    ),
    // u.email: an inner join's ON is a filter, and = is NULL for a NULL email.
    (
        "SELECT u.email FROM users u JOIN posts p ON p.title = u.email",
        &[X],
    ),
    (
        "SELECT u.email, p.body FROM users u LEFT JOIN posts p ON u.email IS NOT NULL AND p.user_id = u.id AND p.body IS NOT NULL",
        &[N, N],
    ),
    // Under ROLLUP a subquery sees the grouped column NULL in the total row too.
    (
        "SELECT name, (SELECT u.name) FROM users u GROUP BY ROLLUP(name)",
        &[N, N],
    ),
    // ARRAY(subquery) is an array, empty or not.
    (
        "SELECT name, ARRAY(SELECT u.name) FROM users u GROUP BY ROLLUP(name)",
        &[N, X],
    ),
    // Functions, from one table of facts checked against pg_proc; overloads told apart by the
    // argument's type category (`upper(text)` never NULL, `upper(anyrange)` may be).
    // lower, initcap, regexp_replace, split_part: strict, non-NULL of NOT NULL name; format and
    // concat_ws: never NULL for a non-NULL format or separator.
    (
        "SELECT lower(name), initcap(name), regexp_replace(name, 'u', 'v'), split_part(name, ' ', 2), format('%s!', email), concat_ws(',', email, name) FROM users",
        &[X, X, X, X, X, X],
    ),
    // upper(text) of a concatenation of non-NULL text.
    (
        "SELECT lower(email), format(email), concat_ws(email, name), upper(name::varchar || 'x') FROM users",
        &[N, N, N, X],
    ),
    // upper('[1,2)'): the untyped literal is text, and upper(text) of a non-NULL text is not NULL.
    (
        "SELECT upper(int4range(id, NULL)), lower('(,2)'::int4range), upper('[1,2)') FROM users",
        &[N, N, X],
    ),
    // date_trunc, age, make_date, to_char: non-NULL for non-NULL arguments.
    (
        "SELECT date_trunc('day', now()), age(now()), make_date(2020, 1, id % 28 + 1), to_char(now(), 'YYYY') FROM users",
        &[X, X, X, X],
    ),
    (
        "SELECT extract(month from 'infinity'::timestamp), date_part('month', 'infinity'::timestamp)",
        &[N, N],
    ),
    // to_json, row_to_json, jsonb_build_object: of NOT NULL title, of a whole row: never NULL.
    (
        "SELECT meta -> 'a', meta ->> 'a', to_json(title), row_to_json(p), jsonb_build_object('t', title), meta #> '{a}' FROM posts p",
        &[N, N, X, X, X, N],
    ),
    // ?, @>, ?|: strict operators, and the filter proves meta NOT NULL.
    (
        "SELECT meta ? 'a', meta @> '{}', meta ?| ARRAY['a'] FROM posts WHERE meta IS NOT NULL",
        &[X, X, X],
    ),
    ("SELECT meta ? 'a' FROM posts", &[N]),
    // jsonb_each: keys are never NULL, values are jsonb (a JSON null is 'null', not NULL).
    (
        "SELECT e.key, e.value FROM posts p, jsonb_each(p.meta) e",
        &[X, X],
    ),
    // key: an object's keys are never NULL.
    (
        "SELECT key, value FROM jsonb_each_text('{\"a\": null}')",
        &[X, N],
    ),
    // Elements of a jsonb array are jsonb values ('null' for a JSON null).
    (
        "SELECT y FROM posts p, jsonb_array_elements(coalesce(p.meta -> 'missing', '[1, null]')) AS y",
        &[X],
    ),
    // tags is NOT NULL: ||, slices with non-NULL bounds, array_remove and cardinality give a value.
    (
        "SELECT tags || 'x'::text, tags[1:2], tags[:1], array_remove(tags, 'x'), cardinality(tags), array_length(tags, 1), tags[1] FROM posts",
        &[X, X, X, X, X, N, N],
    ),
    ("SELECT tags[1:NULL] FROM posts", &[N]),
    // generate_subscripts: the subscripts of a non-NULL array, no rows for an empty one.
    ("SELECT generate_subscripts(tags, 1) FROM posts", &[X]),
    (
        "SELECT g FROM generate_subscripts(ARRAY[1, 2], 1) AS g",
        &[X],
    ),
    (
        "SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', NULL, 'c']) AS t(a, b)",
        &[N, N],
    ),
    // name: grouped, NOT NULL; percentile_cont over a non-empty group of NOT NULL id; mode() of
    // NOT NULL names.
    (
        "SELECT name, percentile_cont(0.5) WITHIN GROUP (ORDER BY id), percentile_disc(0.5) WITHIN GROUP (ORDER BY age), mode() WITHIN GROUP (ORDER BY name) FROM users GROUP BY name",
        &[X, X, N, X],
    ),
    (
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM users WHERE id < 0",
        &[N],
    ),
    // grouping() is 0 or 1; count(*) a count.
    (
        "SELECT name, grouping(name), count(*) FROM users GROUP BY ROLLUP(name)",
        &[N, X, X],
    ),
    // x OR true is true, x AND false is false, whatever x is.
    (
        "SELECT email IS NULL OR age > 1, age > 1 OR true, age > 1 AND false, age > 1 OR false FROM users",
        &[N, X, X, N],
    ),
    // NOT NULL id against arrays of non-NULL literals: true or false.
    (
        "SELECT id = ANY(ARRAY[1, 2]), age = ANY(ARRAY[1]), id = ANY(ARRAY[1, NULL]), id <> ALL(ARRAY[1, 2]) FROM users",
        &[X, N, N, X],
    ),
    // enum_range: an array of the enum's values (from 'ok' on); the enum has values.
    (
        "SELECT enum_range(NULL::mood), enum_range('ok'::mood, NULL)",
        &[X, X],
    ),
    // to_jsonb of a row; the subquery follows the NOT NULL key posts.user_id to its one user.
    (
        "SELECT to_jsonb(p), (SELECT to_jsonb(u) FROM users u WHERE u.id = p.user_id) FROM posts p",
        &[X, X],
    ),
    // A scalar subquery along a NOT NULL foreign key finds its one row; along a nullable one,
    // or with more than the key in WHERE, it may find none.
    // First: orders.user_id is a NOT NULL immediate key, so its user exists; name NOT NULL.
    (
        "SELECT (SELECT u.name FROM users u WHERE u.id = o.user_id), (SELECT u.name FROM users u WHERE u.id = o.helper_id), (SELECT u.name FROM users u WHERE u.id = o.user_id AND u.age > 1) FROM orders o",
        &[X, N, N],
    ),
    (
        "SELECT to_json(p) FROM users u LEFT JOIN posts p ON p.user_id = u.id",
        &[N],
    ),
    // Grouping sets: a column grouped in every set is never grouped away.
    // name: grouped in every set, NOT NULL; count(*) a count.
    (
        "SELECT name, age, count(*) FROM users GROUP BY name, ROLLUP(age)",
        &[X, N, X],
    ),
    (
        "SELECT name, age FROM users GROUP BY GROUPING SETS ((name, age), (name))",
        &[X, N],
    ),
    (
        "SELECT name, id FROM users GROUP BY GROUPING SETS ((name), (id))",
        &[N, N],
    ),
    // name, and the subquery's u.name: name is grouped in every set (CUBE only adds age).
    (
        "SELECT name, (SELECT u.name), count(*) FROM users u GROUP BY name, CUBE(age)",
        &[X, X, X],
    ),
    // HAVING: what it proves of grouped columns and of the aggregates it tests.
    // name: grouped, NOT NULL; the aggregate: HAVING's test is NULL for a NULL one.
    (
        "SELECT name, max(age) FROM users GROUP BY name HAVING max(age) IS NOT NULL",
        &[X, X],
    ),
    (
        "SELECT name, sum(age) FROM users GROUP BY name HAVING sum(age) > 10",
        &[X, X],
    ),
    ("SELECT max(age) FROM users HAVING max(age) > 0", &[X]),
    // email: HAVING rejects the NULL group; count(*) a count.
    (
        "SELECT email, count(*) FROM users GROUP BY email HAVING email IS NOT NULL",
        &[X, X],
    ),
    (
        "SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 0",
        &[N, X],
    ),
    // CASE branches see their WHEN true and the earlier ones not true.
    // ELSE email runs only when email IS NULL is false; THEN age only when age > 1 is true.
    (
        "SELECT CASE WHEN email IS NULL THEN 'none' ELSE email END, CASE WHEN age > 1 THEN age ELSE 0 END, CASE WHEN email IS NOT NULL THEN email END FROM users",
        &[X, X, N],
    ),
    // The later branches run only when age IS NULL is false.
    (
        "SELECT CASE WHEN age IS NULL THEN -1 WHEN age > 10 THEN age ELSE age END, CASE WHEN id > 10 THEN age ELSE 0 END FROM users",
        &[X, N],
    ),
    // THEN email runs only when email = '1@x' is true.
    (
        "SELECT CASE email WHEN '1@x' THEN email ELSE 'other' END, CASE WHEN email LIKE '%' THEN 1 ELSE length(email) END FROM users",
        &[X, N],
    ),
    // Subqueries, CTEs and set operations keep what their WHERE proved.
    // The inner or outer WHERE rejects NULL emails; the UNION ALL's other branch is NOT NULL name.
    (
        "SELECT s.email FROM (SELECT email FROM users WHERE email IS NOT NULL) s",
        &[X],
    ),
    (
        "WITH e AS (SELECT email FROM users) SELECT email FROM e WHERE email <> ''",
        &[X],
    ),
    (
        "SELECT email FROM users WHERE email IS NOT NULL UNION ALL SELECT name FROM users",
        &[X],
    ),
    // x.title LIKE rejects the NULL-extended rows; u.id preserved.
    (
        "SELECT u.id, x.title FROM users u LEFT JOIN LATERAL (SELECT title FROM posts WHERE user_id = u.id LIMIT 1) x ON true WHERE x.title LIKE 'post%'",
        &[X, X],
    ),
    // v.a: non-NULL literals, preserved side.
    (
        "SELECT v.a, u.name FROM (VALUES (1), (100000)) v(a) LEFT JOIN users u ON u.id = v.a",
        &[X, N],
    ),
    (
        "SELECT v.a, u.name FROM (VALUES (1), (100000)) v(a) LEFT JOIN users u ON u.id = v.a WHERE u.id IS NULL",
        &[X, N],
    ),
    // u.email IS NOT NULL rejects rows where u is extended: name NOT NULL.
    (
        "SELECT u.name, p.title FROM users u FULL JOIN posts p ON p.id = u.id * 10 WHERE u.email IS NOT NULL",
        &[X, N],
    ),
    (
        "SELECT u.name, p.title FROM users u FULL JOIN posts p ON p.id = u.id WHERE u.email IS NOT NULL AND p.body IS NOT NULL",
        &[X, X],
    ),
    // b.age > 0 rejects an extended b.
    (
        "SELECT a.name, b.name FROM users a LEFT JOIN users b ON b.id = a.id + 1 WHERE b.age > 0",
        &[X, X],
    ),
    // p.title IS NOT NULL rejects an extended p; u.id preserved.
    (
        "SELECT u.id, p.id FROM users u LEFT JOIN posts p USING (id) WHERE p.title IS NOT NULL",
        &[X, X],
    ),
    // Data-modifying statements and CTEs.
    // post_id: catalog NOT NULL in the deleted rows, the preserved side.
    (
        "WITH d AS (DELETE FROM comments WHERE id < 0 RETURNING post_id, text) SELECT d.post_id, p.title FROM d LEFT JOIN posts p ON p.id = d.post_id",
        &[X, N],
    ),
    // id: catalog NOT NULL in the written rows.
    (
        "WITH u AS (UPDATE users SET age = age WHERE id < 0 RETURNING id, age) SELECT * FROM u",
        &[X, N],
    ),
    (
        "INSERT INTO users (id, name) SELECT id + 100000, title FROM posts WHERE id < 0 RETURNING id, email",
        &[X, N],
    ),
    (
        "INSERT INTO orders VALUES (1, 1, NULL, 1) ON CONFLICT (id) DO UPDATE SET helper_id = EXCLUDED.helper_id RETURNING helper_id, user_id",
        &[N, X],
    ),
    // u.email: WHERE of the UPDATE ... FROM rejects NULL; p.body: RETURNING shows the value
    // SET wrote, u.email (posts has no trigger or rule that could change it).
    (
        "UPDATE posts p SET body = u.email FROM users u WHERE u.id = p.user_id AND u.email IS NOT NULL AND p.body IS NOT NULL RETURNING p.body, u.email, u.age",
        &[X, X, N],
    ),
    // u.email, p.body: the DELETE's WHERE rejects NULL in both.
    (
        "DELETE FROM posts p USING users u WHERE u.id = p.user_id AND u.email IS NOT NULL AND p.body > '' RETURNING u.email, p.body, p.meta",
        &[X, X, N],
    ),
    // Recursive CTEs.
    // n: 1, then n + 1.
    (
        "WITH RECURSIVE t(n, p) AS (SELECT 1, NULL::int UNION ALL SELECT n + 1, n FROM t WHERE n < 3) SELECT n, p FROM t",
        &[X, N],
    ),
    // n: 1 then n + 1; p: 0 then p + n, both non-NULL.
    (
        "WITH RECURSIVE t(n, p) AS (SELECT 1, 0 UNION SELECT n + 1, p + n FROM t WHERE n < 3) SELECT n, p FROM t",
        &[X, X],
    ),
    // id: posts.id; up: the NOT NULL user_id, carried unchanged.
    (
        "WITH RECURSIVE chain(id, up) AS (SELECT id, user_id FROM posts WHERE id = 1 UNION ALL SELECT p.id, c.up FROM chain c JOIN posts p ON p.id = c.id + 1 WHERE p.id < 4) SELECT id, up FROM chain",
        &[X, X],
    ),
    // Adversarial review. A FULL join's side that is not NULL-extended does not mean ON held
    // (the row may be that side's alone): the other side stays nullable.
    // c.id: WHERE rejects NULL.
    (
        "SELECT u.id, c.id FROM users u FULL JOIN comments c ON c.id = u.id WHERE c.id IS NOT NULL",
        &[N, X],
    ),
    // A sampled table misses referenced rows: a foreign key proves no match.
    // o.id: preserved side.
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u TABLESAMPLE BERNOULLI (0) ON u.id = o.user_id",
        &[X, N],
    ),
    (
        "SELECT (SELECT u.name FROM users u TABLESAMPLE BERNOULLI (0) WHERE u.id = o.user_id) FROM orders o",
        &[N],
    ),
    // `ONLY` a partitioned table scans none of its rows (they are in its partitions).
    // f.id: preserved side.
    (
        "SELECT f.id, k.name FROM fk_part f LEFT JOIN ONLY pk_part k ON k.id = f.p",
        &[X, N],
    ),
    (
        "SELECT (SELECT k.name FROM ONLY pk_part k WHERE k.id = f.p) FROM fk_part f",
        &[N],
    ),
    // k.name: the NOT NULL immediate key f.p finds its row among pk_part's partitions.
    (
        "SELECT f.id, k.name FROM fk_part f LEFT JOIN pk_part k ON k.id = f.p",
        &[X, X],
    ),
    // `users` is f's column (columns win over whole rows), not the row of users.
    (
        "SELECT users FROM users, jsonb_to_record('{\"users\": null}') AS f(users int)",
        &[N],
    ),
    // An aggregate in ORDER BY makes the EXISTS subquery one row whatever WHERE keeps.
    (
        "SELECT email FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.title = u.email ORDER BY count(*))",
        &[N],
    ),
    // RETURNING's subqueries do not see rows the same statement writes; foreign keys are
    // checked only at its end.
    (
        "WITH n AS (INSERT INTO users (id, name) VALUES (900, 'x')) INSERT INTO orders VALUES (900, 900, NULL, 1) RETURNING (SELECT name FROM users WHERE users.id = orders.user_id)",
        &[N],
    ),
    (
        "WITH n AS (INSERT INTO users (id, name) VALUES (901, 'y')) UPDATE orders SET user_id = 901 WHERE id = 1 RETURNING (SELECT name FROM users WHERE users.id = orders.user_id)",
        &[N],
    ),
    // Issue 13's table, continued. Filters that prove NOT NULL: each is false or NULL for a NULL
    // column (comparisons, LIKE/ILIKE/SIMILAR, NOT IN and NOT BETWEEN of non-NULLs, strict
    // functions and operators compared, = ANY of a non-NULL array, correlated EXISTS, NOT (... OR
    // ...)).
    ("SELECT email FROM users WHERE email <> ''", &[X]),
    ("SELECT age FROM users WHERE age >= 10 AND age < 20", &[X]),
    ("SELECT email FROM users WHERE email NOT LIKE '1%'", &[X]),
    ("SELECT email FROM users WHERE email ILIKE '%X'", &[X]),
    ("SELECT email FROM users WHERE email SIMILAR TO '%x'", &[X]),
    ("SELECT age FROM users WHERE age NOT IN (1, 2)", &[X]),
    ("SELECT age FROM users WHERE age NOT BETWEEN 1 AND 10", &[X]),
    ("SELECT email FROM users WHERE length(email) > 3", &[X]),
    ("SELECT email FROM users WHERE upper(email) LIKE '%X'", &[X]),
    ("SELECT age FROM users WHERE abs(age) > 0", &[X]),
    ("SELECT age FROM users WHERE age + 1 > 5", &[X]),
    (
        "SELECT email FROM users WHERE email = ANY('{1@x,2@x}')",
        &[X],
    ),
    (
        "SELECT email FROM users WHERE email IN (SELECT title FROM posts)",
        &[X],
    ),
    // p.body: c.text = NULL matches no comment.
    (
        "SELECT p.body FROM posts p WHERE EXISTS (SELECT 1 FROM comments c WHERE c.text = p.body)",
        &[X],
    ),
    // NOT (a IS NULL OR b IS NULL) is a IS NOT NULL AND b IS NOT NULL.
    (
        "SELECT email, age FROM users WHERE NOT (email IS NULL OR age IS NULL)",
        &[X, X],
    ),
    (
        "SELECT email, age FROM users WHERE email IS NOT NULL AND age IS NOT NULL",
        &[X, X],
    ),
    // The filter sits above the subquery and the LIMIT.
    (
        "SELECT x.email FROM (SELECT email FROM users) x WHERE x.email IS NOT NULL",
        &[X],
    ),
    (
        "SELECT email FROM users WHERE email IS NOT NULL ORDER BY email LIMIT 5",
        &[X],
    ),
    // A filter on the nullable side of an outer join makes it inner: it is NULL for the extended
    // row. p.*: rejected when extended (LIKE, <, =); u.name, u.id: preserved.
    (
        "SELECT u.name, p.title, p.body FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.body LIKE 'b%'",
        &[X, X, X],
    ),
    // p.id < 100 rejects an extended p.
    (
        "SELECT u.email, p.id FROM posts p RIGHT JOIN users u ON u.id = p.user_id WHERE p.id < 100",
        &[N, X],
    ),
    // u.id > 0 rejects the rows where u is extended; p stays outer (users without posts).
    (
        "SELECT u.id, p.id FROM users u FULL JOIN posts p ON p.user_id = u.id WHERE u.id > 0",
        &[X, N],
    ),
    (
        "SELECT u.id, p.id FROM users u FULL JOIN posts p ON p.user_id = u.id WHERE p.id > 0 AND u.id > 0",
        &[X, X],
    ),
    // c.text = 'c' rejects an extended c; u.name preserved.
    (
        "SELECT u.name, c.text FROM users u LEFT JOIN comments c ON c.id = u.id WHERE c.text = 'c'",
        &[X, X],
    ),
    // p.user_id = u.id rejects an extended p.
    (
        "SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.user_id = u.id",
        &[X, X],
    ),
    // Sound non-proofs: filters that a NULL can pass. `> ALL` and `<> ALL` of an empty array, and
    // NOT IN of an empty subquery, are true for NULL; coalesce() hides the NULL; NOT (ROW IS NULL)
    // needs one field only; OR needs one arm; IS NOT TRUE is true for NULL.
    ("SELECT age FROM users WHERE age > ALL('{}'::int[])", &[N]),
    (
        "SELECT age FROM users WHERE age <> ALL(ARRAY[]::int[])",
        &[N],
    ),
    (
        "SELECT age FROM users WHERE age NOT IN (SELECT user_id FROM posts WHERE false)",
        &[N],
    ),
    (
        "SELECT email FROM users WHERE coalesce(email, 'x') IS NOT NULL",
        &[N],
    ),
    (
        "SELECT email FROM users WHERE concat(email, 'a') = 'a'",
        &[N],
    ),
    (
        "SELECT email, age FROM users WHERE NOT (ROW(email, age) IS NULL)",
        &[N, N],
    ),
    (
        "SELECT email FROM users WHERE email IS NOT NULL OR age > 1",
        &[N],
    ),
    (
        "SELECT email FROM users WHERE (email = 'x') IS NOT TRUE",
        &[N],
    ),
    // An outer join's ON filters only the side it extends: a condition on the preserved side keeps
    // its rows, on the extended side it does not stop the extension.
    (
        "SELECT u.email FROM users u LEFT JOIN posts p ON u.email IS NOT NULL",
        &[N],
    ),
    (
        "SELECT p.body FROM users u LEFT JOIN posts p ON p.user_id = u.id AND p.body IS NOT NULL",
        &[N],
    ),
    // u.id: preserved side.
    (
        "SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id AND u.age IS NOT NULL",
        &[X, N],
    ),
    // p.id: preserved side.
    (
        "SELECT u.email, p.id FROM users u RIGHT JOIN posts p ON p.user_id = u.id AND u.email IS NOT NULL",
        &[N, X],
    ),
    // NOT NULL immediate foreign keys through LEFT/RIGHT/FULL joins, chains and scalar subqueries.
    // i.id: preserved; o.user_id: order_items.order_id's key finds the order, user_id NOT NULL.
    (
        "SELECT i.id, o.user_id FROM order_items i LEFT JOIN orders o ON o.id = i.order_id",
        &[X, X],
    ),
    // o.id: every item's order exists.
    (
        "SELECT o.id FROM orders o RIGHT JOIN order_items i ON i.order_id = o.id",
        &[X],
    ),
    // o.id: no item lacks its order, so o is never extended (order 101 has no items: i is).
    (
        "SELECT o.id, i.id FROM orders o FULL JOIN order_items i ON i.order_id = o.id",
        &[X, N],
    ),
    // i.id preserved; o.id: the key finds the order; u: helper_id is nullable and proves nothing.
    (
        "SELECT i.id, o.id, u.name FROM order_items i LEFT JOIN orders o ON o.id = i.order_id LEFT JOIN users u ON u.id = o.helper_id",
        &[X, X, N],
    ),
    // p.id preserved; u.name: posts.user_id's key finds the user.
    (
        "SELECT p.id, u.name FROM posts p LEFT JOIN users u ON u.id = p.user_id",
        &[X, X],
    ),
    (
        "SELECT u.email FROM posts p LEFT JOIN users u ON u.id = p.user_id",
        &[N],
    ),
    // u.name: preserved side (the key points the other way: users may have no orders).
    (
        "SELECT o.id, u.name FROM orders o RIGHT JOIN users u ON u.id = o.user_id",
        &[N, X],
    ),
    // p.title: preserved side; u.age > 0 in ON can fail, so the key proves nothing.
    (
        "SELECT p.title, u.name FROM users u RIGHT JOIN posts p ON u.id = p.user_id AND u.age > 0",
        &[X, N],
    ),
    // The subqueries follow NOT NULL immediate keys (posts.user_id; order_id then user_id) to
    // exactly
    // one row, whose selected column is NOT NULL.
    (
        "SELECT (SELECT u.name FROM users u WHERE u.id = p.user_id) FROM posts p",
        &[X],
    ),
    (
        "SELECT (SELECT o.user_id FROM orders o WHERE o.id = i.order_id) FROM order_items i",
        &[X],
    ),
    (
        "SELECT (SELECT (SELECT u.name FROM users u WHERE u.id = o.user_id) FROM orders o WHERE o.id = i.order_id) FROM order_items i",
        &[X],
    ),
    (
        "SELECT (SELECT o.helper_id FROM orders o WHERE o.id = i.order_id) FROM order_items i",
        &[N],
    ),
    // Constraints, generated columns, domains, system columns, inheritance and partitions.
    // a: CHECK (a IS NOT NULL); d: generated id * 2; both plus a non-NULL.
    ("SELECT a + 1, d - id FROM checked", &[X, X]),
    (
        "SELECT c.a FROM users u LEFT JOIN checked c ON c.id = u.id",
        &[N],
    ),
    // b: the filter, not CHECK (b > 0), which NULL passes.
    ("SELECT b FROM checked WHERE b > 0", &[X]),
    // A NOT NULL domain checks what is cast to it, not the values of a column of it: dom_t.v holds
    // a
    // NULL (written from an empty scalar subquery) and is NULL-extended by an outer join, and a
    // cast of a value already of the domain checks nothing. id: catalog NOT NULL, u.id preserved.
    ("SELECT id, v, v::nn_int FROM dom_t", &[X, N, N]),
    (
        "SELECT u.id, d.v, CAST(d.v AS nn_int) FROM users u LEFT JOIN dom_t d ON d.id = u.id",
        &[X, N, N],
    ),
    ("SELECT (SELECT v FROM dom_t WHERE false)::nn_int", &[N]),
    // System columns are in every row of a table.
    ("SELECT xmax, cmax, ctid FROM posts", &[X, X, X]),
    ("SELECT tableoid::regclass FROM parent_t", &[X]),
    (
        "SELECT p.tableoid FROM users u LEFT JOIN posts p ON p.id = u.id * 1000",
        &[N],
    ),
    // tableoid: a system column, in the child's rows too.
    ("SELECT tableoid, v FROM child_t", &[X, N]),
    // v: a partition cannot drop its parent's NOT NULL.
    ("SELECT v FROM part_t WHERE id > 0", &[X]),
    (
        "SELECT p.v FROM users u LEFT JOIN part_t p ON p.id = u.id",
        &[N],
    ),
    // Built-in string functions: strict (non-NULL for non-NULL arguments) over the NOT NULL name
    // and id, and concat_ws / format / concat, which are never NULL for a non-NULL separator or
    // format.
    (
        "SELECT btrim(name), ltrim(name, 'u'), reverse(name), repeat(name, 2), lpad(name, 10, '*') FROM users",
        &[X, X, X, X, X],
    ),
    (
        "SELECT left(name, 2), right(email, 2), position('u' in name), strpos(email, 'x') FROM users",
        &[X, N, X, N],
    ),
    (
        "SELECT replace(name, 'u', 'v'), translate(email, 'x', 'y'), md5(name), octet_length(email) FROM users",
        &[X, N, X, N],
    ),
    (
        "SELECT initcap(email), regexp_replace(email, 'x', 'y'), split_part(email, '@', 1), concat_ws('-', name, email) FROM users",
        &[N, N, N, X],
    ),
    (
        "SELECT format('%s-%s', name, email), format('%s', id), concat(name, NULL) FROM users",
        &[X, X, X],
    ),
    // Date/time: make_*, date_trunc, age, justify_*, timestamp arithmetic and to_timestamp are
    // strict, over non-NULL arguments (now(), literals, the NOT NULL id).
    (
        "SELECT make_time(1, 2, 3.5), make_timestamp(2020, 1, 1, 0, 0, id % 60), make_interval(days => id) FROM users",
        &[X, X, X],
    ),
    (
        "SELECT date_trunc('month', now()), age(now(), now()), justify_days(make_interval(days => id)) FROM users",
        &[X, X, X],
    ),
    ("SELECT make_date(2020, 1, age % 28 + 1) FROM users", &[N]),
    (
        "SELECT now() - interval '1 day', current_date + id, to_timestamp(id) FROM users",
        &[X, X, X],
    ),
    // An empty format makes to_char of a date/time and to_number NULL; to_char of a number is
    // '' then. Non-NULL: a non-empty literal format of now(); a number's to_char of NOT NULL id.
    (
        "SELECT to_char(now(), ''), to_char(now(), 'YYYY'), to_char(id, ''), to_number('1', '') FROM users",
        &[N, X, X, N],
    ),
    // JSON: -> ->> #>> of a missing key or a JSON null are NULL; to_json/to_jsonb are strict;
    // row_to_json and json_build_array always build a value, jsonb_build_object too.
    (
        "SELECT meta -> 'b', meta ->> 'a', meta #>> '{a}' FROM posts WHERE meta IS NOT NULL",
        &[N, N, N],
    ),
    (
        "SELECT to_json(body), to_jsonb(body), row_to_json(row(id, body)), json_build_array(body), jsonb_build_object('k', meta) FROM posts",
        &[N, N, X, X, X],
    ),
    (
        "SELECT jsonb_typeof(meta), jsonb_strip_nulls(meta), meta || '{}' FROM posts",
        &[N, N, N],
    ),
    (
        "SELECT meta ? 'a', meta @> '{\"a\": null}' FROM posts",
        &[N, N],
    ),
    // An object's keys are never NULL (jsonb_object_keys, and jsonb_each_text's key).
    ("SELECT k FROM posts p, jsonb_object_keys(p.meta) k", &[X]),
    ("SELECT jsonb_object_keys(meta) FROM posts", &[X]),
    (
        "SELECT e.key, e.value FROM posts p, jsonb_each_text(p.meta) e",
        &[X, N],
    ),
    (
        "SELECT jsonb_agg(id), json_object_agg(name, email) FROM users",
        &[N, N],
    ),
    // Arrays: array_prepend/array_append always build an array, array_cat of NOT NULL tags,
    // cardinality/array_to_string/array_replace/slices of a non-NULL array are not NULL.
    (
        "SELECT array_prepend('x', tags), array_cat(tags, tags), array_append(tags, body) FROM posts",
        &[X, X, X],
    ),
    (
        "SELECT cardinality(ARRAY[id]), array_to_string(tags, ','), array_replace(tags, 't', 'u'), tags[2:] FROM posts",
        &[X, X, X, X],
    ),
    // An empty array has no position, bounds, dimensions (array_ndims and array_dims are NULL).
    (
        "SELECT array_position(tags, 't'), array_upper(tags, 1), array_lower(tags, 1), array_ndims(tags), array_dims(tags) FROM posts",
        &[N, N, N, N, N],
    ),
    ("SELECT tags[id] FROM posts", &[N]),
    (
        "SELECT 't' = ANY(tags), 'x' = ALL(tags) FROM posts",
        &[N, N],
    ),
    // Enums and ranges: enum_range of literal bounds; a cast of a literal; comparison of literals.
    (
        "SELECT enum_range('sad'::mood, 'ok'), 'ok'::mood::text FROM users",
        &[X, X],
    ),
    ("SELECT 'ok'::mood > 'sad'", &[X]),
    // Set-returning functions of non-NULL arguments yield non-NULL values (a strict one yields no
    // row for a NULL argument).
    ("SELECT generate_series(1, id) FROM users", &[X]),
    (
        "SELECT generate_series(now(), now() + interval '1 day', interval '1 hour')",
        &[X],
    ),
    ("SELECT * FROM generate_series(1, 10, 2) g", &[X]),
    ("SELECT s FROM users u, generate_series(1, u.age) s", &[X]),
    ("SELECT generate_subscripts(ARRAY[1, 2, 3], 1) AS s", &[X]),
    // Side by side, whichever is shorter on a row is padded: a for id < 3, b for id > 3.
    (
        "SELECT generate_series(1, id) AS a, generate_series(1, 3) AS b FROM users WHERE id < 6",
        &[N, N],
    ),
    // Ordered-set and window functions.
    // name: grouped, NOT NULL; percentile_cont(array) of a non-empty group is an array.
    (
        "SELECT name, percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY id) FROM users GROUP BY name",
        &[X, X],
    ),
    (
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM users",
        &[N],
    ),
    // Ranking window functions are never NULL.
    (
        "SELECT dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w, ntile(3) OVER w FROM users WINDOW w AS (ORDER BY id)",
        &[X, X, X, X],
    ),
    // lead with a non-NULL default; last_value in the default frame is the current row's name.
    (
        "SELECT nth_value(name, 2) OVER (ORDER BY id), lead(name) OVER (ORDER BY id), lead(name, 1, 'none') OVER (ORDER BY id), last_value(name) OVER (ORDER BY id) FROM users",
        &[N, N, X, X],
    ),
    // count: never NULL; avg(id) over a frame holding the current row, id NOT NULL.
    (
        "SELECT count(email) OVER (PARTITION BY name), max(email) OVER (PARTITION BY name), avg(id) OVER () FROM users",
        &[X, N, X],
    ),
    ("SELECT sum(age) OVER (PARTITION BY id) FROM users", &[N]),
    // Boolean logic with NULL: IS tests are never NULL; AND of two IS NULL tests neither.
    (
        "SELECT age > 1 AND age < 100, NOT (age > 1), email IS NULL AND age IS NULL, (age > 1) IS TRUE, (age > 1) IS NOT UNKNOWN FROM users",
        &[N, N, X, X, X],
    ),
    // true OR x is true, false AND x is false.
    (
        "SELECT true OR NULL, false AND NULL, NULL::bool OR false",
        &[X, X, N],
    ),
    ("SELECT id > 4 OR age > 1 FROM users", &[N]),
    // CASE: literal branches; ELSE email only when email IS NULL is false.
    (
        "SELECT CASE age WHEN 1 THEN 'one' ELSE 'many' END, CASE WHEN email IS NULL THEN name ELSE email END FROM users",
        &[X, X],
    ),
    (
        "SELECT CASE WHEN id > 1 THEN email END, CASE name WHEN 'dup' THEN NULL ELSE name END FROM users",
        &[N, N],
    ),
    (
        "SELECT nullif(name, 'dup'), nullif(email, '') FROM users",
        &[N, N],
    ),
    // GREATEST/LEAST ignore NULL arguments: NOT NULL if one argument is (id).
    (
        "SELECT greatest(age, NULL), least(id, 5, age), greatest(id, NULL) FROM users",
        &[N, X, X],
    ),
    ("SELECT least(email, age::text) FROM users", &[N]),
    // <> ALL of an empty array is true.
    (
        "SELECT age > ALL(SELECT 1), id <> ALL('{}'::int[]) FROM users",
        &[N, X],
    ),
    // SQL forms. Recursive CTEs: s starts as a literal and grows by || 'a'; id: orders.id.
    (
        "WITH RECURSIVE t(n, s) AS (SELECT 1, 'a'::text UNION ALL SELECT n + 1, s || 'a' FROM t WHERE n < 3) SELECT s FROM t",
        &[X],
    ),
    (
        "WITH RECURSIVE t(id, up) AS (SELECT id, helper_id FROM orders WHERE id = 2 UNION ALL SELECT o.id, o.helper_id FROM t JOIN orders o ON o.id = t.id + 1 WHERE o.id < 6) SELECT id, up FROM t",
        &[X, N],
    ),
    // Grouping sets: count(*) and grouping() are never NULL; name grouped in every set.
    (
        "SELECT name, age, count(*) FROM users GROUP BY GROUPING SETS ((name), (name, age), ())",
        &[N, N, X],
    ),
    (
        "SELECT age, count(*) FROM users GROUP BY ROLLUP(age)",
        &[N, X],
    ),
    (
        "SELECT name, count(*) FROM users GROUP BY name, GROUPING SETS ((age), ())",
        &[X, X],
    ),
    (
        "SELECT grouping(name, age), count(*) FROM users GROUP BY CUBE(name, age)",
        &[X, X],
    ),
    (
        "SELECT name FROM users GROUP BY GROUPING SETS ((name))",
        &[X],
    ),
    (
        "SELECT name, age FROM users GROUP BY ROLLUP((name, age))",
        &[N, N],
    ),
    // Join aliases: the inner join's NOT NULL columns; name on the LEFT join's preserved side.
    (
        "SELECT j.name, j.title FROM (users u JOIN posts p ON p.user_id = u.id) AS j",
        &[X, X],
    ),
    (
        "SELECT j.name, j.body FROM (users u LEFT JOIN posts p ON p.user_id = u.id) AS j",
        &[X, N],
    ),
    // DML with USING, ON CONFLICT, RETURNING. i.order_id: catalog NOT NULL in the deleted row.
    (
        "DELETE FROM order_items i USING orders o WHERE o.id = i.order_id RETURNING o.helper_id, i.order_id",
        &[N, X],
    ),
    // The inserted row has no age.
    (
        "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET age = 1 RETURNING age",
        &[N],
    ),
    // name: catalog NOT NULL in the written row.
    (
        "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING name, age",
        &[X, N],
    ),
    (
        "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT ON CONSTRAINT users_pkey DO NOTHING RETURNING name",
        &[X],
    ),
    // id * 2: strict over NOT NULL id; tags: catalog NOT NULL (its default fills it).
    (
        "INSERT INTO posts (id, user_id, title) VALUES (100003, 1, 'x') RETURNING id * 2, title || body, tags",
        &[X, N, X],
    ),
    (
        "UPDATE posts SET body = NULL WHERE id < 0 RETURNING body",
        &[N],
    ),
    // Data-modifying CTEs: o.user_id catalog NOT NULL in an inner join; count(*) never NULL.
    (
        "WITH d AS (DELETE FROM order_items WHERE id < 0 RETURNING order_id) SELECT o.user_id FROM d JOIN orders o ON o.id = d.order_id",
        &[X],
    ),
    (
        "WITH i AS (INSERT INTO comments VALUES (100000, 1, 'x') RETURNING id, text) SELECT count(*) FROM i",
        &[X],
    ),
    // VALUES: b's literals are all non-NULL; LATERAL VALUES of u.id and u.id + 1.
    (
        "SELECT v.a, v.b FROM (VALUES (1, 'x'), (NULL, 'y')) v(a, b)",
        &[N, X],
    ),
    ("VALUES (1), (NULL)", &[N]),
    (
        "SELECT u.id, v.x FROM users u, LATERAL (VALUES (u.email), (u.name)) v(x)",
        &[X, N],
    ),
    (
        "SELECT v.x FROM users u, LATERAL (VALUES (u.id), (u.id + 1)) v(x)",
        &[X],
    ),
    // Set operations: UNION of NOT NULL columns; INTERSECT keeps values the NOT NULL side (id,
    // name) also has; EXCEPT keeps left rows only, id NOT NULL.
    ("SELECT name FROM users UNION SELECT title FROM posts", &[X]),
    (
        "SELECT email FROM users UNION ALL SELECT body FROM posts",
        &[N],
    ),
    ("SELECT age FROM users INTERSECT SELECT id FROM users", &[X]),
    ("SELECT id FROM users EXCEPT SELECT age FROM users", &[X]),
    (
        "SELECT id, email FROM users INTERSECT ALL SELECT id, name FROM users",
        &[X, X],
    ),
    (
        "(SELECT name FROM users LIMIT 1) UNION ALL (SELECT NULL)",
        &[N],
    ),
    // LATERAL: count(*) is never NULL; u.id preserved.
    (
        "SELECT u.id, c.n FROM users u, LATERAL (SELECT count(*) AS n FROM posts p WHERE p.user_id = u.id) c",
        &[X, X],
    ),
    (
        "SELECT u.id, m.m FROM users u LEFT JOIN LATERAL (SELECT max(p.id) AS m FROM posts p WHERE p.user_id = u.id) m ON true",
        &[X, N],
    ),
    (
        "SELECT u.id, g FROM users u LEFT JOIN LATERAL generate_series(1, u.age) g ON true",
        &[X, N],
    ),
    // Aggregates: count(DISTINCT), coalesce(..., 0), count over no rows are never NULL.
    (
        "SELECT bool_and(age > 1), every(id > 0), count(DISTINCT email) FROM users",
        &[N, N, X],
    ),
    (
        "SELECT string_agg(email, ','), coalesce(sum(age), 0), json_agg(u) FROM users u",
        &[N, X, N],
    ),
    ("SELECT count(*) FROM users WHERE false", &[X]),
    // (SELECT count(*)) + 1: one row, never NULL; EXISTS is true or false; u.id catalog NOT NULL.
    (
        "SELECT (SELECT name FROM users WHERE id = 1), (SELECT count(*) FROM users) + 1, EXISTS (SELECT 1 FROM users WHERE false)",
        &[N, X, X],
    ),
    (
        "SELECT u.id, (SELECT p.title FROM posts p WHERE p.user_id = u.id ORDER BY p.id LIMIT 1) FROM users u",
        &[X, N],
    ),
    // year/epoch grow with time: ±Infinity for an infinite timestamp, never NULL for a non-NULL
    // one (`at` is catalog NOT NULL); dow/hour are NULL for 'infinity' (events 2).
    (
        "SELECT extract(year FROM at)::float8, date_part('epoch', at), extract(dow FROM at)::float8, date_part('hour', at) FROM events",
        &[X, X, N, N],
    ),
    // unnest of literal arrays without NULL elements: an array as long as the longest is never
    // padded (a, both of equal length); the shorter one is (b).
    (
        "SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b']) AS t(a, b)",
        &[X, X],
    ),
    (
        "SELECT * FROM unnest(ARRAY[1, 2, 3], ARRAY['a']) AS t(a, b)",
        &[X, N],
    ),
    // One unnest in a select list: no row for a NULL array, non-NULL literal elements.
    ("SELECT unnest(ARRAY['a', 'b'])", &[X]),
    // A set-returning function in ORDER BY, GROUP BY or DISTINCT ON runs in lock step with the
    // select list's: the two-element unnest is padded with a NULL to generate_series' 3 rows.
    (
        "SELECT unnest(ARRAY[1, 2]) AS u ORDER BY generate_series(1, 3)",
        &[N],
    ),
    (
        "(SELECT unnest(ARRAY[1, 2]) AS u) ORDER BY generate_series(1, 3)",
        &[N],
    ),
    (
        "SELECT unnest(ARRAY[1, 2]) AS u GROUP BY 1, generate_series(1, 3)",
        &[N],
    ),
    (
        "SELECT DISTINCT ON (generate_series(1, 3)) unnest(ARRAY[1, 2]) AS u",
        &[N],
    ),
    // id is no set-returning call: the rows repeat, id is never padded.
    ("SELECT id FROM users ORDER BY generate_series(1, 2)", &[X]),
    // Frames holding the current row hold a row: sum of catalog NOT NULL id, first_value of
    // the frame's first row (name NOT NULL), `OVER w` with w's default frame; the current row
    // alone sums a NULL age to NULL.
    (
        "SELECT id, sum(id) OVER w, first_value(name) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), sum(age) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM users WINDOW w AS (ORDER BY id)",
        &[X, X, X, N],
    ),
    // CUBE and ROLLUP inside GROUPING SETS hold the empty set: the grand total of no rows sums
    // to NULL.
    (
        "SELECT sum(id) FROM users WHERE false GROUP BY GROUPING SETS (CUBE(name))",
        &[N],
    ),
    (
        "SELECT sum(id) FROM users WHERE false GROUP BY GROUPING SETS ((name), ROLLUP(name))",
        &[N],
    ),
    // Grouping sets without the empty set: every group has a row (sum of NOT NULL id), name is
    // in every set (never grouped away); max(age) of the 'dup' users' NULL ages is NULL.
    (
        "SELECT name, sum(id), max(age) FROM users GROUP BY GROUPING SETS ((name), (name, age))",
        &[X, X, N],
    ),
    // A subquery's whole row is a row value (never NULL), and row_to_json/to_jsonb are strict;
    // NULL-extended, it is NULL (users without posts).
    (
        "SELECT row_to_json(x), to_jsonb(x) FROM (SELECT id FROM users) x",
        &[X, X],
    ),
    (
        "SELECT u.id, to_jsonb(x) FROM users u LEFT JOIN (SELECT user_id FROM posts) x ON x.user_id = u.id",
        &[X, N],
    ),
    // A domain over text named array_label is no array: `||` is textcat, NULL with email
    // (users 3).
    ("SELECT email::array_label || '!' FROM users", &[N]),
    // `||` with an array: array_append/array_prepend never NULL (tags NOT NULL or not), and
    // array_cat is NULL only when both arrays are; jsonb || jsonb is strict (meta may be NULL).
    (
        "SELECT tags || ARRAY[title], ARRAY[body] || tags, tags || body, NULL::text[] || NULL::text[], meta || meta FROM posts",
        &[X, X, X, N, N],
    ),
    // `x IS DISTINCT FROM NULL` is `x IS NOT NULL`.
    (
        "SELECT age FROM users WHERE age IS DISTINCT FROM NULL",
        &[X],
    ),
    // Range constructors: a NULL bound is an unbounded one (never NULL); an enum's first and
    // last label (an enum without labels is an error, not NULL).
    (
        "SELECT int4range(id, age), numrange(age, NULL), daterange(NULL, NULL, '[]'), enum_first(NULL::mood), enum_last(NULL::mood) FROM users",
        &[X, X, X, X, X],
    ),
    // Hypothetical-set aggregates rank a row among the group's: a number over no rows too.
    (
        "SELECT rank(5) WITHIN GROUP (ORDER BY id), percent_rank(NULL) WITHIN GROUP (ORDER BY age), cume_dist(1) WITHIN GROUP (ORDER BY id) FILTER (WHERE false) FROM users",
        &[X, X, X],
    ),
    // RETURNING shows the row written (no trigger or rule on users): email is SET to a literal,
    // then to coalesce(.., 'x'); age is kept as it was (nullable); age + 1 of an age WHERE
    // proves; DEFAULT may be NULL.
    (
        "UPDATE users SET email = 'x' WHERE id = 1 RETURNING email, age",
        &[X, N],
    ),
    (
        "UPDATE users SET email = coalesce(email, 'x'), age = age + 1 WHERE age IS NOT NULL RETURNING email, age",
        &[X, X],
    ),
    ("UPDATE users SET email = DEFAULT RETURNING email", &[N]),
    // The inserted values (ON CONFLICT DO NOTHING returns only inserted rows): email 'b', age
    // not given (its default is NULL); rows of a SELECT whose WHERE proves email.
    (
        "INSERT INTO users (id, name, email) VALUES (600, 'a', 'b') ON CONFLICT DO NOTHING RETURNING email, age",
        &[X, N],
    ),
    (
        "INSERT INTO users SELECT id + 1000, name, email, 1 FROM users WHERE email IS NOT NULL RETURNING email, age",
        &[X, X],
    ),
    // DO UPDATE may return an existing row: its email as it was.
    (
        "INSERT INTO users (id, name, email) VALUES (1, 'a', 'b') ON CONFLICT (id) DO UPDATE SET name = 'c' RETURNING email",
        &[N],
    ),
    // A BEFORE ROW trigger may change the row written (null_v sets v to NULL); a generated
    // column is recomputed from the new row (c set to NULL makes e NULL whatever WHERE said).
    ("UPDATE trig_t SET v = 'x' RETURNING v", &[N]),
    ("INSERT INTO trig_t VALUES (1, 'x') RETURNING v", &[N]),
    (
        "UPDATE checked SET c = NULL, b = 1 WHERE e IS NOT NULL RETURNING c, e",
        &[N, N],
    ),
    // helper_id is a nullable, immediate foreign key to users: an order whose helper_id WHERE
    // proves non-NULL finds its user (name NOT NULL); without that, orders without a helper
    // are NULL-extended.
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.helper_id WHERE o.helper_id IS NOT NULL",
        &[X, X],
    ),
    (
        "SELECT o.id, u.name FROM users u RIGHT JOIN orders o ON o.helper_id = u.id WHERE o.helper_id > 0",
        &[X, X],
    ),
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.helper_id WHERE o.id > 0",
        &[X, N],
    ),
    // HAVING count(p.id) > 0: every group holds a post that is not NULL-extended (p.id is NOT
    // NULL in posts' own rows), so max of the catalog NOT NULL title, which skips the NULL
    // rows, finds it; max(body) is NULL for a user whose posts have no body; count(*) > 0
    // proves nothing of p (users without posts).
    (
        "SELECT u.id, max(p.title), max(p.body) FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.id HAVING count(p.id) > 0",
        &[X, X, N],
    ),
    (
        "SELECT u.id, max(p.title) FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.id HAVING count(*) > 0",
        &[X, N],
    ),
    // What the parser cannot read stays nullable.
    (
        "SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))",
        &[N, N],
    ),
    ("SELECT xmlelement(name foo), 1", &[N, N]),
];

/// Nullable claims (query, column) that no row of the test data can witness, each with the
/// reason the analysis cannot prove it NOT NULL.
pub const UNWITNESSED: &[(&str, usize)] = &[
    // The longest of several set-returning functions in a select list is never padded, but
    // which one is longest is not worked out.
    (
        "SELECT generate_series(1, 3) AS a, generate_series(1, 5) AS b",
        1,
    ),
    (
        "SELECT generate_series(1, 3) AS a, unnest(ARRAY[1, 2, 3, 4]) AS b, 7 AS c",
        1,
    ),
    // Witnessed inside a transaction, where the deferrable key is not checked yet:
    // `a_deferrable_key_can_miss_inside_a_transaction`.
    (
        "SELECT o.id, u.name FROM orders o LEFT JOIN users u ON u.id = o.late_id",
        1,
    ),
    // Not parsed (`ROWS FROM`, `xmlelement(name ...)`): everything stays nullable.
    (
        "SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))",
        1,
    ),
    ("SELECT xmlelement(name foo), 1", 0),
    ("SELECT xmlelement(name foo), 1", 1),
];

/// Queries and the parameters (zero-based) that flow straight into NOT NULL columns, with the
/// column's name.
pub const TARGETS: &[(&str, &[(usize, &str)])] = &[
    (
        "INSERT INTO users (id, name) VALUES ($1, $2) RETURNING id",
        &[(0, "id"), (1, "name")],
    ),
    (
        "INSERT INTO users (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
        &[(0, "id"), (1, "name")],
    ),
    (
        "INSERT INTO users VALUES ($1, $2, $3, $4)",
        &[(0, "id"), (1, "name")],
    ),
    (
        "INSERT INTO posts (id, user_id, title, body) VALUES ($1, $2, $3::text, $4)",
        &[(0, "id"), (1, "user_id"), (2, "title")],
    ),
    (
        "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = $1, email = $2",
        &[(0, "name")],
    ),
    (
        "UPDATE users SET email = $1, name = $2 WHERE id = $3",
        &[(1, "name")],
    ),
    ("SELECT id FROM users WHERE name = $1", &[]),
];

/// Whether a case can be run to check its claims against real rows (no parameters, no writes).
pub fn runnable(sql: &str) -> bool {
    !sql.contains('$')
        && !sql.contains("INSERT")
        && !sql.contains("UPDATE")
        && !sql.contains("DELETE")
}

/// Each query and whether each column's array elements can be NULL (`N` for columns that are
/// not arrays). The catalog knows nothing of elements, so only arrays the query builds qualify.
pub const ELEMENT_CASES: &[(&str, &[bool])] = &[
    ("SELECT tags FROM posts", &[N]),
    ("SELECT id, ARRAY[id, 1] FROM users", &[N, X]),
    ("SELECT ARRAY[id, age] FROM users", &[N]),
    ("SELECT ARRAY[ARRAY[id], ARRAY[2]] FROM users", &[X]),
    ("SELECT ARRAY[tags] FROM posts", &[N]),
    ("SELECT array_agg(name) FROM users", &[X]),
    ("SELECT array_agg(email ORDER BY id) FROM users", &[N]),
    ("SELECT array_agg(ARRAY[id]) FROM users", &[X]),
    ("SELECT array_agg(tags) FROM posts WHERE false", &[N]),
    (
        "SELECT u.id, array_agg(p.id) FROM users u JOIN posts p ON p.user_id = u.id GROUP BY u.id",
        &[N, X],
    ),
    (
        "SELECT u.id, array_agg(p.id) FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.id",
        &[N, N],
    ),
    ("SELECT array_agg(x) FROM unnest(ARRAY[1, NULL]) AS x", &[N]),
    ("SELECT ARRAY(SELECT name FROM users)", &[X]),
    ("SELECT ARRAY(SELECT email FROM users)", &[N]),
    ("SELECT string_to_array(name, ' ') FROM users", &[X]),
    ("SELECT string_to_array(name, ' ', 'user') FROM users", &[N]),
    ("SELECT regexp_split_to_array(name, ' ') FROM users", &[X]),
    ("SELECT regexp_match(name, '(u)(x)?') FROM users", &[N]),
    ("SELECT ARRAY['a'] || ARRAY[name] FROM users", &[X]),
    ("SELECT ARRAY[name] || 'z'::text FROM users", &[X]),
    ("SELECT ARRAY[name] || '{a,NULL}' FROM users", &[N]),
    ("SELECT ARRAY[name] || '{a,b}' FROM users", &[X]),
    ("SELECT ARRAY[name] || email FROM users", &[N]),
    ("SELECT tags || ARRAY['x'] FROM posts", &[N]),
    ("SELECT array_append(ARRAY[id], 1) FROM users", &[X]),
    ("SELECT array_append(ARRAY[id], age) FROM users", &[N]),
    ("SELECT COALESCE(array_agg(name), '{}') FROM users", &[X]),
    ("SELECT '{1,NULL}'::int[]", &[N]),
    ("SELECT ARRAY[1]::int8[]", &[X]),
    (
        "SELECT name, ARRAY(SELECT u.name) FROM users u GROUP BY ROLLUP(name)",
        &[N, N],
    ),
    ("SELECT $1::int[]", &[N]),
    (
        "SELECT CASE WHEN id > 1 THEN ARRAY[id] ELSE ARRAY[0] END FROM users",
        &[X],
    ),
    (
        "WITH t AS (SELECT array_agg(id) AS ids FROM users) SELECT ids FROM t",
        &[X],
    ),
    (
        "SELECT s.ids FROM (SELECT array_agg(id) AS ids FROM users) AS s",
        &[X],
    ),
    ("SELECT ARRAY[1] UNION ALL SELECT ARRAY[2]", &[X]),
    ("SELECT ARRAY[1] UNION ALL SELECT ARRAY[NULL::int]", &[N]),
    ("VALUES (ARRAY[1]), (ARRAY[2])", &[X]),
    ("SELECT (SELECT array_agg(id) FROM users)", &[X]),
    (
        "INSERT INTO posts (id, user_id, title) VALUES (100002, 1, 'x') RETURNING tags, ARRAY[id]",
        &[N, X],
    ),
];
