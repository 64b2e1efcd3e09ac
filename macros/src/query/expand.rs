//! Code generation: the row struct (`query!`), the parameter checks (dead code spanned at each
//! argument), and the `quarry::query_macro::Map` the macro evaluates to.

use proc_macro2::{Span, TokenStream};
use quarry_describe::{ColumnDescription, QueryDescription};
use quote::{format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::spanned::Spanned;

use super::columns::{self, TypeOverride};
use super::config::Config;
use super::input::{Form, Input, Output};
use super::named::FragmentKind;
use super::nested;
use super::types::{self, ParamCheck};
use crate::column_key;

/// Everything the expansion needs besides the invocation itself.
pub(crate) struct Context<'a> {
    /// Settings.
    pub(crate) config: &'a Config,
    /// The query's description.
    pub(crate) description: &'a QueryDescription,
    /// Files the expansion depends on (offline cache entry, SQL file), tracked for rebuilds.
    pub(crate) tracked: Vec<String>,
    /// The variants of a query with optional fragments.
    pub(crate) variants: Option<&'a super::named::Dynamic>,
}

/// Generates the macro's expression.
pub(crate) fn expand(input: &Input, form: Form, cx: &Context<'_>) -> syn::Result<TokenStream> {
    let span = input.span();
    let description = cx.description;
    if input.args.len() != description.parameters.len() {
        return Err(syn::Error::new(
            span,
            format!(
                "the query takes {} parameter{}, but {} argument{} given",
                description.parameters.len(),
                plural(description.parameters.len()),
                input.args.len(),
                if input.args.len() == 1 {
                    " was"
                } else {
                    "s were"
                },
            ),
        ));
    }
    let checks = if form.unchecked {
        Vec::new()
    } else {
        param_checks(input, cx)
    };
    let params = input.args.iter().map(|arg| {
        let expr = &arg.expr;
        quote_spanned! {expr.span()=> &(#expr) as ::quarry::Param<'_> }
    });
    let (row_struct, mapper) = rows(input, form, cx)?;
    let sql = LitStr::new(&description.sql, span);
    let variants = match cx.variants {
        None => quote!(::core::option::Option::None),
        Some(dynamic) => {
            let qm = quote!(::quarry::query_macro);
            let mut choices = Vec::new();
            let fragments: Vec<TokenStream> = dynamic
                .fragments
                .iter()
                .map(|fragment| match fragment {
                    FragmentKind::Optional(params) => {
                        quote!(#qm::Fragment::Optional(&[#(#params),*]))
                    }
                    FragmentKind::Choice {
                        name,
                        choice,
                        count,
                    } => {
                        let at = choices.len();
                        let value = quote_spanned! {choice.span()=>
                            #qm::Choice::<#count>::index(&(#choice))
                        };
                        choices.push(value);
                        quote!(#qm::Fragment::Choice { choice: #at, count: #count, name: #name })
                    }
                })
                .collect();
            while choices.len() < super::named::MAX_FRAGMENTS {
                choices.push(quote!(0));
            }
            let variants = dynamic.variants.iter().map(|(sql, params)| {
                let sql = LitStr::new(sql, span);
                quote!(#qm::Variant { sql: #sql, params: &[#(#params),*] })
            });
            quote!(::core::option::Option::Some(#qm::Chosen {
                table: &#qm::Variants {
                    fragments: &[#(#fragments),*],
                    variants: &[#(#variants),*],
                },
                choices: [#(#choices),*],
            }))
        }
    };
    let tracked = cx.tracked.iter().map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    // No block around the `Map`: the arguments' temporaries must live as long as the enclosing
    // statement (or the `let` binding the query), so everything else goes into the mapper's block.
    Ok(quote! {
        ::quarry::query_macro::Map {
            sql: #sql,
            params: [#(#params),*],
            variants: #variants,
            mapper: {
                const _: ::core::option::Option<&str> = ::core::option_env!("QUARRY_PREPARE_NONCE");
                const _: ::core::option::Option<&str> = ::core::option_env!("QUARRY_OFFLINE");
                const _: ::core::option::Option<&str> = ::core::option_env!("DATABASE_URL");
                #(#tracked)*
                #row_struct
                if false {
                    #(#checks)*
                }
                #mapper
            },
        }
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One dead-code call per argument whose trait bound is the check.
fn param_checks(input: &Input, cx: &Context<'_>) -> Vec<TokenStream> {
    let check = quote!(::quarry::query_macro::check);
    input
        .args
        .iter()
        .zip(&cx.description.parameters)
        .filter_map(|(arg, param)| {
            let expr = &arg.expr;
            let span = expr.span();
            let not_null = param.refuses_null();
            match &arg.cast {
                Some(syn::Type::Infer(_)) => None,
                Some(ty) => Some(quote_spanned! {span=> #check::is::<#ty>(&(#expr)); }),
                None => match types::param_check(cx.config, &param.ty) {
                    ParamCheck::Marker(m) if not_null => {
                        Some(quote_spanned! {span=> #check::accepts_not_null::<#m, _>(&(#expr)); })
                    }
                    ParamCheck::Marker(m) => {
                        Some(quote_spanned! {span=> #check::accepts::<#m, _>(&(#expr)); })
                    }
                    ParamCheck::Mapped(t) if not_null => {
                        Some(quote_spanned! {span=> #check::param_of_not_null::<#t, _>(&(#expr)); })
                    }
                    ParamCheck::Mapped(t) => {
                        Some(quote_spanned! {span=> #check::param_of::<#t, _>(&(#expr)); })
                    }
                    ParamCheck::EncodeOnly => None,
                },
            }
        })
        .collect()
}

/// The row struct (for `query!`) and the mapper closure.
fn rows(input: &Input, form: Form, cx: &Context<'_>) -> syn::Result<(TokenStream, TokenStream)> {
    let span = input.span();
    let columns = &cx.description.columns;
    match form.output {
        Output::As => {
            for column in columns {
                let spec = columns::parse(&column.name).map_err(|e| syn::Error::new(span, e))?;
                if spec.has_override() {
                    return Err(syn::Error::new(
                        span,
                        format!(
                            "column `{}`: `query_as!` takes each column's type and nullability \
                             from the target's `FromRecord` fields; alias it plainly (`AS {}`)",
                            column.name, spec.name
                        ),
                    ));
                }
            }
            let target = input
                .target
                .as_ref()
                .map_or_else(|| quote!(_), |t| quote!(#t));
            // The fields of the rows of `ROW(...)` columns, which only the description has, go
            // to the target's `#[quarry(nested)]` fields.
            let names: Vec<TokenStream> = columns
                .iter()
                .filter_map(|c| {
                    let nested = c.nested.as_ref()?;
                    if nested.form != quarry_describe::NestedForm::Composite {
                        return None;
                    }
                    let column = &c.name;
                    let fields = nested.fields.iter().map(|f| f.name.as_str());
                    Some(quote!(::quarry::query_macro::nested::Names {
                        column: #column,
                        fields: &[#(#fields),*],
                    }))
                })
                .collect();
            let mapper = if names.is_empty() {
                quote_spanned! {target.span()=>
                    |__r: &::quarry::Record| <#target as ::quarry::FromRecord>::from_record(__r)
                }
            } else {
                quote_spanned! {target.span()=>
                    |__r: &::quarry::Record| {
                        <#target as ::quarry::FromRecord>::__from_record_nested(
                            __r,
                            &[#(#names),*],
                        )
                    }
                }
            };
            let checks = if form.unchecked {
                TokenStream::new()
            } else {
                field_checks(cx, &target)
            };
            Ok((checks, mapper))
        }
        Output::Scalar => {
            let [column] = columns.as_slice() else {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "`query_scalar!` needs a query returning exactly one column; this one \
                         returns {}",
                        columns.len()
                    ),
                ));
            };
            let Field {
                ty, read, checks, ..
            } = column_field(cx.config, column, 0usize, !form.unchecked, span)?;
            let mapper = quote! {
                |__r: &::quarry::Record| -> ::quarry::Result<#ty> {
                    let __value: #ty = #read;
                    ::core::result::Result::Ok(__value)
                }
            };
            Ok((checks, mapper))
        }
        Output::Anonymous => {
            let mut fields = Vec::new();
            let mut reads = Vec::new();
            let mut checks = Vec::new();
            let mut errors: Option<syn::Error> = None;
            for (i, column) in columns.iter().enumerate() {
                match column_field(cx.config, column, i, !form.unchecked, span) {
                    Ok(Field {
                        name,
                        ty,
                        read,
                        checks: check,
                    }) => {
                        fields.push(quote!(pub #name: #ty));
                        reads.push(quote!(#name: #read));
                        checks.push(check);
                    }
                    Err(e) => match &mut errors {
                        Some(all) => all.combine(e),
                        None => errors = Some(e),
                    },
                }
            }
            if let Some(e) = errors {
                return Err(e);
            }
            let record = format_ident!("Record");
            let row_struct = quote! {
                #[derive(Debug)]
                #[allow(non_snake_case, dead_code)]
                struct #record { #(#fields,)* }
                #(#checks)*
            };
            let mapper = quote! {
                |__r: &::quarry::Record| -> ::quarry::Result<#record> {
                    ::core::result::Result::Ok(#record { #(#reads,)* })
                }
            };
            Ok((row_struct, mapper))
        }
    }
}

/// The `query_as!` target's fields against the columns: a local type declaring each column
/// (`quarry::query_macro::fields::QueryColumn`), and a dead-code call requiring the target's
/// `ColumnsIn` impl (from `#[derive(FromRecord)]`) for it.
fn field_checks(cx: &Context<'_>, target: &TokenStream) -> TokenStream {
    let fields = quote!(::quarry::query_macro::fields);
    let mut seen = Vec::new();
    let mut pg_markers: Vec<syn::Ident> = Vec::new();
    let mut impls = Vec::new();
    let mut declared = Vec::new();
    for column in &cx.description.columns {
        let key = column_key::key(&column.name);
        let key_text = key.to_string();
        if seen.contains(&key_text) {
            continue; // FromRecord reads the first column of a name
        }
        seen.push(key_text);
        let null = if column.nullable {
            quote!(#fields::nullable)
        } else {
            quote!(#fields::not_null)
        };
        let mapped = cx
            .config
            .mapped(&column.ty.schema, &column.ty.name)
            .is_some();
        let (pg, mode) = match types::column_marker(&column.ty, column.element_nullable) {
            Some(m) if !mapped => (m, quote!(#fields::Typed)),
            _ => {
                let fallback = format!("pg_type_{}", pg_markers.len());
                let ident = column_key::marker_ident(&column.ty.name, &fallback);
                if !pg_markers.contains(&ident) {
                    pg_markers.push(ident.clone());
                }
                (quote!(__quarry_pg::#ident), quote!(#fields::Untyped))
            }
        };
        // Nested rows: declared for a `#[quarry(nested)]` field to check its children.
        let rows = match &column.nested {
            Some(rows) => {
                let nested::Declared { items, rows: ident } =
                    nested::declare(cx.config, rows, &column.name);
                declared.push(items);
                let elements = if rows.elements_nullable {
                    quote!(#fields::nullable)
                } else {
                    quote!(#fields::not_null)
                };
                let form = match rows.form {
                    quarry_describe::NestedForm::Composite => quote!(#fields::Composites),
                    quarry_describe::NestedForm::Json => quote!(#fields::JsonObjects),
                };
                quote!(#fields::Nested<#ident, #elements, #form>)
            }
            None => quote!(#fields::NoRows),
        };
        impls.push(quote! {
            impl<__N> #fields::QueryColumn<#key, __N> for __QuarryColumns {
                type Pg = #pg;
                type Null = #null;
                type Mode = #mode;
                type Rows = #rows;
            }
        });
    }
    let call = quote_spanned! {target.span()=>
        #fields::columns_in::<#target, __QuarryColumns>();
    };
    quote! {
        #[allow(non_camel_case_types, dead_code, unreachable_pub)]
        mod __quarry_pg {
            #(pub struct #pg_markers;)*
        }
        struct __QuarryColumns;
        #(#declared)*
        #(#impls)*
        if false {
            #call
        }
    }
}

/// A column's field: its name, Rust type (with `Option` when nullable, overrides applied), the
/// expression reading it from `__r`, and the checks it brings (nested rows).
struct Field {
    name: syn::Ident,
    ty: TokenStream,
    read: TokenStream,
    checks: TokenStream,
}

fn column_field(
    config: &Config,
    column: &ColumnDescription,
    index: usize,
    checked: bool,
    span: Span,
) -> syn::Result<Field> {
    let error = |message: String| syn::Error::new(span, message);
    let spec = columns::parse(&column.name).map_err(error)?;
    let name = columns::field_ident(&spec.name).map_err(error)?;
    let nullable = spec.nullable.unwrap_or(column.nullable);
    let base = match spec.ty {
        TypeOverride::Rust(ty) => {
            if let Some(nested) = nested::read(
                config, column, &spec.name, &ty, nullable, index, checked, span,
            )
            .map_err(error)?
            {
                return Ok(Field {
                    name,
                    ty: nested.ty,
                    read: nested.read,
                    checks: nested.checks,
                });
            }
            quote!(#ty)
        }
        TypeOverride::Infer => {
            return Err(error(format!(
                "column `{}`: `: _` takes the type from a `query_as!` target; with this macro \
                 name the type (`\"{}: MyType\"`)",
                column.name, spec.name
            )));
        }
        TypeOverride::None => types::column_type(config, &column.ty, column.element_nullable)
            .map_err(|e| match nested::hint(column, &spec.name) {
                Some(hint) => error(hint),
                None => error(format!("column `{}`: {e}", spec.name)),
            })?,
    };
    let ty = if nullable {
        quote!(::core::option::Option<#base>)
    } else {
        base
    };
    Ok(Field {
        name,
        read: quote!(__r.get::<#ty>(#index)?),
        ty,
        checks: TokenStream::new(),
    })
}
