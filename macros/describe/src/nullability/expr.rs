//! Whether an expression can be NULL, given what its query level can see: column references,
//! literals and parameters, operators, CASE, COALESCE and friends, function calls, aggregates,
//! window functions and subqueries. Also the refinement a WHERE or inner-join condition brings
//! (`x IS NOT NULL`, `a.x = b.y` keep only rows where those columns are non-NULL).

use sqlparser::ast::{
    AccessExpr, BinaryOperator, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, InTarget, NamedWindowDefinition, NamedWindowExpr, ObjectName, Subscript,
    UnaryOperator, Value, WindowFrameBound, WindowType,
};

use std::ops::ControlFlow;

use sqlparser::ast::visit_expressions;

use super::Analyzer;
use super::catalog::Catalog;
use super::elements::Elements;
use super::filters::{narrow_when, strict_operator};
use super::functions::{self, Agg, Rule};
use super::query::{column_parts, exactly_one_row};
use super::scope::{Scope, fold, fold_name, resolve};

/// The grouping of the query level an expression is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// No GROUP BY: aggregates run over a possibly empty set.
    None,
    /// GROUP BY: every group is non-empty.
    Plain,
    /// GROUPING SETS / ROLLUP / CUBE / `()`: grouped columns are NULL in super-aggregate rows;
    /// with the empty set among them (`empty`), the grand total may run over no row.
    Sets { empty: bool },
}

/// Where an expression sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ctx {
    pub(crate) group: Group,
    /// Inside an aggregate's arguments (columns keep their own nullability under grouping sets).
    pub(crate) in_agg: bool,
}

impl Ctx {
    /// Row-by-row evaluation (WHERE, VALUES, RETURNING, ...).
    pub(crate) fn rows() -> Ctx {
        Ctx {
            group: Group::None,
            in_agg: false,
        }
    }
}

