//! Queries: WITH (recursive too), set operations, VALUES, `TABLE t` and SELECT — the projection
//! mapped to output columns (`*` expanded from the FROM items in order), with the grouping mode
//! that decides whether aggregates see non-empty groups.

use sqlparser::ast::{
    BinaryOperator, Distinct, Expr, FunctionArguments, GroupByExpr, OrderByKind, Query, Select,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, SetOperator, Value, With,
};

use super::Analyzer;
use super::catalog::Catalog;
use super::expr::{
    Ctx, Group, arg_expr, builtin_name, calls_unknown, count_calls, is_aggregate_call,
};
use super::filters::{Probe, narrow};
use super::scope::{Col, CteDef, Scope, expand, fold, fold_name, rename, resolve};

/// How many times a recursive CTE is re-analysed before giving up (nullability only grows).
const RECURSION_ROUNDS: usize = 8;

impl Analyzer<'_> {
    /// The output columns of `q`, seen from `parent` (correlated references resolve there).
    pub(crate) fn query(&mut self, q: &Query, parent: Option<&Scope<'_>>) -> Option<Vec<Col>> {
        self.query_with_srfs(q, parent, 0)
    }

    /// [`Analyzer::query`], with `outside` set-returning calls of an enclosing ORDER BY (of a
    /// parenthesized body) in lock step with this level's select list.
    fn query_with_srfs(
        &mut self,
        q: &Query,
        parent: Option<&Scope<'_>>,
        outside: usize,
    ) -> Option<Vec<Col>> {
        let mut scope = match parent {
            Some(p) => Scope::child(p),
            None => Scope::default(),
        };
        if let Some(with) = &q.with {
            self.with(with, &mut scope);
        }
        // A set-returning function in ORDER BY joins the select list's in lock step.
        let outside = outside
            + q.order_by.as_ref().map_or(0, |o| match &o.kind {
                OrderByKind::Expressions(items) => items
                    .iter()
                    .map(|i| self.set_returning_calls(&i.expr))
                    .sum(),
                OrderByKind::All(_) => 0,
            });
        match q.body.as_ref() {
            SetExpr::Select(s) => self.select(s, &scope, outside),
            SetExpr::Query(inner) => self.query_with_srfs(inner, Some(&scope), outside),
            body => self.set_expr(body, &scope),
        }
    }

    /// How many calls in `e` may return a set (not as window functions).
    fn set_returning_calls(&self, e: &Expr) -> usize {
        count_calls(e, &|f| {
            f.over.is_none()
                && self.catalog.may_return_set(
                    fold_name(&f.name)
                        .as_deref()
                        .and_then(<[_]>::last)
                        .map(String::as_str),
                )
        })
    }

    fn with(&mut self, with: &With, scope: &mut Scope<'_>) {
        for cte in &with.cte_tables {
            let name = fold(&cte.alias.name);
            let aliases: Vec<String> = cte.alias.columns.iter().map(|c| fold(&c.name)).collect();
            let mut cols = if with.recursive {
                self.recursive_cte(&name, &aliases, &cte.query, scope)
            } else {
                self.query(&cte.query, Some(scope))
            };
            if let Some(cols) = &mut cols {
                rename(cols, aliases);
            }
            scope.ctes.push(CteDef { name, cols });
        }
    }

    /// A CTE of `WITH RECURSIVE`: the non-recursive term seeds the columns, then the whole body
    /// is re-analysed with the CTE bound to the columns so far until nothing changes.
    fn recursive_cte(
        &mut self,
        name: &str,
        aliases: &[String],
        query: &Query,
        scope: &mut Scope<'_>,
    ) -> Option<Vec<Col>> {
        let SetExpr::SetOperation { left, .. } = query.body.as_ref() else {
            return self.query(query, Some(scope));
        };
        let mut current = self.set_expr(left, scope)?;
        rename(&mut current, aliases.iter().cloned());
        for _ in 0..RECURSION_ROUNDS {
            scope.ctes.push(CteDef {
                name: name.to_owned(),
                cols: Some(current.clone()),
            });
            let next = self.query(query, Some(scope));
            scope.ctes.pop();
            let mut next = next?;
            if next.len() != current.len() {
                return None;
            }
            rename(&mut next, aliases.iter().cloned());
            let mut changed = false;
            for (c, n) in current.iter_mut().zip(&next) {
                if n.nullable && !c.nullable {
                    c.nullable = true;
                    changed = true;
                }
                let elements = c.elements.or(n.elements);
                if elements != c.elements {
                    c.elements = elements;
                    changed = true;
                }
            }
            if !changed {
                return Some(current);
            }
        }
        None
    }

    /// The output columns of a query body.
    pub(crate) fn set_expr(&mut self, body: &SetExpr, scope: &Scope<'_>) -> Option<Vec<Col>> {
        match body {
            SetExpr::Select(select) => self.select(select, scope, 0),
            SetExpr::Query(q) => self.query(q, Some(scope)),
            SetExpr::SetOperation {
                op, left, right, ..
            } => {
                let mut l = self.set_expr(left, scope)?;
                let r = self.set_expr(right, scope)?;
                if l.len() != r.len() {
                    return None;
                }
                for (a, b) in l.iter_mut().zip(r) {
                    a.nullable = match op {
                        SetOperator::Union => a.nullable || b.nullable,
                        // A row of an INTERSECT is in both inputs: NULL only where both can be.
                        SetOperator::Intersect => a.nullable && b.nullable,
                        SetOperator::Except => a.nullable,
                        _ => true,
                    };
                    a.elements = a.elements.or(b.elements);
                    if a.origin != b.origin {
                        a.origin = None;
                    }
                }
                Some(l)
            }
            SetExpr::Values(values) => {
                let ctx = Ctx::rows();
                let mut cols: Option<Vec<Col>> = None;
                for row in &values.rows {
                    let row: Vec<Col> = row
                        .content
                        .iter()
                        .enumerate()
                        .map(|(i, e)| Col {
                            elements: self.elements(e, scope, ctx),
                            ..Col::computed(format!("column{}", i + 1), self.expr(e, scope, ctx))
                        })
                        .collect();
                    match &mut cols {
                        None => cols = Some(row),
                        Some(cols) => {
                            if cols.len() != row.len() {
                                return None;
                            }
                            for (c, r) in cols.iter_mut().zip(row) {
                                c.nullable |= r.nullable;
                                c.elements = c.elements.or(r.elements);
                            }
                        }
                    }
                }
                cols
            }
            SetExpr::Insert(st) | SetExpr::Update(st) | SetExpr::Delete(st) => {
                self.returning(st, Some(scope))
            }
            SetExpr::Table(t) => {
                let name = t.table_name.as_ref()?;
                let mut parts = Vec::new();
                if let Some(schema) = &t.schema_name {
                    parts.push(schema.clone());
                }
                parts.push(name.clone());
                let rel = self.named_rel(&sqlparser::ast::ObjectName::from(parts), None, scope);
                rel.known.then_some(rel.cols)
            }
            _ => None,
        }
    }

    /// A SELECT; `outside`: set-returning calls of the query's ORDER BY, in lock step with its
    /// select list's (so are GROUP BY's and DISTINCT ON's).
    fn select(&mut self, s: &Select, parent: &Scope<'_>, outside: usize) -> Option<Vec<Col>> {
        let mut outside = outside;
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            outside += exprs
                .iter()
                .map(|e| self.set_returning_calls(e))
                .sum::<usize>();
        }
        if let Some(Distinct::On(exprs)) = &s.distinct {
            outside += exprs
                .iter()
                .map(|e| self.set_returning_calls(e))
                .sum::<usize>();
        }
        let mut scope = Scope::child(parent);
        let source = self.source_of(&s.from, &scope);
        let star = source.star;
        scope.rels = source.rels;
        scope.windows.clone_from(&s.named_window);
        if let Some(cond) = &s.selection {
            let all = 0..scope.rels.len();
            narrow(self.catalog, &self.on, &mut scope.rels, cond, all);
            self.undo_keyed_joins(&mut scope);
        }
        let group = grouping(&s.group_by);
        if matches!(group, Group::Sets { .. }) {
            scope.grouped = always_grouped(&s.group_by)
                .iter()
                .filter_map(|parts| resolve(&scope.rels, parts))
                .collect();
        }
        // HAVING keeps whole groups: what it proves of grouped columns holds for every row.
        if let (Some(having), Group::Plain) = (&s.having, group) {
            let all = 0..scope.rels.len();
            narrow(self.catalog, &self.on, &mut scope.rels, having, all);
            scope.real_in_group = self.real_in_group(having, &scope);
        }
        let star = star.and_then(|star| expand(&scope.rels, &star));
        // A plain SELECT with aggregates and no GROUP BY aggregates over a possibly empty set.
        let ctx = Ctx {
            group,
            in_agg: false,
        };
        let mut cols = self.projection(&s.projection, &scope, star.as_deref(), ctx, outside)?;
        // An output column (an aggregate, say) that HAVING rejects when NULL is not NULL.
        if let (Some(having), Group::Plain | Group::None) = (&s.having, group) {
            for (col, item) in cols.iter_mut().zip(&s.projection) {
                let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item
                else {
                    continue;
                };
                let never = |_: &[String]| false;
                let probe = Probe {
                    is_target: &never,
                    expr_target: Some(e),
                    catalog: self.catalog,
                };
                if col.nullable && probe.eval(having).rejects() {
                    col.nullable = false;
                }
            }
        }
        Some(cols)
    }

    /// Output columns of a SELECT list or RETURNING list.
    pub(crate) fn projection(
        &mut self,
        items: &[SelectItem],
        scope: &Scope<'_>,
        star: Option<&[Col]>,
        ctx: Ctx,
        outside: usize,
    ) -> Option<Vec<Col>> {
        let mut out = Vec::new();
        // Set-returning functions in a select list run in lock step (with those of ORDER BY,
        // GROUP BY and DISTINCT ON, `outside`): when there are two or more, the shorter ones are
        // padded with NULLs, so every column holding one may be NULL.
        let calls: Vec<usize> = items
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    self.set_returning_calls(e)
                }
                _ => 0,
            })
            .collect();
        let padded = calls.iter().sum::<usize>() + outside >= 2;
        for (item, calls) in items.iter().zip(calls) {
            let pad = padded && calls > 0;
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let mut col = self.output(e, None, scope, ctx);
                    col.nullable |= pad;
                    out.push(col);
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let mut col = self.output(expr, Some(fold(alias)), scope, ctx);
                    col.nullable |= pad;
                    out.push(col);
                }
                SelectItem::Wildcard(_) => {
                    let cols = star?;
                    out.extend(cols.iter().cloned().map(|mut c| {
                        c.nullable |= matches!(ctx.group, Group::Sets { .. });
                        c
                    }));
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let parts = fold_name(n)?;
                    let rel = scope.rel(parts.last()?)?;
                    if !rel.known {
                        return None;
                    }
                    out.extend(rel.cols.iter().cloned().map(|mut c| {
                        c.nullable |= matches!(ctx.group, Group::Sets { .. });
                        c
                    }));
                }
                _ => return None,
            }
        }
        Some(out)
    }

    fn output(&mut self, e: &Expr, alias: Option<String>, scope: &Scope<'_>, ctx: Ctx) -> Col {
        let nullable = self.expr(e, scope, ctx);
        let elements = self.elements(e, scope, ctx);
        let origin = match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column_parts(e)
                .and_then(|p| scope.column(&p))
                .and_then(|c| c.origin.clone()),
            _ => None,
        };
        Col {
            name: alias.unwrap_or_else(|| output_name(e)),
            nullable,
            elements,
            origin,
            category: self.category(e, scope),
            domain: self.may_be_domain(e, scope),
        }
    }
}

