//! What a query level can see while its nullability is worked out: the relations of its FROM
//! clause (each with its columns and whether they can be NULL), the CTEs in force, and the
//! enclosing level for correlated references.

use sqlparser::ast::{Ident, ObjectName};

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
}

impl Col {
    /// A column that is not a table column (nothing known of its elements, if any).
    pub(crate) fn computed(name: impl Into<String>, nullable: bool) -> Col {
        Col {
            name: name.into(),
            nullable,
            elements: Elements::Unknown,
            origin: None,
        }
    }
}

/// A relation in a FROM clause: a table, view, subquery, CTE or function, under its alias.
#[derive(Debug, Clone)]
pub(crate) struct Rel {
    /// The name it is qualified by (`None` for the merged columns of `JOIN ... USING`).
    pub(crate) name: Option<String>,
    /// Its columns; empty with `known == false` when they could not be worked out.
    pub(crate) cols: Vec<Col>,
    /// Whether `cols` is its complete column list.
    pub(crate) known: bool,
}

impl Rel {
    /// Marks every column nullable (the relation is on the NULL-extended side of an outer join).
    pub(crate) fn nullify(&mut self) {
        for c in &mut self.cols {
            c.nullable = true;
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

    /// Everything NULL-extended by an outer join.
    pub(crate) fn nullify(&mut self) {
        for r in &mut self.rels {
            r.nullify();
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
}

impl<'p> Scope<'p> {
    /// A level nested in `parent`.
    pub(crate) fn child(parent: &'p Scope<'p>) -> Scope<'p> {
        Scope {
            parent: Some(parent),
            rels: Vec::new(),
            ctes: Vec::new(),
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

    fn column_here(&self, parts: &[String]) -> Option<&Col> {
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

    /// Whether some relation here or above has the qualifier `name`.
    pub(crate) fn rel(&self, name: &str) -> Option<&Rel> {
        self.rels
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
            .or_else(|| self.parent.and_then(|p| p.rel(name)))
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
