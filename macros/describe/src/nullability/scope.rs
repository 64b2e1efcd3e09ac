//! What a query level can see while its nullability is worked out: the relations of its FROM
//! clause (each with its columns and whether they can be NULL), the CTEs in force, and the
//! enclosing level for correlated references.

use sqlparser::ast::{Ident, NamedWindowDefinition, ObjectName};

use super::elements::Elements;
use crate::ColumnOrigin;

/// One column of a relation or of a query's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Col {
    /// The column's name as PostgreSQL would fold it.
    pub(crate) name: String,
    /// Whether it can be NULL.
    pub(crate) nullable: bool,
    /// What is known of its elements, when it is an array.
    pub(crate) elements: Elements,
    /// The table column it is, when it is one.
    pub(crate) origin: Option<ColumnOrigin>,
    /// Its type's `pg_type.typcategory`, when known (which overload of a function it takes).
    pub(crate) category: Option<u8>,
    /// Whether its type may be a domain: a cast to a NOT NULL domain of a value already of
    /// that domain checks nothing, so it may stay NULL.
    pub(crate) domain: bool,
}

impl Col {
    /// A column that is not a table column (nothing known of its elements, if any).
    pub(crate) fn computed(name: impl Into<String>, nullable: bool) -> Col {
        Col {
            name: name.into(),
            nullable,
            elements: Elements::Unknown,
            origin: None,
            category: None,
            domain: true,
        }
    }
}

/// A relation in a FROM clause: a table, view, subquery, CTE or function, under its alias.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rel {
    /// The name it is qualified by (`None` for the merged columns of `JOIN ... USING`).
    pub(crate) name: Option<String>,
    /// Its columns; empty with `known == false` when they could not be worked out.
    pub(crate) cols: Vec<Col>,
    /// Whether `cols` is its complete column list.
    pub(crate) known: bool,
    /// The OID of the table it scans, when it is a plain scan of a table (not a view, CTE,
    /// subquery or function): its foreign keys and system columns apply.
    pub(crate) table: Option<u32>,
    /// The outer joins (one id per NULL-extended side) that may have NULL-extended it.
    pub(crate) extended_by: Vec<u32>,
    /// Each column's nullability before the first of those joins.
    pub(crate) base: Vec<bool>,
    /// Whether the scan may miss rows of the table (`TABLESAMPLE`, or `ONLY` of a partitioned
    /// table, which holds no rows itself): no foreign key finds its referenced row in it.
    pub(crate) partial: bool,
    /// Whether its rows are the ones an INSERT or UPDATE writes (RETURNING): their foreign
    /// keys are checked only at the statement's end, and rows it writes elsewhere (its own
    /// table, data-modifying CTEs) are invisible to its subqueries, so they prove no match.
    pub(crate) written: bool,
    /// Whether a whole-row reference to it (`SELECT t FROM ... t`) is a row value, never NULL
    /// unless NULL-extended: tables, views, CTEs and subqueries — not functions, whose "whole
    /// row" is their scalar result when they return one.
    pub(crate) row: bool,
}

/// The system columns of a table row (`oid` is not one since PostgreSQL 12).
const SYSTEM_COLUMNS: &[&str] = &["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"];

/// A system column of a row that is there.
static SYSTEM_COLUMN: std::sync::LazyLock<Col> =
    std::sync::LazyLock::new(|| Col::computed("system column", false));

impl Rel {
    /// NULL-extends the relation: it is on the side `id` of an outer join.
    pub(crate) fn extend(&mut self, id: u32) {
        if self.extended_by.is_empty() {
            self.base = self.cols.iter().map(|c| c.nullable).collect();
        }
        self.extended_by.push(id);
        for c in &mut self.cols {
            c.nullable = true;
        }
    }

    /// Marks every column nullable for good (a join the analysis does not model).
    pub(crate) fn forget(&mut self) {
        self.extended_by.clear();
        for c in &mut self.cols {
            c.nullable = true;
        }
    }

    /// The outer-join sides `ids` proved not to have NULL-extended anything: once none of its
    /// own is left, the relation's columns are as before (or narrower, where proved since).
    pub(crate) fn revert(&mut self, ids: &[u32]) {
        if self.extended_by.is_empty() {
            return;
        }
        self.extended_by.retain(|id| !ids.contains(id));
        if self.extended_by.is_empty() {
            for (c, before) in self.cols.iter_mut().zip(&self.base) {
                c.nullable &= *before;
            }
        }
    }
}