impl Analyzer<'_> {
    /// Whether `e` can be NULL (`true` when unsure).
    pub(crate) fn expr(&mut self, e: &Expr, scope: &Scope<'_>, ctx: Ctx) -> bool {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                let Some(parts) = column_parts(e) else {
                    return true;
                };
                if matches!(ctx.group, Group::Sets { .. })
                    && !ctx.in_agg
                    && resolve(&scope.rels, &parts).is_none_or(|c| !scope.grouped.contains(&c))
                {
                    return true;
                }
                match scope.column(&parts) {
                    Some(c) => c.nullable,
                    // A whole-row reference (`p` for `FROM posts p`): a row, NULL only when
                    // NULL-extended. Unless a relation of unknown columns may hold a column of
                    // that name: PostgreSQL takes the column before the whole row.
                    None => match parts.as_slice() {
                        [name] => {
                            scope.may_hide_columns()
                                || scope
                                    .rel(name)
                                    .is_none_or(|r| !r.known || !r.row || !r.extended_by.is_empty())
                        }
                        _ => true,
                    },
                }
            }
            Expr::Value(v) => matches!(v.value, Value::Null | Value::Placeholder(_)),
            Expr::TypedString(_) | Expr::Interval(_) | Expr::Array(_) | Expr::Tuple(_) => false,
            _ if is_never_null_test(e) => false,
            // Casting NULL to a NOT NULL domain is an error, never a NULL; but a value already
            // of a domain type may be that very domain, whose cast checks nothing (a column of
            // it may hold NULL, or be NULL-extended).
            Expr::Cast {
                expr: inner,
                data_type: DataType::Custom(name, _),
                ..
            } if fold_name(name).is_some_and(|parts| self.catalog.not_null_domain(&parts))
                && !self.may_be_domain(inner, scope) =>
            {
                false
            }
            // NULL for some fields of an infinite timestamp or date (see
            // `functions::monotonic_field`).
            Expr::Extract { field, expr, .. } => {
                !functions::monotonic_field(&field.to_string()) || self.expr(expr, scope, ctx)
            }
            // A cast done by a user's function may turn a value into NULL.
            Expr::Cast { data_type, .. } if self.user_cast(data_type) => true,
            Expr::Nested(inner)
            | Expr::Cast { expr: inner, .. }
            | Expr::Collate { expr: inner, .. }
            | Expr::Ceil { expr: inner, .. }
            | Expr::Floor { expr: inner, .. } => self.expr(inner, scope, ctx),
            Expr::UnaryOp {
                op:
                    UnaryOperator::Plus
                    | UnaryOperator::Minus
                    | UnaryOperator::Not
                    | UnaryOperator::BitwiseNot
                    | UnaryOperator::PGSquareRoot
                    | UnaryOperator::PGCubeRoot
                    | UnaryOperator::PGAbs
                    | UnaryOperator::PGPostfixFactorial
                    | UnaryOperator::PGPrefixFactorial,
                expr,
            } => self.expr(expr, scope, ctx),
            Expr::BinaryOp { left, op, right } => {
                let l = self.expr(left, scope, ctx);
                let r = self.expr(right, scope, ctx);
                // `||` with an array: `array_cat` is NULL only when both arrays are, and
                // `array_append` / `array_prepend` never (a NULL array counts as empty).
                if *op == BinaryOperator::StringConcat
                    && self.catalog.builtin_operator("||")
                    && (self.category(left, scope) == Some(b'A')
                        || self.category(right, scope) == Some(b'A'))
                {
                    return l && r;
                }
                // `x OR true` is true and `x AND false` false, whatever x is.
                let decided = match op {
                    BinaryOperator::Or => is_bool(left, true) || is_bool(right, true),
                    BinaryOperator::And => is_bool(left, false) || is_bool(right, false),
                    _ => false,
                };
                !decided
                    && (!strict_total(op)
                        || !self.catalog.builtin_operator(&op.to_string())
                        || l
                        || r)
            }
            // `x op ANY (array)`: NULL with x, the array, or a NULL element.
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | Expr::AllOp {
                left,
                compare_op,
                right,
            } => {
                !strict_total(compare_op)
                    || !self.catalog.builtin_operator(&compare_op.to_string())
                    || self.expr(left, scope, ctx)
                    || self.expr(right, scope, ctx)
                    || self.elements(right, scope, ctx) != Elements::NonNull
            }
            // Array slices: an empty array out of bounds, never NULL for a non-NULL array and
            // bounds (one element, `a[i]`, may be NULL).
            Expr::CompoundFieldAccess { root, access_chain } => {
                let mut nullable = self.expr(root, scope, ctx);
                for access in access_chain {
                    match access {
                        AccessExpr::Subscript(Subscript::Slice {
                            lower_bound,
                            upper_bound,
                            stride: None,
                        }) => {
                            for bound in lower_bound.iter().chain(upper_bound) {
                                nullable |= self.expr(bound, scope, ctx);
                            }
                        }
                        _ => return true,
                    }
                }
                nullable
            }
            Expr::Like {
                expr,
                pattern,
                escape_char,
                any,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                escape_char,
                any,
                ..
            } => {
                let parts = [
                    Some(expr.as_ref()),
                    Some(pattern.as_ref()),
                    escape_char.as_deref(),
                ];
                *any || self.any_nullable(parts.into_iter().flatten(), scope, ctx)
            }
            Expr::SimilarTo {
                expr,
                pattern,
                escape_char,
                ..
            } => {
                let parts = [
                    Some(expr.as_ref()),
                    Some(pattern.as_ref()),
                    escape_char.as_deref(),
                ];
                self.any_nullable(parts.into_iter().flatten(), scope, ctx)
            }
            Expr::Between {
                expr, low, high, ..
            } => self.any_nullable([expr.as_ref(), low, high], scope, ctx),
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => self.any_nullable([timestamp.as_ref(), time_zone], scope, ctx),
            Expr::Position { expr, r#in } => self.any_nullable([expr.as_ref(), r#in], scope, ctx),
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                let mut parts: Vec<&Expr> = vec![expr];
                parts.extend(trim_what.as_deref());
                parts.extend(trim_characters.iter().flatten());
                self.any_nullable(parts, scope, ctx)
            }
            Expr::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut parts: Vec<&Expr> = vec![expr, overlay_what, overlay_from];
                parts.extend(overlay_for.as_deref());
                self.any_nullable(parts, scope, ctx)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                // `substring(s FROM 'regex')` is NULL when nothing matches: only positions
                // given as number literals are trusted.
                let positional = [substring_from, substring_for].into_iter().flatten().all(|p| {
                    matches!(p.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
                });
                !positional || self.expr(expr, scope, ctx)
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let Some(otherwise) = else_result else {
                    return true;
                };
                // Each branch is evaluated where its WHEN is true and every earlier one is not
                // (`CASE WHEN x IS NULL THEN 0 ELSE x END` never NULL).
                let whens: Vec<Expr> = conditions
                    .iter()
                    .map(|w| match operand {
                        Some(op) => Expr::BinaryOp {
                            left: op.clone(),
                            op: BinaryOperator::Eq,
                            right: Box::new(w.condition.clone()),
                        },
                        None => w.condition.clone(),
                    })
                    .collect();
                let mut nullable = false;
                for (i, when) in conditions.iter().enumerate() {
                    let branch = self.branch_scope(scope, &whens[..i], Some(&whens[i]));
                    nullable |= self.expr(&when.result, &branch, ctx);
                }
                let branch = self.branch_scope(scope, &whens, None);
                nullable | self.expr(otherwise, &branch, ctx)
            }
            Expr::In { expr, target, .. } => {
                let left = self.expr(expr, scope, ctx);
                let right = match target {
                    InTarget::List(items) => self.any_nullable(items, scope, ctx),
                    InTarget::Subquery(q) => match self.query(q, Some(&subquery_scope(scope, ctx)))
                    {
                        Some(cols) => cols.len() != 1 || cols.iter().any(|c| c.nullable),
                        None => true,
                    },
                    _ => true,
                };
                left || right
            }
            Expr::Subquery(q) => {
                if !exactly_one_row(q, self.catalog) && !self.finds_one_row(q, scope) {
                    return true;
                }
                match self.query(q, Some(&subquery_scope(scope, ctx))) {
                    Some(cols) => cols.len() != 1 || cols.iter().any(|c| c.nullable),
                    None => true,
                }
            }
            Expr::Function(f) => self.function(f, scope, ctx),
            _ => true,
        }
    }

    /// The `pg_type.typcategory` of `e`'s type, when it is known without type-checking the
    /// whole query: column references, casts, literals other than strings, `||` of text.
    pub(crate) fn category(&mut self, e: &Expr, scope: &Scope<'_>) -> Option<u8> {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column_parts(e)
                .and_then(|parts| scope.column(&parts))
                .and_then(|c| c.category),
            Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => self.category(inner, scope),
            Expr::Cast { data_type, .. } => type_category(data_type),
            Expr::TypedString(t) => type_category(&t.data_type),
            // An untyped string literal: PostgreSQL resolves it to the string category wherever
            // a candidate function takes that category (and never to a polymorphic one).
            Expr::Value(v) => match v.value {
                Value::Number(..) => Some(b'N'),
                Value::Boolean(_) => Some(b'B'),
                Value::SingleQuotedString(_)
                | Value::EscapedStringLiteral(_)
                | Value::DollarQuotedString(_) => Some(b'S'),
                _ => None,
            },
            Expr::Array(_) => Some(b'A'),
            Expr::Extract { .. } => Some(b'N'),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::StringConcat,
                right,
            } => {
                let (l, r) = (self.category(left, scope), self.category(right, scope));
                // `text || anything` that is not an array is text.
                let text = l == Some(b'S') || r == Some(b'S');
                if l == Some(b'A') || r == Some(b'A') {
                    return Some(b'A');
                }
                text.then_some(b'S')
            }
            _ => None,
        }
    }

    /// What a CASE branch sees: this level's relations narrowed by the branch's WHEN (true) and
    /// the earlier ones (not true).
    fn branch_scope<'p>(
        &self,
        scope: &Scope<'p>,
        earlier: &[Expr],
        when: Option<&Expr>,
    ) -> Scope<'p> {
        let mut rels = scope.rels.clone();
        let all = 0..rels.len();
        for e in earlier {
            narrow_when(self.catalog, &self.on, &mut rels, e, all.clone(), false);
        }
        if let Some(w) = when {
            narrow_when(self.catalog, &self.on, &mut rels, w, all, true);
        }
        scope.with_rels(rels)
    }

    /// Whether `e`'s type may be a domain: a column of one (or of unknown type), a cast to a
    /// type not built in, or anything whose type is not known to be built in.
    pub(crate) fn may_be_domain(&mut self, e: &Expr, scope: &Scope<'_>) -> bool {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column_parts(e)
                .and_then(|parts| scope.column(&parts))
                .is_none_or(|c| c.domain),
            Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => {
                self.may_be_domain(inner, scope)
            }
            // A literal or a parameter: the cast's input function checks the domain.
            Expr::Value(_) => false,
            Expr::Cast { data_type, .. } => matches!(data_type, DataType::Custom(..)),
            _ => self.category(e, scope).is_none(),
        }
    }

    /// The categories of a call's arguments (see [`Analyzer::category`]).
    pub(crate) fn categories(&mut self, args: &[&Expr], scope: &Scope<'_>) -> Vec<Option<u8>> {
        args.iter().map(|e| self.category(e, scope)).collect()
    }

    fn any_nullable<'e>(
        &mut self,
        exprs: impl IntoIterator<Item = &'e Expr>,
        scope: &Scope<'_>,
        ctx: Ctx,
    ) -> bool {
        let mut nullable = false;
        for e in exprs {
            nullable |= self.expr(e, scope, ctx);
        }
        nullable
    }

    fn function(&mut self, f: &Function, scope: &Scope<'_>, ctx: Ctx) -> bool {
        let Some(name) = builtin_name(f, self.catalog) else {
            return true;
        };
        let args = match &f.args {
            FunctionArguments::None => Vec::new(),
            // ARRAY(SELECT ...) is an empty array, never NULL, over no rows.
            FunctionArguments::Subquery(_) => return name != "array",
            FunctionArguments::List(list) => {
                if !list.clauses.is_empty() && functions::aggregate(&name).is_none() {
                    return true;
                }
                list.args.iter().collect()
            }
        };
        if let Some(over) = &f.over {
            return self.window(&name, f, over, &args, scope, ctx);
        }
        if let Some(agg) = functions::aggregate(&name) {
            let inner = Ctx {
                in_agg: true,
                ..ctx
            };
            let args_nullable = self.args_nullable(&args, scope, inner);
            let non_empty = matches!(ctx.group, Group::Plain | Group::Sets { empty: false })
                && f.filter.is_none();
            return match agg {
                Agg::Count | Agg::Hypothetical => false,
                // These skip rows with a NULL input: one row of non-NULL inputs is enough, and
                // every group holds one of each relation HAVING proves there.
                Agg::NonNullInputs if non_empty && args_nullable.iter().any(|n| *n) => {
                    scope.real_in_group.is_empty() || {
                        let real = real_rows(scope);
                        self.args_nullable(&args, &real, inner).iter().any(|n| *n)
                    }
                }
                Agg::NonNullInputs => !non_empty,
                Agg::NonEmpty => !non_empty,
                Agg::OrderedSet => {
                    let ordered = f
                        .within_group
                        .iter()
                        .any(|o| self.expr(&o.expr, scope, inner));
                    !non_empty || ordered || args_nullable.iter().any(|n| *n)
                }
                Agg::Other => true,
            };
        }
        if f.filter.is_some() || !f.within_group.is_empty() {
            return true;
        }
        let nulls = self.args_nullable(&args, scope, ctx);
        let exprs: Vec<&Expr> = args.iter().filter_map(|a| arg_expr(a)).collect();
        let categories = if exprs.len() == args.len() {
            self.categories(&exprs, scope)
        } else {
            vec![None; args.len()]
        };
        if name == "date_part" || name == "extract" {
            let field = exprs.first().and_then(|e| match e {
                Expr::Value(v) => v.value.clone().into_string(),
                _ => None,
            });
            return !field.is_some_and(|f| functions::monotonic_field(&f))
                || nulls.iter().any(|n| *n);
        }
        // `unnest(array)` gives no row for a NULL array, and its elements otherwise.
        if name == "unnest"
            && let [array] = exprs.as_slice()
            && args.len() == 1
        {
            return self.elements(array, scope, ctx) != Elements::NonNull;
        }
        // A strict set-returning function gives no row, not a NULL, for a NULL argument (a
        // shorter one beside a longer one is padded: see `Analyzer::projection`).
        if functions::is_set_returning(&name, &categories) && functions::strict(&name) {
            return false;
        }
        // An empty format makes `to_number` and the date/time `to_char`s NULL: only a format
        // that is a non-empty literal is trusted.
        let empty_format = match name.as_str() {
            "to_char" => categories.first() != Some(&Some(b'N')),
            "to_number" => true,
            _ => false,
        };
        if empty_format && !exprs.get(1).is_some_and(|e| non_empty_literal(e)) {
            return true;
        }
        match functions::scalar_rule(&name, &categories) {
            Rule::Never => false,
            Rule::IfAnyArg => nulls.iter().any(|n| *n),
            Rule::IfFirstArg => nulls.first().is_none_or(|n| *n),
            Rule::IfAllArgs => nulls.iter().all(|n| *n),
            Rule::Maybe => true,
        }
    }

    fn window(
        &mut self,
        name: &str,
        f: &Function,
        over: &WindowType,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        ctx: Ctx,
    ) -> bool {
        let nulls = self.args_nullable(args, scope, ctx);
        if functions::window_never_null(name) || name == "count" {
            return false;
        }
        if name == "ntile" {
            return nulls.iter().any(|n| *n);
        }
        // An aggregate over a frame that holds the current row runs over at least one row.
        let non_empty = holds_current_row(over, scope) && f.filter.is_none();
        match name {
            // The frame's first or last row: in such a frame, there is one.
            "first_value" | "last_value" => return !non_empty || nulls.first().is_none_or(|n| *n),
            // Past the partition's edge `lag`/`lead` give their default (NULL when not given);
            // a NULL offset gives NULL.
            "lag" | "lead" => return nulls.len() != 3 || nulls.iter().any(|n| *n),
            _ => {}
        }
        match functions::aggregate(name) {
            Some(Agg::NonNullInputs) => !non_empty || nulls.iter().any(|n| *n),
            Some(Agg::NonEmpty) => !non_empty,
            _ => true,
        }
    }

    fn args_nullable(&mut self, args: &[&FunctionArg], scope: &Scope<'_>, ctx: Ctx) -> Vec<bool> {
        args.iter()
            // count(*) and friends have no expression: never NULL.
            .map(|arg| arg_expr(arg).is_some_and(|e| self.expr(e, scope, ctx)))
            .collect()
    }
}

