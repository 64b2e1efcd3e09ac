//! `Value`: a column decoded without a static Rust type, for `Record::value` and `Record`'s Debug.

use std::fmt;

#[cfg(feature = "chrono")]
use chrono::NaiveDate;

use super::{
    BitString, BoxError, Circle, Decode, Format, IpNetwork, Line, LineSegment, Path, PgLsn, PgType,
    Point, Polygon, Tid, ValueRef, Xid, Xid8, oid,
};

/// A column value decoded by its PostgreSQL type, for code that does not know the type statically.
///
/// ```
/// use quarry_driver::types::Value;
/// assert_eq!(Value::Int(1).to_string(), "1");
/// assert_eq!(Value::Text("Bob".into()).to_string(), "'Bob'");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int2`, `int4`, `int8`, `oid`.
    Int(i64),
    /// `float4`, `float8`.
    Float(f64),
    /// Text-like types, and any type received in text format (printed as PostgreSQL prints it).
    Text(String),
    /// `bytea`.
    Bytes(Vec<u8>),
    /// `date`.
    #[cfg(feature = "chrono")]
    Date(NaiveDate),
    /// `uuid`.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// `inet`, `cidr`.
    Network(IpNetwork),
    /// `point`.
    Point(Point),
    /// `line`.
    Line(Line),
    /// `lseg`.
    LineSegment(LineSegment),
    /// `box`.
    Box(super::Box),
    /// `path`.
    Path(Path),
    /// `polygon`.
    Polygon(Polygon),
    /// `circle`.
    Circle(Circle),
    /// `bit`, `varbit`.
    Bits(BitString),
    /// `tid`.
    Tid(Tid),
    /// `pg_lsn`.
    Lsn(PgLsn),
}

impl<'r> Decode<'r> for Value {
    fn accepts(_ty: &PgType, _format: Format) -> bool {
        true
    }

    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let Some(raw) = value.bytes() else {
            return Ok(Value::Null);
        };
        if value.ty().oid() == oid::VOID {
            return Ok(Value::Null);
        }
        if value.format() == Format::Text {
            return String::decode(value).map(Value::Text);
        }
        Ok(match value.ty().oid() {
            oid::BOOL => Value::Bool(bool::decode(value)?),
            oid::INT2 | oid::INT4 | oid::INT8 => Value::Int(i64::decode(value)?),
            oid::OID => Value::Int(i64::from(u32::decode(value)?)),
            oid::FLOAT4 | oid::FLOAT8 => Value::Float(f64::decode(value)?),
            oid::BYTEA => Value::Bytes(Vec::decode(value)?),
            #[cfg(feature = "chrono")]
            oid::DATE => Value::Date(NaiveDate::decode(value)?),
            #[cfg(feature = "uuid")]
            oid::UUID => Value::Uuid(uuid::Uuid::decode(value)?),
            oid::INET | oid::CIDR => Value::Network(IpNetwork::decode(value)?),
            oid::POINT => Value::Point(Point::decode(value)?),
            oid::LINE => Value::Line(Line::decode(value)?),
            oid::LSEG => Value::LineSegment(LineSegment::decode(value)?),
            oid::BOX => Value::Box(super::Box::decode(value)?),
            oid::PATH => Value::Path(Path::decode(value)?),
            oid::POLYGON => Value::Polygon(Polygon::decode(value)?),
            oid::CIRCLE => Value::Circle(Circle::decode(value)?),
            oid::BIT | oid::VARBIT => Value::Bits(BitString::decode(value)?),
            oid::TID => Value::Tid(Tid::decode(value)?),
            oid::XID => Value::Int(i64::from(Xid::decode(value)?.0)),
            oid::CID => Value::Int(i64::from(super::Cid::decode(value)?.0)),
            oid::XID8 => {
                let xid = Xid8::decode(value)?;
                i64::try_from(xid.0).map_or_else(|_| Value::Text(xid.to_string()), Value::Int)
            }
            oid::PG_LSN => Value::Lsn(PgLsn::decode(value)?),
            oid::CHAR => Value::Text(char::from(raw.first().copied().unwrap_or(0)).to_string()),
            _ => Value::Text(String::decode(value)?),
        })
    }
}

impl fmt::Display for Value {
    /// Prints the value the way asyncpg's Record repr does: strings quoted, NULL as `None`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("None"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => write!(f, "'{}'", s.replace('\'', "\\'")),
            Value::Bytes(bytes) => {
                f.write_str("b'")?;
                for byte in bytes {
                    if byte.is_ascii_graphic() && *byte != b'\'' && *byte != b'\\' {
                        write!(f, "{}", char::from(*byte))?;
                    } else {
                        write!(f, "\\x{byte:02x}")?;
                    }
                }
                f.write_str("'")
            }
            #[cfg(feature = "chrono")]
            Value::Date(d) => write!(f, "{d}"),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => write!(f, "{v}"),
            Value::Network(v) => write!(f, "{v}"),
            Value::Point(v) => write!(f, "{v}"),
            Value::Line(v) => write!(f, "{v}"),
            Value::LineSegment(v) => write!(f, "{v}"),
            Value::Box(v) => write!(f, "{v}"),
            Value::Path(v) => write!(f, "{v}"),
            Value::Polygon(v) => write!(f, "{v}"),
            Value::Circle(v) => write!(f, "{v}"),
            Value::Bits(v) => write!(f, "{v}"),
            Value::Tid(v) => write!(f, "{v}"),
            Value::Lsn(v) => write!(f, "{v}"),
        }
    }
}
