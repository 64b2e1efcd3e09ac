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
-- The nullability table's schema (tests/nullability_cases/mod.rs SCHEMA), for
-- tests/macros_nullability.rs.
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, age int);
CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, title text NOT NULL,
                    body text, tags text[] NOT NULL DEFAULT '{}', meta jsonb);
CREATE TABLE comments (id int PRIMARY KEY, post_id int NOT NULL, text text NOT NULL);
CREATE TABLE "Mixed" ("Id" int NOT NULL, val int);
CREATE VIEW user_emails AS SELECT id, name, email FROM users;
CREATE VIEW user_posts AS
    SELECT u.id AS user_id, u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id;
CREATE VIEW v_of_v AS SELECT user_id, name, title FROM user_posts;
-- A user type named like a built-in (tests/macros_query.rs): `public.box` is not `pg_catalog.box`.
CREATE DOMAIN public.box AS text;
CREATE TABLE macro_labels (label public.box NOT NULL);