impl Analyzer<'_> {
    /// Whether a cast to `data_type` may be done by a user's function.
    fn user_cast(&self, data_type: &DataType) -> bool {
        match data_type {
            DataType::Custom(name, _) => match fold_name(name) {
                Some(parts) => self.catalog.user_cast_to(parts.last().map(String::as_str)),
                None => true,
            },
            // An array cast applies the element type's cast to each element: only a cast into
            // an array type itself may give a NULL array.
            DataType::Array(_) => {
                self.catalog.user_cast_to(None) || self.catalog.user_cast_to_array()
            }
            _ => self.catalog.user_cast_to(None),
        }
    }
}

/// `scope` with the relations of [`Scope::real_in_group`] as in their own rows (not
/// NULL-extended): what an aggregate sees in the row of theirs every group holds.
fn real_rows<'p>(scope: &Scope<'p>) -> Scope<'p> {
    let mut rels = scope.rels.clone();
    for &r in &scope.real_in_group {
        if let Some(rel) = rels.get_mut(r) {
            let ids = rel.extended_by.clone();
            rel.revert(&ids);
        }
    }
    scope.with_rels(rels)
}

/// Whether the frame of a window call always holds the current row: the default frame, or one
/// that starts at or before it and ends at or after it (`ROWS BETWEEN UNBOUNDED PRECEDING AND
/// CURRENT ROW`, `RANGE 5 PRECEDING`, ...). `OVER w` takes `w`'s frame from the WINDOW clause;
/// `OVER (w ...)` has a frame of its own. (`EXCLUDE`, which could drop the current row, is not
/// parsed: such a query stays nullable.)
fn holds_current_row(over: &WindowType, scope: &Scope<'_>) -> bool {
    let spec = match over {
        WindowType::WindowSpec(spec) => spec,
        WindowType::NamedWindow(name) => {
            let name = fold(name);
            match scope.windows.iter().find(|w| fold(&w.0) == name) {
                Some(NamedWindowDefinition(_, NamedWindowExpr::WindowSpec(spec))) => spec,
                _ => return false,
            }
        }
    };
    spec.window_frame.as_ref().is_none_or(|frame| {
        matches!(
            frame.start_bound,
            WindowFrameBound::Preceding(_) | WindowFrameBound::CurrentRow
        ) && matches!(
            frame.end_bound,
            None | Some(WindowFrameBound::CurrentRow | WindowFrameBound::Following(_))
        )
    })
}

