//! Which Rust types serde reads from what PostgreSQL's `to_json` makes of a value: the check of
//! the fields of nested JSON rows (`json_agg(t)`, `json_agg(json_build_object('k', v, ...))`).
//!
//! A JSON child is read by serde, not by the binary codecs, so the question is not "which Rust
//! type decodes a `timestamptz`" but "which Rust type serde reads from the JSON of one". In JSON
//! (PostgreSQL's `json_categorize_type`) `bool` is a boolean; `int2`, `int4`, `int8`, `float4`,
//! `float8` and `numeric` are numbers; arrays are arrays, composites objects, `json`/`jsonb` the
//! value itself; every other type is a string of its text output (dates and times in ISO 8601,
//! which chrono's serde reads; `bytea` as `\x...` hex, which no `Vec<u8>` reads; `oid` too).
//! Values no JSON number can hold (`NaN`, `Infinity` of floats and `numeric`, `infinity` of
//! dates) become strings: those are run-time errors naming the element, as any serde error.

use super::check::pg;
use crate::types::table::builtin_types;

/// Rust types serde reads from the JSON of a value of PostgreSQL type `M` (a [`pg`] marker), for
/// the nested field `Name` (for the message).
///
/// ```
/// use quarry_driver::query_macro::{check::pg, to_json::ReadsToJson};
/// fn reads<T: ReadsToJson<M, ()>, M>() {}
/// reads::<i64, pg::int8>();
/// reads::<String, pg::bytea>(); // "\\x0102": the hex text, not bytes
/// reads::<Vec<Option<i32>>, pg::ArrayWithNulls<pg::int4>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "serde cannot read `{Self}` from the JSON of the nested field `{Name}` (PostgreSQL `{M}`)",
    label = "in JSON the field `{Name}` is what `to_json` makes of a `{M}`, which serde does not read as `{Self}`",
    note = "in JSON rows a value is a number for `int2`/`int4`/`int8`/`float4`/`float8`/`numeric` \
            (read as `i16`/`i32`/`i64`/`f32`/`f64`; `numeric` only as `f64`: cast it to text in \
            the SQL and read a `String` to keep every digit), a boolean for `bool`, an array for \
            arrays, and a string for every other type: read dates and times as chrono types, \
            `uuid` as `uuid::Uuid`, `bytea` (`\\x...` hex), `oid` and the rest as `String`; any \
            value as `serde_json::Value`"
)]
pub trait ReadsToJson<M, Name> {}

impl<T: ReadsToJson<M, N>, M, N> ReadsToJson<M, N> for Option<T> {}
impl<T: ReadsToJson<M, N>, M, N> ReadsToJson<pg::Array<M>, N> for Vec<T> {}
impl<T: ReadsToJson<M, N>, M, N> ReadsToJson<pg::ArrayWithNulls<M>, N> for Vec<Option<T>> {}
#[cfg(feature = "json")]
impl<M, N> ReadsToJson<M, N> for serde_json::Value {}

impl<N> ReadsToJson<pg::bool, N> for bool {}
impl<N> ReadsToJson<pg::int2, N> for i16 {}
impl<N> ReadsToJson<pg::int2, N> for i32 {}
impl<N> ReadsToJson<pg::int2, N> for i64 {}
impl<N> ReadsToJson<pg::int4, N> for i32 {}
impl<N> ReadsToJson<pg::int4, N> for i64 {}
impl<N> ReadsToJson<pg::int8, N> for i64 {}
impl<N> ReadsToJson<pg::float4, N> for f32 {}
impl<N> ReadsToJson<pg::float4, N> for f64 {}
impl<N> ReadsToJson<pg::float8, N> for f64 {}
// A JSON number is read through an `f64` (serde_json without `arbitrary_precision`): exact
// `numeric` digits need the text.
impl<N> ReadsToJson<pg::numeric, N> for f64 {}
impl<N> ReadsToJson<pg::citext, N> for String {}

#[cfg(feature = "chrono")]
mod chrono_types {
    use super::{ReadsToJson, pg};
    use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, Utc};

    impl<N> ReadsToJson<pg::date, N> for NaiveDate {}
    impl<N> ReadsToJson<pg::timestamp, N> for NaiveDateTime {}
    impl<N> ReadsToJson<pg::timestamptz, N> for DateTime<Utc> {}
    impl<N> ReadsToJson<pg::timestamptz, N> for DateTime<FixedOffset> {}
    impl<N> ReadsToJson<pg::timestamptz, N> for DateTime<Local> {}
    impl<N> ReadsToJson<pg::time, N> for NaiveTime {}
}

#[cfg(feature = "uuid")]
impl<N> ReadsToJson<pg::uuid, N> for uuid::Uuid {}

/// The table's view: `String` reads every type `to_json` writes as a string (all but numbers,
/// booleans and JSON itself).
macro_rules! strings {
    ($({ $name:ident $($rest:tt)* })*) => {
        $( string!($name); )*
    };
}

macro_rules! string {
    (bool) => {};
    (int2) => {};
    (int4) => {};
    (int8) => {};
    (float4) => {};
    (float8) => {};
    (numeric) => {};
    (json) => {};
    (jsonb) => {};
    ($name:ident) => {
        impl<N> ReadsToJson<pg::$name, N> for String {}
    };
}

builtin_types!(strings);

#[cfg(test)]
mod tests {
    use super::*;

    fn reads<T: ReadsToJson<M, ()>, M>() {}

    #[test]
    fn json_renderings_read_as_they_say() {
        reads::<bool, pg::bool>();
        reads::<f64, pg::numeric>();
        reads::<String, pg::bytea>();
        reads::<String, pg::oid>();
        reads::<String, pg::timestamptz>();
        reads::<String, pg::interval>();
        reads::<Option<String>, pg::text>();
        reads::<Vec<String>, pg::Array<pg::text>>();
        reads::<serde_json::Value, pg::Array<pg::int4>>();
        #[cfg(feature = "chrono")]
        reads::<chrono::DateTime<chrono::Utc>, pg::timestamptz>();
    }
}
