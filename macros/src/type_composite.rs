//! `#[derive(Type)]` on a struct with named fields: a PostgreSQL composite type, encoded and
//! decoded field by field with `quarry::types::{CompositeEncoder, CompositeDecoder}`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, FieldsNamed, LitStr};

use crate::attr::{self, Container, Ctxt};
use crate::case::RenameRule;
use crate::type_common::{accepts_by_name, decode_generics};

/// Expands the derive for a struct with named fields.
pub(crate) fn expand(
    cx: &Ctxt,
    input: &DeriveInput,
    container: &Container,
    fields: &FieldsNamed,
) -> TokenStream {
    let t = quote!(::quarry::types);
    let composite = quote!(#t);
    let mut encode = Vec::new();
    let mut encoded = Vec::new();
    let mut decode = Vec::new();
    let mut decode_copy = Vec::new();
    for field in &fields.named {
        // FromRecord's keys (default, flatten, try_from, json) are read and ignored here.
        let attrs = attr::Field::from_attrs(cx, &field.attrs);
        let Some(ident) = &field.ident else { continue };
        let ty = &field.ty;
        if attrs.skip.is_some() {
            decode.push(quote!(#ident: ::core::default::Default::default()));
            decode_copy.push(quote!(#ident: ::core::default::Default::default()));
            continue;
        }
        let rust_name = ident.to_string();
        let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name);
        let name = match (&attrs.rename, &container.rename_all) {
            (Some(rename), _) => rename.value.clone(),
            (None, Some(rule)) => rule.value.apply(rust_name),
            (None, None) => rust_name.to_owned(),
        };
        let name = LitStr::new(&name, ident.span());
        encode.push(quote!(encoder.field(#name, &self.#ident)?;));
        encoded.push(quote!(&self.#ident as &dyn #t::Encode));
        decode.push(quote!(#ident: decoder.field::<#ty>(#name)?));
        decode_copy.push(quote!(#ident: decoder.field_copy::<#ty>(#name)?));
    }
    let ident = &input.ident;
    let pg_name = container
        .type_name
        .as_ref()
        .map(|t| t.value.clone())
        .unwrap_or_else(|| RenameRule::Snake.apply(&ident.to_string()));
    let accepts = accepts_by_name(&pg_name, quote!(Composite));
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (lt, decode_generics) = decode_generics(&input.generics);
    let decode_impl_generics = decode_generics.split_for_impl().0;
    quote! {
        #[automatically_derived]
        impl #impl_generics #t::Type for #ident #ty_generics #where_clause {
            fn accepts(ty: &#t::PgType) -> bool {
                #accepts
            }
        }

        #[automatically_derived]
        impl #impl_generics #t::Encode for #ident #ty_generics #where_clause {
            fn encode(
                &self,
                ty: &#t::PgType,
                buf: &mut ::quarry::from_record::__private::BytesMut,
            ) -> ::core::result::Result<#t::IsNull, #t::BoxError> {
                let format = #t::Encode::format(self, ty);
                let mut encoder = #composite::CompositeEncoder::with_format(ty, format, buf)?;
                #(#encode)*
                encoder.finish()
            }
            fn accepts(&self, ty: &#t::PgType) -> bool {
                <Self as #t::Type>::accepts(ty)
            }
            // Text when a field can only go in text (a String for tsvector, ...): a record literal.
            fn format(&self, ty: &#t::PgType) -> #t::Format {
                #composite::CompositeEncoder::format_for(ty, &[#(#encoded),*])
            }
        }

        #[automatically_derived]
        impl #decode_impl_generics #t::Decode<#lt> for #ident #ty_generics #where_clause {
            fn accepts(ty: &#t::PgType, _format: #t::Format) -> bool {
                <Self as #t::Type>::accepts(ty)
            }
            fn decode(value: #t::ValueRef<#lt>) -> ::core::result::Result<Self, #t::BoxError> {
                #[allow(unused_mut)]
                let mut decoder = #composite::CompositeDecoder::new(value)?;
                ::core::result::Result::Ok(Self { #(#decode,)* })
            }
            // An element of a text array written with escapes, unescaped into a copy.
            fn decode_copy(
                value: #t::ValueRef<'_>,
            ) -> ::core::result::Result<Self, #t::BoxError> {
                #[allow(unused_mut)]
                let mut decoder = #composite::CompositeDecoder::new(value)?;
                ::core::result::Result::Ok(Self { #(#decode_copy,)* })
            }
        }
    }
}
