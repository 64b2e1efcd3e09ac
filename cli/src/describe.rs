//! `quarry describe`: prints what a query takes and returns — parameter types, column names,
//! types and nullability — exactly as the `query!` macros see them
//! (`quarry_describe::describe`). `--json` prints one compact object.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use quarry_describe::{QueryDescription, describe};

/// Options of `quarry describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    /// The SQL to describe (or use `--file`).
    #[arg(value_name = "SQL", required_unless_present = "file")]
    pub(crate) sql: Option<String>,
    /// Read the SQL from this file.
    #[arg(long, value_name = "PATH", conflicts_with = "sql")]
    pub(crate) file: Option<PathBuf>,
    /// The database to describe against.
    #[arg(long, value_name = "URL", env = "DATABASE_URL")]
    pub(crate) database_url: String,
    /// Print one JSON object:
    /// `{"parameters":[{"type":"int4"}],"columns":[{"name":"id","type":"int4","nullable":false}]}`.
    #[arg(long)]
    pub(crate) json: bool,
}

/// What can go wrong describing a query.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DescribeError {
    /// `--file` could not be read.
    #[error("could not read {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The async runtime could not be created.
    #[error("could not create the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Connecting or describing failed (a PostgreSQL error names the problem).
    #[error("{0}")]
    Database(#[from] quarry_driver::Error),
    /// Writing to standard output failed.
    #[error("could not write to standard output: {0}")]
    Stdout(std::io::Error),
}

/// Runs `quarry describe`.
pub(crate) fn run(args: &DescribeArgs) -> Result<(), DescribeError> {
    let sql = match (&args.sql, &args.file) {
        (_, Some(path)) => {
            std::fs::read_to_string(path).map_err(|source| DescribeError::ReadFile {
                path: path.clone(),
                source,
            })?
        }
        (Some(sql), None) => sql.clone(),
        (None, None) => String::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DescribeError::Runtime)?;
    let description = runtime.block_on(async {
        let mut conn = quarry_driver::connect(&args.database_url).await?;
        let description = describe(&mut conn, &sql).await;
        conn.close().await.ok();
        description
    })?;
    let text = if args.json {
        json(&description)
    } else {
        human(&description)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(DescribeError::Stdout)
}

/// The compact JSON projection, keys in this order:
/// `{"parameters":[{"type":..}],"columns":[{"name":..,"type":..,"nullable":..}]}`.
pub(crate) fn json(d: &QueryDescription) -> String {
    let string = |s: &str| serde_json::Value::from(s).to_string();
    let parameters: Vec<String> = d
        .parameters
        .iter()
        .map(|p| format!("{{\"type\":{}}}", string(&p.ty.name)))
        .collect();
    let columns: Vec<String> = d
        .columns
        .iter()
        .map(|c| {
            format!(
                "{{\"name\":{},\"type\":{},\"nullable\":{}}}",
                string(&c.name),
                string(&c.ty.name),
                c.nullable
            )
        })
        .collect();
    format!(
        "{{\"parameters\":[{}],\"columns\":[{}]}}",
        parameters.join(","),
        columns.join(",")
    )
}

/// A table for people.
pub(crate) fn human(d: &QueryDescription) -> String {
    let mut out = String::from("parameters:");
    if d.parameters.is_empty() {
        out.push_str(" none");
    }
    for (i, p) in d.parameters.iter().enumerate() {
        out.push_str(&format!("\n  ${}  {}", i + 1, p.ty.name));
        if let Some(t) = &p.not_null_target {
            out.push_str(&format!(
                "  (into NOT NULL {}.{}.{})",
                t.schema, t.table, t.column
            ));
        }
        if let Some(domain) = &p.not_null_domain {
            out.push_str(&format!("  (NOT NULL domain {domain})"));
        }
    }
    out.push_str("\ncolumns:");
    if d.columns.is_empty() {
        out.push_str(" none");
    }
    let width = d.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let type_width = d.columns.iter().map(|c| c.ty.name.len()).max().unwrap_or(0);
    for c in &d.columns {
        out.push_str(&format!(
            "\n  {:width$}  {:type_width$}  {}",
            c.name,
            c.ty.name,
            if c.nullable { "nullable" } else { "NOT NULL" },
        ));
        if c.ty.is_array() {
            out.push_str(if c.element_nullable {
                ", elements nullable"
            } else {
                ", elements NOT NULL"
            });
        }
        if let Some(o) = &c.origin {
            out.push_str(&format!("  ({}.{}.{})", o.schema, o.table, o.column));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use quarry_describe::{
        ColumnDescription, FORMAT_VERSION, ParamDescription, TypeDescription, TypeKind,
    };

    use super::*;
    use crate::args::{Cli, Command};

    fn ty(name: &str) -> TypeDescription {
        TypeDescription {
            name: name.into(),
            schema: "pg_catalog".into(),
            oid: None,
            kind: TypeKind::Base,
        }
    }

    #[test]
    fn json_is_the_compact_projection() {
        let d = QueryDescription {
            version: FORMAT_VERSION,
            sql: "SELECT id FROM t WHERE id = $1".into(),
            parameters: vec![ParamDescription {
                ty: ty("int4"),
                not_null_target: None,
                not_null_domain: None,
            }],
            columns: vec![ColumnDescription {
                name: "id".into(),
                ty: ty("int4"),
                nullable: false,
                element_nullable: true,
                origin: None,
                nested: None,
            }],
        };
        assert_eq!(
            json(&d),
            r#"{"parameters":[{"type":"int4"}],"columns":[{"name":"id","type":"int4","nullable":false}]}"#
        );
        assert!(human(&d).contains("NOT NULL"));
    }

    #[test]
    fn arguments() {
        let cli = Cli::try_parse_from([
            "quarry",
            "describe",
            "--json",
            "--database-url",
            "postgres://x/y",
            "SELECT 1",
        ])
        .unwrap();
        let Command::Describe(args) = cli.command else {
            panic!("not describe");
        };
        assert!(args.json);
        assert_eq!(args.sql.as_deref(), Some("SELECT 1"));
        assert!(
            Cli::try_parse_from([
                "quarry",
                "describe",
                "--database-url",
                "u",
                "--file",
                "f",
                "SELECT 1"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["quarry", "describe", "--database-url", "u"]).is_err());
    }
}
