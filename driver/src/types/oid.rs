//! OIDs and names of PostgreSQL's built-in types, and which of them Quarry decodes in binary.
//!
//! The values are fixed by PostgreSQL's catalog (`pg_type.dat`); user types get their OIDs per
//! database and are looked up by name at run time.

use super::Oid;

/// `bool`
pub const BOOL: Oid = 16;
/// `bytea`
pub const BYTEA: Oid = 17;
/// `"char"` (one byte)
pub const CHAR: Oid = 18;
/// `name`
pub const NAME: Oid = 19;
/// `int8` / `bigint`
pub const INT8: Oid = 20;
/// `int2` / `smallint`
pub const INT2: Oid = 21;
/// `int4` / `integer`
pub const INT4: Oid = 23;
/// `text`
pub const TEXT: Oid = 25;
/// `oid`
pub const OID: Oid = 26;
/// `regproc`
pub const REGPROC: Oid = 24;
/// `regprocedure`
pub const REGPROCEDURE: Oid = 2202;
/// `regoper`
pub const REGOPER: Oid = 2203;
/// `regoperator`
pub const REGOPERATOR: Oid = 2204;
/// `regclass`
pub const REGCLASS: Oid = 2205;
/// `regtype`
pub const REGTYPE: Oid = 2206;
/// `regconfig`
pub const REGCONFIG: Oid = 3734;
/// `regdictionary`
pub const REGDICTIONARY: Oid = 3769;
/// `regnamespace`
pub const REGNAMESPACE: Oid = 4089;
/// `regrole`
pub const REGROLE: Oid = 4096;
/// `regcollation`
pub const REGCOLLATION: Oid = 4191;
/// `json`
pub const JSON: Oid = 114;
/// `xml`
pub const XML: Oid = 142;
/// `float4` / `real`
pub const FLOAT4: Oid = 700;
/// `float8` / `double precision`
pub const FLOAT8: Oid = 701;
/// `money`
pub const MONEY: Oid = 790;
/// `unknown` (an untyped literal)
pub const UNKNOWN: Oid = 705;
/// `bpchar` / `character(n)`
pub const BPCHAR: Oid = 1042;
/// `varchar` / `character varying`
pub const VARCHAR: Oid = 1043;
/// `date`
pub const DATE: Oid = 1082;
/// `time`
pub const TIME: Oid = 1083;
/// `timestamp`
pub const TIMESTAMP: Oid = 1114;
/// `timestamptz`
pub const TIMESTAMPTZ: Oid = 1184;
/// `interval`
pub const INTERVAL: Oid = 1186;
/// `timetz` / `time with time zone`
pub const TIMETZ: Oid = 1266;
/// `numeric`
pub const NUMERIC: Oid = 1700;
/// `void`
pub const VOID: Oid = 2278;
/// `uuid`
pub const UUID: Oid = 2950;
/// `jsonb`
pub const JSONB: Oid = 3802;

/// Built-in types by OID, for error messages and `Record`'s Debug.
pub(super) const NAMES: &[(Oid, &str)] = &[
    (BOOL, "bool"),
    (BYTEA, "bytea"),
    (CHAR, "char"),
    (NAME, "name"),
    (INT8, "int8"),
    (INT2, "int2"),
    (INT4, "int4"),
    (TEXT, "text"),
    (OID, "oid"),
    (REGPROC, "regproc"),
    (REGPROCEDURE, "regprocedure"),
    (REGOPER, "regoper"),
    (REGOPERATOR, "regoperator"),
    (REGCLASS, "regclass"),
    (REGTYPE, "regtype"),
    (REGCONFIG, "regconfig"),
    (REGDICTIONARY, "regdictionary"),
    (REGNAMESPACE, "regnamespace"),
    (REGROLE, "regrole"),
    (REGCOLLATION, "regcollation"),
    (MONEY, "money"),
    (TIMETZ, "timetz"),
    (JSON, "json"),
    (XML, "xml"),
    (FLOAT4, "float4"),
    (FLOAT8, "float8"),
    (UNKNOWN, "unknown"),
    (BPCHAR, "bpchar"),
    (VARCHAR, "varchar"),
    (DATE, "date"),
    (TIME, "time"),
    (TIMESTAMP, "timestamp"),
    (TIMESTAMPTZ, "timestamptz"),
    (INTERVAL, "interval"),
    (NUMERIC, "numeric"),
    (VOID, "void"),
    (UUID, "uuid"),
    (JSONB, "jsonb"),
];

/// The name of a built-in type, or `None` for OIDs this table does not know (user types).
///
/// ```
/// assert_eq!(quarry_driver::types::oid::type_name(23), Some("int4"));
/// ```
pub fn type_name(oid: Oid) -> Option<&'static str> {
    NAMES.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n)
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
            | NUMERIC
    ) || is_reg_type(oid)
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