/// What a FROM item contributes: the relations for name look-up, and `*`'s expansion in order
/// as (relation, column) indexes into `rels` (`None` when unknown).
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) rels: Vec<Rel>,
    pub(crate) star: Option<Vec<(usize, usize)>>,
}

impl Source {
    /// A source of one relation whose `*` is its columns.
    pub(crate) fn single(rel: Rel) -> Source {
        let star = rel
            .known
            .then(|| (0..rel.cols.len()).map(|c| (0, c)).collect());
        Source {
            rels: vec![rel],
            star,
        }
    }

    /// Everything NULL-extended by the outer-join side `id`.
    pub(crate) fn extend(&mut self, id: u32) {
        for r in &mut self.rels {
            r.extend(id);
        }
    }

    /// Everything nullable for good (see [`Rel::forget`]).
    pub(crate) fn forget(&mut self) {
        for r in &mut self.rels {
            r.forget();
        }
    }

    /// Appends `other` (a cross join: both sides' columns, in order).
    pub(crate) fn append(&mut self, other: Source) {
        let offset = self.rels.len();
        self.rels.extend(other.rels);
        self.star = match (self.star.take(), other.star) {
            (Some(mut a), Some(b)) => {
                a.extend(b.into_iter().map(|(r, c)| (r + offset, c)));
                Some(a)
            }
            _ => None,
        };
    }

    /// `*`'s columns, resolved.
    pub(crate) fn star_cols(&self) -> Option<Vec<Col>> {
        expand(&self.rels, self.star.as_deref()?)
    }
}

/// Resolves `*` indexes against `rels`.
pub(crate) fn expand(rels: &[Rel], star: &[(usize, usize)]) -> Option<Vec<Col>> {
    star.iter()
        .map(|&(r, c)| rels.get(r).and_then(|rel| rel.cols.get(c)).cloned())
        .collect()
}

/// A common table expression in force.
#[derive(Debug, Clone)]
pub(crate) struct CteDef {
    pub(crate) name: String,
    /// `None` when its columns could not be worked out.
    pub(crate) cols: Option<Vec<Col>>,
}

/// One query level.
#[derive(Debug, Default)]
pub(crate) struct Scope<'p> {
    pub(crate) parent: Option<&'p Scope<'p>>,
    pub(crate) rels: Vec<Rel>,
    pub(crate) ctes: Vec<CteDef>,
    /// Under GROUPING SETS / ROLLUP / CUBE, the columns (relation, column) grouped in every
    /// set: never grouped away, so never NULL in a super-aggregate row.
    pub(crate) grouped: Vec<(usize, usize)>,
    /// The windows its WINDOW clause names (`OVER w`).
    pub(crate) windows: Vec<NamedWindowDefinition>,
    /// The relations (indexes into `rels`) every group holds a row of that is not
    /// NULL-extended (`HAVING count(r.col) > 0` with `col` NOT NULL in `r`'s own rows).
    pub(crate) real_in_group: Vec<usize>,
}

