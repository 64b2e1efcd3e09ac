-- The schema the `query!` tests and examples are checked against: `quarry prepare` describes
-- their queries on a database holding it, and the tests create it in their fresh databases.
CREATE TYPE macro_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE macro_users (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email text,
    age int4,
    mood macro_mood,
    tags text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE macro_posts (
    id serial PRIMARY KEY,
    author int4 NOT NULL REFERENCES macro_users(id),
    title text NOT NULL,
    score float8
);
CREATE TYPE macro_pair AS (a int4, b text);
-- A user type named like a built-in (tests/macros_query.rs): `public.box` is not `pg_catalog.box`.
CREATE DOMAIN public.box AS text;
CREATE TABLE macro_labels (label public.box NOT NULL);
