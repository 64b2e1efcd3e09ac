//! What a derive emits when its input is wrong: the errors, plus stub impls so the user sees the
//! attribute errors and not a cascade of "trait not implemented" errors (as thiserror does).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::type_common::decode_generics;

/// The errors and a `FromRecord` stub.
pub(crate) fn from_record(input: &DeriveInput, error: &syn::Error) -> TokenStream {
    let ident = &input.ident;
    let error = error.to_compile_error();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #error
        #[automatically_derived]
        impl #impl_generics ::quarry::FromRecord for #ident #ty_generics #where_clause {
            fn from_record(
                _record: &::quarry::Record,
            ) -> ::core::result::Result<Self, ::quarry::Error> {
                ::core::unreachable!()
            }
        }
    }
}

/// The errors and `Type`, `Encode` and `Decode` stubs.
pub(crate) fn type_(input: &DeriveInput, error: &syn::Error) -> TokenStream {
    let ident = &input.ident;
    let error = error.to_compile_error();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (lt, decode_generics) = decode_generics(&input.generics);
    let decode_impl_generics = decode_generics.split_for_impl().0;
    let t = quote!(::quarry::types);
    quote! {
        #error
        #[automatically_derived]
        impl #impl_generics #t::Type for #ident #ty_generics #where_clause {
            fn accepts(_ty: &#t::PgType) -> bool {
                ::core::unreachable!()
            }
        }
        #[automatically_derived]
        impl #impl_generics #t::Encode for #ident #ty_generics #where_clause {
            fn encode(
                &self,
                _ty: &#t::PgType,
                _buf: &mut ::quarry::from_record::__private::BytesMut,
            ) -> ::core::result::Result<#t::IsNull, #t::BoxError> {
                ::core::unreachable!()
            }
            fn accepts(&self, _ty: &#t::PgType) -> bool {
                ::core::unreachable!()
            }
        }
        #[automatically_derived]
        impl #decode_impl_generics #t::Decode<#lt> for #ident #ty_generics #where_clause {
            fn accepts(_ty: &#t::PgType, _format: #t::Format) -> bool {
                ::core::unreachable!()
            }
            fn decode(_value: #t::ValueRef<#lt>) -> ::core::result::Result<Self, #t::BoxError> {
                ::core::unreachable!()
            }
        }
    }
}
