//! The compile-time view of the table of built-in types (`types/table.rs`): for each row, its
//! marker's [`ColumnType`], [`marker_name`] by OID, the [`DecodesPg`] impls of every Rust type it
//! decodes into (columns, `query_as!` fields) and the [`AcceptsPg`] / [`AcceptsPgNotNull`] impls of
//! every Rust type sent as it (parameters).
//!
//! Generic impls (arrays, `Option`, references, `Json<T>`) live with their traits; `citext`, an
//! extension type, is written out below.

use super::check::{AcceptsPg, AcceptsPgNotNull, ColumnType, pg};
use super::fields::DecodesPg;
use crate::types::Oid;
use crate::types::table::builtin_types;

/// The view: one impl per row and Rust type, and the OID → marker lookup.
macro_rules! checks {
    ($({
        $name:ident $oid:ident $wire:tt
        [$({ $(#[$rust_cfg:meta])* $rust:ty })*]
        [$({ $(#[$reads_cfg:meta])* $reads:ty })*]
        [$({ $(#[$dec_cfg:meta])* $dec:ty })*]
        [$({ $(#[$send_cfg:meta])* $send:ty })*]
        $value:tt
    })*) => {
        $(
            $( $(#[$rust_cfg])* impl ColumnType for pg::$name { type Rust = $rust; } )*
            $( $(#[$reads_cfg])* impl ColumnType for pg::$name { type Rust = $reads; } )*
            $( $(#[$dec_cfg])* impl<N> DecodesPg<pg::$name, N> for $dec {} )*
            $(
                $(#[$send_cfg])* impl AcceptsPg<pg::$name> for $send {}
                $(#[$send_cfg])* impl AcceptsPgNotNull<pg::$name> for $send {}
            )*
        )*

        /// The marker of a row that has a Rust type, whether or not its codec is compiled in.
        pub(super) fn marker_name(oid: Oid) -> Option<&'static str> {
            match oid {
                $($crate::types::oid::$oid => has_rust!(
                    $name [$($rust)* $($reads)*]
                ),)*
                _ => None,
            }
        }
    };
}

/// `Some("name")` when the row lists a Rust type, else `None`.
macro_rules! has_rust {
    ($name:ident []) => {
        None
    };
    ($name:ident [$($ty:tt)+]) => {
        Some(stringify!($name))
    };
}

builtin_types!(checks);

// `citext` (extension): text.
impl<N> DecodesPg<pg::citext, N> for String {}
impl AcceptsPg<pg::citext> for String {}
impl AcceptsPgNotNull<pg::citext> for String {}
impl AcceptsPg<pg::citext> for str {}
impl AcceptsPgNotNull<pg::citext> for str {}
impl ColumnType for pg::citext {
    type Rust = String;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decodes<T: DecodesPg<M, ()> + ?Sized, M>() {}
    fn sends<T: AcceptsPg<M> + AcceptsPgNotNull<M> + ?Sized, M>() {}

    #[test]
    fn rows_go_the_ways_they_say() {
        decodes::<i32, pg::int4>();
        decodes::<i64, pg::int4>();
        sends::<i32, pg::int4>();
        sends::<i32, pg::numeric>();
        sends::<str, pg::citext>();
        sends::<std::net::IpAddr, pg::cidr>();
        decodes::<std::net::IpAddr, pg::inet>();
        sends::<[u8], pg::bytea>();
        decodes::<crate::types::Tid, pg::tid>();
        assert_eq!(marker_name(crate::types::oid::INT4), Some("int4"));
        assert_eq!(marker_name(crate::types::oid::RECORD), None);
        assert_eq!(marker_name(crate::types::oid::VOID), Some("void"));
    }
}
