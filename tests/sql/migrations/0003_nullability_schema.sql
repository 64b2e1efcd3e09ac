-- The schema of the nullability case table (tests/nullability_cases/mod.rs: its SCHEMA is this
-- file, through include_str!): the tests create it in their fresh databases, and as a migration
-- it is there for `quarry prepare` to check tests/macros_nullability.rs's queries against.
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text, age int);
CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, title text NOT NULL,
                    body text, tags text[] NOT NULL DEFAULT '{}', meta jsonb);
CREATE TABLE comments (id int PRIMARY KEY, post_id int NOT NULL, text text NOT NULL);
CREATE TABLE "Mixed" ("Id" int NOT NULL, val int);
CREATE VIEW user_emails AS SELECT id, name, email FROM users;
CREATE VIEW user_posts AS
    SELECT u.id AS user_id, u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id;
CREATE VIEW v_of_v AS SELECT user_id, name, title FROM user_posts;
-- An inheritance child may drop a NOT NULL its parent has (a partition may not).
CREATE TABLE parent_t (id int NOT NULL, v text NOT NULL);
CREATE TABLE child_t () INHERITS (parent_t);
ALTER TABLE child_t ALTER COLUMN v DROP NOT NULL;
CREATE TABLE part_t (id int NOT NULL, v text NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE part_t1 PARTITION OF part_t FOR VALUES FROM (0) TO (1000000);
CREATE DOMAIN nn_int AS int NOT NULL;
CREATE DOMAIN nn_int2 AS nn_int;
CREATE TABLE checked (id int PRIMARY KEY, a int CHECK (a IS NOT NULL), b int CHECK (b > 0),
    c int, d int GENERATED ALWAYS AS (id * 2) STORED, e int GENERATED ALWAYS AS (c * 2) STORED,
    CONSTRAINT one_of CHECK (c IS NOT NULL OR b IS NOT NULL));
-- Foreign keys: NOT NULL and immediate (proves a match), nullable, deferrable (proves nothing).
CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users,
    helper_id int REFERENCES users,
    late_id int NOT NULL REFERENCES users DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders);
CREATE TYPE mood AS ENUM ('sad', 'ok');
-- A NOT NULL domain checks what is cast to it, not the column: a column of one can hold NULL
-- (an empty scalar subquery written into it is not checked) and be NULL-extended.
CREATE TABLE dom_t (id int PRIMARY KEY, v nn_int);
-- A BEFORE ROW trigger may change the row RETURNING shows.
CREATE TABLE trig_t (id int PRIMARY KEY, v text);
CREATE FUNCTION null_v() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := NULL; RETURN NEW; END $$;
CREATE TRIGGER null_v BEFORE INSERT OR UPDATE ON trig_t FOR EACH ROW EXECUTE FUNCTION null_v();
-- Timestamps may be infinite: extract/date_part of some fields is NULL for them.
CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL);
-- A foreign key to a partitioned table.
CREATE TABLE pk_part (id int PRIMARY KEY, name text NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE pk_part1 PARTITION OF pk_part FOR VALUES FROM (0) TO (1000000);
CREATE TABLE fk_part (id int PRIMARY KEY, p int NOT NULL REFERENCES pk_part);
-- A type whose name starts with "array" is not an array: `||` of it is text's strict one.
CREATE DOMAIN array_label AS text;
