//! `#[derive(CopyRow)]`: a struct with named fields as one row of a binary COPY, its fields in
//! declaration order (`#[quarry(skip)]` leaves one out). The table's columns are named in the
//! same order to `copy_records_to_table`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{Ctxt, Field};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(CopyRow)] needs a struct with named fields (one per column, in order)",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(CopyRow)] needs a struct with named fields (one per column, in order)",
        ));
    };
    let cx = Ctxt::default();
    let mut idents = Vec::new();
    for field in &fields.named {
        let attrs = Field::from_attrs(&cx, &field.attrs);
        if attrs.skip.is_none() {
            idents.push(field.ident.clone());
        }
    }
    cx.check()?;
    let count = idents.len();
    let indexes = 0..count;
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::quarry::copy::CopyRow for #name #ty_generics #where_clause {
            #[inline]
            fn encode_row(
                &self,
                columns: &mut ::quarry::copy::CopyColumns,
                row: u64,
                buf: &mut ::quarry::from_record::__private::BytesMut,
            ) -> ::core::result::Result<(), ::quarry::copy::CopyError> {
                columns.start_row(#count, row, buf)?;
                #( columns.encode(#indexes, &self.#idents, row, buf)?; )*
                ::core::result::Result::Ok(())
            }
        }
    })
}
