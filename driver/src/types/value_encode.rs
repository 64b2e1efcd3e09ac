//! `Encode` for [`Value`]: a dynamic value sent back as a parameter of the type the server asked
//! for, so a row read into `Value`s can be written again.
//!
//! Each variant is sent by the codec of the Rust value it holds; an integer narrows to the
//! parameter's type when it fits (an `int8` value into an `int2` parameter) and is refused when it
//! does not, before anything is sent. `Value::Text` goes to text-like types in binary and to types
//! without a binary codec in text, like a `String`.

use bytes::{BufMut, BytesMut};

use super::array::element_type;
use super::composite::{CompositeEncoder, composite_fields};
use super::multirange::encode_multirange;
use super::text_out::needs_text;
use super::{BoxError, Encode, Format, IsNull, PgType, Type, Value, oid};

/// A [`Value`] that cannot be sent as a parameter (or element, or field) of a type.
///
/// ```
/// use bytes::BytesMut;
/// use quarry_driver::types::{Encode, PgType, Value, oid};
/// let int2 = PgType::resolve(oid::INT2);
/// let err = Value::Int(70_000).encode(&int2, &mut BytesMut::new()).unwrap_err();
/// assert_eq!(err.to_string(), "70000 does not fit int2");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueEncodeError {
    /// The value is of the right family but out of the type's range (or not exact in it).
    #[error("{value} does not fit {pg_type}")]
    OutOfRange {
        /// The value, printed.
        value: String,
        /// The PostgreSQL type.
        pg_type: String,
    },
    /// The variant cannot be sent as that type at all.
    #[error("a {kind} cannot be sent as {pg_type}")]
    WrongFamily {
        /// The variant (`Value::Int`, ...).
        kind: &'static str,
        /// The PostgreSQL type.
        pg_type: String,
    },
}

/// Every `Value` may be an array element or a range bound; which values fit is checked per value.
impl Type for Value {
    fn accepts(_ty: &PgType) -> bool {
        true
    }
}

/// Calls `$f(inner)` for the variants whose inner Rust value has its own codec.
macro_rules! delegate {
    ($value:expr, |$v:ident| $body:expr, $otherwise:expr) => {
        match $value {
            Value::Bool($v) => $body,
            Value::Bytes($v) => $body,
            #[cfg(feature = "uuid")]
            Value::Uuid($v) => $body,
            Value::Network($v) => $body,
            Value::Point($v) => $body,
            Value::Line($v) => $body,
            Value::LineSegment($v) => $body,
            Value::Box($v) => $body,
            Value::Path($v) => $body,
            Value::Polygon($v) => $body,
            Value::Circle($v) => $body,
            Value::Bits($v) => $body,
            Value::Tid($v) => $body,
            Value::Lsn($v) => $body,
            Value::Numeric($v) => $body,
            Value::Xid8($v) => $body,
            Value::MacAddr($v) => $body,
            Value::MacAddr8($v) => $body,
            Value::Money($v) => $body,
            Value::Hstore($v) => $body,
            #[cfg(feature = "chrono")]
            Value::Date($v) => $body,
            #[cfg(feature = "chrono")]
            Value::Time($v) => $body,
            #[cfg(feature = "chrono")]
            Value::TimeTz($v) => $body,
            #[cfg(feature = "chrono")]
            Value::Timestamp($v) => $body,
            #[cfg(feature = "chrono")]
            Value::TimestampTz($v) => $body,
            #[cfg(feature = "chrono")]
            Value::Interval($v) => $body,
            _ => $otherwise,
        }
    };
}