/// Whether `e` is a string literal that is not empty.
fn non_empty_literal(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. }) => {
                !s.is_empty()
            }
            _ => false,
        },
        Expr::Nested(inner) => non_empty_literal(inner),
        _ => false,
    }
}

/// The `pg_type.typcategory` of a type written in a cast, for the built-in types whose
/// category decides between a function's overloads.
fn type_category(data_type: &DataType) -> Option<u8> {
    // An array type (`int[]`, `int ARRAY`); a type merely named `array...` need not be one.
    if matches!(data_type, DataType::Array(_)) {
        return Some(b'A');
    }
    let text = data_type.to_string().to_ascii_lowercase();
    if text.ends_with("[]") {
        return Some(b'A');
    }
    let base = text.split('(').next().unwrap_or_default().trim();
    let base = base.rsplit('.').next().unwrap_or(base);
    match base {
        "text" | "varchar" | "character varying" | "char" | "character" | "bpchar" | "name"
        | "string" => Some(b'S'),
        "int" | "integer" | "int2" | "int4" | "int8" | "smallint" | "bigint" | "numeric"
        | "decimal" | "real" | "float" | "float4" | "float8" | "double precision" | "double" => {
            Some(b'N')
        }
        "bool" | "boolean" => Some(b'B'),
        "date" | "timestamp" | "timestamptz" | "time" | "timetz" => Some(b'D'),
        _ if base.starts_with("timestamp") || base.starts_with("time ") => Some(b'D'),
        "interval" => Some(b'T'),
        "int4range" | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange"
        | "int4multirange" | "int8multirange" | "nummultirange" | "tsmultirange"
        | "tstzmultirange" | "datemultirange" => Some(b'R'),
        _ => None,
    }
}

