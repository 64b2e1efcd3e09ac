//! `#[derive(Choice)]`: a fieldless enum picks one alternative of a `query!` choice fragment
//! (`{:sort => name | created_at DESC}`), its variants in order; the number of variants is the
//! trait's `N`, so a choice with another number of alternatives is a compile error.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// The `Choice<N>` impl for `input`.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Choice)] is for enums without fields: one variant per alternative",
        ));
    };
    if let Some(variant) = data
        .variants
        .iter()
        .find(|v| !matches!(v.fields, Fields::Unit))
    {
        return Err(syn::Error::new_spanned(
            &variant.ident,
            "#[derive(Choice)] variants have no fields: each stands for one alternative",
        ));
    }
    let name = &input.ident;
    let count = data.variants.len();
    let arms = data.variants.iter().enumerate().map(|(index, variant)| {
        let ident = &variant.ident;
        quote!(Self::#ident => #index)
    });
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::quarry::query_macro::Choice<#count> for #name #ty_generics #where_clause {
            fn index(&self) -> usize {
                match self {
                    #(#arms,)*
                }
            }
        }
    })
}
