//! Compile-time checks of a `query_as!` target's fields against the described columns.
//!
//! The two macros never see each other's input, so they meet in the trait system:
//! - `query_as!` declares a local type with one [`QueryColumn`] impl per column, keyed by a
//!   64-bit FNV-1a hash of the column name, carrying the column's PostgreSQL type (a
//!   [`pg`] marker), its nullability ([`nullable`] / [`not_null`]) and whether
//!   the type is checked ([`Typed`]) or only its nullability ([`Untyped`]: user types, mappings).
//! - `#[derive(FromRecord)]` implements [`ColumnsIn<C>`] for the struct, with one bound per
//!   field: the query has the column the field reads (after `rename`/`rename_all`), and the
//!   field's type (or its `try_from` source) [`FitsColumn`]. `flatten` fields recurse,
//!   `default` and `skip` fields need no column, `json` fields only need the column.
//! - A column of nested rows (`array_agg(ROW(...))`, `json_agg(t)`, ...) also declares them:
//!   `Rows` is [`Nested`] over a local type with one [`NestedField`] impl per field of the rows
//!   (what `query!` declares for a `"col: Vec<Child>"` column), and a `#[quarry(nested)]`
//!   field must be a `Vec` of a child whose own fields fit those ([`FitsNested`]).
//!
//! Which Rust type decodes which built-in type is one row per type in the table of built-in types
//! (`types/table.rs`), next to what it is sent as. A mismatch is a rustc error whose message names the column, its PostgreSQL type and
//! nullability, and the Rust type. Nothing here runs.

use super::check::pg;
use super::to_json::ReadsToJson;

/// The column can be NULL.
#[allow(non_camel_case_types)]
pub struct nullable;

/// The column is never NULL.
#[allow(non_camel_case_types)]
pub struct not_null;

/// The column's type is checked against the field's type.
pub struct Typed;

/// Only the column's nullability is checked (user types, `quarry.toml` mappings, rare types).
pub struct Untyped;

/// A field of nested JSON rows: the type is checked against what serde reads from the JSON of
/// the PostgreSQL type ([`ReadsToJson`]), not against its codecs.
pub struct ToJson;

/// A column of the query, as `query_as!` declares it: `KEY` is the FNV-1a hash of its name,
/// `Name` the field-side marker naming it (any type: the impls are generic over it).
#[diagnostic::on_unimplemented(
    message = "the query returns no column `{Name}`, which a field of the `query_as!` target reads",
    label = "no column `{Name}` in this query",
    note = "select the column (or alias one `AS {Name}`), rename the field with \
            `#[quarry(rename = \"...\")]`, or mark it `#[quarry(default)]`"
)]
pub trait QueryColumn<const KEY: u64, Name> {
    /// The column's PostgreSQL type marker.
    type Pg;
    /// [`nullable`] or [`not_null`].
    type Null;
    /// [`Typed`] or [`Untyped`].
    type Mode;
    /// The rows nested in the column: [`Nested`], or [`NoRows`].
    type Rows;
}

/// A column holding no nested rows the macro knows the fields of.
pub struct NoRows;

/// A column of nested rows: `R` declares their fields ([`NestedField`]), `E` says whether a row
/// can be NULL ([`nullable`] / [`not_null`]), `F` how they are encoded ([`Composites`] or
/// [`JsonObjects`]).
pub struct Nested<R, E, F>(core::marker::PhantomData<(R, E, F)>);

/// Nested rows in an array of composites (`array_agg(ROW(...))`, `array_agg(t)`): read by a
/// `#[quarry(nested)]` field.
pub struct Composites;

/// Nested rows in a JSON array of objects (`json_agg(...)`, `jsonb_agg(...)`): read by a
/// `#[quarry(nested, json)]` field.
pub struct JsonObjects;

/// A `#[quarry(nested)]` field of this type can hold the nested rows `Rows` of the column `Name`
/// (whose nullability is `Null`), encoded as `Form` says the field reads them.
#[diagnostic::on_unimplemented(
    message = "a `#[quarry(nested)]` field of type `{Self}` cannot hold the column `{Name}` ({Null})",
    label = "the column `{Name}` holds `{Rows}`, the field reads `{Form}` as `{Self}`",
    note = "a `#[quarry(nested)]` field reads `array_agg(ROW(...))` or `array_agg(t)`, a \
            `#[quarry(nested, json)]` field `json_agg(...)` / `jsonb_agg(...)` (`NoRows`: the \
            query does not build the rows so that their fields are known); as `Vec<Child>`, \
            `Option<Vec<Child>>` when the column can be NULL (an aggregate over no rows)"
)]
pub trait FitsNested<Rows, Null, Name, Form> {}

impl<T: NestedVec<R, E>, R, E, F, N> FitsNested<Nested<R, E, F>, not_null, N, F> for T {}
impl<T: NestedVec<R, E>, R, E, F, N> FitsNested<Nested<R, E, F>, nullable, N, F> for Option<T> {}