/// What a subquery at `scope` sees of it: under GROUPING SETS / ROLLUP / CUBE (outside an
/// aggregate's arguments) every column of the level may have been grouped away — NULL in a
/// super-aggregate row.
pub(crate) fn subquery_scope<'p>(scope: &Scope<'p>, ctx: Ctx) -> Scope<'p> {
    let mut rels = scope.rels.clone();
    if matches!(ctx.group, Group::Sets { .. }) && !ctx.in_agg {
        for (ri, rel) in rels.iter_mut().enumerate() {
            for (ci, col) in rel.cols.iter_mut().enumerate() {
                col.nullable |= !scope.grouped.contains(&(ri, ci));
            }
        }
    }
    // A subquery reads the level's columns; what only the level's own calls use (its grouped
    // columns, windows, HAVING's rows) is its own business.
    scope.with_rels(rels)
}

/// The tests that are true or false, never NULL: `IS [NOT] NULL`, `IS [NOT] TRUE`, ...,
/// `IS [NOT] DISTINCT FROM`, `EXISTS`.
pub(crate) fn is_never_null_test(e: &Expr) -> bool {
    matches!(
        e,
        Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::Exists { .. }
    )
}

/// The expression of a function argument, positional or named (`*` has none).
pub(crate) fn arg_expr(arg: &FunctionArg) -> Option<&Expr> {
    match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
        | FunctionArg::Named {
            arg: FunctionArgExpr::Expr(e),
            ..
        }
        | FunctionArg::ExprNamed {
            arg: FunctionArgExpr::Expr(e),
            ..
        } => Some(e),
        _ => None,
    }
}