impl Value {
    /// The variant's name, as error messages give the Rust value's kind.
    ///
    /// ```
    /// assert_eq!(quarry_driver::types::Value::Int(1).kind(), "Value::Int");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "Value::Null",
            Value::Bool(_) => "Value::Bool",
            Value::Int(_) => "Value::Int",
            Value::Char(_) => "Value::Char",
            Value::Xid8(_) => "Value::Xid8",
            Value::MacAddr(_) => "Value::MacAddr",
            Value::MacAddr8(_) => "Value::MacAddr8",
            Value::Money(_) => "Value::Money",
            Value::Hstore(_) => "Value::Hstore",
            Value::Void => "Value::Void",
            Value::Float(_) => "Value::Float",
            Value::Text(_) => "Value::Text",
            Value::Bytes(_) => "Value::Bytes",
            #[cfg(feature = "chrono")]
            Value::Date(_) => "Value::Date",
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => "Value::Uuid",
            Value::Network(_) => "Value::Network",
            Value::Point(_) => "Value::Point",
            Value::Line(_) => "Value::Line",
            Value::LineSegment(_) => "Value::LineSegment",
            Value::Box(_) => "Value::Box",
            Value::Path(_) => "Value::Path",
            Value::Polygon(_) => "Value::Polygon",
            Value::Circle(_) => "Value::Circle",
            Value::Bits(_) => "Value::Bits",
            Value::Tid(_) => "Value::Tid",
            Value::Lsn(_) => "Value::Lsn",
            Value::Array(_) => "Value::Array",
            Value::Range(_) => "Value::Range",
            Value::Multirange(_) => "Value::Multirange",
            Value::Record(_) => "Value::Record",
            Value::Custom(_) => "Value::Custom",
            Value::Numeric(_) => "Value::Numeric",
            #[cfg(feature = "chrono")]
            Value::Time(_) => "Value::Time",
            #[cfg(feature = "chrono")]
            Value::TimeTz(_) => "Value::TimeTz",
            #[cfg(feature = "chrono")]
            Value::Timestamp(_) => "Value::Timestamp",
            #[cfg(feature = "chrono")]
            Value::TimestampTz(_) => "Value::TimestampTz",
            #[cfg(feature = "chrono")]
            Value::Interval(_) => "Value::Interval",
        }
    }

    fn wrong_family(&self, ty: &PgType) -> BoxError {
        Box::new(ValueEncodeError::WrongFamily {
            kind: self.kind(),
            pg_type: ty.name().to_owned(),
        })
    }
}

impl Encode for Value {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        if !self.accepts(ty) {
            return Err(self.wrong_family(ty));
        }
        delegate!(self, |v| v.encode(ty, buf), {
            match self {
                Value::Null => Ok(IsNull::Yes),
                Value::Void => Ok(IsNull::No),
                Value::Int(i) => encode_int(*i, ty, buf),
                Value::Float(x) => encode_float(*x, ty, buf),
                Value::Char(c) => i8::from_ne_bytes([*c]).encode(ty, buf),
                Value::Text(s) => s.encode(ty, buf),
                Value::Array(array) => array.encode(ty, buf),
                Value::Range(range) => range.encode(ty, buf),
                Value::Multirange(ranges) => encode_multirange(ranges, ty, buf),
                Value::Record(fields) => encode_record(fields, ty, buf),
                Value::Custom(any) => {
                    let codec = custom_codec(any, ty).ok_or_else(|| self.wrong_family(ty))?;
                    codec.encode_any(any.as_any(), buf)?;
                    Ok(IsNull::No)
                }
                _ => Err(self.wrong_family(ty)),
            }
        })
    }

    fn accepts(&self, ty: &PgType) -> bool {
        delegate!(self, |v| v.accepts(ty), {
            let base = ty.base_oid();
            match self {
                Value::Null => true,
                Value::Void => base == oid::VOID,
                Value::Int(_) => is_integer_target(base),
                Value::Float(_) => matches!(base, oid::FLOAT4 | oid::FLOAT8),
                Value::Char(_) => base == oid::CHAR,
                Value::Text(s) => s.accepts(ty),
                Value::Array(array) => element_type(ty)
                    .is_some_and(|elem| array.elements.iter().all(|v| v.accepts(elem))),
                Value::Range(range) => {
                    super::range::subtype(ty).is_some_and(|sub| match &**range {
                        super::Range::Empty => true,
                        super::Range::NonEmpty { lower, upper } => {
                            bound_fits(lower, sub) && bound_fits(upper, sub)
                        }
                    })
                }
                Value::Multirange(ranges) => {
                    super::multirange::range_subtype(ty).is_some_and(|sub| {
                        ranges.iter().all(|r| match r {
                            super::Range::Empty => true,
                            super::Range::NonEmpty { lower, upper } => {
                                bound_fits(lower, sub) && bound_fits(upper, sub)
                            }
                        })
                    })
                }
                Value::Record(fields) => composite_fields(ty).is_some_and(|pg| {
                    pg.len() == fields.len()
                        && pg.iter().zip(fields).all(|(f, (_, v))| v.accepts(&f.ty))
                }),
                Value::Custom(any) => custom_codec(any, ty).is_some(),
                _ => false,
            }
        })
    }

    fn rust_type(&self) -> &'static str {
        self.kind()
    }

    fn format(&self, ty: &PgType) -> Format {
        match self {
            Value::Text(s) => s.format(ty),
            Value::Array(array) => array.format(ty),
            Value::Record(fields) if record_in_text(fields, ty) => Format::Text,
            Value::Custom(any) => {
                custom_codec(any, ty).map_or(Format::Binary, super::TypeCodec::format)
            }
            _ => Format::Binary,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

fn bound_fits(bound: &std::ops::Bound<Value>, sub: &PgType) -> bool {
    match bound {
        std::ops::Bound::Included(v) | std::ops::Bound::Excluded(v) => v.accepts(sub),
        std::ops::Bound::Unbounded => true,
    }
}

fn custom_codec<'t>(any: &super::AnyValue, ty: &'t PgType) -> Option<&'t super::TypeCodec> {
    ty.codec().filter(|c| c.handles_id(any.as_any().type_id()))
}

