//! Binary COPY into columns whose type has no binary codec (a text-format custom codec, an
//! extension type Quarry does not know): the rows go to a temporary table where those columns
//! are `text` (whose binary form is the text itself), then `INSERT ... SELECT` casts them into
//! the real table. asyncpg cannot COPY such columns at all (its #604/#783).

use std::sync::atomic::{AtomicU64, Ordering};

use super::sql::ident;
use super::{CopyError, type_name};
use crate::statement::Column;
use crate::types::Kind;

static NEXT_TABLE: AtomicU64 = AtomicU64::new(0);

/// Whether binary COPY cannot carry `column` directly.
pub(super) fn needs_text(column: &Column) -> bool {
    let ty = column.pg_type();
    !ty.has_binary_codec() && !matches!(ty.kind(), Kind::Enum(_))
}

/// The statements of a staged COPY.
#[derive(Debug)]
pub(super) struct Staging {
    /// The temporary table, quoted (`pg_temp."quarry_copy_3"`).
    pub(super) table: String,
    /// Creates it.
    pub(super) create: String,
    /// Moves its rows into the real table.
    pub(super) insert: String,
    /// Drops it.
    pub(super) drop: String,
}

/// The staging plan for a COPY into `target` (quoted) of `columns`, or `None` when every
/// column travels in binary.
pub(super) fn plan(
    target: &str,
    columns: &[Column],
    where_: Option<&str>,
) -> Result<Option<Staging>, CopyError> {
    if !columns.iter().any(needs_text) {
        return Ok(None);
    }
    let table = format!(
        "pg_temp.\"quarry_copy_{}\"",
        NEXT_TABLE.fetch_add(1, Ordering::Relaxed)
    );
    let mut staged = Vec::with_capacity(columns.len());
    let mut cast = Vec::with_capacity(columns.len());
    let mut names = Vec::with_capacity(columns.len());
    for column in columns {
        let name = ident(column.name(), "column")?;
        if needs_text(column) {
            staged.push(format!("{name}::text AS {name}"));
            cast.push(format!(
                "{name}::{} AS {name}",
                type_name(column.pg_type())?
            ));
        } else {
            staged.push(name.clone());
            cast.push(name.clone());
        }
        names.push(name);
    }
    let create = format!(
        "CREATE TEMP TABLE {table} AS SELECT {} FROM {target} WITH NO DATA",
        staged.join(", ")
    );
    let mut insert = format!(
        "INSERT INTO {target} ({}) SELECT * FROM (SELECT {} FROM {table}) AS quarry_rows",
        names.join(", "),
        cast.join(", ")
    );
    if let Some(condition) = where_ {
        if condition.contains('\0') {
            return Err(CopyError::Nul { what: "WHERE" });
        }
        insert.push_str(" WHERE ");
        insert.push_str(condition);
    }
    let drop = format!("DROP TABLE IF EXISTS {table}");
    Ok(Some(Staging {
        table,
        create,
        insert,
        drop,
    }))
}
