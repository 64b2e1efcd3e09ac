-- The todos example application's schema (examples/todos): in this repository every `query!`
-- is checked against one schema, this folder, so the application's tables are a migration here.
CREATE TABLE todos (
    id bigserial PRIMARY KEY,
    title text NOT NULL CHECK (title <> ''),
    done bool NOT NULL DEFAULT false
);