/// A `Vec` of children that fit the nested rows `R`, whose elements can be NULL when `E` is
/// [`nullable`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold nested rows that can be NULL ({E})",
    label = "the rows can be NULL (an outer join's nullable side), but the field is `{Self}`",
    note = "read them as `Vec<Option<Child>>`"
)]
pub trait NestedVec<R, E> {}

impl<T: NestedVec<R, E>, R, E> NestedVec<R, E> for Option<T> {}
impl<C: FieldsIn<R>, R> NestedVec<R, not_null> for Vec<C> {}
impl<C: FieldsIn<R>, R> NestedVec<R, nullable> for Vec<Option<C>> {}

/// Implemented by `#[derive(FromRecord)]`: every field of `Self` fits a column of the query `C`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be checked against the query's columns",
    note = "`query_as!` needs a target with `#[derive(FromRecord)]` (a hand-written `FromRecord` \
            has no field list to check): derive it, or use `query_as_unchecked!`"
)]
pub trait ColumnsIn<C> {}

/// A field of this type can hold the column `Name` of PostgreSQL type `Pg` whose nullability is
/// `Null`.
#[diagnostic::on_unimplemented(
    message = "a field of type `{Self}` cannot hold the column `{Name}` (PostgreSQL `{Pg}`, {Null})",
    label = "the column `{Name}` is `{Pg}` ({Null}) but the target's field is `{Self}`",
    note = "a nullable column needs an `Option<_>` field; write `AS \"{Name}!\"` in the SQL only if \
            you know it is never NULL, or change the field's type"
)]
pub trait FitsColumn<Pg, Null, Name, Mode> {}

impl<T: DecodesPg<P, N>, P, N> FitsColumn<P, not_null, N, Typed> for T {}
impl<T: DecodesPg<P, N>, P, N> FitsColumn<P, nullable, N, Typed> for Option<T> {}
impl<T, P, N> FitsColumn<P, not_null, N, Untyped> for T {}
impl<T, P, N> FitsColumn<P, nullable, N, Untyped> for Option<T> {}

/// Rust types a value of the PostgreSQL type `M` decodes into (`Option<T>` too: a NOT NULL
/// column may be read into an `Option`). `Name` is the column, for the message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from the column `{Name}` of PostgreSQL type `{M}`",
    label = "the column `{Name}` is `{M}`, the target's field is `{Self}`",
    note = "change the field's type, cast the column in the SQL, or convert with \
            `#[quarry(try_from = \"...\")]`; an `ArrayWithNulls` column (an array whose \
            elements may be NULL) needs `Vec<Option<_>>`"
)]
pub trait DecodesPg<M, Name> {}

impl<T: DecodesPg<M, N>, M, N> DecodesPg<M, N> for Option<T> {}
impl<T: DecodesPg<M, N>, M, N> DecodesPg<pg::Array<M>, N> for Vec<T> {}
impl<T: DecodesPg<M, N>, M, N> DecodesPg<pg::Array<M>, N> for Box<[T]> {}
impl<T: DecodesPg<M, N>, M, N> DecodesPg<pg::ArrayWithNulls<M>, N> for Vec<Option<T>> {}
impl<T: DecodesPg<M, N>, M, N> DecodesPg<pg::ArrayWithNulls<M>, N> for Box<[Option<T>]> {}

#[cfg(feature = "json")]
impl<T, N> DecodesPg<pg::json, N> for crate::types::Json<T> {}
#[cfg(feature = "json")]
impl<T, N> DecodesPg<pg::jsonb, N> for crate::types::Json<T> {}

/// A field of the rows nested in a column (`array_agg(ROW(...))`, `array_agg(t)`,
/// `json_agg(json_build_object(...))`), as `query!` declares it for a `"col: Vec<Child>"`
/// column: the same as [`QueryColumn`], for the child's fields.
#[diagnostic::on_unimplemented(
    message = "the nested rows have no field `{Name}`, which a field of the child type reads",
    label = "no field `{Name}` in the `ROW(...)`, row type or `json_build_object(...)` of this column",
    note = "add it to the SQL (a `ROW(...)` field is named after the column it reads, `f1`, `f2`, ... \
            otherwise; a JSON field by its key), rename the child's field with \
            `#[quarry(rename = \"...\")]`, or mark it `#[quarry(default)]`"
)]
pub trait NestedField<const KEY: u64, Name> {
    /// The field's PostgreSQL type marker.
    type Pg;
    /// [`nullable`] or [`not_null`].
    type Null;
    /// [`Typed`] or [`Untyped`].
    type Mode;
}

