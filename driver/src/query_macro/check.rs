//! Compile-time parameter checks for the `query!` macros.
//!
//! For each argument the macro knows the parameter's PostgreSQL type from the description and
//! names it with a marker type from [`pg`]. The expansion then requires `Arg: AcceptsPg<pg::int4>`
//! (or [`AcceptsPgNotNull`] when the parameter flows straight into a NOT NULL column), in dead
//! code spanned at the argument, so a mismatch is a rustc error pointing at it and naming the
//! PostgreSQL type. Types mapped in `quarry.toml` and user types use [`ParamOf`] instead, which
//! asks for the mapped Rust type itself. Nothing here runs: the checks are never called.
//! Which Rust type is sent as which built-in type is one row per type in the table of built-in
//! types (`types/table.rs`); `table.rs` here generates the impls.

/// Marker types, one per row of the table of built-in types (and `citext`), named exactly like
/// `pg_type.typname` so compiler messages read `int4`, `text`, `_int4`, ...
#[allow(non_camel_case_types)]
pub mod pg {
    use std::marker::PhantomData;

    /// The markers view of the table of built-in types: every row gets one, whether or not its
    /// codec is compiled in (the macros look markers up by OID in a build without features).
    macro_rules! markers {
        ($({ $name:ident $oid:ident $($rest:tt)* })*) => {
            $(
                #[doc = concat!("The PostgreSQL type `", stringify!($name), "`.")]
                pub struct $name;
            )*
        };
    }
    crate::types::table::builtin_types!(markers);

    /// `citext`, the case-insensitive text of the extension of that name. Not a built-in (its
    /// OID differs per database): the macros know it by name.
    pub struct citext;

    /// An array of the element type `M` (`_int4` is `Array<int4>`). As a column's type: an
    /// array whose elements are never NULL.
    pub struct Array<M>(PhantomData<M>);

    /// A column's array of the element type `M` whose elements may be NULL (what the
    /// description says of most arrays: the catalog does not constrain elements), so a field
    /// reading it needs `Vec<Option<T>>`.
    pub struct ArrayWithNulls<M>(PhantomData<M>);
}

/// The Rust type a `query!` column of a built-in type is read into: the `rust` of its row in the
/// table of built-in types. The macros name it as `<pg::int4 as ColumnType>::Rust`.
///
/// ```
/// use quarry_driver::query_macro::check::{ColumnType, pg};
/// let id: <pg::int4 as ColumnType>::Rust = 7i32;
/// ```
#[diagnostic::on_unimplemented(
    message = "this build of quarry has no Rust type for the PostgreSQL type `{Self}`",
    label = "no codec for `{Self}`",
    note = "enable the quarry feature with its codec (`chrono`, `uuid`, `rust_decimal`, `json`), \
            or give the column a type in its alias (`AS \"col: MyType\"`)"
)]
pub trait ColumnType {
    /// The Rust type.
    type Rust;
}

/// The identifier of the [`pg`] marker of a built-in type that has a Rust type, by OID (never by
/// name: a user's `public.box` is not `pg_catalog.box`). What the macros look types up with.
///
/// ```
/// use quarry_driver::query_macro::check::marker_name;
/// assert_eq!(marker_name(23), Some("int4"));
/// assert_eq!(marker_name(603), Some("r#box"));
/// assert_eq!(marker_name(2249), None); // `record` has no Rust type of its own
/// ```
pub fn marker_name(oid: crate::types::Oid) -> Option<&'static str> {
    super::table::marker_name(oid)
}

/// Rust types that can be sent as a parameter of the PostgreSQL type `M` (a [`pg`] marker),
/// NULL included (`Option<T>`).
///
/// ```
/// use quarry_driver::query_macro::check::{AcceptsPg, pg};
/// fn fits<T: AcceptsPg<pg::int8> + ?Sized>(_: &T) {}
/// fits(&1i32); // widened
/// fits(&Some(1i64));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a PostgreSQL `{M}` parameter",
    label = "this argument does not fit a `{M}` parameter",
    note = "pass a Rust type with a `{M}` codec (or a reference to one, or an `Option` of one), \
            write `arg as _` to skip the check, or map the type in `quarry.toml`"
)]
pub trait AcceptsPg<M> {}

/// Like [`AcceptsPg`], for a parameter that flows straight into a NOT NULL column or whose type
/// is a NOT NULL domain: `Option<T>` does not fit.
///
/// ```
/// use quarry_driver::query_macro::check::{AcceptsPgNotNull, pg};
/// fn fits<T: AcceptsPgNotNull<pg::text> + ?Sized>(_: &T) {}
/// fits("Bob");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a PostgreSQL `{M}` parameter that must not be NULL",
    label = "this argument goes into a NOT NULL column or is of a NOT NULL domain",
    note = "a NULL here fails at run time with a NOT NULL violation: pass the value itself \
            (not an `Option`), or write `arg as _` to skip the check"
)]
pub trait AcceptsPgNotNull<M> {}

