//! What a condition proves about the columns it mentions: a WHERE, HAVING or inner-join ON
//! conjunct that is false or NULL whenever a column is NULL keeps only rows where that column is
//! non-NULL; a CHECK constraint that is *false* (not NULL: NULL passes a CHECK) whenever a
//! column is NULL keeps NULL out of it.
//!
//! The question is asked of one column at a time, by evaluating the condition in three-valued
//! logic with that column NULL and everything else unknown: [`Truth`] is the set of values the
//! condition can still take. Sound by construction — anything not modelled can be anything.

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArguments, InTarget, SetExpr, UnaryOperator, Value,
};

use std::ops::Range;

use super::catalog::Catalog;
use super::expr::{arg_expr, builtin_name, calls_unknown, is_aggregate_call};
use super::functions;
use super::scope::{Rel, fold, resolve};

/// Narrows `rels` by a condition every kept row satisfies (a WHERE clause, or an inner join's
/// ON): each column of the `candidates` relations that the condition shows non-NULL becomes
/// NOT NULL, and an outer join that would have NULL-extended that column's relation is undone
/// (a NULL-extended row has every column of the relation NULL, so it is not among the rows) —
/// and then that join's ON condition (`joins`: each NULL-extended side's) held for the row, so
/// it narrows in turn.
pub(crate) fn narrow(
    catalog: &Catalog,
    joins: &[(u32, Expr)],
    rels: &mut [Rel],
    cond: &Expr,
    candidates: Range<usize>,
) {
    narrow_when(catalog, joins, rels, cond, candidates, true);
}

/// As [`narrow`], for a condition known to be true (`holds`), or known not to be true (a CASE
/// branch after this one's WHEN: a column whose NULL would have made it true is not NULL).
pub(crate) fn narrow_when(
    catalog: &Catalog,
    joins: &[(u32, Expr)],
    rels: &mut [Rel],
    cond: &Expr,
    candidates: Range<usize>,
    holds: bool,
) {
    let undone = narrow_once(catalog, rels, cond, candidates, holds);
    let mut done: Vec<u32> = Vec::new();
    let mut pending = undone;
    while let Some(id) = pending.pop() {
        if done.contains(&id) {
            continue;
        }
        done.push(id);
        if let Some((_, on)) = joins.iter().find(|(j, _)| *j == id) {
            let all = 0..rels.len();
            pending.extend(narrow_once(catalog, rels, on, all, true));
        }
    }
}

/// One step of [`narrow`]: the outer-join sides it undid.
fn narrow_once(
    catalog: &Catalog,
    rels: &mut [Rel],
    cond: &Expr,
    candidates: Range<usize>,
    holds: bool,
) -> Vec<u32> {
    let mut proved: Vec<(usize, usize)> = Vec::new();
    for ri in candidates {
        let Some(rel) = rels.get(ri) else { continue };
        for (ci, col) in rel.cols.iter().enumerate() {
            if !col.nullable {
                continue;
            }
            let is_target = |parts: &[String]| resolve(rels, parts) == Some((ri, ci));
            let probe = Probe {
                is_target: &is_target,
                expr_target: None,
                catalog,
            };
            let truth = probe.eval(cond);
            if (holds && truth.rejects()) || (!holds && truth == Truth::TRUE) {
                proved.push((ri, ci));
            }
        }
    }
    let mut undone: Vec<u32> = Vec::new();
    for (ri, ci) in proved {
        if let Some(rel) = rels.get_mut(ri) {
            undone.extend(&rel.extended_by);
            if let Some(col) = rel.cols.get_mut(ci) {
                col.nullable = false;
            }
        }
    }
    if !undone.is_empty() {
        for rel in rels.iter_mut() {
            rel.revert(&undone);
        }
    }
    undone
}

/// The truth values (or, for a non-boolean expression, "NULL or not") an expression can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Truth(u8);

impl Truth {
    const TRUE: Truth = Truth(1);
    const FALSE: Truth = Truth(2);
    const NULL: Truth = Truth(4);
    const ANY: Truth = Truth(7);