/// Implemented by `#[derive(FromRecord)]`: every field of `Self` fits a field of the nested rows
/// `C` (the [`ColumnsIn`] check, for a child type).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be checked against the fields of the nested rows",
    note = "a `Vec<Child>` column needs a child with `#[derive(FromRecord)]` (and `serde::Deserialize` \
            for a JSON column): its fields are what the macro checks"
)]
pub trait FieldsIn<C> {}

/// A field of this type can hold the nested field `Name` of PostgreSQL type `Pg` whose
/// nullability is `Null`.
#[diagnostic::on_unimplemented(
    message = "a field of type `{Self}` cannot hold the nested field `{Name}` (PostgreSQL `{Pg}`, {Null})",
    label = "the nested field `{Name}` is `{Pg}` ({Null}) but the child's field is `{Self}`",
    note = "a nullable nested field (a nullable expression, or a column of an outer join's \
            nullable side) needs an `Option<_>` field; or change the field's type, or cast it in \
            the SQL"
)]
pub trait FitsField<Pg, Null, Name, Mode> {}

impl<C: FieldsIn<R>, R> FieldsIn<R> for Option<C> {}

impl<T: DecodesPg<P, N>, P, N> FitsField<P, not_null, N, Typed> for T {}
impl<T: DecodesPg<P, N>, P, N> FitsField<P, nullable, N, Typed> for Option<T> {}
impl<T, P, N> FitsField<P, not_null, N, Untyped> for T {}
impl<T, P, N> FitsField<P, nullable, N, Untyped> for Option<T> {}
impl<T: ReadsToJson<P, N>, P, N> FitsField<P, not_null, N, ToJson> for T {}
impl<T: ReadsToJson<P, N>, P, N> FitsField<P, nullable, N, ToJson> for Option<T> {}

/// The check `query!` emits (in dead code) for a `Vec<T>` column of nested rows `C`.
pub fn fields_in<T: FieldsIn<C> + ?Sized, C>() {}

/// The check `query_as!` emits (in dead code): every field of `T` fits a column of `C`.
pub fn columns_in<T: ColumnsIn<C> + ?Sized, C>() {}

/// The key `query_as!` and `#[derive(FromRecord)]` give a column name: 64-bit FNV-1a.
///
/// ```
/// assert_eq!(quarry_driver::query_macro::fields::column_key(""), 0xcbf2_9ce4_8422_2325);
/// ```
#[must_use]
pub const fn column_key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cols;
    struct IdName;
    impl<N> QueryColumn<{ column_key("id") }, N> for Cols {
        type Pg = pg::int4;
        type Null = not_null;
        type Mode = Typed;
        type Rows = NoRows;
    }
    impl<N> QueryColumn<{ column_key("email") }, N> for Cols {
        type Pg = pg::text;
        type Null = nullable;
        type Mode = Typed;
        type Rows = NoRows;
    }

    struct Row;
    impl<C> ColumnsIn<C> for Row
    where
        C: QueryColumn<{ column_key("id") }, IdName>,
        i32: FitsColumn<
                <C as QueryColumn<{ column_key("id") }, IdName>>::Pg,
                <C as QueryColumn<{ column_key("id") }, IdName>>::Null,
                IdName,
                <C as QueryColumn<{ column_key("id") }, IdName>>::Mode,
            >,
    {
    }

    fn fits<T: FitsColumn<P, Nl, (), Md>, P, Nl, Md>() {}

    #[test]
    fn fitting_fields_compile() {
        columns_in::<Row, Cols>();
        fits::<i32, pg::int4, not_null, Typed>();
        fits::<Option<i32>, pg::int4, not_null, Typed>();
        fits::<Option<i32>, pg::int4, nullable, Typed>();
        fits::<Vec<Option<String>>, pg::Array<pg::text>, not_null, Typed>();
        fits::<Vec<String>, pg::Array<pg::text>, not_null, Typed>();
        fits::<Vec<Option<String>>, pg::ArrayWithNulls<pg::text>, not_null, Typed>();
        fits::<Option<u8>, pg::int4, nullable, Untyped>();
        assert_eq!(column_key("a"), 0xaf63_dc4c_8601_ec8c);
    }

    struct Rows;
    struct Child;
    impl FieldsIn<Rows> for Child {}

    fn nested<T: FitsNested<R, Nl, (), F>, R, Nl, F>() {}

    #[test]
    fn nested_fields_take_the_rows_their_form_and_nulls_allow() {
        type Not = Nested<Rows, not_null, Composites>;
        type WithNulls = Nested<Rows, nullable, Composites>;
        nested::<Vec<Child>, Not, not_null, Composites>();
        nested::<Vec<Option<Child>>, Not, not_null, Composites>();
        nested::<Option<Vec<Child>>, Not, not_null, Composites>();
        nested::<Option<Vec<Child>>, Not, nullable, Composites>();
        nested::<Vec<Option<Child>>, WithNulls, not_null, Composites>();
        nested::<Vec<Child>, Nested<Rows, not_null, JsonObjects>, not_null, JsonObjects>();
    }
}
