//! `#[derive(Type)]` with `#[quarry(transparent)]`: a newtype that is sent and decoded as its one
//! field, also as a domain over what the field accepts — and that the `query!` macros' static
//! checks (parameters, `query_as!` fields) accept wherever they accept the field's type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Fields, Index, Member};

use crate::attr::{Container, Ctxt};
use crate::type_common::decode_generics;

/// Expands the derive for a transparent newtype struct.
pub(crate) fn expand(
    cx: &Ctxt,
    input: &DeriveInput,
    container: &Container,
    fields: &Fields,
) -> Option<TokenStream> {
    if let Some(t) = &container.type_name {
        cx.error_at(
            t.span,
            "`type_name` has no effect with `transparent`: the newtype takes its inner type's PostgreSQL type",
        );
    }
    let mut iter = fields.iter();
    let (Some(field), None) = (iter.next(), iter.next()) else {
        cx.error(
            &input.ident,
            "`transparent` needs a struct with exactly one field",
        );
        return None;
    };
    let member = match &field.ident {
        Some(ident) => Member::Named(ident.clone()),
        None => Member::Unnamed(Index::from(0)),
    };
    let inner = &field.ty;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (lt, decode_generics) = decode_generics(&input.generics);
    let decode_impl_generics = decode_generics.split_for_impl().0;
    let t = quote!(::quarry::types);
    let qm = quote!(::quarry::query_macro);
    let mut send_generics = input.generics.clone();
    send_generics.params.push(syn::parse_quote!(__QuarryPg));
    let mut decode_check_generics = send_generics.clone();
    decode_check_generics
        .params
        .push(syn::parse_quote!(__QuarryName));
    let send_impl_generics = send_generics.split_for_impl().0;
    let decode_check_impl_generics = decode_check_generics.split_for_impl().0;
    let inner_bound = |bound: TokenStream| {
        let mut clause = where_clause
            .cloned()
            .unwrap_or_else(|| syn::parse_quote!(where));
        clause.predicates.push(syn::parse_quote!(#inner: #bound));
        clause
    };
    let accepts_where = inner_bound(quote!(#qm::check::AcceptsPg<__QuarryPg>));
    let accepts_not_null_where = inner_bound(quote!(#qm::check::AcceptsPgNotNull<__QuarryPg>));
    let decodes_where = inner_bound(quote!(#qm::fields::DecodesPg<__QuarryPg, __QuarryName>));
    Some(quote! {
        #[automatically_derived]
        impl #send_impl_generics #qm::check::AcceptsPg<__QuarryPg> for #ident #ty_generics #accepts_where {}

        #[automatically_derived]
        impl #send_impl_generics #qm::check::AcceptsPgNotNull<__QuarryPg> for #ident #ty_generics #accepts_not_null_where {}

        #[automatically_derived]
        impl #decode_check_impl_generics #qm::fields::DecodesPg<__QuarryPg, __QuarryName> for #ident #ty_generics #decodes_where {}

        #[automatically_derived]
        impl #impl_generics #t::Type for #ident #ty_generics #where_clause {
            fn accepts(ty: &#t::PgType) -> bool {
                <#inner as #t::Type>::accepts(ty)
                    || ::core::matches!(ty.kind(), #t::Kind::Domain(base) if <#inner as #t::Type>::accepts(base))
            }
        }

        #[automatically_derived]
        impl #impl_generics #t::Encode for #ident #ty_generics #where_clause {
            fn encode(
                &self,
                ty: &#t::PgType,
                buf: &mut ::quarry::from_record::__private::BytesMut,
            ) -> ::core::result::Result<#t::IsNull, #t::BoxError> {
                match ty.kind() {
                    #t::Kind::Domain(base) if !#t::Encode::accepts(&self.#member, ty) => {
                        #t::Encode::encode(&self.#member, base, buf)
                    }
                    _ => #t::Encode::encode(&self.#member, ty, buf),
                }
            }
            fn accepts(&self, ty: &#t::PgType) -> bool {
                #t::Encode::accepts(&self.#member, ty)
                    || ::core::matches!(ty.kind(), #t::Kind::Domain(base) if #t::Encode::accepts(&self.#member, base))
            }
            fn is_null(&self) -> bool {
                #t::Encode::is_null(&self.#member)
            }
        }

        #[automatically_derived]
        impl #decode_impl_generics #t::Decode<#lt> for #ident #ty_generics #where_clause {
            fn accepts(ty: &#t::PgType, format: #t::Format) -> bool {
                <#inner as #t::Decode<#lt>>::accepts(ty, format)
                    || ::core::matches!(ty.kind(), #t::Kind::Domain(base) if <#inner as #t::Decode<#lt>>::accepts(base, format))
            }
            fn decode(value: #t::ValueRef<#lt>) -> ::core::result::Result<Self, #t::BoxError> {
                let ty: &#lt #t::PgType = value.ty();
                let value = match ty.kind() {
                    #t::Kind::Domain(base) if !<#inner as #t::Decode<#lt>>::accepts(ty, value.format()) => {
                        #t::ValueRef::new(value.bytes(), value.format(), base)
                    }
                    _ => value,
                };
                <#inner as #t::Decode<#lt>>::decode(value).map(|inner| Self { #member: inner })
            }
        }
    })
}