    fn has(self, t: Truth) -> bool {
        self.0 & t.0 != 0
    }

    fn union(self, other: Truth) -> Truth {
        Truth(self.0 | other.0)
    }

    /// Only NULL.
    fn is_null(self) -> bool {
        self == Truth::NULL
    }

    /// Never NULL.
    fn never_null(self) -> bool {
        !self.has(Truth::NULL)
    }

    /// Whether a WHERE clause holding this drops the row (false or NULL only).
    pub(crate) fn rejects(self) -> bool {
        !self.has(Truth::TRUE)
    }

    /// Whether a CHECK constraint holding this refuses the row (false only).
    pub(crate) fn refuses(self) -> bool {
        self == Truth::FALSE
    }

    fn not(self) -> Truth {
        let mut out = Truth(0);
        if self.has(Truth::TRUE) {
            out = out.union(Truth::FALSE);
        }
        if self.has(Truth::FALSE) {
            out = out.union(Truth::TRUE);
        }
        if self.has(Truth::NULL) {
            out = out.union(Truth::NULL);
        }
        out
    }

    /// Three-valued AND or OR of every pair of possible values.
    fn combine(self, other: Truth, and: bool) -> Truth {
        let mut out = Truth(0);
        for a in [Truth::TRUE, Truth::FALSE, Truth::NULL] {
            for b in [Truth::TRUE, Truth::FALSE, Truth::NULL] {
                if self.has(a) && other.has(b) {
                    out = out.union(if and {
                        and3(a, b)
                    } else {
                        and3(a.not(), b.not()).not()
                    });
                }
            }
        }
        out
    }
}

fn and3(a: Truth, b: Truth) -> Truth {
    if a == Truth::FALSE || b == Truth::FALSE {
        Truth::FALSE
    } else if a == Truth::NULL || b == Truth::NULL {
        Truth::NULL
    } else {
        Truth::TRUE
    }
}

/// Which column is NULL: `is_target` says whether a column reference (its folded parts) is it.
pub(crate) struct Probe<'a> {
    pub(crate) is_target: &'a dyn Fn(&[String]) -> bool,
    /// Or: an expression (an aggregate call, say) that is NULL, matched as written.
    pub(crate) expr_target: Option<&'a Expr>,
    /// What is known of functions (which names a user's function may take).
    pub(crate) catalog: &'a Catalog,
}

