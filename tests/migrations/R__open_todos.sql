CREATE OR REPLACE VIEW open_todos AS SELECT id, title FROM todos WHERE NOT done;