/// The lower-case name of a call to a built-in: unqualified or `pg_catalog.`-qualified.
pub(crate) fn builtin_name(f: &Function, catalog: &Catalog) -> Option<String> {
    builtin_name_of(&f.name, catalog)
}

/// The lower-case name of a built-in function named `name`: `pg_catalog`-qualified, or
/// unqualified when no function of that name exists outside `pg_catalog` (a user's function
/// could be the one called).
pub(crate) fn builtin_name_of(name: &ObjectName, catalog: &Catalog) -> Option<String> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(fold))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [name] => (!catalog.user_function(name)).then(|| name.clone()),
        [schema, name] if schema == "pg_catalog" => Some(name.clone()),
        _ => None,
    }
}

/// Whether `e` is the literal `value` (`true` / `false`).
fn is_bool(e: &Expr, value: bool) -> bool {
    match e {
        Expr::Nested(inner) => is_bool(inner, value),
        Expr::Value(v) => v.value == Value::Boolean(value),
        _ => false,
    }
}

/// Operators that are non-NULL for non-NULL operands: the strict ones, and `||` (an array
/// concatenated with NULL is the array), `AND`, `OR`.
fn strict_total(op: &BinaryOperator) -> bool {
    strict_operator(op)
        || matches!(
            op,
            BinaryOperator::StringConcat | BinaryOperator::And | BinaryOperator::Or
        )
}

