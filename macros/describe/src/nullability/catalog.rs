//! The catalog facts the analysis needs, loaded on demand: for each relation a query names, its
//! schema, its columns in order with `pg_attribute.attnotnull` (sound for scans: a column is
//! NOT NULL only when every inheritance child's is too, and never in a foreign table, whose
//! constraints nobody enforces), validated `CHECK` constraints, generated columns' expressions,
//! validated immediate foreign keys, and for views the parsed definition (`pg_get_viewdef`), so
//! view columns resolve to their base columns. Once per describer: the set-returning functions,
//! the names of functions defined outside `pg_catalog` (which may shadow a built-in), and the
//! NOT NULL domains.

use std::collections::{HashMap, HashSet};

use sqlparser::ast::{Expr, ObjectName, Statement};
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
    /// Its OID.
    pub(crate) oid: u32,
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
    /// Whether it is a table (plain or partitioned) whose rows have system columns, and whose
    /// constraints the server enforces (not a foreign table).
    pub(crate) has_system_columns: bool,
    /// Whether it has inheritance children or partitions (`relhassubclass`).
    pub(crate) has_children: bool,
    /// Whether every row a scan of it returns satisfies its foreign keys (no inheritance
    /// children, which do not inherit them, unless it is partitioned).
    pub(crate) keys_hold_in_scans: bool,
    /// Whether row-level security is enabled on it (a referenced row may be invisible).
    pub(crate) row_security: bool,
    /// Whether the row an INSERT or UPDATE of it writes is the row the statement made: a plain
    /// table without children, rules or `BEFORE ... FOR EACH ROW` insert or update triggers
    /// (which may change the row, or write it elsewhere) — so RETURNING shows the values written.
    pub(crate) plain_writes: bool,
    /// Its validated CHECK constraints, parsed (a row passes when each is true or NULL).
    pub(crate) checks: Vec<Expr>,
    /// Its validated, not deferrable foreign keys.
    pub(crate) foreign_keys: Vec<ForeignKey>,
}

/// A foreign key: every row's `columns` equal some row's `referenced` columns of the table
/// `references` (when none of `columns` is NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignKey {
    /// The referenced table's OID.
    pub(crate) references: u32,
    /// The referencing columns (attribute numbers), in key order.
    pub(crate) columns: Vec<i16>,
    /// The referenced columns (attribute numbers), in key order.
    pub(crate) referenced: Vec<i16>,
}

/// One column of a relation.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name.
    pub(crate) name: String,
    /// Its attribute number.
    pub(crate) attnum: i16,
    /// Whether every row of a scan of the relation (inheritance children included) has it
    /// non-NULL: `pg_attribute.attnotnull` here and in every child, not a foreign table.
    pub(crate) not_null: bool,
    /// Whether the relation itself refuses NULL in it (`attnotnull`, not a foreign table): what
    /// a row written into this very relation satisfies.
    pub(crate) not_null_here: bool,
    /// Whether its type is an array (or a domain over one): its elements may be NULL.
    pub(crate) is_array: bool,
    /// A stored generated column's expression, parsed.
    pub(crate) generated: Option<Expr>,
    /// Its type's `pg_type.typcategory`.
    pub(crate) category: u8,
    /// Whether its type is a domain (a cast to that domain checks nothing of its values).
    pub(crate) domain: bool,
}

