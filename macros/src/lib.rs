//! quarry-macros: Quarry's procedural macros.
//!
//! `#[derive(FromRecord)]` builds a struct from a row, `#[derive(Type)]` maps a Rust enum, struct
//! or newtype to a PostgreSQL enum, composite or domain. Use them through the `quarry` crate, to
//! which the generated code refers. This file holds only the entry points; `attr` reads the
//! `#[quarry(...)]` attributes both derives share, one module per expansion does the rest.

mod attr;
mod case;
mod fallback;
mod from_record;
mod type_common;
mod type_composite;
mod type_derive;
mod type_enum;
mod type_transparent;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `quarry::FromRecord` for a struct with named fields, one column per field.
///
/// Struct attribute: `#[quarry(rename_all = "camelCase")]` (also `snake_case`, `PascalCase`,
/// `SCREAMING_SNAKE_CASE`, `kebab-case`, `lowercase`, `UPPERCASE`). Field attributes:
/// `rename = "col"`, `default` (a missing column gives `Default::default()`), `flatten` (the
/// field is itself `FromRecord`, from the same row), `skip` (not read, `Default`),
/// `try_from = "i64"` (decode as `i64`, then `TryFrom`), `json` (deserialize the column with serde).
///
/// ```ignore
/// #[derive(quarry::FromRecord)]
/// #[quarry(rename_all = "camelCase")]
/// struct User {
///     user_id: i32,
///     #[quarry(rename = "full_name")]
///     name: String,
///     #[quarry(default)]
///     nickname: Option<String>,
/// }
/// let user = User::from_record(&row)?;
/// ```
#[proc_macro_derive(FromRecord, attributes(quarry))]
pub fn derive_from_record(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    from_record::expand(&input)
        .unwrap_or_else(|e| fallback::from_record(&input, &e))
        .into()
}

/// Derives `quarry::types::{Type, Encode, Decode}`.
///
/// - An enum of unit variants is a PostgreSQL enum: `#[quarry(type_name = "mood")]` (default: the
///   Rust name in snake_case), `#[quarry(rename = "label")]` on variants, `rename_all` on the enum.
/// - A struct with named fields is a composite type: `type_name`, and `rename`/`rename_all` for
///   its field names.
/// - `#[quarry(transparent)]` on a one-field struct sends and decodes it as the field, also as a
///   domain over the field's type.
///
/// ```ignore
/// #[derive(quarry::Type)]
/// #[quarry(type_name = "mood", rename_all = "lowercase")]
/// enum Mood { Sad, Ok, Happy }
///
/// #[derive(quarry::Type)]
/// #[quarry(transparent)]
/// struct UserId(i64);
/// ```
#[proc_macro_derive(Type, attributes(quarry))]
pub fn derive_type(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    type_derive::expand(&input)
        .unwrap_or_else(|e| fallback::type_(&input, &e))
        .into()
}
