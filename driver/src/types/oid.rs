//! OIDs and names of PostgreSQL's built-in types, and which of them Quarry decodes in binary.
//!
//! The values are fixed by PostgreSQL's catalog (`pg_type.dat`) and generated from it into
//! `builtin.rs` by `scripts/gen-types`; user types get their OIDs per database and are looked up by
//! name at run time.

use super::Oid;
use super::builtin::{BUILTINS, Builtin};

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

/// Whether Quarry asks for columns of this type in binary format (it has a binary decoder).
/// Everything else is received as text.
pub fn has_binary_codec(oid: Oid) -> bool {
    matches!(
        oid,
        BOOL | BYTEA
            | CHAR
            | NAME
            | INT8
            | INT2
            | INT4
            | TEXT
            | OID
            | FLOAT4
            | FLOAT8
            | UNKNOWN
            | BPCHAR
            | VARCHAR
            // network (macaddr and macaddr8 stay text: see types/network.rs), geometric, bits, ...
            | INET
            | CIDR
            | POINT
            | LSEG
            | PATH
            | BOX
            | POLYGON
            | LINE
            | CIRCLE
            | BIT
            | VARBIT
            | JSON
            | JSONB
            | TID
            | XID
            | CID
            | XID8
            | PG_LSN
            | VOID
            | RECORD
            | NUMERIC
    ) || (cfg!(feature = "uuid") && oid == UUID)
        || is_reg_type(oid)
        || (cfg!(feature = "chrono")
            && matches!(
                oid,
                DATE | TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ | INTERVAL
            ))
}

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
