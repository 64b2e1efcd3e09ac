//! Whether the elements of an array-valued expression can be NULL — a separate question from
//! whether the array itself can be. PostgreSQL's catalog says nothing about elements (a
//! `text[] NOT NULL` column may hold `{a,NULL}`), so only arrays built in the query are known:
//! `ARRAY[...]` and `ARRAY(SELECT ...)` of non-NULL values, `array_agg` of non-NULL input,
//! `string_to_array` with two arguments, `regexp_split_to_array`, and the array functions that
//! keep non-NULL elements non-NULL. Sound first: anything else may hold NULL elements.
//!
//! An expression is classified as a [`Elements::Scalar`] only when it is certain not to be an
//! array, because `array_agg` of an array (a 2-D array) has the inner arrays' elements.

use sqlparser::ast::{
    BinaryOperator, DataType, Expr, Function, FunctionArguments, UnaryOperator, Value,
};

use super::Analyzer;
use super::expr::{Ctx, arg_expr, builtin_name, is_never_null_test, subquery_scope};
use super::functions;
use super::query::column_parts;
use super::scope::Scope;

/// What is known of the elements of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Certainly not an array: it has no elements.
    Scalar,
    /// An array whose elements are never NULL.
    NonNull,
    /// An array whose elements may be NULL, or a value that may be such an array.
    Unknown,
}

impl Elements {
    /// What is known of a value that is one of two values (UNION, CASE, COALESCE, ...).
    pub(crate) fn or(self, other: Elements) -> Elements {
        if self == other {
            self
        } else {
            Elements::Unknown
        }
    }
}