impl Probe<'_> {
    /// The values `e` can take when the probed column is NULL.
    pub(crate) fn eval(&self, e: &Expr) -> Truth {
        self.eval_hidden(e, &[])
    }

    /// As [`Probe::eval`] inside subqueries whose FROM clauses name `hidden` (references
    /// qualified by one of those, or not qualified at all, are the subquery's own).
    fn eval_hidden(&self, e: &Expr, hidden: &[String]) -> Truth {
        if hidden.is_empty() && self.expr_target == Some(e) {
            return Truth::NULL;
        }
        let eval = |x: &Expr| self.eval_hidden(x, hidden);
        let strict = |parts: &[&Expr]| {
            if parts.iter().any(|p| eval(p).is_null()) {
                Truth::NULL
            } else {
                Truth::ANY
            }
        };
        match e {
            Expr::Identifier(i) => self.reference(&[fold(i)], hidden),
            Expr::CompoundIdentifier(parts) => {
                let parts: Vec<String> = parts.iter().map(fold).collect();
                self.reference(&parts, hidden)
            }
            Expr::Value(v) if !matches!(v.value, Value::Null | Value::Placeholder(_)) => {
                Truth::TRUE.union(Truth::FALSE)
            }
            Expr::Value(v) if matches!(v.value, Value::Null) => Truth::NULL,
            Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::Collate { expr: x, .. } => eval(x),
            Expr::IsNull(x) => test(eval(x), Truth::TRUE, Truth::FALSE),
            Expr::IsNotNull(x) => test(eval(x), Truth::FALSE, Truth::TRUE),
            Expr::IsUnknown(x) => test(eval(x), Truth::TRUE, Truth::FALSE),
            Expr::IsNotUnknown(x) => test(eval(x), Truth::FALSE, Truth::TRUE),
            Expr::IsTrue(x) => is(eval(x), Truth::TRUE),
            Expr::IsFalse(x) => is(eval(x), Truth::FALSE),
            Expr::IsNotTrue(x) => is(eval(x), Truth::TRUE).not(),
            Expr::IsNotFalse(x) => is(eval(x), Truth::FALSE).not(),
            // With one side NULL and the other never NULL: distinct, always; both NULL: not.
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let (a, b) = (eval(a), eval(b));
                let distinct = (a.is_null() && b.never_null()) || (b.is_null() && a.never_null());
                let same = a.is_null() && b.is_null();
                match (distinct, same, matches!(e, Expr::IsDistinctFrom(..))) {
                    (true, _, true) | (_, true, false) => Truth::TRUE,
                    (true, _, false) | (_, true, true) => Truth::FALSE,
                    _ => Truth::TRUE.union(Truth::FALSE),
                }
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => eval(expr).not(),
            Expr::UnaryOp {
                op: UnaryOperator::Minus | UnaryOperator::Plus,
                expr,
            } => strict(&[expr]),
            Expr::BinaryOp {
                left,
                op: op @ (BinaryOperator::And | BinaryOperator::Or),
                right,
            } => eval(left).combine(eval(right), *op == BinaryOperator::And),
            Expr::BinaryOp { left, op, right } if self.strict_operator(op) => {
                strict(&[left, right])
            }
            Expr::Extract { expr, .. }
            | Expr::Ceil { expr, .. }
            | Expr::Floor { expr, .. }
            | Expr::Substring { expr, .. }
            | Expr::Position { r#in: expr, .. }
            | Expr::Trim { expr, .. } => strict(&[expr]),
            Expr::AtTimeZone { timestamp, .. } => strict(&[timestamp]),
            Expr::Like {
                expr,
                pattern,
                any: false,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                any: false,
                ..
            }
            | Expr::SimilarTo { expr, pattern, .. } => strict(&[expr, pattern]),
            Expr::Between {
                expr, low, high, ..
            } => {
                // `x BETWEEN a AND b` is `x >= a AND x <= b`: NULL with x, or with both bounds.
                if eval(expr).is_null() || (eval(low).is_null() && eval(high).is_null()) {
                    Truth::NULL
                } else {
                    Truth::ANY
                }
            }
            Expr::In {
                expr,
                target,
                negated,
                ..
            } => {
                if !eval(expr).is_null() {
                    return Truth::ANY;
                }
                match target {
                    // A list is never empty: NULL with its left side.
                    InTarget::List(items) if !items.is_empty() => Truth::NULL,
                    // An empty subquery makes IN false and NOT IN true.
                    _ if *negated => Truth::TRUE.union(Truth::NULL),
                    _ => Truth::FALSE.union(Truth::NULL),
                }
            }
            Expr::AnyOp {
                left, compare_op, ..
            } if self.strict_operator(compare_op) && eval(left).is_null() => {
                Truth::FALSE.union(Truth::NULL)
            }
            Expr::AllOp {
                left, compare_op, ..
            } if self.strict_operator(compare_op) && eval(left).is_null() => {
                Truth::TRUE.union(Truth::NULL)
            }
            Expr::Exists { subquery, negated } => {
                let exists = if self.correlated(subquery, hidden) == Some(true) {
                    Truth::FALSE
                } else {
                    Truth::TRUE.union(Truth::FALSE)
                };
                if *negated { exists.not() } else { exists }
            }
            Expr::Function(f) if f.over.is_none() && f.filter.is_none() => {
                let Some(name) = builtin_name(f, self.catalog) else {
                    return Truth::ANY;
                };
                if !functions::strict(&name) {
                    return Truth::ANY;
                }
                let FunctionArguments::List(list) = &f.args else {
                    return Truth::ANY;
                };
                if !list.clauses.is_empty() {
                    return Truth::ANY;
                }
                let args: Vec<&Expr> = list.args.iter().filter_map(arg_expr).collect();
                strict(&args)
            }
            _ => Truth::ANY,
        }
    }

    /// Whether `op` is NULL for a NULL operand: a built-in the analysis lists, and no user's
    /// operator of that symbol that is not strict.
    fn strict_operator(&self, op: &BinaryOperator) -> bool {
        strict_operator(op) && self.catalog.strict_operator(&op.to_string())
    }

    /// A column reference: NULL when it is the probed column, not hidden by a subquery.
    fn reference(&self, parts: &[String], hidden: &[String]) -> Truth {
        let visible = match parts {
            [_] => hidden.is_empty(),
            [.., q, _] => !hidden.contains(q),
            [] => false,
        };
        if visible && (self.is_target)(parts) {
            Truth::NULL
        } else {
            Truth::ANY
        }
    }

    /// Whether `EXISTS (subquery)` is surely false when the probed column is NULL: a plain
    /// SELECT (no grouping, no aggregate, no set operation) whose WHERE rejects every row then.
    /// `None` when that cannot be told.
    fn correlated(&self, q: &sqlparser::ast::Query, hidden: &[String]) -> Option<bool> {
        let SetExpr::Select(s) = q.body.as_ref() else {
            return None;
        };
        if s.having.is_some()
            || !matches!(&s.group_by, sqlparser::ast::GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty())
            || s.projection.iter().any(|item| match item {
                sqlparser::ast::SelectItem::UnnamedExpr(e)
                | sqlparser::ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    // An aggregate makes one row whatever WHERE keeps.
                    calls_unknown(e, self.catalog) || is_aggregate_call(e, self.catalog)
                }
                _ => false,
            })
        {
            return None;
        }
        // An aggregate in ORDER BY makes the subquery aggregate too (`SELECT 1 FROM p WHERE
        // ... ORDER BY count(*)` is one row whatever WHERE keeps).
        if let Some(order_by) = &q.order_by {
            let sqlparser::ast::OrderByKind::Expressions(list) = &order_by.kind else {
                return None;
            };
            if list.iter().any(|o| {
                calls_unknown(&o.expr, self.catalog) || is_aggregate_call(&o.expr, self.catalog)
            }) {
                return None;
            }
        }
        let mut names: Vec<String> = hidden.to_vec();
        for twj in &s.from {
            for factor in
                std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation))
            {
                names.extend(factor_names(factor)?);
            }
        }
        let cond = s.selection.as_ref()?;
        Some(self.eval_hidden(cond, &names).rejects())
    }
}

