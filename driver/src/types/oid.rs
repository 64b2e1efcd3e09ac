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
/// `json`
pub const JSON: Oid = 114;
/// `xml`
pub const XML: Oid = 142;
/// `float4` / `real`
pub const FLOAT4: Oid = 700;
/// `float8` / `double precision`
pub const FLOAT8: Oid = 701;
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
/// `numeric`
pub const NUMERIC: Oid = 1700;
/// `void`
pub const VOID: Oid = 2278;
/// `uuid`
pub const UUID: Oid = 2950;
/// `jsonb`
pub const JSONB: Oid = 3802;

/// `tid` (a tuple's physical location)
pub const TID: Oid = 27;
/// `xid` (32-bit transaction id)
pub const XID: Oid = 28;
/// `cid` (command id)
pub const CID: Oid = 29;
/// `point`
pub const POINT: Oid = 600;
/// `lseg`
pub const LSEG: Oid = 601;
/// `path`
pub const PATH: Oid = 602;
/// `box`
pub const BOX: Oid = 603;
/// `polygon`
pub const POLYGON: Oid = 604;
/// `line`
pub const LINE: Oid = 628;
/// `cidr`
pub const CIDR: Oid = 650;
/// `circle`
pub const CIRCLE: Oid = 718;
/// `macaddr8`
pub const MACADDR8: Oid = 774;
/// `macaddr`
pub const MACADDR: Oid = 829;
/// `inet`
pub const INET: Oid = 869;
/// `bit(n)`
pub const BIT: Oid = 1560;
/// `varbit` / `bit varying`
pub const VARBIT: Oid = 1562;
/// `pg_lsn`
pub const PG_LSN: Oid = 3220;
/// `tsvector`
pub const TSVECTOR: Oid = 3614;
/// `tsquery`
pub const TSQUERY: Oid = 3615;
/// `xid8` (64-bit transaction id)
pub const XID8: Oid = 5069;

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
    (TID, "tid"),
    (XID, "xid"),
    (CID, "cid"),
    (POINT, "point"),
    (LSEG, "lseg"),
    (PATH, "path"),
    (BOX, "box"),
    (POLYGON, "polygon"),
    (LINE, "line"),
    (CIDR, "cidr"),
    (CIRCLE, "circle"),
    (MACADDR8, "macaddr8"),
    (MACADDR, "macaddr"),
    (INET, "inet"),
    (BIT, "bit"),
    (VARBIT, "varbit"),
    (PG_LSN, "pg_lsn"),
    (TSVECTOR, "tsvector"),
    (TSQUERY, "tsquery"),
    (XID8, "xid8"),
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
            | DATE
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
    ) || (cfg!(feature = "uuid") && oid == UUID)
}

/// Whether values of this type are text in their binary form too (`text`, `varchar`, ...).
pub(crate) fn is_text_like(oid: Oid) -> bool {
    matches!(oid, TEXT | VARCHAR | BPCHAR | NAME | UNKNOWN)
}
