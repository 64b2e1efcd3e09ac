//! Nullability of described columns and NOT NULL targets of parameters.
//!
//! Sound first, then precise: a column is NOT NULL only when the SQL and the catalog prove it.
//! The SQL is parsed with `sqlparser` (PostgreSQL dialect) and walked with catalog facts —
//! `pg_attribute.attnotnull`, view definitions (`pg_get_viewdef`, analysed recursively) — never
//! with statistics or plans, so an empty and a full, ANALYZEd database give the same answer.
//! Whatever cannot be parsed or analysed stays nullable.
//!
//! Files: [`scope`] (what a query level sees), [`catalog`] (relations, loaded on demand, and
//! what is read once: set-returning functions, user functions and operators, NOT NULL
//! domains), [`query`] (WITH, set operations, VALUES, SELECT lists, grouping, HAVING),
//! [`from`] (FROM items, joins, foreign-key joins and lookups), [`filters`] (what a condition
//! proves), [`expr`] (expressions), [`elements`] (NULL elements of arrays), [`functions`] (the
//! function facts), [`dml`] (RETURNING and parameter targets).

pub use functions::{FACTS, Fact, Rule, STRICT};

mod catalog;
mod dml;
mod elements;
mod expr;
mod filters;
mod from;
mod functions;
mod query;
mod scope;

use std::collections::HashMap;

use sqlparser::ast::Statement;

use super::{ColumnDescription, ColumnOrigin, ParamDescription, TypeKind};
use catalog::Catalog;
use quarry_driver::Connection;
use quarry_driver::Result;
use quarry_driver::Statement as Prepared;
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
    /// Each outer join's NULL-extended side so far (its id, see [`scope::Rel::extended_by`]),
    /// with the join's ON condition.
    on: Vec<(u32, sqlparser::ast::Expr)>,
    /// Outer-join sides that NULL-extend only rows whose foreign key (the columns named, as
    /// qualified in the ON clause) is NULL: a filter proving those NOT NULL undoes the join.
    keyed: Vec<(u32, Vec<Vec<String>>)>,
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
            on: Vec::new(),
            keyed: Vec::new(),
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

/// What the analysis has read from the catalog so far: relations (with view definitions) and
/// the table column behind each (table OID, attribute number) of a RowDescription.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    catalog: Catalog,
    origins: HashMap<(u32, i16), Option<ColumnOrigin>>,
}

impl Facts {
    /// Fills `nullable` and `origin` of `columns`, and `not_null_target` of `params`.
    pub(crate) async fn analyse(
        &mut self,
        conn: &mut Connection,
        stmt: &Prepared,
        columns: &mut [ColumnDescription],
        params: &mut [ParamDescription],
    ) -> Result<()> {
        self.origins_from_row_description(conn, stmt, columns)
            .await?;
        match self.catalog.load_globals(conn).await {
            Ok(()) => {}
            Err(e) if conn.is_closed() => return Err(e),
            // Without it, every call not known to return one row counts as set-returning.
            Err(_) => {}
        }
        for p in params.iter_mut() {
            if matches!(p.ty.kind, TypeKind::Domain { .. })
                && self
                    .catalog
                    .not_null_domain(&[p.ty.schema.clone(), p.ty.name.clone()])
            {
                p.not_null_domain = Some(format!("{}.{}", p.ty.schema, p.ty.name));
            }
        }
        let Some(statement) = catalog::parse_one(stmt.sql()) else {
            return Ok(());
        };
        for _ in 0..MAX_ROUNDS {
            let (analysis, missing) = run(&statement, &self.catalog);
            if missing.is_empty() {
                apply(&analysis, columns, params);
                return Ok(());
            }
            match self.catalog.load(conn, missing).await {
                Ok(()) => {}
                Err(e) if conn.is_closed() => return Err(e),
                // The catalog could not be read: stay with "everything nullable".
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// The table column each result column is, from RowDescription (table OID and attribute
    /// number): the ones not known yet in one round trip.
    async fn origins_from_row_description(
        &mut self,
        conn: &mut Connection,
        stmt: &Prepared,
        columns: &mut [ColumnDescription],
    ) -> Result<()> {
        let keys: Vec<(u32, i16)> = stmt
            .columns()
            .iter()
            .filter_map(|c| Some((c.table_oid()?, c.column_id()?)))
            .filter(|key| !self.origins.contains_key(key))
            .collect();
        if !keys.is_empty() {
            let tables: Vec<u32> = keys.iter().map(|k| k.0).collect();
            let attnums: Vec<i16> = keys.iter().map(|k| k.1).collect();
            let rows = conn
                .fetch(
                    "SELECT k.rel, k.att, n.nspname::text, c.relname::text, a.attname::text \
                     FROM unnest($1::oid[], $2::int2[]) AS k(rel, att) \
                     JOIN pg_attribute a ON a.attrelid = k.rel AND a.attnum = k.att \
                     JOIN pg_class c ON c.oid = a.attrelid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace",
                    &[&tables, &attnums],
                )
                .await?;
            for key in keys {
                self.origins.insert(key, None);
            }
            for row in rows {
                let key: (u32, i16) = (row.get(0)?, row.get(1)?);
                self.origins.insert(
                    key,
                    Some(ColumnOrigin {
                        schema: row.get(2)?,
                        table: row.get(3)?,
                        column: row.get(4)?,
                    }),
                );
            }
        }
        for (described, column) in columns.iter_mut().zip(stmt.columns()) {
            if let (Some(table), Some(attnum)) = (column.table_oid(), column.column_id())
                && let Some(Some(origin)) = self.origins.get(&(table, attnum))
            {
                described.origin = Some(origin.clone());
            }
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests;