/// The names a FROM item can be referred to by (its alias, or its table's name); `None` for an
/// item whose names are not known (nested joins are searched).
fn factor_names(factor: &sqlparser::ast::TableFactor) -> Option<Vec<String>> {
    use sqlparser::ast::TableFactor as T;
    match factor {
        T::Table { name, alias, .. } => Some(vec![match alias {
            Some(a) => fold(&a.name),
            None => super::scope::fold_name(name)?.last()?.clone(),
        }]),
        T::Derived { alias: Some(a), .. }
        | T::Function { alias: Some(a), .. }
        | T::UNNEST { alias: Some(a), .. } => Some(vec![fold(&a.name)]),
        T::NestedJoin {
            table_with_joins,
            alias: None,
        } => {
            let mut out = factor_names(&table_with_joins.relation)?;
            for j in &table_with_joins.joins {
                out.extend(factor_names(&j.relation)?);
            }
            Some(out)
        }
        T::NestedJoin { alias: Some(a), .. } => Some(vec![fold(&a.name)]),
        _ => None,
    }
}

/// `x IS [NOT] NULL`-style tests: `if_null` when `x` is surely NULL, `if_not` when it never is.
fn test(x: Truth, if_null: Truth, if_not: Truth) -> Truth {
    if x.is_null() {
        if_null
    } else if x.never_null() {
        if_not
    } else {
        Truth::TRUE.union(Truth::FALSE)
    }
}

