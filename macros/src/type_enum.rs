//! `#[derive(Type)]` on an enum of unit variants: a PostgreSQL enum, whose value (in text and in
//! binary alike) is the label.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DataEnum, DeriveInput, Fields, LitByteStr, LitStr};

use crate::attr::{self, Ctxt};
use crate::case::RenameRule;
use crate::type_common::{accepts_by_name, decode_generics};

/// Expands the derive for an enum.
pub(crate) fn expand(cx: &Ctxt, input: &DeriveInput, data: &DataEnum) -> Option<TokenStream> {
    let container = attr::Container::from_attrs(cx, &input.attrs);
    if let Some(t) = &container.transparent {
        cx.error_at(
            t.span,
            "`transparent` applies to a newtype struct, not to an enum",
        );
    }
    let ident = &input.ident;
    let mut arms_encode = Vec::new();
    let mut arms_decode = Vec::new();
    for variant in &data.variants {
        let attrs = attr::Variant::from_attrs(cx, &variant.attrs);
        if !matches!(variant.fields, Fields::Unit) {
            cx.error(
                &variant.ident,
                format!(
                    "Type can only be derived for enums of unit variants (PostgreSQL enum labels); `{}` carries data",
                    variant.ident
                ),
            );
            continue;
        }
        let name = variant.ident.to_string();
        let label = match (&attrs.rename, &container.rename_all) {
            (Some(rename), _) => rename.value.clone(),
            (None, Some(rule)) => rule.value.apply(&name),
            (None, None) => name,
        };
        let v = &variant.ident;
        let text = LitStr::new(&label, v.span());
        let bytes = LitByteStr::new(label.as_bytes(), v.span());
        arms_encode.push(quote!(Self::#v => #text));
        arms_decode.push(quote!(#bytes => ::core::result::Result::Ok(Self::#v)));
    }
    let pg_name = container
        .type_name
        .as_ref()
        .map(|t| t.value.clone())
        .unwrap_or_else(|| RenameRule::Snake.apply(&ident.to_string()));
    let accepts = accepts_by_name(&pg_name, quote!(Enum));
    let rust_name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (lt, decode_impl_generics) = decode_generics(&input.generics);
    let decode_impl_generics = decode_impl_generics.split_for_impl().0;
    let t = quote!(::quarry::types);
    Some(quote! {
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
                _ty: &#t::PgType,
                buf: &mut ::quarry::from_record::__private::BytesMut,
            ) -> ::core::result::Result<#t::IsNull, #t::BoxError> {
                let label: &str = match *self { #(#arms_encode,)* };
                buf.extend_from_slice(label.as_bytes());
                ::core::result::Result::Ok(#t::IsNull::No)
            }
            fn accepts(&self, ty: &#t::PgType) -> bool {
                <Self as #t::Type>::accepts(ty)
            }
        }

        #[automatically_derived]
        impl #decode_impl_generics #t::Decode<#lt> for #ident #ty_generics #where_clause {
            fn accepts(ty: &#t::PgType, _format: #t::Format) -> bool {
                <Self as #t::Type>::accepts(ty)
            }
            fn decode(value: #t::ValueRef<#lt>) -> ::core::result::Result<Self, #t::BoxError> {
                match value.non_null()? {
                    #(#arms_decode,)*
                    other => ::core::result::Result::Err(::std::format!(
                        "unknown label {:?} for PostgreSQL enum {} (Rust enum {})",
                        ::std::string::String::from_utf8_lossy(other),
                        value.ty(),
                        #rust_name,
                    ).into()),
                }
            }
        }
    })
}
