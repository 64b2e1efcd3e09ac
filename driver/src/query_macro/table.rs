//! The one table of Rust types the `query!` macros check statically against built-in
//! PostgreSQL types: which [`pg`] markers each Rust type is decoded from (columns, `query_as!`
//! fields: [`DecodesPg`]) and sent as (parameters: [`AcceptsPg`], [`AcceptsPgNotNull`]).
//!
//! A row `T => [a, b] sends [c];` says `T` is decoded from and sent as `a` and `b`, and is also
//! sent as `c` (widening, or an encoding that has no exact decoding); `sends T => [..]` and
//! `decodes T => [..]` rows go one way only (unsized borrowed forms, owned forms without an
//! `Encode`). Generic impls (arrays, `Option`, references, `Json<T>`) live with their traits.

use std::borrow::Cow;

use super::check::{AcceptsPg, AcceptsPgNotNull, pg};
use super::fields::DecodesPg;

macro_rules! table {
    () => {};
    (sends $ty:ty => [$($m:ident),*]; $($rest:tt)*) => {
        $(
            impl AcceptsPg<pg::$m> for $ty {}
            impl AcceptsPgNotNull<pg::$m> for $ty {}
        )*
        table! { $($rest)* }
    };
    (decodes $ty:ty => [$($m:ident),*]; $($rest:tt)*) => {
        $( impl<N> DecodesPg<pg::$m, N> for $ty {} )*
        table! { $($rest)* }
    };
    ($ty:ty => [$($m:ident),*] $(sends [$($s:ident),*])?; $($rest:tt)*) => {
        table! { sends $ty => [$($m),* $($(, $s)*)?]; }
        table! { decodes $ty => [$($m),*]; }
        table! { $($rest)* }
    };
}

table! {
    bool => [bool];
    i16 => [int2] sends [int4, int8, float8, numeric];
    i32 => [int4] sends [int8, float8, numeric];
    i64 => [int8] sends [numeric];
    f32 => [float4] sends [float8];
    f64 => [float8];
    u32 => [oid];
    String => [text, varchar, bpchar, name, xml, citext, json, jsonb];
    sends str => [text, varchar, bpchar, name, xml, citext, json, jsonb];
    sends Cow<'_, str> => [text, varchar, bpchar, name, xml, citext, json, jsonb];
    decodes Cow<'static, str> => [text, varchar, bpchar, name, xml, citext];
    decodes Box<str> => [text, varchar, bpchar, name, xml, citext];
    Vec<u8> => [bytea];
    sends [u8] => [bytea];
    bytes::Bytes => [bytea];
    std::net::IpAddr => [inet] sends [cidr];
    crate::types::IpNetwork => [inet, cidr];
    crate::types::MacAddr => [macaddr];
    crate::types::MacAddr8 => [macaddr8];
    crate::types::Money => [money];
    crate::types::Numeric => [numeric];
}

#[cfg(feature = "chrono")]
table! {
    chrono::NaiveDate => [date];
    chrono::NaiveTime => [time];
    chrono::NaiveDateTime => [timestamp];
    chrono::DateTime<chrono::Utc> => [timestamptz];
    chrono::DateTime<chrono::FixedOffset> => [timestamptz];
    chrono::DateTime<chrono::Local> => [timestamptz];
    crate::types::Interval => [interval];
    crate::types::TimeTz => [timetz];
}

#[cfg(feature = "uuid")]
table! { uuid::Uuid => [uuid]; }

#[cfg(feature = "rust_decimal")]
table! { rust_decimal::Decimal => [numeric]; }

#[cfg(feature = "json")]
table! { serde_json::Value => [json, jsonb]; }

#[cfg(test)]
mod tests {
    use super::*;

    fn decodes<T: DecodesPg<M, ()> + ?Sized, M>() {}
    fn sends<T: AcceptsPg<M> + AcceptsPgNotNull<M> + ?Sized, M>() {}

    #[test]
    fn rows_go_the_ways_they_say() {
        decodes::<i32, pg::int4>();
        sends::<i32, pg::int4>();
        sends::<i32, pg::numeric>();
        sends::<str, pg::citext>();
        decodes::<Box<str>, pg::text>();
        sends::<std::net::IpAddr, pg::cidr>();
        decodes::<std::net::IpAddr, pg::inet>();
        sends::<[u8], pg::bytea>();
    }
}
