//! The catalog facts the analysis needs, loaded on demand: for each relation a query names, its
//! schema, its columns in order with `pg_attribute.attnotnull` and whether each is an array, and
//! for views the parsed definition (`pg_get_viewdef`), so view columns resolve to their base
//! columns.

use std::collections::{HashMap, HashSet};

use sqlparser::ast::{ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::elements::Elements;
use super::scope::{Col, fold_name};
use crate::ColumnOrigin;
use quarry_driver::Connection;
use quarry_driver::Result;

/// One relation as the catalog describes it.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    /// Its schema.
    pub(crate) schema: String,
    /// Its name.
    pub(crate) name: String,
    /// Its columns in order.
    pub(crate) columns: Vec<Column>,
    /// A view's or materialized view's parsed definition (`None` for tables, or when the
    /// definition did not parse).
    pub(crate) view: Option<Box<Statement>>,
    /// Whether it is a view or materialized view (then `columns`' NOT NULL means nothing).
    pub(crate) is_view: bool,
}

/// One column of a relation.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name.
    pub(crate) name: String,
    /// `pg_attribute.attnotnull`.
    pub(crate) not_null: bool,
    /// Whether its type is an array (or a domain over one): its elements may be NULL.
    pub(crate) is_array: bool,
}

impl Relation {
    /// The columns as the catalog alone tells them: a table's NOT NULL and origin; a view's
    /// columns nullable and without origin until its definition is analysed.
    pub(crate) fn cols(&self) -> Vec<Col> {
        self.columns
            .iter()
            .map(|c| Col {
                name: c.name.clone(),
                nullable: self.is_view || !c.not_null,
                elements: if c.is_array {
                    Elements::Unknown
                } else {
                    Elements::Scalar
                },
                origin: (!self.is_view).then(|| ColumnOrigin {
                    schema: self.schema.clone(),
                    table: self.name.clone(),
                    column: c.name.clone(),
                }),
            })
            .collect()
    }
}

/// What the catalog knows about a name.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// The relation.
    Found(&'a Relation),
    /// Looked up: no such relation (or not one we can read).
    Absent,
    /// Not looked up yet.
    NotLoaded,
}

/// The relations loaded so far, by [`key`].
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    relations: HashMap<String, Option<Relation>>,
    /// The names of every function with a set-returning overload (`pg_proc.proretset`), once
    /// read; until then every call not known to return one row counts as one.
    set_returning: Option<HashSet<String>>,
}

/// The `regclass` text of a one- or two-part name, each part quoted as PostgreSQL folds it;
/// `None` for names that cannot be resolved (three parts, a function part).
pub(crate) fn key(name: &ObjectName) -> Option<String> {
    let parts = fold_name(name)?;
    if parts.is_empty() || parts.len() > 2 {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// Parses one SQL statement the way the analysis does; `None` unless it is exactly one.
pub(crate) fn parse_one(sql: &str) -> Option<Statement> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    if statements.len() != 1 {
        return None;
    }
    statements.pop()
}

const LOAD: &str = "SELECT q.name, n.nspname::text, c.relname::text, c.relkind::text, \
     CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, \
     a.attname::text, a.attnotnull, t.typcategory = 'A' \
     FROM unnest($1::text[]) AS q(name) \
     JOIN pg_class c ON c.oid = to_regclass(q.name) \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     JOIN pg_type t ON t.oid = a.atttypid \
     ORDER BY q.name, a.attnum";

impl Catalog {
    /// What is known about `key`.
    pub(crate) fn get(&self, key: &str) -> Lookup<'_> {
        match self.relations.get(key) {
            Some(Some(r)) => Lookup::Found(r),
            Some(None) => Lookup::Absent,
            None => Lookup::NotLoaded,
        }
    }

    /// Records a relation (tests).
    #[cfg(test)]
    pub(crate) fn insert(&mut self, key: String, relation: Option<Relation>) {
        self.relations.insert(key, relation);
    }

    /// Looks up `keys` in one round trip; names that do not resolve are remembered as absent.
    /// Whether a function called `name` (folded, last part) may return a set.
    pub(crate) fn may_return_set(&self, name: Option<&str>) -> bool {
        match (&self.set_returning, name) {
            (Some(set), Some(name)) => set.contains(name),
            (None, Some(name)) => {
                !super::functions::known_scalar(name) && super::functions::aggregate(name).is_none()
            }
            (_, None) => true,
        }
    }

    /// Reads the names of the set-returning functions, unless already read.
    pub(crate) async fn load_set_returning(&mut self, conn: &mut Connection) -> Result<()> {
        if self.set_returning.is_some() {
            return Ok(());
        }
        let rows = conn
            .fetch(
                "SELECT DISTINCT proname::text FROM pg_catalog.pg_proc WHERE proretset",
                &[],
            )
            .await?;
        let mut names = HashSet::with_capacity(rows.len());
        for row in &rows {
            names.insert(row.get::<String>(0)?);
        }
        self.set_returning = Some(names);
        Ok(())
    }

    pub(crate) async fn load(&mut self, conn: &mut Connection, keys: Vec<String>) -> Result<()> {
        let rows = conn.fetch(LOAD, &[&keys]).await?;
        let mut loaded: HashMap<String, Relation> = HashMap::new();
        for row in rows {
            let key: String = row.get(0)?;
            let column = Column {
                name: row.get(5)?,
                not_null: row.get(6)?,
                is_array: row.get(7)?,
            };
            if let Some(rel) = loaded.get_mut(&key) {
                rel.columns.push(column);
                continue;
            }
            let kind: String = row.get(3)?;
            let definition: Option<String> = row.get(4)?;
            loaded.insert(
                key,
                Relation {
                    schema: row.get(1)?,
                    name: row.get(2)?,
                    columns: vec![column],
                    view: definition.as_deref().and_then(parse_one).map(Box::new),
                    is_view: kind == "v" || kind == "m",
                },
            );
        }
        for key in keys {
            let relation = loaded.remove(&key);
            self.relations.insert(key, relation);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::Ident;

    #[test]
    fn keys_quote_folded_parts() {
        let name = ObjectName::from(vec![Ident::new("Public"), Ident::with_quote('"', "My\"T")]);
        assert_eq!(key(&name).unwrap(), "\"public\".\"My\"\"T\"");
        let three = ObjectName::from(vec![Ident::new("a"), Ident::new("b"), Ident::new("c")]);
        assert_eq!(key(&three), None);
    }

    #[test]
    fn parse_one_wants_exactly_one_statement() {
        assert!(parse_one("SELECT 1").is_some());
        assert!(parse_one("SELECT 1; SELECT 2").is_none());
        assert!(parse_one("SELEC 1").is_none());
    }
}
