//! `#[derive(FromRecord)]`: one column per named field, read with the driver's
//! `quarry::from_record::__private` helpers so errors name the field as well as the column.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, LitStr};

use crate::attr::{self, Ctxt};
use crate::column_key;

/// Expands the derive, or returns every error found in the input.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::default();
    let container = attr::Container::from_attrs(&cx, &input.attrs);
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(&named.named),
            Fields::Unnamed(_) | Fields::Unit => {
                cx.error(
                    &input.ident,
                    "FromRecord can only be derived for structs with named fields (one field per column)",
                );
                None
            }
        },
        Data::Enum(_) | Data::Union(_) => {
            cx.error(
                &input.ident,
                "FromRecord can only be derived for structs with named fields (one field per column)",
            );
            None
        }
    };

    let ident = &input.ident;
    let target = ident.to_string();
    let mut inits = Vec::new();
    let mut checks = ColumnChecks::default();
    // Whether a field reads nested rows (or a flattened type might): then the names `query_as!`
    // knows for them are passed down.
    let mut uses_nested = false;
    for field in fields.into_iter().flatten() {
        let attrs = attr::Field::from_attrs(&cx, &field.attrs);
        let Some(name) = &field.ident else { continue };
        let field_name = name.to_string();
        let field_name = field_name.strip_prefix("r#").unwrap_or(&field_name);
        let column = match (&attrs.rename, &container.rename_all) {
            (Some(rename), _) => rename.value.clone(),
            (None, Some(rule)) => rule.value.apply(field_name),
            (None, None) => field_name.to_owned(),
        };
        let ty = &field.ty;
        if attrs.skip.is_none() && attrs.default.is_none() {
            if attrs.flatten.is_some() {
                checks.flatten(ty);
            } else if attrs.nested.is_some() {
                checks.nested(&column, ty, attrs.json.is_some());
            } else if attrs.json.is_some() {
                checks.column(&column, None);
            } else if let Some(source) = &attrs.try_from {
                checks.column(&column, Some(&source.value));
            } else {
                checks.column(&column, Some(ty));
            }
        }
        let column = LitStr::new(&column, name.span());
        let private = quote!(::quarry::from_record::__private);
        uses_nested |= attrs.flatten.is_some() || attrs.nested.is_some();
        let read = if attrs.skip.is_some() {
            quote!(::core::default::Default::default())
        } else if attrs.flatten.is_some() {
            quote!(<#ty as ::quarry::FromRecord>::__from_record_nested(record, __quarry_nested)?)
        } else if attrs.nested.is_some() && attrs.json.is_none() {
            quote!(#private::nested_field::<#ty>(
                record, #column, __quarry_nested, #target, #field_name,
            )?)
        } else if let Some(source) = &attrs.try_from {
            let source = &source.value;
            quote!(#private::field_try_from::<#source, #ty>(record, #column, #target, #field_name)?)
        } else if attrs.json.is_some() {
            quote!(#private::json_field::<#ty>(record, #column, #target, #field_name)?)
        } else {
            quote!(#private::field::<#ty>(record, #column, #target, #field_name)?)
        };
        let read = if attrs.default.is_some() {
            quote! {
                if #private::has_column(record, #column) {
                    #read
                } else {
                    ::core::default::Default::default()
                }
            }
        } else {
            read
        };
        inits.push(quote!(#name: #read));
    }
    cx.check()?;

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let columns_in = checks.expand(input);
    let body = if uses_nested {
        quote! {
            fn from_record(
                record: &::quarry::Record,
            ) -> ::core::result::Result<Self, ::quarry::Error> {
                <Self as ::quarry::FromRecord>::__from_record_nested(record, &[])
            }

            fn __from_record_nested(
                record: &::quarry::Record,
                __quarry_nested: &[::quarry::query_macro::nested::Names],
            ) -> ::core::result::Result<Self, ::quarry::Error> {
                ::core::result::Result::Ok(Self { #(#inits,)* })
            }
        }
    } else {
        quote! {
            fn from_record(
                record: &::quarry::Record,
            ) -> ::core::result::Result<Self, ::quarry::Error> {
                ::core::result::Result::Ok(Self { #(#inits,)* })
            }
        }
    };
    Ok(quote! {
        #columns_in
        #[automatically_derived]
        impl #impl_generics ::quarry::FromRecord for #ident #ty_generics #where_clause {
            #body
        }
    })
}

/// The bounds of the `ColumnsIn` impl that lets `query_as!` check the fields at compile time
/// (see `quarry::query_macro::fields`).
///
/// The same bounds over `NestedField` / `FitsField` make the `FieldsIn` impl that lets `query!`
/// check the type as the child of a `"col: Vec<Child>"` column (nested rows): one list of
/// fields, two traits, so each check's messages speak of what it checks.
#[derive(Default)]
struct ColumnChecks {
    markers: Vec<syn::Ident>,
    /// Per field: its column key and marker, and the type that must fit (none for `json`),
    /// or a flattened type.
    fields: Vec<Check>,
}

enum Check {
    Column {
        key: TokenStream,
        marker: syn::Ident,
        ty: Option<syn::Type>,
    },
    /// A `#[quarry(nested)]` field: the column's rows must fit `ty`'s children, encoded as
    /// `json` says.
    Nested {
        key: TokenStream,
        marker: syn::Ident,
        ty: syn::Type,
        json: bool,
    },
    Flatten(syn::Type),
}

impl ColumnChecks {
    /// The query must have `column`, and its value must fit `ty` (when given).
    fn column(&mut self, column: &str, ty: Option<&syn::Type>) {
        let (key, marker) = self.marker(column);
        self.fields.push(Check::Column {
            key,
            marker,
            ty: ty.cloned(),
        });
    }

    /// The query must have `column`, holding nested rows whose fields fit `ty`'s children.
    fn nested(&mut self, column: &str, ty: &syn::Type, json: bool) {
        let (key, marker) = self.marker(column);
        self.fields.push(Check::Nested {
            key,
            marker,
            ty: ty.clone(),
            json,
        });
    }

    /// The key and a new marker naming `column`.
    fn marker(&mut self, column: &str) -> (TokenStream, syn::Ident) {
        let marker = column_key::marker_ident(column, &format!("column_{}", self.markers.len()));
        let marker = if self.markers.contains(&marker) {
            format_ident!("column_{}", self.markers.len())
        } else {
            marker
        };
        self.markers.push(marker.clone());
        (column_key::key(column), marker)
    }

    /// A flattened field's own fields fit the query too.
    fn flatten(&mut self, ty: &syn::Type) {
        self.fields.push(Check::Flatten(ty.clone()));
    }

    /// The bounds for one trait family: `(column trait, fits trait, flatten trait)`.
    /// A nested field's rows are checked against the query's columns only (`query_as!`): the
    /// rows nested in a child's field are not described, so there it only needs the field.
    fn bounds(
        &self,
        column: &TokenStream,
        fits: &TokenStream,
        all: &TokenStream,
        nested_rows: bool,
    ) -> Vec<TokenStream> {
        let fields = quote!(::quarry::query_macro::fields);
        let mut bounds = Vec::new();
        for check in &self.fields {
            match check {
                Check::Column { key, marker, ty } => {
                    let name = quote!(__quarry_columns::#marker);
                    let col = quote!(<__C as #column<#key, #name>>);
                    bounds.push(quote!(__C: #column<#key, #name>));
                    if let Some(ty) = ty {
                        bounds.push(quote!(#ty: #fits<#col::Pg, #col::Null, #name, #col::Mode>));
                    }
                }
                Check::Nested {
                    key,
                    marker,
                    ty,
                    json,
                } => {
                    let name = quote!(__quarry_columns::#marker);
                    let col = quote!(<__C as #column<#key, #name>>);
                    bounds.push(quote!(__C: #column<#key, #name>));
                    if nested_rows {
                        let form = if *json {
                            quote!(#fields::JsonObjects)
                        } else {
                            quote!(#fields::Composites)
                        };
                        bounds.push(quote!(
                            #ty: #fields::FitsNested<#col::Rows, #col::Null, #name, #form>
                        ));
                    }
                }
                Check::Flatten(ty) => bounds.push(quote!(#ty: #all<__C>)),
            }
        }
        bounds
    }

    fn expand(&self, input: &DeriveInput) -> TokenStream {
        let fields = quote!(::quarry::query_macro::fields);
        let ident = &input.ident;
        let mut generics = input.generics.clone();
        generics.params.push(syn::parse_quote!(__C));
        let (impl_generics, _, _) = generics.split_for_impl();
        let (_, ty_generics, where_clause) = input.generics.split_for_impl();
        let own: Vec<TokenStream> = where_clause
            .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
            .unwrap_or_default();
        let columns = self.bounds(
            &quote!(#fields::QueryColumn),
            &quote!(#fields::FitsColumn),
            &quote!(#fields::ColumnsIn),
            true,
        );
        let nested = self.bounds(
            &quote!(#fields::NestedField),
            &quote!(#fields::FitsField),
            &quote!(#fields::FieldsIn),
            false,
        );
        let markers = &self.markers;
        quote! {
            #[doc(hidden)]
            const _: () = {
                #[allow(non_camel_case_types, dead_code, unreachable_pub)]
                mod __quarry_columns {
                    #(pub struct #markers;)*
                }
                #[automatically_derived]
                #[allow(private_bounds)]
                impl #impl_generics #fields::ColumnsIn<__C>
                    for #ident #ty_generics
                where
                    #(#own,)*
                    #(#columns,)*
                {
                }
                #[automatically_derived]
                #[allow(private_bounds)]
                impl #impl_generics #fields::FieldsIn<__C>
                    for #ident #ty_generics
                where
                    #(#own,)*
                    #(#nested,)*
                {
                }
            };
        }
    }
}
