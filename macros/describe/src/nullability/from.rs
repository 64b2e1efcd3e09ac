//! FROM clauses: tables and views (through the catalog), CTEs, subqueries (LATERAL too),
//! `generate_series`/`unnest` and other functions, and joins — inner, LEFT/RIGHT/FULL, nested and
//! parenthesised, with ON, USING and NATURAL — deciding which side's columns become nullable.

use sqlparser::ast::{
    FunctionArg, Join, JoinConstraint, JoinOperator, ObjectName, TableAlias, TableFactor,
    TableWithJoins,
};

use super::Analyzer;
use super::catalog::{self, Lookup};
use super::elements::Elements;
use super::expr::{Ctx, arg_expr, builtin_name_of, refine};
use super::scope::{Col, Rel, Scope, Source, fold, fold_name, rename};

/// How deep views may nest in views before the analysis gives up on a column.
const MAX_VIEW_DEPTH: usize = 16;

/// The side(s) an outer join NULL-extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inner,
    Left,
    Right,
    Full,
}

impl Analyzer<'_> {
    /// A FROM list (its items cross-joined, later ones seeing earlier ones for LATERAL).
    pub(crate) fn source_of(&mut self, from: &[TableWithJoins], scope: &Scope<'_>) -> Source {
        let mut acc = Source {
            rels: Vec::new(),
            star: Some(Vec::new()),
        };
        for item in from {
            let src = {
                let mut inner = Scope::child(scope);
                inner.rels = acc.rels.clone();
                self.table_with_joins(item, &inner)
            };
            acc.append(src);
        }
        acc
    }

    fn table_with_joins(&mut self, twj: &TableWithJoins, scope: &Scope<'_>) -> Source {
        let mut left = self.factor(&twj.relation, scope);
        for join in &twj.joins {
            left = self.join(left, join, scope);
        }
        left
    }

    fn join(&mut self, mut left: Source, join: &Join, scope: &Scope<'_>) -> Source {
        let mut right = {
            let mut inner = Scope::child(scope);
            inner.rels = left.rels.clone();
            self.factor(&join.relation, &inner)
        };
        let (kind, constraint) = match &join.join_operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::StraightJoin(c) => (Kind::Inner, Some(c)),
            JoinOperator::CrossApply => (Kind::Inner, None),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (Kind::Left, Some(c)),
            JoinOperator::OuterApply => (Kind::Left, None),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (Kind::Right, Some(c)),
            JoinOperator::FullOuter(c) => (Kind::Full, Some(c)),
            _ => (Kind::Full, None),
        };
        let using: Option<Vec<String>> = match constraint {
            Some(JoinConstraint::On(cond)) => {
                // A row of the joined result satisfied ON unless it was NULL-extended.
                match kind {
                    Kind::Inner => {
                        refine(&mut left.rels, cond);
                        refine(&mut right.rels, cond);
                    }
                    Kind::Left => refine(&mut right.rels, cond),
                    Kind::Right => refine(&mut left.rels, cond),
                    Kind::Full => {}
                }
                None
            }
            Some(JoinConstraint::Using(names)) => names
                .iter()
                .map(|n| fold_name(n).and_then(|p| p.last().cloned()))
                .collect(),
            Some(JoinConstraint::UsingAlias(..)) => {
                // Too rare to model: nothing is known about this join's columns.
                left.nullify();
                right.nullify();
                left.star = None;
                None
            }
            Some(JoinConstraint::Natural) => match (left.star_cols(), right.star_cols()) {
                (Some(l), Some(r)) => Some(
                    l.iter()
                        .filter(|c| r.iter().any(|rc| rc.name == c.name))
                        .map(|c| c.name.clone())
                        .collect(),
                ),
                _ => {
                    left.star = None;
                    None
                }
            },
            Some(JoinConstraint::None) | None => None,
        };
        let merged = using.map(|names| merged_columns(&left, &right, &names, kind));
        match kind {
            Kind::Inner => {}
            Kind::Left => right.nullify(),
            Kind::Right => left.nullify(),
            Kind::Full => {
                left.nullify();
                right.nullify();
            }
        }
        let Some(merged) = merged else {
            left.append(right);
            return left;
        };
        // JOIN ... USING / NATURAL: `*` is the merged columns, then each side's others.
        let names: Vec<String> = merged.iter().map(|c| c.name.clone()).collect();
        let merged_star: Vec<(usize, usize)> = (0..merged.len()).map(|c| (0, c)).collect();
        let mut out = Source {
            rels: vec![Rel {
                name: None,
                cols: merged,
                known: true,
            }],
            star: Some(merged_star),
        };
        for mut side in [left, right] {
            side.star = side.star.map(|star| {
                star.into_iter()
                    .filter(|&(r, c)| {
                        side.rels
                            .get(r)
                            .and_then(|rel| rel.cols.get(c))
                            .is_none_or(|col| !names.contains(&col.name))
                    })
                    .collect()
            });
            out.append(side);
        }
        out
    }

    fn factor(&mut self, factor: &TableFactor, scope: &Scope<'_>) -> Source {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_ordinality: false,
                ..
            } => Source::single(self.named_rel(name, alias.as_ref(), scope)),
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => self.function_rel(name, &args.args, *with_ordinality, alias.as_ref(), scope),
            TableFactor::Function {
                name,
                args,
                with_ordinality,
                alias,
                ..
            } => self.function_rel(name, args, *with_ordinality, alias.as_ref(), scope),
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                with_offset,
                ..
            } => {
                let mut cols: Vec<Col> = (0..array_exprs.len())
                    .map(|_| Col::computed("unnest", true))
                    .collect();
                if *with_ordinality || *with_offset {
                    cols.push(Col::computed("ordinality", false));
                }
                Source::single(aliased("unnest", cols, true, alias.as_ref()))
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let cols = self.query(subquery, Some(scope));
                let known = cols.is_some();
                Source::single(aliased("", cols.unwrap_or_default(), known, alias.as_ref()))
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let src = self.table_with_joins(table_with_joins, scope);
                match alias {
                    None => src,
                    Some(_) => {
                        let cols = src.star_cols();
                        let known = cols.is_some();
                        Source::single(aliased("", cols.unwrap_or_default(), known, alias.as_ref()))
                    }
                }
            }
            _ => Source::single(Rel {
                name: None,
                cols: Vec::new(),
                known: false,
            }),
        }
    }

    /// A function in FROM: `generate_series` (non-NULL for non-NULL arguments), `unnest`
    /// (elements may be NULL), anything else unknown; `WITH ORDINALITY` adds a non-NULL column.
    fn function_rel(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        with_ordinality: bool,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Source {
        let fname = builtin_name_of(name).unwrap_or_default();
        let nulls: Vec<bool> = args
            .iter()
            .map(|arg| arg_expr(arg).is_none_or(|e| self.expr(e, scope, Ctx::rows())))
            .collect();
        let (mut cols, known) = match fname.as_str() {
            "generate_series" => (
                vec![Col::computed(fname.clone(), nulls.iter().any(|n| *n))],
                true,
            ),
            "unnest" => (
                nulls
                    .iter()
                    .map(|_| Col::computed("unnest", true))
                    .collect(),
                true,
            ),
            _ => (Vec::new(), false),
        };
        if known && with_ordinality {
            cols.push(Col::computed("ordinality", false));
        }
        // A one-column function takes the alias' name as its column name.
        if let (Some(a), [only]) = (alias, cols.as_mut_slice())
            && a.columns.is_empty()
        {
            only.name = fold(&a.name);
        }
        Source::single(aliased(&fname, cols, known, alias))
    }

    /// A table, view or CTE by name.
    pub(crate) fn named_rel(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Rel {
        let parts = fold_name(name).unwrap_or_default();
        let base = parts.last().cloned().unwrap_or_default();
        if let [single] = parts.as_slice()
            && let Some(cte) = scope.cte(single)
        {
            let known = cte.cols.is_some();
            return aliased(&base, cte.cols.clone().unwrap_or_default(), known, alias);
        }
        let (cols, known) = self.relation_columns(name);
        aliased(&base, cols, known, alias)
    }

    /// A catalog relation's columns: tables from `attnotnull`, views from their definition.
    pub(crate) fn relation_columns(&mut self, name: &ObjectName) -> (Vec<Col>, bool) {
        let Some(key) = catalog::key(name) else {
            return (Vec::new(), false);
        };
        let relation = match self.catalog.get(&key) {
            Lookup::Found(r) => r,
            Lookup::Absent => return (Vec::new(), false),
            Lookup::NotLoaded => {
                if !self.missing.contains(&key) {
                    self.missing.push(key);
                }
                return (Vec::new(), false);
            }
        };
        let mut cols = relation.cols();
        if let Some(definition) = relation.view.as_deref()
            && self.depth < MAX_VIEW_DEPTH
        {
            self.depth += 1;
            let analysed = self.returning_or_query(definition);
            self.depth -= 1;
            if let Some(analysed) = analysed
                && analysed.len() == cols.len()
            {
                for (c, a) in cols.iter_mut().zip(analysed) {
                    c.nullable = a.nullable;
                    c.elements = a.elements;
                    c.origin = a.origin;
                }
            }
        }
        (cols, true)
    }
}

/// The merged columns of `JOIN ... USING (names)`, before NULL-extension.
fn merged_columns(left: &Source, right: &Source, names: &[String], kind: Kind) -> Vec<Col> {
    let l = left.star_cols().unwrap_or_default();
    let r = right.star_cols().unwrap_or_default();
    names
        .iter()
        .map(|name| {
            let lc = l.iter().find(|c| &c.name == name);
            let rc = r.iter().find(|c| &c.name == name);
            let ln = lc.is_none_or(|c| c.nullable);
            let rn = rc.is_none_or(|c| c.nullable);
            let nullable = match kind {
                // Matched rows have equal, hence non-NULL, values.
                Kind::Inner => lc.is_none() || rc.is_none(),
                Kind::Left => ln,
                Kind::Right => rn,
                Kind::Full => ln || rn,
            };
            let elements = match (lc, rc) {
                (Some(l), Some(r)) => l.elements.or(r.elements),
                _ => Elements::Unknown,
            };
            Col {
                name: name.clone(),
                nullable,
                elements,
                origin: None,
            }
        })
        .collect()
}

/// A relation under its alias (`AS a(x, y)` renames its first columns).
fn aliased(default: &str, mut cols: Vec<Col>, known: bool, alias: Option<&TableAlias>) -> Rel {
    let name = match alias {
        Some(a) => {
            rename(&mut cols, a.columns.iter().map(|c| fold(&c.name)));
            Some(fold(&a.name))
        }
        None => (!default.is_empty()).then(|| default.to_owned()),
    };
    Rel { name, cols, known }
}