/// The types an integer can be sent as, when it fits.
fn is_integer_target(base: super::Oid) -> bool {
    matches!(
        base,
        oid::INT2
            | oid::INT4
            | oid::INT8
            | oid::NUMERIC
            | oid::FLOAT4
            | oid::FLOAT8
            | oid::XID
            | oid::CID
    ) || oid::is_reg_type(base)
}

fn out_of_range(value: impl ToString, ty: &PgType) -> BoxError {
    Box::new(ValueEncodeError::OutOfRange {
        value: value.to_string(),
        pg_type: ty.name().to_owned(),
    })
}

/// Writes an integer as the parameter's type: narrowed when it fits, exactly or not at all.
fn encode_int(i: i64, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
    let base = ty.base_oid();
    match base {
        oid::INT8 => buf.put_i64(i),
        oid::INT4 => buf.put_i32(i32::try_from(i).map_err(|_| out_of_range(i, ty))?),
        oid::INT2 => buf.put_i16(i16::try_from(i).map_err(|_| out_of_range(i, ty))?),
        oid::NUMERIC => return i.encode(ty, buf),
        // Integers up to 2^53 (2^24 for float4) are exact in a float; beyond, some are not.
        oid::FLOAT8 if i.unsigned_abs() <= 1 << 53 => buf.put_f64(i as f64),
        oid::FLOAT4 if i.unsigned_abs() <= 1 << 24 => buf.put_f32(i as f32),
        _ if base == oid::XID || base == oid::CID || oid::is_reg_type(base) => {
            buf.put_u32(u32::try_from(i).map_err(|_| out_of_range(i, ty))?);
        }
        _ => return Err(out_of_range(i, ty)),
    }
    Ok(IsNull::No)
}

/// Writes a float as `float8`, or as `float4` when it is exactly a `float4`.
fn encode_float(x: f64, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
    match ty.base_oid() {
        oid::FLOAT8 => buf.put_f64(x),
        #[allow(clippy::cast_possible_truncation)] // checked: the value must survive the trip
        oid::FLOAT4 if x.is_nan() || f64::from(x as f32) == x => buf.put_f32(x as f32),
        _ => return Err(out_of_range(x, ty)),
    }
    Ok(IsNull::No)
}

