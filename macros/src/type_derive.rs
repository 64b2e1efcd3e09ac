//! `#[derive(Type)]`: picks the expansion for the input's shape (enum, transparent newtype or
//! composite) and reports shapes that map to no PostgreSQL type.

use proc_macro2::TokenStream;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{Container, Ctxt};
use crate::{type_composite, type_enum, type_transparent};

/// Expands the derive, or returns every error found in the input.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::default();
    let tokens = match &input.data {
        Data::Enum(data) => type_enum::expand(&cx, input, data),
        Data::Struct(data) => {
            let container = Container::from_attrs(&cx, &input.attrs);
            match &data.fields {
                _ if container.transparent.is_some() => {
                    type_transparent::expand(&cx, input, &container, &data.fields)
                }
                Fields::Named(named) => Some(type_composite::expand(&cx, input, &container, named)),
                Fields::Unnamed(_) | Fields::Unit => {
                    cx.error(
                        &input.ident,
                        "Type can be derived for a struct with named fields (a composite type), a newtype with #[quarry(transparent)], or an enum of unit variants",
                    );
                    None
                }
            }
        }
        Data::Union(_) => {
            cx.error(&input.ident, "Type cannot be derived for a union");
            None
        }
    };
    cx.check()?;
    Ok(tokens.unwrap_or_default())
}
