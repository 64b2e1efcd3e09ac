//! `Value`: a column decoded without a static Rust type, for `Record::value` and `Record`'s Debug.

use std::fmt;

#[cfg(feature = "chrono")]
use chrono::NaiveDate;

use super::{AnyValue, BoxError, Decode, Format, PgType, ValueRef, oid};

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
    /// A value decoded by a custom codec registered for its type (`Connection::set_type_codec`).
    Custom(AnyValue),
}

impl<'r> Decode<'r> for Value {
    fn accepts(_ty: &PgType, _format: Format) -> bool {
        true
    }

    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        if let Some(codec) = value.ty().codec() {
            return codec.decode_value(value);
        }
        let Some(raw) = value.bytes() else {
            return Ok(Value::Null);
        };
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
            Value::Custom(v) => write!(f, "{v:?}"),
        }
    }
}
