//! OIDs and names of PostgreSQL's built-in types, and which of them Quarry decodes in binary.
//!
//! The values are fixed by PostgreSQL's catalog (`pg_type.dat`) and generated from it into
//! `builtin.rs` by `scripts/gen-types`; user types get their OIDs per database and are looked up by
//! name at run time.

use super::Oid;
use super::builtin::{BUILTINS, Builtin};
use super::table::builtin_types;

// Every built-in type's OID, generated from the catalog (`INT4`, `INT4_ARRAY`, `INT4RANGE`, ...).
// A constant written out here would shadow the generated one of the same name.
pub use super::builtin::oids::*;

/// The name of a built-in type, or `None` for OIDs this table does not know (user types).
///
/// ```
/// assert_eq!(quarry_driver::types::oid::type_name(23), Some("int4"));
/// assert_eq!(quarry_driver::types::oid::type_name(1007), Some("_int4"));
/// ```
pub fn type_name(oid: Oid) -> Option<&'static str> {
    builtin(oid).map(|b| b.name)
}

/// The `pg_type.typcategory` of a built-in type (`'N'` numeric, `'S'` string, `'A'` array, ...).
///
/// ```
/// assert_eq!(quarry_driver::types::oid::category(23), Some('N'));
/// ```
pub fn category(oid: Oid) -> Option<char> {
    builtin(oid).map(|b| char::from(b.category))
}

/// The generated entry of a built-in type.
pub(crate) fn builtin(oid: Oid) -> Option<&'static Builtin> {
    BUILTINS
        .binary_search_by_key(&oid, |b| b.oid)
        .ok()
        .and_then(|i| BUILTINS.get(i))
}

/// The [`has_binary_codec`] view of the table of built-in types.
macro_rules! binary_codecs {
    ($({
        $name:ident $oid:ident [#[$cfg:meta] $wire:ident]
        $rust:tt $reads:tt $dec:tt $send:tt $value:tt
    })*) => {
        /// Whether Quarry asks for columns of this built-in type in binary format (it has a
        /// binary decoder); everything else is received as text.
        ///
        /// ```
        /// use quarry_driver::types::oid;
        /// assert!(oid::has_binary_codec(oid::INT4));
        /// assert!(!oid::has_binary_codec(oid::MONEY)); // received as text
        /// ```
        pub fn has_binary_codec(oid: Oid) -> bool {
            match oid {
                $(#[$cfg] $crate::types::oid::$oid => $crate::types::table::is_binary!($wire),)*
                _ => false,
            }
        }
    };
}

builtin_types!(binary_codecs);

/// Whether the type is `oid` or one of the `reg*` aliases of it (`regclass`, `regtype`, ...): all
/// are a `u32` on the wire.
pub fn is_reg_type(oid: Oid) -> bool {
    matches!(
        oid,
        OID | REGPROC
            | REGPROCEDURE
            | REGOPER
            | REGOPERATOR
            | REGCLASS
            | REGTYPE
            | REGCONFIG
            | REGDICTIONARY
            | REGNAMESPACE
            | REGROLE
            | REGCOLLATION
    )
}

/// Whether values of this type are text in their binary form too (`text`, `varchar`, ...).
pub(crate) fn is_text_like(oid: Oid) -> bool {
    matches!(oid, TEXT | VARCHAR | BPCHAR | NAME | UNKNOWN)
}
