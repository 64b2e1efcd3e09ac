//! Nested results: the fields of the rows a column aggregates — `array_agg(ROW(...))`,
//! `array_agg(t)` of a FROM item's rows, `json_agg(json_build_object('k', v, ...))`,
//! `jsonb_agg(jsonb_build_object(...))` and `json_agg(t)` / `jsonb_agg(t)` (a FROM item's rows as
//! objects; `t.*` too), also inside `coalesce(..., '{}')` or a scalar subquery.
//!
//! PostgreSQL describes such a column as `record[]` or `json`: it does not say what the rows
//! hold. So the fields are found in the SQL (the `ROW(...)` expressions, the row type's fields,
//! the object's keys and values) and their types and nullability are asked of the server and of
//! the nullability analysis with one **probe**: the same statement with, for each field `e`, one
//! more column where the aggregate is `array_agg(e)` (same FILTER, ORDER BY, subquery). A
//! `json_agg(t)` says nothing of `t`'s row type, so a first probe, [`rows_probe`], asks for it
//! with `array_agg(t)` in the aggregate's place. A row type's field has its declared type; any
//! other field `e` is typed by a parameter of the probe (`array_agg(coalesce(e, $n))`: the
//! server types `$n` as `e` exactly, where `array_agg(e)`'s element type would not tell an
//! array from its element type). A field is NOT NULL exactly when `array_agg(e::text)` (or
//! `array_agg(cardinality(e))` for a row type's array field) is known to hold no NULL (a NOT
//! NULL column on the inner side of a join, a literal, ...). Whatever is not understood gets no
//! nested description, which the macros report.

use serde::{Deserialize, Serialize};
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, SelectItem, SetExpr, Statement, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::{ColumnDescription, QueryDescription, TypeDescription, TypeKind};

/// The rows nested in one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NestedDescription {
    /// How the rows are encoded.
    pub form: NestedForm,
    /// Whether an element of the array can be NULL (`array_agg(t)` over an outer join's
    /// nullable side); `false` for `ROW(...)` and `json_build_object(...)`, which never are.
    pub elements_nullable: bool,
    /// The fields of each row, in order.
    pub fields: Vec<FieldDescription>,
}

/// How nested rows are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NestedForm {
    /// An array of composites or anonymous records (`array_agg(ROW(...))`, `array_agg(t)`).
    Composite,
    /// A JSON array of objects (`json_agg(json_build_object(...))`, `jsonb_agg(...)`).
    Json,
}

/// One field of the nested rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDescription {
    /// Its name: the composite type's field, the JSON key, or for `ROW(...)` the name of the
    /// column it reads (`ROW(c.id)` is `id`), `f<n>` (1-based) otherwise.
    pub name: String,
    /// Its type (for JSON: the type of the value before it became JSON).
    #[serde(rename = "type")]
    pub ty: TypeDescription,
    /// Whether it can be NULL (`false` only when that is certain).
    pub nullable: bool,
}

/// The probe for the nested columns of a statement, and how to read its answer.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The statement with one column more per nested field.
    pub(crate) probe: String,
    columns: Vec<Planned>,
    /// How many columns the statement itself has (the probe's extra ones follow).
    width: usize,
}

#[derive(Debug)]
struct Planned {
    /// The column's index.
    column: usize,
    form: NestedForm,
    /// The fields' names.
    names: Vec<String>,
    /// Whether the aggregate's input is a whole row (`array_agg(t)`), whose elements may be NULL.
    whole_row: bool,
    /// A row type's fields, which the probe must confirm.
    declared: Option<Vec<(String, TypeDescription)>>,
    /// Whether the rows can be NULL as far as the [`rows_probe`] knows (`true` without it).
    rows_nullable: bool,
    /// Per field, the probe's parameter (0-based) typed as the field exactly, for the fields
    /// no row type declares (see [`plan`]).
    typing: Vec<Option<usize>>,
}

