//! Nested results: the fields of the rows a column aggregates — `array_agg(ROW(...))`,
//! `array_agg(t)` of a FROM item's rows, `json_agg(json_build_object('k', v, ...))` and
//! `jsonb_agg(jsonb_build_object(...))`, also inside `coalesce(..., '{}')` or a scalar subquery.
//!
//! PostgreSQL describes such a column as `record[]` or `json`: it does not say what the rows
//! hold. So the fields are found in the SQL (the `ROW(...)` expressions, the row type's fields,
//! the object's keys and values) and their types and nullability are asked of the server and of
//! the nullability analysis with one **probe**: the same statement with, for each field `e`, one
//! more column where the aggregate is `array_agg(e)` (same FILTER, ORDER BY, subquery). The
//! probe's element type is the field's type and its element nullability the field's, so a
//! field is NOT NULL exactly when `array_agg(e)` is known to hold no NULL (a NOT NULL column on
//! the inner side of a join, a literal, ...). Whatever is not understood gets no nested
//! description, which the macros report.

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
}

/// The probe for `sql` (described as `columns`), if it has nested columns.
pub(crate) fn plan(sql: &str, columns: &[ColumnDescription]) -> Option<Plan> {
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
    let mut planned = Vec::new();
    let mut extra = Vec::new();
    for (index, (item, column)) in select.projection.iter().zip(columns).enumerate() {
        let expr = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return None,
        };
        let Some(agg) = aggregate(expr) else { continue };
        let Some((form, fields)) = fields_of(agg, &column.ty) else {
            continue;
        };
        for field in &fields.exprs {
            let mut probe_agg = agg.clone();
            probe_agg.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("array_agg"))]);
            if let FunctionArguments::List(list) = &mut probe_agg.args {
                list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(typed(field)))];
            }
            let mut probe_expr = expr.clone();
            if !replace(&mut probe_expr, &Expr::Function(probe_agg)) {
                return None;
            }
            extra.push(SelectItem::ExprWithAlias {
                expr: probe_expr,
                alias: Ident::new(format!("__quarry_nested_{}", extra.len())),
            });
        }
        planned.push(Planned {
            column: index,
            form,
            names: fields.names,
            whole_row: fields.whole_row,
        });
    }
    if planned.is_empty() {
        return None;
    }
    select.projection.extend(extra);
    Some(Plan {
        probe: statements.first()?.to_string(),
        columns: planned,
        width,
    })
}

/// Fills `nested` of the planned columns from the probe's description.
pub(crate) fn apply(plan: &Plan, probe: &QueryDescription, columns: &mut [ColumnDescription]) {
    let mut next = plan.width;
    for planned in &plan.columns {
        let count = planned.names.len();
        let Some(probed) = probe.columns.get(next..next + count) else {
            return;
        };
        next += count;
        let Some(column) = columns.get_mut(planned.column) else {
            continue;
        };
        let mut fields = Vec::with_capacity(count);
        for (name, probed) in planned.names.iter().zip(probed) {
            let TypeKind::Array { element } = &probed.ty.kind else {
                break;
            };
            fields.push(FieldDescription {
                name: name.clone(),
                ty: (**element).clone(),
                nullable: probed.element_nullable,
            });
        }
        if fields.len() != count {
            continue;
        }
        // A row type's fields must be what the probe found (else `t.x` was not `t`'s field).
        if let Some(TypeKind::Composite { fields: declared }) = element_kind(&column.ty)
            && (declared.len() != count
                || declared
                    .iter()
                    .zip(&fields)
                    .any(|((name, ty), f)| *name != f.name || !same_type(ty, &f.ty)))
        {
            continue;
        }
        // A whole row is NULL only when its FROM item was null-extended: not when one of its
        // NOT NULL columns is known not NULL there.
        let elements_nullable =
            planned.whole_row && column.element_nullable && fields.iter().all(|f| f.nullable);
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

/// The fields of `agg`'s rows, for a column of type `ty`.
fn fields_of(agg: &Function, ty: &TypeDescription) -> Option<(NestedForm, Fields)> {
    let input = match args(agg)?.as_slice() {
        [input] => *input,
        _ => return None,
    };
    match name_of(&agg.name)?.as_str() {
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
                },
                (Some(exprs), None) => Fields {
                    names: row_names(&exprs),
                    exprs,
                    whole_row: false,
                },
                (None, Some(declared)) => {
                    // `array_agg(t)`: the rows of the FROM item `t`, its fields `t.x`.
                    let Expr::Identifier(alias) = input else {
                        return None;
                    };
                    Fields {
                        names: declared.iter().map(|(n, _)| n.clone()).collect(),
                        exprs: declared
                            .iter()
                            .map(|(n, _)| {
                                Expr::CompoundIdentifier(vec![
                                    alias.clone(),
                                    Ident::with_quote('"', n),
                                ])
                            })
                            .collect(),
                        whole_row: true,
                    }
                }
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
                },
            ))
        }
        _ => None,
    }
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
        )
        .unwrap();
        assert_eq!(plan.columns[0].names, ["id", "f2"]);
        assert!(
            plan.probe.contains(
                "array_agg(c.id ORDER BY c.id) FILTER (WHERE c.id IS NOT NULL) AS __quarry_nested_0"
            ),
            "{}",
            plan.probe
        );
        assert!(
            plan.probe
                .contains("array_agg(upper(c.name) ORDER BY c.id)")
        );
    }

    #[test]
    fn probes_json_objects_in_subqueries() {
        let sql =
            "SELECT (SELECT json_agg(json_build_object('id', c.id, 'tag', 'x')) FROM c) AS kids";
        let plan = plan(sql, &[column("kids", builtin("json", 114))]).unwrap();
        assert_eq!(plan.columns[0].names, ["id", "tag"]);
        assert_eq!(plan.columns[0].form, NestedForm::Json);
        assert!(
            plan.probe
                .contains("(SELECT array_agg('x'::TEXT) FROM c) AS __quarry_nested_1"),
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
                plan(sql, &[column("x", builtin("json", 114))]).is_none(),
                "{sql}"
            );
        }
    }
}