/// The folded parts of a column reference.
pub(crate) fn column_parts(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::Identifier(i) => Some(vec![fold(i)]),
        Expr::CompoundIdentifier(parts) => Some(parts.iter().map(fold).collect()),
        _ => None,
    }
}

/// The name PostgreSQL gives an unaliased output column (close enough to resolve references to
/// subquery and CTE columns; the server's RowDescription stays the source of truth for names).
pub(crate) fn output_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => fold(i),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold).unwrap_or_default(),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(fold)
            .unwrap_or_else(|| "?column?".to_owned()),
        Expr::Cast { expr, .. } => match expr.as_ref() {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Function(_) => {
                output_name(expr)
            }
            _ => "?column?".to_owned(),
        },
        Expr::Nested(inner) => output_name(inner),
        Expr::Case { .. } => "case".to_owned(),
        Expr::Exists { .. } => "exists".to_owned(),
        Expr::Array(_) => "array".to_owned(),
        Expr::Tuple(_) => "row".to_owned(),
        _ => "?column?".to_owned(),
    }
}

/// The column references grouped in every grouping set of a GROUP BY: its plain items, and
/// those in every set of a GROUPING SETS item (ROLLUP and CUBE have an empty set).
fn always_grouped(group_by: &GroupByExpr) -> Vec<Vec<String>> {
    let GroupByExpr::Expressions(exprs, modifiers) = group_by else {
        return Vec::new();
    };
    if !modifiers.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for e in exprs {
        match e {
            Expr::GroupingSets(sets) => {
                let mut common: Option<Vec<Vec<String>>> = None;
                for set in sets {
                    let refs: Vec<Vec<String>> = set.iter().filter_map(column_parts).collect();
                    common = Some(match common {
                        None => refs,
                        Some(c) => c.into_iter().filter(|r| refs.contains(r)).collect(),
                    });
                }
                out.extend(common.unwrap_or_default());
            }
            Expr::Rollup(_) | Expr::Cube(_) => {}
            Expr::Tuple(items) => out.extend(items.iter().filter_map(column_parts)),
            other => out.extend(column_parts(other)),
        }
    }
    out
}