/// The row type of a FROM item whose rows a `json_agg(t)` column aggregates, as the
/// [`rows_probe`] found it.
#[derive(Debug)]
pub(crate) struct RowType {
    /// The column's index.
    column: usize,
    /// The row type's fields.
    fields: Vec<(String, TypeDescription)>,
    /// Whether a row can be NULL (`t` on the nullable side of an outer join).
    nullable: bool,
}

/// The first probe, for the statements with `json_agg(t)` columns: the same statement with,
/// per such column, one more where the aggregate is `array_agg(t)`, whose element type is
/// `t`'s row type.
#[derive(Debug)]
pub(crate) struct RowsProbe {
    /// The statement with one column more per `json_agg(t)`.
    pub(crate) probe: String,
    columns: Vec<usize>,
    width: usize,
}

/// The probe for the row types of the `json_agg(t)` / `jsonb_agg(t)` columns of `sql`, if any.
pub(crate) fn rows_probe(sql: &str, columns: &[ColumnDescription]) -> Option<RowsProbe> {
    let (probe, width, extended) = extend(sql, columns, |_, expr, agg, _| {
        if !matches!(
            name_of(&agg.name).as_deref(),
            Some("json_agg" | "jsonb_agg")
        ) {
            return Some(Vec::new());
        }
        let Some(alias) = whole_row(agg) else {
            return Some(Vec::new());
        };
        Some(vec![probe_item(expr, agg, Expr::Identifier(alias))?])
    })?;
    if extended.is_empty() {
        return None;
    }
    Some(RowsProbe {
        probe,
        columns: extended,
        width,
    })
}

/// The row types the [`rows_probe`] found.
pub(crate) fn row_types(plan: &RowsProbe, probe: &QueryDescription) -> Vec<RowType> {
    let mut found = Vec::new();
    for (i, &column) in plan.columns.iter().enumerate() {
        let Some(probed) = probe.columns.get(plan.width + i) else {
            break;
        };
        if let Some(TypeKind::Composite { fields }) = element_kind(&probed.ty) {
            found.push(RowType {
                column,
                fields: fields.clone(),
                nullable: probed.element_nullable,
            });
        }
    }
    found
}

/// The probe for `sql` (described as `columns`, with `params` parameters and the `row_types`
/// of its `json_agg(t)` columns), if it has nested columns.
///
/// `array_agg(e)` is `T[]` both for `e` of type `T` and of type `T[]` (an array of arrays has
/// the array's type), so a field no row type declares is also typed exactly by a parameter of
/// its own: one more item per such field, `array_agg(coalesce(e, $n))`, makes the server type
/// `$n` as `e`.
pub(crate) fn plan(
    sql: &str,
    columns: &[ColumnDescription],
    params: usize,
    row_types: &[RowType],
) -> Option<Plan> {
    let mut planned = Vec::new();
    let mut next_param = params;
    let (probe, width, _) = extend(sql, columns, |index, expr, agg, column| {
        let row_type = row_types.iter().find(|r| r.column == index);
        let Some((form, fields)) = fields_of(agg, &column.ty, row_type) else {
            return Some(Vec::new());
        };
        let mut items = Vec::with_capacity(fields.exprs.len());
        for (i, field) in fields.exprs.iter().enumerate() {
            // `array_agg` of an array says nothing of the array's own NULLs (its elements are
            // the inner arrays' elements): a row type's array field is probed by its
            // cardinality, NULL exactly when the array is.
            // A field no row type declares may be an array too: its NULLs are those of its text
            // (`e::text`, a scalar whatever `e` is), its type the parameter's (see below).
            let input = match fields.declared.as_ref().and_then(|d| d.get(i)) {
                Some((_, ty)) if is_array(ty) => cardinality(field),
                Some(_) => typed(field),
                None => as_text(field),
            };
            items.push(probe_item(expr, agg, input)?);
        }
        let mut typing = Vec::with_capacity(fields.exprs.len());
        for (i, field) in fields.exprs.iter().enumerate() {
            if fields.declared.as_ref().is_some_and(|d| d.get(i).is_some()) {
                typing.push(None);
                continue;
            }
            next_param += 1;
            typing.push(Some(next_param - 1));
            items.push(probe_item(expr, agg, coalesce_param(field, next_param))?);
        }
        planned.push(Planned {
            column: index,
            form,
            names: fields.names,
            whole_row: fields.whole_row,
            declared: fields.declared,
            rows_nullable: row_type.is_none_or(|r| r.nullable),
            typing,
        });
        Some(items)
    })?;
    if planned.is_empty() {
        return None;
    }
    Some(Plan {
        probe,
        columns: planned,
        width,
    })
}

