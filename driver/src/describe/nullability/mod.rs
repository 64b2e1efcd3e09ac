//! Nullability of described columns and NOT NULL targets of parameters.
//!
//! Sound first, then precise: a column is NOT NULL only when the SQL and the catalog prove it.
//! The SQL is parsed with `sqlparser` (PostgreSQL dialect) and walked with catalog facts —
//! `pg_attribute.attnotnull`, view definitions (`pg_get_viewdef`, analysed recursively) — never
//! with statistics or plans, so an empty and a full, ANALYZEd database give the same answer.
//! Whatever cannot be parsed or analysed stays nullable.
//!
//! Files: [`scope`] (what a query level sees), [`catalog`] (relations, loaded on demand),
//! [`query`] (WITH, set operations, VALUES, SELECT lists), [`from`] (FROM items and joins),
//! [`expr`] (expressions), [`elements`] (NULL elements of arrays), [`functions`] (what is known of built-in functions), [`dml`]
//! (RETURNING and parameter targets).

mod catalog;
mod dml;
mod elements;
mod expr;
mod from;
mod functions;
mod query;
mod scope;

use sqlparser::ast::Statement;

use super::{ColumnDescription, ColumnOrigin, ParamDescription};
use crate::connection::Connection;
use crate::error::Result;
use crate::statement::Statement as Prepared;
use catalog::Catalog;
use scope::Col;

/// How many rounds of "analyse, load the relations it named" before giving up (views of views).
const MAX_ROUNDS: usize = 12;

/// One run of the analysis over a parsed statement with the catalog loaded so far.
pub(crate) struct Analyzer<'c> {
    catalog: &'c Catalog,
    /// Relations named but not loaded yet (`regclass` text).
    missing: Vec<String>,
    /// How deep in view definitions the analysis is.
    depth: usize,
}

/// What the analysis found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// The output columns, when they could be worked out.
    pub(crate) columns: Option<Vec<Col>>,
    /// Parameters written straight into NOT NULL columns.
    pub(crate) targets: Vec<(usize, ColumnOrigin)>,
}

impl<'c> Analyzer<'c> {
    fn new(catalog: &'c Catalog) -> Analyzer<'c> {
        Analyzer {
            catalog,
            missing: Vec::new(),
            depth: 0,
        }
    }
}

/// Analyses `statement` with `catalog`; also returns the relations it needs that are not loaded.
pub(crate) fn run(statement: &Statement, catalog: &Catalog) -> (Analysis, Vec<String>) {
    let mut analyzer = Analyzer::new(catalog);
    let columns = match statement {
        Statement::Query(q) => analyzer.query(q, None),
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
            analyzer.returning(statement, None)
        }
        _ => None,
    };
    let targets = analyzer.param_targets(statement);
    (Analysis { columns, targets }, analyzer.missing)
}

/// Fills `nullable` and `origin` of `columns`, and `not_null_target` of `params`.
pub(super) async fn analyse(
    conn: &mut Connection,
    stmt: &Prepared,
    columns: &mut [ColumnDescription],
    params: &mut [ParamDescription],
) -> Result<()> {
    origins_from_row_description(conn, stmt, columns).await?;
    let Some(statement) = catalog::parse_one(stmt.sql()) else {
        return Ok(());
    };
    let mut catalog = Catalog::default();
    for _ in 0..MAX_ROUNDS {
        let (analysis, missing) = run(&statement, &catalog);
        if missing.is_empty() {
            apply(&analysis, columns, params);
            return Ok(());
        }
        match catalog.load(conn, missing).await {
            Ok(()) => {}
            Err(e) if conn.is_closed() => return Err(e),
            // The catalog could not be read: stay with "everything nullable".
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Copies an analysis onto the described columns — only when it found exactly as many columns
/// as the server describes (otherwise the mapping would be a guess, and guesses stay nullable).
fn apply(analysis: &Analysis, columns: &mut [ColumnDescription], params: &mut [ParamDescription]) {
    if let Some(cols) = &analysis.columns
        && cols.len() == columns.len()
    {
        for (described, col) in columns.iter_mut().zip(cols) {
            described.nullable = col.nullable;
            described.element_nullable =
                !(described.ty.is_array() && col.elements == elements::Elements::NonNull);
            if described.origin.is_none() {
                described.origin.clone_from(&col.origin);
            }
        }
    }
    for (index, origin) in &analysis.targets {
        if let Some(p) = params.get_mut(*index) {
            p.not_null_target = Some(origin.clone());
        }
    }
}

/// The table column each result column is, from RowDescription (table OID and attribute number).
async fn origins_from_row_description(
    conn: &mut Connection,
    stmt: &Prepared,
    columns: &mut [ColumnDescription],
) -> Result<()> {
    for (described, column) in columns.iter_mut().zip(stmt.columns()) {
        let (Some(table), Some(attnum)) = (column.table_oid(), column.column_id()) else {
            continue;
        };
        let row = conn
            .fetch_row(
                "SELECT n.nspname::text, c.relname::text, a.attname::text \
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

#[cfg(test)]
mod tests;