impl Analyzer<'_> {
    /// What is known of the elements of `e`'s value.
    pub(crate) fn elements(&mut self, e: &Expr, scope: &Scope<'_>, ctx: Ctx) -> Elements {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column_parts(e)
                .and_then(|parts| scope.column(&parts))
                .map_or(Elements::Unknown, |c| c.elements),
            Expr::Value(v) => literal(&v.value),
            Expr::TypedString(t) => match cast_target(&t.data_type) {
                Elements::Scalar => Elements::Scalar,
                _ => Elements::Unknown,
            },
            Expr::Cast {
                expr, data_type, ..
            } => match cast_target(data_type) {
                Elements::Scalar => Elements::Scalar,
                Elements::NonNull if self.elements(expr, scope, ctx) == Elements::NonNull => {
                    Elements::NonNull
                }
                _ => Elements::Unknown,
            },
            Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => {
                self.elements(inner, scope, ctx)
            }
            _ if is_never_null_test(e) => Elements::Scalar,
            Expr::Interval(_)
            | Expr::Tuple(_)
            | Expr::In { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. } => Elements::Scalar,
            Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Not => Elements::Scalar,
                _ => self.scalar_if_scalar([expr.as_ref()], scope, ctx),
            },
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, scope, ctx),
            Expr::Array(array) => {
                let mut all = Elements::NonNull;
                for item in &array.elem {
                    if !self.non_null_element(item, scope, ctx) {
                        all = Elements::Unknown;
                    }
                }
                all
            }
            Expr::Case {
                conditions,
                else_result,
                ..
            } => {
                // A missing ELSE is a NULL array, which has no elements to worry about.
                let mut results = conditions
                    .iter()
                    .map(|w| &w.result)
                    .chain(else_result.as_deref());
                let Some(first) = results.next() else {
                    return Elements::Unknown;
                };
                let mut all = self.elements(first, scope, ctx);
                for r in results {
                    all = all.or(self.elements(r, scope, ctx));
                }
                all
            }
            Expr::Subquery(q) => {
                match self.query(q, Some(&subquery_scope(scope, ctx))).as_deref() {
                    Some([only]) => only.elements,
                    _ => Elements::Unknown,
                }
            }
            Expr::Function(f) => self.function_elements(f, scope, ctx),
            _ => Elements::Unknown,
        }
    }

    /// Whether `e`, as an element of an array being built, is never NULL and brings no NULL
    /// elements of its own (an inner array's elements become the outer array's).
    fn non_null_element(&mut self, e: &Expr, scope: &Scope<'_>, ctx: Ctx) -> bool {
        !self.expr(e, scope, ctx) && self.elements(e, scope, ctx) != Elements::Unknown
    }

    /// `Scalar` when every operand is certainly a scalar, else unknown.
    fn scalar_if_scalar<'e>(
        &mut self,
        operands: impl IntoIterator<Item = &'e Expr>,
        scope: &Scope<'_>,
        ctx: Ctx,
    ) -> Elements {
        for e in operands {
            if self.elements(e, scope, ctx) != Elements::Scalar {
                return Elements::Unknown;
            }
        }
        Elements::Scalar
    }

    fn binary(
        &mut self,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        scope: &Scope<'_>,
        ctx: Ctx,
    ) -> Elements {
        use BinaryOperator as B;
        match op {
            B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And | B::Or | B::Xor => {
                Elements::Scalar
            }
            // `||` joins two arrays, or an array and an element, or two strings.
            B::StringConcat => {
                let l = self.elements(left, scope, ctx);
                let r = self.elements(right, scope, ctx);
                match (l, r) {
                    (Elements::Scalar, Elements::Scalar) => Elements::Scalar,
                    (Elements::Unknown, _) | (_, Elements::Unknown) => Elements::Unknown,
                    _ => {
                        let element_ok =
                            |side: Elements, nullable: bool| side == Elements::NonNull || !nullable;
                        let ln = self.expr(left, scope, ctx);
                        let rn = self.expr(right, scope, ctx);
                        if element_ok(l, ln) && element_ok(r, rn) {
                            Elements::NonNull
                        } else {
                            Elements::Unknown
                        }
                    }
                }
            }
            _ => self.scalar_if_scalar([left, right], scope, ctx),
        }
    }

    fn function_elements(&mut self, f: &Function, scope: &Scope<'_>, ctx: Ctx) -> Elements {
        let Some(name) = builtin_name(f, self.catalog) else {
            return Elements::Unknown;
        };
        let list = match &f.args {
            FunctionArguments::Subquery(q) if name == "array" => {
                return match self.query(q, Some(&subquery_scope(scope, ctx))).as_deref() {
                    Some([only]) if !only.nullable && only.elements != Elements::Unknown => {
                        Elements::NonNull
                    }
                    _ => Elements::Unknown,
                };
            }
            FunctionArguments::Subquery(_) => return Elements::Unknown,
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => list.args.iter().filter_map(arg_expr).collect(),
        };
        let inner = Ctx {
            in_agg: ctx.in_agg || functions::aggregate(&name).is_some(),
            ..ctx
        };
        let arg = |i: usize| list.get(i).copied();
        let all_non_null = |this: &mut Self, from: usize| -> bool {
            list.iter()
                .skip(from)
                .all(|e| this.elements(e, scope, inner) == Elements::NonNull)
        };
        match name.as_str() {
            "array_agg" => match (arg(0), list.len()) {
                (Some(x), 1) if self.non_null_element(x, scope, inner) => Elements::NonNull,
                _ => Elements::Unknown,
            },
            "string_to_array" if list.len() == 2 => Elements::NonNull,
            "regexp_split_to_array" => Elements::NonNull,
            "array_cat" if list.len() == 2 && all_non_null(self, 0) => Elements::NonNull,
            "array_remove" => match list.as_slice() {
                [a, _] if self.elements(a, scope, inner) == Elements::NonNull => Elements::NonNull,
                _ => Elements::Unknown,
            },
            "array_append" | "array_prepend" | "array_replace" => {
                let (array, element) = match (name.as_str(), list.as_slice()) {
                    ("array_append", [a, x]) | ("array_prepend", [x, a]) => (*a, *x),
                    ("array_replace", [a, _, to]) => (*a, *to),
                    _ => return Elements::Unknown,
                };
                if self.elements(array, scope, inner) == Elements::NonNull
                    && !self.expr(element, scope, inner)
                    && self.elements(element, scope, inner) == Elements::Scalar
                {
                    Elements::NonNull
                } else {
                    Elements::Unknown
                }
            }
            // The result is one of the arguments (NULL arguments are skipped).
            "coalesce" | "greatest" | "least" => {
                let mut all: Option<Elements> = None;
                for e in &list {
                    if matches!(e, Expr::Value(v) if matches!(v.value, Value::Null)) {
                        continue;
                    }
                    let this = self.elements(e, scope, inner);
                    all = Some(all.map_or(this, |a| a.or(this)));
                }
                all.unwrap_or(Elements::Unknown)
            }
            "nullif" | "min" | "max" | "lag" | "lead" | "first_value" | "last_value"
            | "nth_value" | "any_value" => match arg(0) {
                Some(x) => self.elements(x, scope, inner),
                None => Elements::Unknown,
            },
            "unnest" => Elements::Scalar,
            // Known functions that return arrays, when the rules above did not apply.
            "string_to_array" | "array_cat" | "array" | "percentile_cont" | "percentile_disc"
            | "mode" => Elements::Unknown,
            // Every other known function returns a scalar (numbers, text, json, records, ...).
            _ if functions::returns_array(&name, &self.categories(&list, scope)) == Some(false)
                || functions::aggregate(&name).is_some()
                || functions::window_never_null(&name) =>
            {
                Elements::Scalar
            }
            _ => Elements::Unknown,
        }
    }
}

/// A literal: numbers, booleans and NULL are scalars; a `$n` may be an array; a string literal
/// has no type of its own, and becomes an array where the context wants one (`arr || '{x}'`):
/// one that reads like an array literal (`{...}`, `[1:2]={...}`) is taken as one, with NULL
/// elements unless it has no `null` in it.
fn literal(value: &Value) -> Elements {
    let text = match value {
        Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => s.as_str(),
        Value::DollarQuotedString(d) => d.value.as_str(),
        Value::Number(..) | Value::Boolean(_) | Value::Null => return Elements::Scalar,
        _ => return Elements::Unknown,
    };
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        // Not an array literal: as an array it would be an error, so it is a scalar.
        Elements::Scalar
    } else if text.to_ascii_lowercase().contains("null") {
        Elements::Unknown
    } else {
        Elements::NonNull
    }
}

/// What a cast to `ty` makes: an array (`NonNull` here means "an array type"), a built-in
/// scalar, or unknown (a named type may be a domain over an array).
fn cast_target(ty: &DataType) -> Elements {
    match ty {
        DataType::Array(_) => Elements::NonNull,
        DataType::Custom(..) => Elements::Unknown,
        _ => Elements::Scalar,
    }
}