/// `sql` with the items `more` makes of each nested aggregate's column (its index, its item's
/// expression, the aggregate and the column's description) appended, named
/// `__quarry_nested_<n>`; with the statement's width and the indexes of the columns that got
/// items. `None` when the statement is not a plain `SELECT` of as many items as `columns`, or
/// `more` gives up.
fn extend(
    sql: &str,
    columns: &[ColumnDescription],
    mut more: impl FnMut(usize, &Expr, &Function, &ColumnDescription) -> Option<Vec<Expr>>,
) -> Option<(String, usize, Vec<usize>)> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let [Statement::Query(query)] = statements.as_mut_slice() else {
        return None;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let width = select.projection.len();
    if width != columns.len() {
        return None; // a wildcard: the items are not the columns
    }
    let mut extra = Vec::new();
    let mut extended = Vec::new();
    for (index, (item, column)) in select.projection.iter().zip(columns).enumerate() {
        let expr = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return None,
        };
        let Some(agg) = aggregate(expr) else { continue };
        let items = more(index, expr, agg, column)?;
        if !items.is_empty() {
            extended.push(index);
        }
        for item in items {
            extra.push(SelectItem::ExprWithAlias {
                expr: item,
                alias: Ident::new(format!("__quarry_nested_{}", extra.len())),
            });
        }
    }
    select.projection.extend(extra);
    Some((statements.first()?.to_string(), width, extended))
}

/// `expr` with its aggregate `agg` replaced by `array_agg(input)` (same FILTER, ORDER BY).
fn probe_item(expr: &Expr, agg: &Function, input: Expr) -> Option<Expr> {
    let mut probe_agg = agg.clone();
    probe_agg.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("array_agg"))]);
    if let FunctionArguments::List(list) = &mut probe_agg.args {
        list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(input))];
    }
    let mut probe_expr = expr.clone();
    replace(&mut probe_expr, &Expr::Function(probe_agg)).then_some(probe_expr)
}

/// Fills `nested` of the planned columns from the probe's description.
pub(crate) fn apply(plan: &Plan, probe: &QueryDescription, columns: &mut [ColumnDescription]) {
    let mut next = plan.width;
    for planned in &plan.columns {
        let count = planned.names.len();
        let Some(probed) = probe.columns.get(next..next + count) else {
            return;
        };
        // Then the typing items (their columns are not read: their parameters are).
        next += count + planned.typing.iter().flatten().count();
        let Some(column) = columns.get_mut(planned.column) else {
            continue;
        };
        let mut fields = Vec::with_capacity(count);
        for (i, (name, probed)) in planned.names.iter().zip(probed).enumerate() {
            let TypeKind::Array { element } = &probed.ty.kind else {
                break;
            };
            // A row type's field must be what the probe found (else `t.x` was not `t`'s
            // field); an array field was probed by its cardinality (see `plan`).
            let exact = planned
                .typing
                .get(i)
                .copied()
                .flatten()
                .and_then(|p| probe.parameters.get(p))
                .map(|p| p.ty.clone());
            let ty = match planned.declared.as_ref().map(|d| d.get(i)) {
                // The parameter's type is the field's, arrays included.
                None => match exact {
                    Some(ty) => ty,
                    None => break,
                },
                Some(Some((declared, ty)))
                    if declared == name && (same_type(ty, element) || is_array(ty)) =>
                {
                    ty.clone()
                }
                Some(_) => break,
            };
            fields.push(FieldDescription {
                name: name.clone(),
                ty,
                nullable: probed.element_nullable,
            });
        }
        if fields.len() != count || planned.declared.as_ref().is_some_and(|d| d.len() != count) {
            continue;
        }
        // A whole row is NULL only when its FROM item was null-extended: not when one of its
        // NOT NULL columns is known not NULL there. (A JSON column's element nullability is
        // the row type probe's.)
        let rows_nullable = match planned.form {
            NestedForm::Composite => column.element_nullable,
            NestedForm::Json => planned.rows_nullable,
        };
        let elements_nullable =
            planned.whole_row && rows_nullable && fields.iter().all(|f| f.nullable);
        column.nested = Some(NestedDescription {
            form: planned.form,
            elements_nullable,
            fields,
        });
    }
}

