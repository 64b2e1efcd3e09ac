//! Nested results: a column of aggregated rows (`array_agg(ROW(...))`, `array_agg(t)`,
//! `json_agg(json_build_object(...))`, `json_agg(t)`, described by `quarry_describe` with its
//! rows' fields)
//! read as `"col: Vec<Child>"` (or `Vec<Option<Child>>`). The read goes through
//! `quarry::query_macro::nested`; the check is a local type with one `NestedField` impl per
//! field of the rows and a dead-code call requiring `Child: FieldsIn<it>` (from
//! `#[derive(FromRecord)]`), so a missing field, a type mismatch or a non-`Option` field over a
//! nullable one is a rustc error naming the field.

use proc_macro2::{Span, TokenStream};
use quarry_describe::{
    ColumnDescription, NestedDescription, NestedForm, TypeDescription, TypeKind,
};
use quote::{format_ident, quote, quote_spanned};

use super::config::Config;
use super::types;
use crate::column_key;

/// A `Vec<Child>` read of a column of nested rows.
pub(crate) struct NestedRead {
    /// The field's type, `Option` included when the column can be NULL.
    pub(crate) ty: TokenStream,
    /// The expression reading it from `__r`.
    pub(crate) read: TokenStream,
    /// Items and statements checking the child's fields.
    pub(crate) checks: TokenStream,
}