/// The grouping a SELECT's GROUP BY makes.
fn grouping(group_by: &GroupByExpr) -> Group {
    match group_by {
        GroupByExpr::All(_) => Group::Plain,
        GroupByExpr::Expressions(exprs, modifiers) => {
            if exprs.is_empty() && modifiers.is_empty() {
                Group::None
            } else if !modifiers.is_empty()
                || exprs.iter().any(|e| {
                    matches!(e, Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_))
                        || matches!(e, Expr::Tuple(t) if t.is_empty())
                })
            {
                Group::Sets {
                    empty: !modifiers.is_empty() || exprs.iter().all(may_group_all),
                }
            } else {
                Group::Plain
            }
        }
    }
}

impl Analyzer<'_> {
    /// The relations `having` proves every group holds a row of that is not NULL-extended: a
    /// conjunct `count(r.col) > 0` (or `>= 1`, `<> 0`) where `col` is NOT NULL in `r`'s own
    /// rows, so only a NULL-extended row of `r` has it NULL.
    fn real_in_group(&self, having: &Expr, scope: &Scope<'_>) -> Vec<usize> {
        let mut out = Vec::new();
        let mut conjuncts = vec![having];
        while let Some(e) = conjuncts.pop() {
            match e {
                Expr::Nested(inner) => conjuncts.push(inner),
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::And,
                    right,
                } => {
                    conjuncts.push(left);
                    conjuncts.push(right);
                }
                Expr::BinaryOp { left, op, right } => {
                    let counted = match (op, number(right), number(left)) {
                        (BinaryOperator::Gt | BinaryOperator::NotEq, Some("0"), _)
                        | (BinaryOperator::GtEq, Some("1"), _) => left,
                        (BinaryOperator::Lt | BinaryOperator::NotEq, _, Some("0"))
                        | (BinaryOperator::LtEq, _, Some("1")) => right,
                        _ => continue,
                    };
                    let Some(parts) = self.counted_column(counted) else {
                        continue;
                    };
                    if let Some((r, c)) = resolve(&scope.rels, &parts)
                        && let Some(rel) = scope.rels.get(r)
                        && !rel.extended_by.is_empty()
                        && rel.base.get(c) == Some(&false)
                    {
                        out.push(r);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The column `e` counts: `count(col)` of the built-in `count`.
    fn counted_column(&self, e: &Expr) -> Option<Vec<String>> {
        let Expr::Function(f) = e else { return None };
        if f.over.is_some() || builtin_name(f, self.catalog).as_deref() != Some("count") {
            return None;
        }
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        let [arg] = list.args.as_slice() else {
            return None;
        };
        column_parts(arg_expr(arg)?)
    }
}

/// The text of a number literal.
fn number(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a GROUP BY element may contribute the empty grouping set `()` (one group over all
/// rows, there even when no row is): ROLLUP, CUBE, `()`, grouping sets holding one. Every set
/// of the whole GROUP BY is empty only when every element may be.
fn may_group_all(e: &Expr) -> bool {
    match e {
        Expr::Rollup(_) | Expr::Cube(_) => true,
        // Inside GROUPING SETS, sqlparser reads `CUBE(a)` / `ROLLUP(a)` as calls.
        Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| {
            i.value.eq_ignore_ascii_case("cube") || i.value.eq_ignore_ascii_case("rollup")
        }),
        Expr::Tuple(items) => items.is_empty(),
        Expr::GroupingSets(sets) => sets.iter().any(|set| set.iter().all(may_group_all)),
        _ => false,
    }
}

/// Whether `q` yields exactly one row whatever the data: a SELECT without FROM and WHERE, or an
/// aggregate SELECT without GROUP BY and HAVING; no LIMIT, OFFSET or set operation.
pub(crate) fn exactly_one_row(q: &Query, catalog: &Catalog) -> bool {
    if q.limit_clause.is_some() || q.fetch.is_some() {
        return false;
    }
    let SetExpr::Select(s) = q.body.as_ref() else {
        return false;
    };
    if s.having.is_some() || grouping(&s.group_by) != Group::None {
        return false;
    }
    let no_source = s.from.is_empty() && s.selection.is_none();
    let mut aggregate = false;
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                if calls_unknown(e, catalog) {
                    return false;
                }
                aggregate |= is_aggregate_call(e, catalog);
            }
            _ => return false,
        }
    }
    no_source || aggregate
}
