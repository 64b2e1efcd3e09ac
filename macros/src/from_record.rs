//! `#[derive(FromRecord)]`: one column per named field, read with the driver's
//! `quarry::from_record::__private` helpers so errors name the field as well as the column.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

use crate::attr::{self, Ctxt};

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
        let column = LitStr::new(&column, name.span());
        let ty = &field.ty;
        let private = quote!(::quarry::from_record::__private);
        let read = if attrs.skip.is_some() {
            quote!(::core::default::Default::default())
        } else if attrs.flatten.is_some() {
            quote!(<#ty as ::quarry::FromRecord>::from_record(record)?)
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
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::quarry::FromRecord for #ident #ty_generics #where_clause {
            fn from_record(
                record: &::quarry::Record,
            ) -> ::core::result::Result<Self, ::quarry::Error> {
                ::core::result::Result::Ok(Self { #(#inits,)* })
            }
        }
    })
}