impl Relation {
    /// The columns as the catalog alone tells them: a table's NOT NULL (of the rows a scan
    /// returns, or with `inserted` of a row written into this very relation) and origin; a
    /// view's columns nullable and without origin until its definition is analysed.
    pub(crate) fn cols(&self, inserted: bool) -> Vec<Col> {
        self.columns
            .iter()
            .map(|c| Col {
                name: c.name.clone(),
                nullable: self.is_view
                    || !(if inserted {
                        c.not_null_here
                    } else {
                        c.not_null
                    }),
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
                category: Some(c.category),
                domain: c.domain,
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

/// The relations loaded so far, by [`key`], and what is known once per describer.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    relations: HashMap<String, Option<Relation>>,
    /// The OIDs of the relations loaded, to their keys.
    by_oid: HashMap<u32, String>,
    /// The names of every function with a set-returning overload (`pg_proc.proretset`), once
    /// read; until then every call not known to return one row counts as one.
    set_returning: Option<HashSet<String>>,
    /// The names of functions defined outside `pg_catalog`: a call of one of these names may
    /// resolve to a user's function, so nothing built-in is assumed of it.
    user_functions: HashSet<String>,
    /// NOT NULL domains (a cast to one is never NULL), by `schema.name` and by bare name when
    /// every type of that name is one.
    not_null_domains: HashSet<String>,
    /// Operator symbols that also name operators outside `pg_catalog`, with whether every one
    /// of those is implemented by a strict function.
    user_operators: HashMap<String, bool>,
    /// The names of the types some cast done by a user's function turns values into (such a
    /// function may return NULL for a value).
    user_cast_targets: HashSet<String>,
    /// Whether some such cast may be applied without being written (implicit or in assignment).
    user_casts_unwritten: bool,
    /// Whether some such cast turns values into a built-in type.
    user_casts_to_builtin: bool,
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

/// One row per column of each relation named in `$1`; the relation's own facts repeat on each.
/// A column is NOT NULL for scans only when no inheritance descendant allows NULL in it and no
/// descendant is a foreign table; CHECK constraints count only when no descendant is a foreign
/// table either (a foreign child or partition inherits them, but nobody enforces them there).
const LOAD: &str = "SELECT q.name, n.nspname::text, c.relname::text, c.relkind::text, \
     CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, \
     a.attname::text, \
     a.attnotnull AND c.relkind <> 'f' AND (NOT c.relhassubclass OR NOT EXISTS ( \
         WITH RECURSIVE d(oid) AS ( \
             SELECT inhrelid FROM pg_inherits WHERE inhparent = c.oid \
             UNION SELECT i.inhrelid FROM pg_inherits i JOIN d ON i.inhparent = d.oid) \
         SELECT 1 FROM d JOIN pg_class dc ON dc.oid = d.oid \
         LEFT JOIN pg_attribute da ON da.attrelid = d.oid AND da.attname = a.attname \
         WHERE dc.relkind = 'f' OR NOT coalesce(da.attnotnull, false))), \
     t.typcategory = 'A', \
     c.oid, a.attnum, a.attnotnull AND c.relkind <> 'f', \
     CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END, \
     c.relkind = 'p' OR NOT c.relhassubclass, c.relrowsecurity, \
     ARRAY(SELECT pg_get_expr(k.conbin, k.conrelid) FROM pg_constraint k \
           WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated \
           AND NOT k.connoinherit AND NOT EXISTS ( \
               WITH RECURSIVE d(oid) AS ( \
                   SELECT inhrelid FROM pg_inherits WHERE inhparent = c.oid \
                   UNION SELECT i.inhrelid FROM pg_inherits i JOIN d ON i.inhparent = d.oid) \
               SELECT 1 FROM d JOIN pg_class dc ON dc.oid = d.oid WHERE dc.relkind = 'f')), \
     c.relhassubclass, \
     ARRAY(SELECT k.confrelid::int8 || ':' || array_to_string(k.conkey, ',') || ':' \
                  || array_to_string(k.confkey, ',') \
           FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' \
           AND k.convalidated AND NOT k.condeferrable), \
     t.typcategory::text, t.typtype = 'd', \
     c.relkind = 'r' AND NOT c.relhassubclass AND NOT c.relhasrules AND NOT EXISTS ( \
         SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid \
         AND g.tgtype::int & 3 = 3 AND g.tgtype::int & 20 <> 0) \
     FROM unnest($1::text[]) AS q(name) \
     JOIN pg_class c ON c.oid = to_regclass(q.name) \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     JOIN pg_type t ON t.oid = a.atttypid \
     LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum \
     ORDER BY q.name, a.attnum";

/// What is read once per describer: `('srf', name)` for each set-returning function,
/// `('user', name)` for each function outside `pg_catalog`, `('domain', schema, name,
/// not_null)` for every type named like a NOT NULL domain (domains over NOT NULL domains too),
/// `('op', symbol, NULL, all_strict)` for operator symbols used outside `pg_catalog`, and
/// `('cast', target type, its schema, implicit or assignment)` for casts done by a user's
/// function.
const GLOBALS: &str = "SELECT DISTINCT 'srf', proname::text, NULL::text, NULL::bool \
     FROM pg_catalog.pg_proc WHERE proretset \
     UNION ALL SELECT DISTINCT 'user', proname::text, NULL::text, NULL::bool \
     FROM pg_catalog.pg_proc \
     WHERE pronamespace <> 'pg_catalog'::regnamespace \
     UNION ALL (WITH RECURSIVE chain(oid, base, nn) AS ( \
         SELECT oid, typbasetype, typnotnull FROM pg_catalog.pg_type WHERE typtype = 'd' \
         UNION ALL SELECT c.oid, b.typbasetype, b.typnotnull FROM chain c \
         JOIN pg_catalog.pg_type b ON b.oid = c.base AND b.typtype = 'd'), \
       nn AS (SELECT DISTINCT oid FROM chain WHERE nn) \
     SELECT 'domain', n.nspname::text, t.typname::text, t.oid IN (SELECT oid FROM nn) \
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typname IN (SELECT typname FROM pg_catalog.pg_type WHERE oid IN (SELECT oid FROM nn))) \
     UNION ALL SELECT 'op', o.oprname::text, NULL::text, bool_and(p.proisstrict) \
     FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode \
     WHERE o.oprnamespace <> 'pg_catalog'::regnamespace GROUP BY o.oprname \
     UNION ALL SELECT DISTINCT 'cast', t.typname::text, n.nspname::text, c.castcontext <> 'e' \
     FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc \
     JOIN pg_catalog.pg_type t ON t.oid = c.casttarget \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE p.pronamespace <> 'pg_catalog'::regnamespace";

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

    /// The relation with OID `oid`, when it is loaded.
    pub(crate) fn by_oid(&self, oid: u32) -> Option<&Relation> {
        match self.get(self.by_oid.get(&oid)?) {
            Lookup::Found(r) => Some(r),
            _ => None,
        }
    }

    /// Whether a call of the unqualified `name` may resolve to a function outside `pg_catalog`.
    pub(crate) fn user_function(&self, name: &str) -> bool {
        self.user_functions.contains(name)
    }

    /// Whether the operator `symbol` is only built-in ones: non-NULL for non-NULL operands (when
    /// the built-ins are), which a user's operator of that symbol need not be.
    pub(crate) fn builtin_operator(&self, symbol: &str) -> bool {
        !self.user_operators.contains_key(symbol)
    }

    /// Whether every operator `symbol` is strict (NULL for a NULL operand): the built-ins the
    /// analysis lists are, and a user's is when its function is.
    pub(crate) fn strict_operator(&self, symbol: &str) -> bool {
        self.user_operators.get(symbol).is_none_or(|strict| *strict)
    }

    /// Whether the type `parts` (folded; one or two parts) is a NOT NULL domain.
    pub(crate) fn not_null_domain(&self, parts: &[String]) -> bool {
        !parts.is_empty() && parts.len() <= 2 && self.not_null_domains.contains(&parts.join("."))
    }

    /// Whether a cast to the type named `name` (folded, last part; `None` for a built-in type
    /// written in SQL's own words, `int`, `varchar(3)`, ...) may be a user's function.
    pub(crate) fn user_cast_to(&self, name: Option<&str>) -> bool {
        match name {
            Some(name) => self.user_cast_targets.contains(name),
            None => self.user_casts_to_builtin,
        }
    }

    /// Whether some cast done by a user's function turns values into an array type.
    pub(crate) fn user_cast_to_array(&self) -> bool {
        self.user_cast_targets.iter().any(|t| t.starts_with('_'))
    }

    /// Whether a user's cast function may run where no cast is written (a value assigned to a
    /// column, an argument of a function): then a written value is not known to arrive as is.
    pub(crate) fn user_casts_unwritten(&self) -> bool {
        self.user_casts_unwritten
    }

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

    /// Reads the set-returning functions, the functions outside `pg_catalog` and the NOT NULL
    /// domains, unless already read.
    pub(crate) async fn load_globals(&mut self, conn: &mut Connection) -> Result<()> {
        if self.set_returning.is_some() {
            return Ok(());
        }
        let rows = conn.fetch(GLOBALS, &[]).await?;
        let mut set_returning = HashSet::new();
        let mut user_functions = HashSet::new();
        let mut user_operators = HashMap::new();
        let (mut cast_targets, mut casts_unwritten) = (HashSet::new(), false);
        let mut casts_to_builtin = false;
        // Bare domain names, and whether every type of that name is a NOT NULL domain.
        let mut bare: HashMap<String, bool> = HashMap::new();
        let mut domains = HashSet::new();
        for row in &rows {
            let kind: String = row.get(0)?;
            let name: String = row.get(1)?;
            match kind.as_str() {
                "srf" => {
                    set_returning.insert(name);
                }
                "user" => {
                    user_functions.insert(name);
                }
                "op" => {
                    let strict: bool = row.get(3)?;
                    user_operators.insert(name, strict);
                }
                "cast" => {
                    cast_targets.insert(name);
                    casts_to_builtin |= row.get::<String>(2)? == "pg_catalog";
                    casts_unwritten |= row.get::<bool>(3)?;
                }
                _ => {
                    let type_name: String = row.get(2)?;
                    let not_null: bool = row.get(3)?;
                    *bare.entry(type_name.clone()).or_insert(true) &= not_null;
                    if not_null {
                        domains.insert(format!("{name}.{type_name}"));
                    }
                }
            }
        }
        domains.extend(bare.into_iter().filter(|(_, nn)| *nn).map(|(n, _)| n));
        self.set_returning = Some(set_returning);
        self.user_functions = user_functions;
        self.user_operators = user_operators;
        self.not_null_domains = domains;
        self.user_cast_targets = cast_targets;
        self.user_casts_unwritten = casts_unwritten;
        self.user_casts_to_builtin = casts_to_builtin;
        Ok(())
    }

    pub(crate) async fn load(&mut self, conn: &mut Connection, keys: Vec<String>) -> Result<()> {
        let rows = conn.fetch(LOAD, &[&keys]).await?;
        let mut loaded: HashMap<String, Relation> = HashMap::new();
        for row in rows {
            let key: String = row.get(0)?;
            let generated: Option<String> = row.get(11)?;
            let column = Column {
                name: row.get(5)?,
                attnum: row.get(9)?,
                not_null: row.get(6)?,
                not_null_here: row.get(10)?,
                is_array: row.get(7)?,
                generated: generated.as_deref().and_then(parse_expr),
                category: row.get::<String>(17)?.bytes().next().unwrap_or(b'X'),
                domain: row.get(18)?,
            };
            if let Some(rel) = loaded.get_mut(&key) {
                rel.columns.push(column);
                continue;
            }
            let kind: String = row.get(3)?;
            let definition: Option<String> = row.get(4)?;
            let checks: Vec<String> = row.get(14)?;
            let keys: Vec<String> = row.get(16)?;
            loaded.insert(
                key,
                Relation {
                    oid: row.get(8)?,
                    schema: row.get(1)?,
                    name: row.get(2)?,
                    columns: vec![column],
                    view: definition.as_deref().and_then(parse_one).map(Box::new),
                    is_view: kind == "v" || kind == "m",
                    has_system_columns: kind == "r" || kind == "p",
                    has_children: row.get(15)?,
                    keys_hold_in_scans: row.get(12)?,
                    row_security: row.get(13)?,
                    plain_writes: row.get(19)?,
                    checks: checks.iter().filter_map(|c| parse_expr(c)).collect(),
                    foreign_keys: keys.iter().filter_map(|k| parse_foreign_key(k)).collect(),
                },
            );
        }
        for key in keys {
            let relation = loaded.remove(&key);
            if let Some(r) = &relation {
                self.by_oid.insert(r.oid, key.clone());
            }
            self.relations.insert(key, relation);
        }
        Ok(())
    }
}

/// Parses one SQL expression (a constraint's or a generated column's, as the server prints it).
fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .ok()?
        .parse_expr()
        .ok()
}

/// Parses `referenced_oid:1,2:3,4` (see [`LOAD`]).
fn parse_foreign_key(text: &str) -> Option<ForeignKey> {
    let mut parts = text.split(':');
    let references = parts.next()?.parse().ok()?;
    let list = |s: &str| -> Option<Vec<i16>> { s.split(',').map(|n| n.parse().ok()).collect() };
    let columns = list(parts.next()?)?;
    let referenced = list(parts.next()?)?;
    (columns.len() == referenced.len() && parts.next().is_none()).then_some(ForeignKey {
        references,
        columns,
        referenced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::Ident;

    #[test]
    fn foreign_keys_parse() {
        assert_eq!(
            parse_foreign_key("16384:2,3:1,4"),
            Some(ForeignKey {
                references: 16384,
                columns: vec![2, 3],
                referenced: vec![1, 4],
            })
        );
        assert_eq!(parse_foreign_key("1:2:"), None);
        assert_eq!(parse_foreign_key("x:1:1"), None);
    }

    #[test]
    fn expressions_parse() {
        assert!(parse_expr("((a IS NOT NULL) AND (b > 0))").is_some());
        assert!(parse_expr("(a * 2)").is_some());
    }

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