impl<'p> Scope<'p> {
    /// A level nested in `parent`.
    pub(crate) fn child(parent: &'p Scope<'p>) -> Scope<'p> {
        Scope {
            parent: Some(parent),
            ..Scope::default()
        }
    }

    /// The same level with `rels` in place of its relations (a CASE branch's, a subquery's view
    /// of it, an aggregate's view of the rows HAVING proves).
    pub(crate) fn with_rels(&self, rels: Vec<Rel>) -> Scope<'p> {
        Scope {
            parent: self.parent,
            rels,
            ctes: self.ctes.clone(),
            grouped: self.grouped.clone(),
            windows: self.windows.clone(),
            real_in_group: self.real_in_group.clone(),
        }
    }

    /// The CTE called `name` visible from here, innermost first.
    pub(crate) fn cte(&self, name: &str) -> Option<&CteDef> {
        self.ctes
            .iter()
            .rev()
            .find(|c| c.name == name)
            .or_else(|| self.parent.and_then(|p| p.cte(name)))
    }

    /// Whether the column `parts` (`c`, `t.c` or `s.t.c`) can be NULL; `None` when it does not
    /// resolve here or in an enclosing level.
    pub(crate) fn column(&self, parts: &[String]) -> Option<&Col> {
        if let Some(c) = self.column_here(parts) {
            return Some(c);
        }
        // A relation whose columns are unknown may hold this name: the enclosing level's
        // column of that name would be a guess.
        if self.might_hide(parts) {
            return None;
        }
        self.parent.and_then(|p| p.column(parts))
    }

    fn might_hide(&self, parts: &[String]) -> bool {
        match parts {
            [_] => self.rels.iter().any(|r| !r.known),
            [.., q, _] => self
                .rels
                .iter()
                .any(|r| !r.known && r.name.as_deref() == Some(q.as_str())),
            [] => true,
        }
    }

    pub(crate) fn column_here(&self, parts: &[String]) -> Option<&Col> {
        if let Some(c) = self.regular_column(parts) {
            return Some(c);
        }
        // `ctid`, `xmin`, ...: there in every row of a table that was not NULL-extended.
        let (name, rel) = match parts {
            [name] => {
                let mut tables = self.rels.iter().filter(|r| r.table.is_some());
                let only = tables.next()?;
                if tables.next().is_some() || self.rels.iter().any(|r| !r.known) {
                    return None;
                }
                (name, only)
            }
            [.., rel, name] => (
                name,
                self.rels
                    .iter()
                    .find(|r| r.name.as_deref() == Some(rel.as_str()))?,
            ),
            [] => return None,
        };
        (rel.table.is_some()
            && rel.extended_by.is_empty()
            && SYSTEM_COLUMNS.contains(&name.as_str()))
        .then(|| &*SYSTEM_COLUMN)
    }

    fn regular_column(&self, parts: &[String]) -> Option<&Col> {
        match parts {
            [name] => {
                // The merged columns of JOIN ... USING win over either side's.
                if let Some(c) = self
                    .rels
                    .iter()
                    .filter(|r| r.name.is_none())
                    .find_map(|r| r.cols.iter().find(|c| &c.name == name))
                {
                    return Some(c);
                }
                let mut found = self
                    .rels
                    .iter()
                    .flat_map(|r| r.cols.iter())
                    .filter(|c| &c.name == name);
                let first = found.next()?;
                // Ambiguous here: PostgreSQL would have refused the query; stay unknown.
                if found.next().is_some() {
                    return None;
                }
                Some(first)
            }
            [.., rel, name] => self
                .rels
                .iter()
                .find(|r| r.name.as_deref() == Some(rel.as_str()))?
                .cols
                .iter()
                .find(|c| &c.name == name),
            [] => None,
        }
    }

    /// Whether a relation here or above has columns that are not known (any name may be one).
    pub(crate) fn may_hide_columns(&self) -> bool {
        self.rels.iter().any(|r| !r.known) || self.parent.is_some_and(Scope::may_hide_columns)
    }

    /// Whether some relation here or above has the qualifier `name`.
    pub(crate) fn rel(&self, name: &str) -> Option<&Rel> {
        self.rels
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
            .or_else(|| self.parent.and_then(|p| p.rel(name)))
    }
}

/// The column (relation index, column index) of `rels` that the reference `parts` names, when
/// it names exactly one: the merged columns of `JOIN ... USING` first, as PostgreSQL does.
pub(crate) fn resolve(rels: &[Rel], parts: &[String]) -> Option<(usize, usize)> {
    let (qualifier, name) = match parts {
        [name] => (None, name),
        [.., q, name] => (Some(q), name),
        [] => return None,
    };
    if qualifier.is_none() {
        let merged: Vec<(usize, usize)> = hits(rels, name, |r| r.name.is_none());
        if !merged.is_empty() {
            return single(merged);
        }
    }
    single(hits(rels, name, |r| match qualifier {
        None => true,
        Some(q) => r.name.as_deref() == Some(q.as_str()),
    }))
}

fn hits(rels: &[Rel], name: &str, pick: impl Fn(&Rel) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (ri, rel) in rels.iter().enumerate().filter(|(_, r)| pick(r)) {
        // A relation of unknown columns might hold the name: nothing is certain.
        if !rel.known {
            return vec![(usize::MAX, 0), (usize::MAX, 1)];
        }
        out.extend(
            rel.cols
                .iter()
                .enumerate()
                .filter(|(_, c)| c.name == name)
                .map(|(ci, _)| (ri, ci)),
        );
    }
    out
}

fn single(hits: Vec<(usize, usize)>) -> Option<(usize, usize)> {
    match hits.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// An identifier as PostgreSQL sees it: unquoted names fold to lower case.
pub(crate) fn fold(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The folded parts of a dotted name.
pub(crate) fn fold_name(name: &ObjectName) -> Option<Vec<String>> {
    name.0
        .iter()
        .map(|p| p.as_ident().map(fold))
        .collect::<Option<Vec<_>>>()
}

/// Renames the first columns after a `AS alias(a, b, ...)` list.
pub(crate) fn rename(cols: &mut [Col], names: impl IntoIterator<Item = String>) {
    for (c, n) in cols.iter_mut().zip(names) {
        c.name = n;
    }
}