/// Arguments that fit a parameter whose Rust type is `T` (a `quarry.toml` mapping or an override):
/// `T`, `&T`, `Option<T>`, `Option<&T>`, `&Option<T>`.
///
/// ```
/// use quarry_driver::query_macro::check::ParamOf;
/// fn fits<A: ParamOf<String> + ?Sized>(_: &A) {}
/// fits(&String::new());
/// fits(&Some(String::new()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `{T}`, the Rust type this parameter is mapped to",
    label = "expected `{T}`, `&{T}` or `Option<{T}>`",
    note = "the mapping comes from `quarry.toml`; write `arg as _` to skip the check"
)]
pub trait ParamOf<T: ?Sized> {}

/// Like [`ParamOf`] for a parameter that flows into a NOT NULL column or is of a NOT NULL domain:
/// no `Option`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `{T}` (this parameter goes into a NOT NULL column or is of a NOT NULL domain)",
    label = "expected `{T}` or `&{T}`",
    note = "a NULL here fails at run time with a NOT NULL violation: pass the value itself, or \
            write `arg as _` to skip the check"
)]
pub trait ParamOfNotNull<T: ?Sized> {}

impl<T: ?Sized> ParamOf<T> for T {}
impl<T: ?Sized> ParamOf<T> for &T {}
impl<T> ParamOf<T> for Option<T> {}
impl<T: ?Sized> ParamOf<T> for Option<&T> {}
impl<T> ParamOf<T> for &Option<T> {}
impl<T: ?Sized> ParamOfNotNull<T> for T {}
impl<T: ?Sized> ParamOfNotNull<T> for &T {}

impl<M, T: AcceptsPg<M> + ?Sized> AcceptsPg<M> for &T {}
impl<M, T: AcceptsPg<M> + ?Sized> AcceptsPg<M> for &mut T {}
impl<M, T: AcceptsPg<M> + ?Sized> AcceptsPg<M> for Box<T> {}
impl<M, T: AcceptsPg<M>> AcceptsPg<M> for Option<T> {}
impl<M, T: AcceptsPgNotNull<M> + ?Sized> AcceptsPgNotNull<M> for &T {}
impl<M, T: AcceptsPgNotNull<M> + ?Sized> AcceptsPgNotNull<M> for &mut T {}
impl<M, T: AcceptsPgNotNull<M> + ?Sized> AcceptsPgNotNull<M> for Box<T> {}

impl<M, T: AcceptsPg<M>> AcceptsPg<pg::Array<M>> for [T] {}
impl<M, T: AcceptsPg<M>> AcceptsPg<pg::Array<M>> for Vec<T> {}
impl<M, T: AcceptsPg<M>, const N: usize> AcceptsPg<pg::Array<M>> for [T; N] {}
impl<M, T: AcceptsPg<M>> AcceptsPgNotNull<pg::Array<M>> for [T] {}
impl<M, T: AcceptsPg<M>> AcceptsPgNotNull<pg::Array<M>> for Vec<T> {}
impl<M, T: AcceptsPg<M>, const N: usize> AcceptsPgNotNull<pg::Array<M>> for [T; N] {}

#[cfg(feature = "json")]
impl<T> AcceptsPg<pg::json> for crate::types::Json<T> {}
#[cfg(feature = "json")]
impl<T> AcceptsPg<pg::jsonb> for crate::types::Json<T> {}
#[cfg(feature = "json")]
impl<T> AcceptsPgNotNull<pg::json> for crate::types::Json<T> {}
#[cfg(feature = "json")]
impl<T> AcceptsPgNotNull<pg::jsonb> for crate::types::Json<T> {}

/// The check the macros call (in dead code) for a parameter of built-in type `M`.
pub fn accepts<M, A: AcceptsPg<M> + ?Sized>(_arg: &A) {}

/// The check for a parameter of built-in type `M` that flows into a NOT NULL column.
pub fn accepts_not_null<M, A: AcceptsPgNotNull<M> + ?Sized>(_arg: &A) {}

/// The check for a parameter mapped to the Rust type `T`.
pub fn param_of<T: ?Sized, A: ParamOf<T> + ?Sized>(_arg: &A) {}

/// The check for a parameter mapped to `T` that flows into a NOT NULL column.
pub fn param_of_not_null<T: ?Sized, A: ParamOfNotNull<T> + ?Sized>(_arg: &A) {}

/// The check for an `arg as T` override: the argument's type is exactly `T`.
pub fn is<T: ?Sized>(_arg: &T) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_arguments_compile() {
        accepts::<pg::int8, _>(&1i32);
        accepts::<pg::text, _>("x");
        accepts::<pg::text, _>(&Some("x"));
        accepts::<pg::text, _>(&Some(String::new()));
        accepts::<pg::Array<pg::int4>, _>(&vec![1i32]);
        accepts::<pg::Array<pg::int4>, _>(&[Some(1i32)][..]);
        accepts::<pg::bytea, _>(&b"x"[..]);
        accepts_not_null::<pg::int4, _>(&&1i32);
        param_of::<String, _>(&Some(&String::new()));
        param_of_not_null::<String, _>(&String::new());
        is::<i32>(&1);
    }
}
