CREATE TABLE todos (
    id bigserial PRIMARY KEY,
    title text NOT NULL,
    done bool NOT NULL DEFAULT false
);