/// `Some` when `ty` asks for nested rows (`Vec<C>` or `Vec<Option<C>>` with `C` a path) and the
/// column holds them; an error when it asks but the rows' fields are unknown.
// The column's facts, one argument each, as `expand::column_field` has them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read(
    config: &Config,
    column: &ColumnDescription,
    field: &str,
    ty: &syn::Type,
    nullable: bool,
    index: usize,
    checked: bool,
    span: Span,
) -> Result<Option<NestedRead>, String> {
    let Some((child, elements_optional)) = vec_of_path(ty) else {
        return Ok(None);
    };
    let Some(nested) = &column.nested else {
        if holds_rows(&column.ty) {
            return Err(format!(
                "column `{field}`: its rows' fields are not known, so `{}` cannot be checked: \
                 build it with `array_agg(ROW(a, b, ...))`, `array_agg(t)` or `json_agg(t)` (the \
                 rows of a table or view `t` of the FROM clause) or \
                 `json_agg(json_build_object('key', value, ...))` (also inside \
                 `coalesce(..., '{{}}')` or a scalar subquery)",
                quote!(#ty).to_string().replace(' ', "")
            ));
        }
        return Ok(None);
    };
    if nested.elements_nullable && !elements_optional {
        return Err(format!(
            "column `{field}`: its elements can be NULL (the rows of a FROM item on the nullable \
             side of an outer join): read it as `Vec<Option<{}>>`",
            quote!(#child).to_string().replace(' ', "")
        ));
    }
    let nm = quote!(::quarry::query_macro::nested);
    let elements = match nested.form {
        NestedForm::Composite => {
            let names = nested.fields.iter().map(|f| f.name.as_str());
            quote!(#nm::composites::<#child>(__r, #index, &[#(#names),*])?)
        }
        NestedForm::Json => quote!(#nm::json::<#child>(__r, #index)?),
    };
    let elements = if elements_optional {
        elements
    } else {
        quote!(match #elements {
            ::core::option::Option::Some(__v) => {
                ::core::option::Option::Some(#nm::elements(__v, __r, #index)?)
            }
            ::core::option::Option::None => ::core::option::Option::None,
        })
    };
    let (ty, read) = if nullable {
        (quote!(::core::option::Option<#ty>), elements)
    } else {
        (quote!(#ty), quote!(#nm::not_null(#elements, __r, #index)?))
    };
    let checks = if checked {
        checks(config, nested, field, child, span)
    } else {
        TokenStream::new()
    };
    Ok(Some(NestedRead {
        ty,
        read: quote!({ #read }),
        checks,
    }))
}

/// The message for a column of nested rows read without a `Vec<Child>` override.
pub(crate) fn hint(column: &ColumnDescription, field: &str) -> Option<String> {
    let nested = column.nested.as_ref()?;
    let fields: Vec<String> = nested
        .fields
        .iter()
        .map(|f| {
            format!(
                "{}: {}{}",
                f.name,
                f.ty.name,
                if f.nullable { " (nullable)" } else { "" }
            )
        })
        .collect();
    Some(format!(
        "column `{field}` holds nested rows ({}): read them as `AS \"{field}: Vec<Child>\"` with \
         `Child` a `#[derive(FromRecord)]` struct{}",
        fields.join(", "),
        if nested.form == NestedForm::Json {
            " that is also `serde::Deserialize`"
        } else {
            ""
        }
    ))
}

/// `C` and whether the elements are `Option`s, for `Vec<C>` / `Vec<Option<C>>` with `C` a path.
fn vec_of_path(ty: &syn::Type) -> Option<(&syn::Type, bool)> {
    let inner = generic_of(ty, "Vec")?;
    let (child, optional) = match generic_of(inner, "Option") {
        Some(child) => (child, true),
        None => (inner, false),
    };
    matches!(child, syn::Type::Path(_)).then_some((child, optional))
}

/// `T` of `Name<T>` (the last path segment named `name`).
fn generic_of<'t>(ty: &'t syn::Type, name: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// Whether a column of this type can only hold nested rows as a `Vec`: `record[]`, `json`,
/// `jsonb` (an array of a named composite type may be read with its own `Decode`).
fn holds_rows(ty: &TypeDescription) -> bool {
    match &ty.kind {
        TypeKind::Domain { base } => holds_rows(base),
        _ => matches!(ty.oid, Some(114 | 2287 | 3802)),
    }
}

/// The local type declaring the rows' fields, and the check that `child` fits it.
fn checks(
    config: &Config,
    nested: &NestedDescription,
    field: &str,
    child: &syn::Type,
    span: Span,
) -> TokenStream {
    let fields = quote!(::quarry::query_macro::fields);
    let Declared { items, rows } = declare(config, nested, field);
    let call = quote_spanned! {span=> #fields::fields_in::<#child, #rows>(); };
    quote! {
        #items
        if false {
            #call
        }
    }
}

/// The local type declaring the fields of the rows nested in a column.
pub(crate) struct Declared {
    /// Its items: the type, its `NestedField` impls, the markers they name.
    pub(crate) items: TokenStream,
    /// The type.
    pub(crate) rows: syn::Ident,
}

/// The local type `__QuarryNested_<column>` with one `NestedField` impl per field of the rows.
pub(crate) fn declare(config: &Config, nested: &NestedDescription, field: &str) -> Declared {
    let fields = quote!(::quarry::query_macro::fields);
    let rows = format_ident!("__QuarryNested_{}", column_key::marker_ident(field, "rows"));
    let module = format_ident!("__quarry_pg_{}", rows);
    let mut markers: Vec<syn::Ident> = Vec::new();
    let mut impls = Vec::new();
    let mut seen = Vec::new();
    for f in &nested.fields {
        let key = column_key::key(&f.name);
        if seen.contains(&f.name) {
            continue;
        }
        seen.push(f.name.clone());
        let null = if f.nullable {
            quote!(#fields::nullable)
        } else {
            quote!(#fields::not_null)
        };
        // In JSON, a value is what serde reads from its `to_json` rendering (a json value:
        // whatever the child's serde type makes of it), not what its codec decodes into.
        let json = nested.form == NestedForm::Json;
        let mapped = config.mapped(&f.ty.schema, &f.ty.name).is_some();
        let (pg, mode) = match types::column_marker(&f.ty, true) {
            Some(m) if json && !is_json(&f.ty) && !mapped => (m, quote!(#fields::ToJson)),
            Some(m) if !mapped && !json => (m, quote!(#fields::Typed)),
            _ => {
                let ident =
                    column_key::marker_ident(&f.ty.name, &format!("pg_type_{}", markers.len()));
                if !markers.contains(&ident) {
                    markers.push(ident.clone());
                }
                (quote!(#module::#ident), quote!(#fields::Untyped))
            }
        };
        impls.push(quote! {
            impl<__N> #fields::NestedField<#key, __N> for #rows {
                type Pg = #pg;
                type Null = #null;
                type Mode = #mode;
            }
        });
    }
    let items = quote! {
        #[allow(non_camel_case_types, dead_code, unreachable_pub)]
        mod #module {
            #(pub struct #markers;)*
        }
        #[allow(non_camel_case_types)]
        struct #rows;
        #(#impls)*
    };
    Declared { items, rows }
}

fn is_json(ty: &TypeDescription) -> bool {
    match &ty.kind {
        TypeKind::Array { element } => is_json(element),
        TypeKind::Domain { base } => is_json(base),
        _ => matches!(ty.oid, Some(114 | 3802)),
    }
}
