//! What `query_as!` and `#[derive(FromRecord)]` agree on to meet in the trait system
//! (`quarry::query_macro::fields`): a column's key (64-bit FNV-1a of its name, as
//! `fields::column_key` computes it) and the marker type naming it in compiler messages.

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// The FNV-1a hash of a column name, as a `u64` literal.
pub(crate) fn key(name: &str) -> TokenStream {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let lit = proc_macro2::Literal::u64_suffixed(hash);
    quote!(#lit)
}

/// An identifier for a marker type named after `name` (a column or a PostgreSQL type), or
/// `fallback` when the name is not an identifier.
pub(crate) fn marker_ident(name: &str, fallback: &str) -> syn::Ident {
    let valid = !name.is_empty()
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid {
        if let Ok(ident) = syn::parse_str::<syn::Ident>(name)
            && !["self", "Self", "super", "crate"]
                .iter()
                .any(|k| ident == k)
        {
            return ident;
        }
        if let Ok(ident) = syn::parse_str::<syn::Ident>(&format!("r#{name}")) {
            return ident;
        }
    }
    syn::Ident::new(fallback, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_driver() {
        assert_eq!(key("").to_string(), "14695981039346656037u64");
        assert_eq!(
            key("a").to_string(),
            format!("{}u64", 0xaf63_dc4c_8601_ec8cu64)
        );
        assert_eq!(marker_ident("age", "c0").to_string(), "age");
        assert_eq!(marker_ident("type", "c0").to_string(), "r#type");
        assert_eq!(marker_ident("count(*)", "c0").to_string(), "c0");
        assert_eq!(marker_ident("self", "c0").to_string(), "c0");
    }
}
