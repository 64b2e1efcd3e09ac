//! Pieces shared by the `Type` derive's expansions: matching a user type by name, and the
//! lifetime of the `Decode<'r>` impl.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{GenericParam, Generics, Lifetime, LifetimeParam};

/// The body of `Type::accepts` for a user type named `pg_name` (`name` or `schema.name`) of kind
/// `kind` (`Enum`, `Composite`): that type once the connection has looked it up, or an `Unknown`
/// one of that name, or a domain over either.
pub(crate) fn accepts_by_name(pg_name: &str, kind: TokenStream) -> TokenStream {
    let (schema, name) = match pg_name.rsplit_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, pg_name),
    };
    let schema_check = schema.map(|s| quote!(&& ty.schema() == #s));
    let t = quote!(::quarry::types);
    quote! {
        match ty.kind() {
            #t::Kind::Domain(base) => <Self as #t::Type>::accepts(base),
            #t::Kind::#kind(..) | #t::Kind::Unknown => ty.name() == #name #schema_check,
            _ => false,
        }
    }
}

/// The lifetime for `impl Decode<'r>` and the generics to declare it with: the type's own first
/// lifetime when it has one (so `struct Name<'a>(&'a str)` borrows from the row), else a new one.
pub(crate) fn decode_generics(generics: &Generics) -> (Lifetime, Generics) {
    if let Some(lt) = generics.lifetimes().next() {
        return (lt.lifetime.clone(), generics.clone());
    }
    let lt = Lifetime::new("'__r", Span::call_site());
    let mut with = generics.clone();
    with.params
        .insert(0, GenericParam::Lifetime(LifetimeParam::new(lt.clone())));
    (lt, with)
}