/// Whether `e` calls a known aggregate at its own level (not in a subquery, not as a window).
pub(crate) fn is_aggregate_call(e: &Expr, catalog: &Catalog) -> bool {
    any_call(e, &|f| {
        f.over.is_none()
            && builtin_name(f, catalog).is_some_and(|n| functions::aggregate(&n).is_some())
    })
}

/// Whether `e` calls something other than a known one-row function (a set-returning function
/// could make a "one row" query return none).
pub(crate) fn calls_unknown(e: &Expr, catalog: &Catalog) -> bool {
    any_call(e, &|f| {
        f.over.is_none()
            && builtin_name(f, catalog)
                .is_none_or(|n| !functions::known_scalar(&n) && functions::aggregate(&n).is_none())
    })
}

/// Whether some function call in `e` satisfies `pred`: every nested expression is visited,
/// subqueries included (for the questions asked here, a call found too many is the safe side).
fn any_call(e: &Expr, pred: &dyn Fn(&Function) -> bool) -> bool {
    count_calls(e, pred) > 0
}

/// How many function calls in `e` satisfy `pred` (see [`any_call`]).
pub(crate) fn count_calls(e: &Expr, pred: &dyn Fn(&Function) -> bool) -> usize {
    let mut n = 0;
    let _ = visit_expressions(e, |x| {
        if let Expr::Function(f) = x
            && pred(f)
        {
            n += 1;
        }
        ControlFlow::<()>::Continue(())
    });
    n
}
