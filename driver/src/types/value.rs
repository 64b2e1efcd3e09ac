//! `Value`: a column decoded without a static Rust type, for `Record::value` and `Record`'s Debug.

use std::fmt;

#[cfg(feature = "chrono")]
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::{BoxError, Decode, Format, Numeric, PgType, ValueRef, oid};
#[cfg(feature = "chrono")]
use super::{Infinite, Interval, TimeTz};

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
    /// `int2`, `int4`, `int8`, `oid` and the `reg*` types.
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
    /// `numeric`, exactly.
    Numeric(Numeric),
    /// `time`.
    #[cfg(feature = "chrono")]
    Time(NaiveTime),
    /// `timetz`.
    #[cfg(feature = "chrono")]
    TimeTz(TimeTz),
    /// `timestamp`.
    #[cfg(feature = "chrono")]
    Timestamp(NaiveDateTime),
    /// `timestamptz`, in UTC.
    #[cfg(feature = "chrono")]
    TimestampTz(DateTime<Utc>),
    /// `interval`.
    #[cfg(feature = "chrono")]
    Interval(Interval),
    /// `infinity` or `-infinity` of a `date`, `timestamp` or `timestamptz`.
    #[cfg(feature = "chrono")]
    Infinity {
        /// True for `-infinity`.
        negative: bool,
    },
}

/// A date or timestamp value, or [`Value::Infinity`].
#[cfg(feature = "chrono")]
fn infinite<T>(v: Infinite<T>, finite: impl FnOnce(T) -> Value) -> Value {
    match v {
        Infinite::Value(v) => finite(v),
        Infinite::NegInfinity => Value::Infinity { negative: true },
        Infinite::Infinity => Value::Infinity { negative: false },
    }
}

impl<'r> Decode<'r> for Value {
    fn accepts(_ty: &PgType, _format: Format) -> bool {
        true
    }

    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let Some(raw) = value.bytes() else {
            return Ok(Value::Null);
        };
        if value.format() == Format::Text {
            return String::decode(value).map(Value::Text);
        }
        Ok(match value.ty().oid() {
            oid::BOOL => Value::Bool(bool::decode(value)?),
            oid::INT2 | oid::INT4 | oid::INT8 => Value::Int(i64::decode(value)?),
            oid::FLOAT4 | oid::FLOAT8 => Value::Float(f64::decode(value)?),
            oid::BYTEA => Value::Bytes(Vec::decode(value)?),
            #[cfg(feature = "chrono")]
            oid::DATE => infinite(Infinite::<NaiveDate>::decode(value)?, Value::Date),
            #[cfg(feature = "chrono")]
            oid::TIMESTAMP => infinite(Infinite::<NaiveDateTime>::decode(value)?, Value::Timestamp),
            #[cfg(feature = "chrono")]
            oid::TIMESTAMPTZ => infinite(
                Infinite::<DateTime<Utc>>::decode(value)?,
                Value::TimestampTz,
            ),
            #[cfg(feature = "chrono")]
            oid::TIME => Value::Time(NaiveTime::decode(value)?),
            #[cfg(feature = "chrono")]
            oid::TIMETZ => Value::TimeTz(TimeTz::decode(value)?),
            #[cfg(feature = "chrono")]
            oid::INTERVAL => Value::Interval(Interval::decode(value)?),
            oid::NUMERIC => Value::Numeric(Numeric::decode(value)?),
            o if oid::is_reg_type(o) => Value::Int(i64::from(u32::decode(value)?)),
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
            Value::Numeric(n) => write!(f, "{n}"),
            #[cfg(feature = "chrono")]
            Value::Time(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            Value::TimeTz(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            Value::Timestamp(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            Value::TimestampTz(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            Value::Interval(i) => write!(f, "{i}"),
            #[cfg(feature = "chrono")]
            Value::Infinity { negative } => {
                f.write_str(if *negative { "-infinity" } else { "infinity" })
            }
        }
    }
}
