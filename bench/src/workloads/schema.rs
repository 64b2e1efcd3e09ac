//! The generated migrations `test_setup` and `migrate` apply: small, realistic DDL, written as
//! files to a temp folder that both Quarry's and sqlx's migrators read, so both apply the very
//! same files. Every ten migrations: three tables (each but the first with a foreign key to the
//! previous one), three indexes, two `ALTER TABLE`s (a column with a CHECK constraint), a view
//! and a PL/pgSQL function.

use std::path::Path;

use crate::error::BenchError;

/// The query both drivers use to check the schema is there: tables, views and functions the
/// migrations made, counted (compare with [`Schema::objects`]).
pub(super) const COUNT_OBJECTS: &str = "SELECT \
    (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'app\\_t%') \
    + (SELECT count(*) FROM pg_views WHERE schemaname = 'public' AND viewname LIKE 'app\\_v%') \
    + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'app\\_f%')";

/// `n` migrations as (file name, SQL), and how many objects [`COUNT_OBJECTS`] finds after them.
pub(super) struct Schema {
    /// `(file name, SQL)` in version order: `0001_create_app_t1.sql`, ...
    pub(super) files: Vec<(String, String)>,
    /// Tables + views + functions the migrations create.
    pub(super) objects: i64,
}

impl Schema {
    /// The first `n` migrations.
    pub(super) fn generate(n: u32) -> Schema {
        let mut files = Vec::new();
        let mut objects = 0;
        // The newest table, which indexes, columns, views and functions refer to.
        let mut table = 0;
        for i in 1..=n {
            let (name, sql) = match i % 10 {
                1 | 4 | 7 => {
                    let reference = if table == 0 {
                        String::new()
                    } else {
                        format!(",\n    app_t{table}_id bigint REFERENCES app_t{table} (id)")
                    };
                    table = i;
                    objects += 1;
                    (
                        format!("create_app_t{i}"),
                        format!(
                            "CREATE TABLE app_t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY \
                             PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz \
                             NOT NULL DEFAULT now(){reference}\n);\n"
                        ),
                    )
                }
                2 | 5 | 8 => (
                    format!("index_app_t{table}_name"),
                    format!(
                        "CREATE INDEX app_t{table}_name_{i} ON app_t{table} (name, created_at);\n"
                    ),
                ),
                3 | 6 => (
                    format!("add_app_t{table}_score"),
                    format!(
                        "ALTER TABLE app_t{table} ADD COLUMN score_{i} integer NOT NULL DEFAULT 0 \
                         CHECK (score_{i} >= 0);\nCOMMENT ON COLUMN app_t{table}.score_{i} IS \
                         'added by migration {i}';\n"
                    ),
                ),
                9 => {
                    objects += 1;
                    (
                        format!("create_app_v{i}"),
                        format!(
                            "CREATE VIEW app_v{i} AS\n    SELECT id, name, created_at FROM \
                             app_t{table} WHERE created_at > now() - interval '7 days';\n"
                        ),
                    )
                }
                _ => {
                    objects += 1;
                    (
                        format!("create_app_f{i}"),
                        format!(
                            "CREATE FUNCTION app_f{i}(p_id bigint) RETURNS text\n    LANGUAGE \
                             plpgsql STABLE AS $$\nDECLARE\n    result text;\nBEGIN\n    SELECT \
                             name INTO result FROM app_t{table} WHERE id = p_id;\n    RETURN \
                             coalesce(result, '');\nEND;\n$$;\n"
                        ),
                    )
                }
            };
            files.push((format!("{i:04}_{name}.sql"), sql));
        }
        Schema { files, objects }
    }

    /// Writes the files into `dir`.
    pub(super) fn write(&self, dir: &Path) -> Result<(), BenchError> {
        for (file, sql) in &self.files {
            std::fs::write(dir.join(file), sql).map_err(|e| {
                BenchError::Setup(format!(
                    "writing migration {file} to {}: {e}",
                    dir.display()
                ))
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_migrations_make_nine_tables_three_views_three_functions() {
        let schema = Schema::generate(30);
        assert_eq!(schema.files.len(), 30);
        assert_eq!(schema.objects, 9 + 3 + 3);
        assert_eq!(schema.files[0].0, "0001_create_app_t1.sql");
        assert!(!schema.files[0].1.contains("REFERENCES"));
        assert!(schema.files[3].1.contains("REFERENCES app_t1 (id)"));
        assert_eq!(Schema::generate(100).objects, 30 + 10 + 10);
    }
}