/// What the fields of an aggregate's rows are.
struct Fields {
    names: Vec<String>,
    exprs: Vec<Expr>,
    whole_row: bool,
    declared: Option<Vec<(String, TypeDescription)>>,
}

/// The nested aggregate an item is: itself, the first argument of a `coalesce`, or the one
/// item of a scalar subquery (recursively).
fn aggregate(e: &Expr) -> Option<&Function> {
    match e {
        Expr::Nested(inner) => aggregate(inner),
        Expr::Function(f) if is_nested_aggregate(f) => Some(f),
        Expr::Function(f) if name_of(&f.name).as_deref() == Some("coalesce") => {
            match args(f)?.first().copied() {
                Some(Expr::Function(f)) if is_nested_aggregate(f) => Some(f),
                _ => None,
            }
        }
        Expr::Subquery(q) => aggregate(single_item(q)?),
        _ => None,
    }
}

/// Puts `with` where [`aggregate`] found the aggregate (replacing a `coalesce` around it: its
/// fallback has the aggregate's type, not the probe's).
fn replace(e: &mut Expr, with: &Expr) -> bool {
    let here = match &*e {
        Expr::Function(f) if is_nested_aggregate(f) => true,
        Expr::Function(f) if name_of(&f.name).as_deref() == Some("coalesce") => {
            matches!(args(f).as_deref(), Some([Expr::Function(a), ..]) if is_nested_aggregate(a))
        }
        _ => false,
    };
    if here {
        *e = with.clone();
        return true;
    }
    match e {
        Expr::Nested(inner) => replace(inner, with),
        Expr::Subquery(q) => match q.body.as_mut() {
            SetExpr::Select(s) => match s.projection.as_mut_slice() {
                [SelectItem::UnnamedExpr(item) | SelectItem::ExprWithAlias { expr: item, .. }] => {
                    replace(item, with)
                }
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

fn single_item(q: &sqlparser::ast::Query) -> Option<&Expr> {
    let SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    match s.projection.as_slice() {
        [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] => Some(e),
        _ => None,
    }
}

fn is_nested_aggregate(f: &Function) -> bool {
    f.over.is_none()
        && matches!(
            name_of(&f.name).as_deref(),
            Some("array_agg" | "json_agg" | "jsonb_agg")
        )
}

/// The fields of `agg`'s rows, for a column of type `ty` (and, for `json_agg(t)`, `t`'s row
/// type as the [`rows_probe`] found it).
fn fields_of(
    agg: &Function,
    ty: &TypeDescription,
    row_type: Option<&RowType>,
) -> Option<(NestedForm, Fields)> {
    let name = name_of(&agg.name)?;
    if let Some(alias) = whole_row(agg) {
        // `array_agg(t)`, `json_agg(t)`: the rows of the FROM item `t`, its fields `t.x`.
        let (form, declared) = match name.as_str() {
            "array_agg" => match element_kind(ty) {
                Some(TypeKind::Composite { fields }) => (NestedForm::Composite, fields),
                _ => return None,
            },
            _ => (NestedForm::Json, &row_type?.fields),
        };
        let fields = Fields {
            names: declared.iter().map(|(n, _)| n.clone()).collect(),
            exprs: declared
                .iter()
                .map(|(n, _)| {
                    Expr::CompoundIdentifier(vec![alias.clone(), Ident::with_quote('"', n)])
                })
                .collect(),
            whole_row: true,
            declared: Some(declared.clone()),
        };
        return Some((form, fields));
    }
    let input = match args(agg)?.as_slice() {
        [input] => *input,
        _ => return None,
    };
    match name.as_str() {
        "array_agg" => {
            let declared = match element_kind(ty) {
                Some(TypeKind::Composite { fields }) => Some(fields),
                _ if is_record_array(ty) => None,
                _ => return None,
            };
            let row = match input {
                Expr::Cast { expr, .. } => expr.as_ref(),
                other => other,
            };
            let fields = match (row_exprs(row), declared) {
                (Some(exprs), Some(declared)) if exprs.len() == declared.len() => Fields {
                    names: declared.iter().map(|(n, _)| n.clone()).collect(),
                    exprs,
                    whole_row: false,
                    declared: Some(declared.clone()),
                },
                (Some(exprs), None) => Fields {
                    names: row_names(&exprs),
                    exprs,
                    whole_row: false,
                    declared: None,
                },
                _ => return None,
            };
            Some((NestedForm::Composite, fields))
        }
        "json_agg" | "jsonb_agg" => {
            let Expr::Function(object) = input else {
                return None;
            };
            if !matches!(
                name_of(&object.name).as_deref(),
                Some("json_build_object" | "jsonb_build_object")
            ) {
                return None;
            }
            let pairs = args(object)?;
            if pairs.len() % 2 != 0 {
                return None;
            }
            let mut names = Vec::new();
            let mut exprs = Vec::new();
            for pair in pairs.chunks(2) {
                let [key, value] = pair else { return None };
                let Expr::Value(v) = key else { return None };
                let (Value::SingleQuotedString(key) | Value::EscapedStringLiteral(key)) = &v.value
                else {
                    return None;
                };
                if names.contains(key) {
                    return None; // a duplicate key: which value wins is not ours to guess
                }
                names.push(key.clone());
                exprs.push((*value).clone());
            }
            Some((
                NestedForm::Json,
                Fields {
                    names,
                    exprs,
                    whole_row: false,
                    declared: None,
                },
            ))
        }
        _ => None,
    }
}

/// The FROM item whose whole rows an aggregate reads: `t` of `array_agg(t)` or `json_agg(t.*)`
/// (a column of that name also parses so: the caller checks that a row type came of it).
fn whole_row(agg: &Function) -> Option<Ident> {
    let FunctionArguments::List(list) = &agg.args else {
        return None;
    };
    let [FunctionArg::Unnamed(arg)] = list.args.as_slice() else {
        return None;
    };
    let alias = match arg {
        FunctionArgExpr::Expr(Expr::Identifier(alias)) => alias,
        FunctionArgExpr::Expr(Expr::QualifiedWildcard(name, _))
        | FunctionArgExpr::QualifiedWildcard(name) => match name.0.as_slice() {
            [part] => part.as_ident()?,
            _ => return None,
        },
        _ => return None,
    };
    Some(alias.clone())
}

/// The expressions of `ROW(a, b)` or `(a, b)`.
fn row_exprs(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Function(f) if name_of(&f.name).as_deref() == Some("row") => {
            Some(args(f)?.into_iter().cloned().collect())
        }
        Expr::Tuple(items) => Some(items.clone()),
        Expr::Nested(inner) => row_exprs(inner),
        _ => None,
    }
}

/// The names of a `ROW(...)`'s fields: the column each reads, `f<n>` for other expressions and
/// for a name already taken.
fn row_names(exprs: &[Expr]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(exprs.len());
    for (i, e) in exprs.iter().enumerate() {
        let name = match e {
            Expr::Identifier(id) => Some(fold(id)),
            Expr::CompoundIdentifier(parts) => parts.last().map(fold),
            _ => None,
        };
        let name = match name {
            Some(n) if !names.contains(&n) => n,
            _ => format!("f{}", i + 1),
        };
        names.push(name);
    }
    names
}

/// `e::text`: every type has a text form, NULL exactly when `e` is.
fn as_text(e: &Expr) -> Expr {
    Expr::Cast {
        kind: sqlparser::ast::CastKind::DoubleColon,
        expr: Box::new(Expr::Nested(Box::new(e.clone()))),
        data_type: sqlparser::ast::DataType::Text,
        format: None,
    }
}

/// `coalesce(e, $n)`: `$n` gets `e`'s type.
fn coalesce_param(e: &Expr, n: usize) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new("coalesce"))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![
                FunctionArg::Unnamed(FunctionArgExpr::Expr(typed(e))),
                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(
                    Value::Placeholder(format!("${n}")).into(),
                ))),
            ],
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// `cardinality(e)`.
fn cardinality(e: &Expr) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new("cardinality"))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(e.clone()))],
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