/// Whether a record goes in text format: a field's value can only go in text (see
/// [`CompositeEncoder::format_for`]).
fn record_in_text(fields: &[(Option<String>, Value)], ty: &PgType) -> bool {
    composite_fields(ty).is_some_and(|pg| {
        pg.iter()
            .zip(fields)
            .any(|(f, (_, v))| needs_text(v, &f.ty))
    })
}

fn encode_record(
    fields: &[(Option<String>, Value)],
    ty: &PgType,
    buf: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let format = if record_in_text(fields, ty) {
        Format::Text
    } else {
        Format::Binary
    };
    let pg = composite_fields(ty).unwrap_or_default();
    let mut encoder = CompositeEncoder::with_format(ty, format, buf)?;
    for (i, (name, value)) in fields.iter().enumerate() {
        let name = pg
            .get(i)
            .map(|f| f.name.as_str())
            .or(name.as_deref())
            .unwrap_or("?");
        encoder.field(name, value)?;
    }
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Array, Decode, Dimension, ValueRef};

    fn enc(v: &Value, oid: crate::types::Oid) -> Result<Vec<u8>, BoxError> {
        let ty = PgType::resolve(oid);
        let mut buf = BytesMut::new();
        v.encode(&ty, &mut buf)?;
        Ok(buf.to_vec())
    }

    #[test]
    fn integers_narrow_when_they_fit() {
        assert_eq!(enc(&Value::Int(7), oid::INT2).unwrap(), 7i16.to_be_bytes());
        assert_eq!(
            enc(&Value::Int(-7), oid::INT4).unwrap(),
            (-7i32).to_be_bytes()
        );
        assert_eq!(enc(&Value::Int(7), oid::OID).unwrap(), 7u32.to_be_bytes());
        let err = enc(&Value::Int(1 << 40), oid::INT4).unwrap_err();
        assert_eq!(err.to_string(), "1099511627776 does not fit int4");
        assert!(enc(&Value::Int(-1), oid::OID).is_err());
        assert!(enc(&Value::Int((1 << 53) + 1), oid::FLOAT8).is_err());
        assert!(enc(&Value::Float(0.1), oid::FLOAT4).is_err());
        assert!(enc(&Value::Float(0.5), oid::FLOAT4).is_ok());
    }

    #[test]
    fn wrong_family_is_refused() {
        let int4 = PgType::resolve(oid::INT4);
        assert!(!Value::Text("1".into()).accepts(&int4));
        assert!(!Value::Bool(true).accepts(&int4));
        let err = enc(&Value::Bool(true), oid::INT4).unwrap_err();
        assert_eq!(err.to_string(), "a Value::Bool cannot be sent as int4");
        assert!(Value::Null.accepts(&int4));
    }

    #[test]
    fn arrays_keep_lower_bounds() {
        let ty = PgType::resolve(oid::INT2_ARRAY);
        let array = Array::new(
            vec![Dimension {
                len: 2,
                lower_bound: -3,
            }],
            vec![Value::Int(1), Value::Null],
        )
        .unwrap();
        let value = Value::Array(array);
        let mut buf = BytesMut::new();
        value.encode(&ty, &mut buf).unwrap();
        let back = Value::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(back, value);
        assert!(
            !Value::Array(Array::from_vec(vec![Value::Int(1 << 20)])).accepts(&ty) || {
                let mut buf = BytesMut::new();
                Value::Array(Array::from_vec(vec![Value::Int(1 << 20)]))
                    .encode(&ty, &mut buf)
                    .is_err()
            }
        );
    }

    #[test]
    fn text_goes_in_text_format_to_types_without_a_binary_codec() {
        let jsonpath = PgType::resolve(oid::JSONPATH);
        let text = PgType::resolve(oid::TEXT);
        let v = Value::Text("$.a".into());
        assert!(v.accepts(&jsonpath));
        assert_eq!(v.format(&jsonpath), Format::Text);
        assert_eq!(v.format(&text), Format::Binary);
        assert!(!v.accepts(&PgType::resolve(oid::INT4)));
    }
}