/// `x IS TRUE` / `x IS FALSE`: true only where `x` can be `value`.
fn is(x: Truth, value: Truth) -> Truth {
    let mut out = Truth(0);
    if x.has(value) {
        out = out.union(Truth::TRUE);
    }
    if x.0 & !value.0 != 0 {
        out = out.union(Truth::FALSE);
    }
    out
}

/// Built-in operators that are NULL when either operand is (`||` is not: `array || NULL` is
/// the array).
pub(crate) fn strict_operator(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(
        op,
        B::Plus
            | B::Minus
            | B::Multiply
            | B::Divide
            | B::Modulo
            | B::Gt
            | B::Lt
            | B::GtEq
            | B::LtEq
            | B::Eq
            | B::NotEq
            | B::BitwiseOr
            | B::BitwiseAnd
            | B::PGBitwiseXor
            | B::PGBitwiseShiftLeft
            | B::PGBitwiseShiftRight
            | B::PGExp
            | B::PGOverlap
            | B::PGRegexMatch
            | B::PGRegexIMatch
            | B::PGRegexNotMatch
            | B::PGRegexNotIMatch
            | B::PGLikeMatch
            | B::PGILikeMatch
            | B::PGNotLikeMatch
            | B::PGNotILikeMatch
            | B::PGStartsWith
            | B::AtArrow
            | B::ArrowAt
            | B::Question
            | B::QuestionAnd
            | B::QuestionPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn truth(cond: &str, column: &str) -> Truth {
        let e = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(cond)
            .unwrap()
            .parse_expr()
            .unwrap();
        let is_target = |parts: &[String]| parts.last().is_some_and(|p| p == column);
        let catalog = Catalog::default();
        Probe {
            is_target: &is_target,
            expr_target: None,
            catalog: &catalog,
        }
        .eval(&e)
    }

    #[test]
    fn where_clauses_that_reject_a_null_column() {
        for cond in [
            "x IS NOT NULL",
            "NOT (x IS NULL)",
            "x > 1",
            "x + 1 = y",
            "x LIKE 'a%'",
            "x NOT LIKE 'a%'",
            "x IN (1, 2)",
            "x NOT IN (1, 2)",
            "x BETWEEN 1 AND 2",
            "x IS NOT DISTINCT FROM 1",
            "lower(x) = 'a'",
            "x = ANY(ARRAY[1])",
            "a = 1 AND x = 2",
            "x = 1 OR x = 2",
            "(x > 1) IS TRUE",
            "t.x = 1",
            "x IN (SELECT 1)",
            "NOT (x > 1)",
            "EXISTS (SELECT 1 FROM p WHERE p.k = t.x)",
        ] {
            assert!(truth(cond, "x").rejects(), "{cond}");
        }
    }

    #[test]
    fn where_clauses_that_prove_nothing() {
        for cond in [
            "x IS NULL",
            "coalesce(x, 1) > 0",
            "x IS DISTINCT FROM 1",
            "x = 1 OR y = 2",
            "x NOT IN (SELECT 1)",
            "x <> ALL(ARRAY[1])",
            "ROW(x, y) IS NULL",
            "(x > 1) IS NOT TRUE",
            "x || 'a' = 'b'",
            "array_append(x, 1) = '{1}'",
            "NOT EXISTS (SELECT 1 FROM p WHERE p.k = t.x)",
            "EXISTS (SELECT 1 FROM t WHERE t.x = 1)",
            "EXISTS (SELECT count(*) FROM p WHERE p.k = t.x)",
            "y > 1",
        ] {
            assert!(!truth(cond, "x").rejects(), "{cond}");
        }
    }

    #[test]
    fn checks_refuse_only_when_false() {
        assert!(truth("x IS NOT NULL", "x").refuses());
        assert!(truth("(x IS NOT NULL) AND (y > 0)", "x").refuses());
        assert!(truth("NOT (x IS NULL)", "x").refuses());
        // NULL passes a CHECK.
        assert!(!truth("x > 0", "x").refuses());
        assert!(!truth("(x IS NOT NULL) OR (y > 0)", "x").refuses());
    }
}