fn is_array(ty: &TypeDescription) -> bool {
    match &ty.kind {
        TypeKind::Array { .. } => true,
        TypeKind::Domain { base } => is_array(base),
        _ => false,
    }
}

/// A string literal cast to `text`: `array_agg('x')` has no type PostgreSQL can pick.
fn typed(e: &Expr) -> Expr {
    match e {
        Expr::Value(v)
            if matches!(
                v.value,
                Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_)
            ) =>
        {
            Expr::Cast {
                kind: sqlparser::ast::CastKind::DoubleColon,
                expr: Box::new(e.clone()),
                data_type: sqlparser::ast::DataType::Text,
                format: None,
            }
        }
        _ => e.clone(),
    }
}

fn args(f: &Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// The lower-case name of an unqualified or `pg_catalog.` function.
fn name_of(name: &ObjectName) -> Option<String> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(fold))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [name] => Some(name.clone()),
        [schema, name] if schema == "pg_catalog" => Some(name.clone()),
        _ => None,
    }
}

/// An identifier as PostgreSQL folds it.
fn fold(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn element_kind(ty: &TypeDescription) -> Option<&TypeKind> {
    match &ty.kind {
        TypeKind::Array { element } => Some(match &element.kind {
            TypeKind::Domain { base } => &base.kind,
            kind => kind,
        }),
        TypeKind::Domain { base } => element_kind(base),
        _ => None,
    }
}

/// `record[]` (`_record`, OID 2287: a pseudo-type, described without an element).
fn is_record_array(ty: &TypeDescription) -> bool {
    ty.oid == Some(2287)
}

fn same_type(a: &TypeDescription, b: &TypeDescription) -> bool {
    a.name == b.name && a.schema == b.schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, ty: TypeDescription) -> ColumnDescription {
        ColumnDescription {
            name: name.into(),
            ty,
            nullable: true,
            element_nullable: true,
            origin: None,
            nested: None,
        }
    }

    fn builtin(name: &str, oid: u32) -> TypeDescription {
        TypeDescription {
            name: name.into(),
            schema: "pg_catalog".into(),
            oid: Some(oid),
            kind: TypeKind::Base,
        }
    }

    fn records() -> TypeDescription {
        TypeDescription {
            kind: TypeKind::Pseudo,
            ..builtin("_record", 2287)
        }
    }

    #[test]
    fn probes_row_fields_in_place() {
        let sql = "SELECT p.id, coalesce(array_agg(ROW(c.id, upper(c.name)) ORDER BY c.id) \
                   FILTER (WHERE c.id IS NOT NULL), '{}') AS kids FROM p LEFT JOIN c ON true GROUP BY p.id";
        let plan = plan(
            sql,
            &[column("id", builtin("int4", 23)), column("kids", records())],
            0,
            &[],
        )
        .unwrap();
        assert_eq!(plan.columns[0].names, ["id", "f2"]);
        // Each field's NULLs through its text, its type through a parameter of its own.
        assert!(
            plan.probe.contains(
                "array_agg((c.id)::TEXT ORDER BY c.id) FILTER (WHERE c.id IS NOT NULL) AS __quarry_nested_0"
            ),
            "{}",
            plan.probe
        );
        assert!(
            plan.probe
                .contains("array_agg((upper(c.name))::TEXT ORDER BY c.id)")
        );
        assert!(
            plan.probe
                .contains("array_agg(coalesce(c.id, $1) ORDER BY c.id)"),
            "{}",
            plan.probe
        );
        assert_eq!(plan.columns[0].typing, [Some(0), Some(1)]);
    }

    #[test]
    fn probes_json_objects_in_subqueries() {
        let sql =
            "SELECT (SELECT json_agg(json_build_object('id', c.id, 'tag', 'x')) FROM c) AS kids";
        let plan = plan(sql, &[column("kids", builtin("json", 114))], 0, &[]).unwrap();
        assert_eq!(plan.columns[0].names, ["id", "tag"]);
        assert_eq!(plan.columns[0].form, NestedForm::Json);
        assert!(
            plan.probe
                .contains("(SELECT array_agg(('x')::TEXT) FROM c) AS __quarry_nested_1"),
            "{}",
            plan.probe
        );
    }

    #[test]
    fn leaves_other_queries_alone() {
        for sql in [
            "SELECT array_agg(id) FROM t",
            "SELECT json_agg(t) FROM t",
            "SELECT json_agg(json_build_object(k, v)) FROM t",
            "SELECT * FROM t",
        ] {
            assert!(
                plan(sql, &[column("x", builtin("json", 114))], 0, &[]).is_none(),
                "{sql}"
            );
        }
    }

    #[test]
    fn probes_json_rows_for_their_row_type_then_fields() {
        let sql = "SELECT u.id, (SELECT coalesce(jsonb_agg(p.* ORDER BY p.id), '[]') FROM p \
                   WHERE p.a = u.id) AS kids FROM u";
        let columns = [
            column("id", builtin("int4", 23)),
            column("kids", builtin("jsonb", 3802)),
        ];
        let rows = rows_probe(sql, &columns).unwrap();
        assert!(
            rows.probe.contains(
                "(SELECT array_agg(p ORDER BY p.id) FROM p WHERE p.a = u.id) AS __quarry_nested_0"
            ),
            "{}",
            rows.probe
        );
        assert_eq!(rows.columns, [1]);
        let row_types = [RowType {
            column: 1,
            fields: vec![
                ("id".into(), builtin("int4", 23)),
                ("At".into(), builtin("timestamptz", 1184)),
                (
                    "tags".into(),
                    TypeDescription {
                        kind: TypeKind::Array {
                            element: Box::new(builtin("text", 25)),
                        },
                        ..builtin("_text", 1009)
                    },
                ),
            ],
            nullable: false,
        }];
        let plan = plan(sql, &columns, 0, &row_types).unwrap();
        assert_eq!(plan.columns[0].names, ["id", "At", "tags"]);
        // An array's own NULLs are its cardinality's.
        assert!(
            plan.probe
                .contains(r#"array_agg(cardinality(p."tags") ORDER BY p.id)"#),
            "{}",
            plan.probe
        );
        assert_eq!(plan.columns[0].form, NestedForm::Json);
        assert!(
            plan.probe.contains(r#"array_agg(p."At" ORDER BY p.id)"#),
            "{}",
            plan.probe
        );
        assert!(rows_probe("SELECT json_agg(json_build_object('a', 1))", &columns[1..]).is_none());
    }
}
