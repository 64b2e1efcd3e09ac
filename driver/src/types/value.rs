//! `Value`: a column decoded without a static Rust type, for `Record::value` and `Record`'s Debug.
//!
//! Which built-in type becomes which variant is the table of built-in types' (`table.rs`): a
//! binary value is decoded into its row's `value` type (else its Rust type), which [`ToValue`]
//! turns into a `Value`.

use std::collections::BTreeMap;
use std::fmt;

#[cfg(feature = "chrono")]
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::array::{Array, Dimension};
use super::composite::CompositeDecoder;
use super::table::builtin_types;
use super::{
    AnyValue, BitString, BoxError, Circle, Decode, Format, IpNetwork, Kind, Line, LineSegment,
    MacAddr, MacAddr8, Money, Multirange, Numeric, Path, PgLsn, PgType, Point, Polygon, Range, Tid,
    ValueRef, Xid, Xid8, oid,
};
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
    /// `int2`, `int4`, `int8`, `oid`, the `reg*` types, `xid` and `cid`.
    Int(i64),
    /// `"char"`: its one byte.
    Char(u8),
    /// `xid8`, whatever its value.
    Xid8(Xid8),
    /// `macaddr`.
    MacAddr(MacAddr),
    /// `macaddr8`.
    MacAddr8(MacAddr8),
    /// `money`, in the currency's smallest unit.
    Money(Money),
    /// `hstore` (the extension type, matched by name).
    Hstore(BTreeMap<String, Option<String>>),
    /// The value of a `void` function.
    Void,
    /// `float4`, `float8`.
    Float(f64),
    /// Text-like types, enums, JSON, and any type Quarry has no codec for (as PostgreSQL prints
    /// it; sent back in text format).
    Text(String),
    /// `bytea`.
    Bytes(Vec<u8>),
    /// `date`, `infinity` and `-infinity` included.
    #[cfg(feature = "chrono")]
    Date(Infinite<NaiveDate>),
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
    /// An array: its dimensions with their lower bounds, and its elements in row-major order
    /// (NULL elements are [`Value::Null`]).
    Array(Array<Value>),
    /// A range.
    Range(Box<Range<Value>>),
    /// A multirange.
    Multirange(Vec<Range<Value>>),
    /// A composite or anonymous record: fields with their names (`None` for anonymous records).
    Record(Vec<(Option<String>, Value)>),
    /// A value decoded by a custom codec registered for its type (`Connection::set_type_codec`).
    Custom(AnyValue),
    /// `numeric`, exactly.
    Numeric(Numeric),
    /// `time`.
    #[cfg(feature = "chrono")]
    Time(NaiveTime),
    /// `timetz`.
    #[cfg(feature = "chrono")]
    TimeTz(TimeTz),
    /// `timestamp`, `infinity` and `-infinity` included.
    #[cfg(feature = "chrono")]
    Timestamp(Infinite<NaiveDateTime>),
    /// `timestamptz`, in UTC, `infinity` and `-infinity` included.
    #[cfg(feature = "chrono")]
    TimestampTz(Infinite<DateTime<Utc>>),
    /// `interval`.
    #[cfg(feature = "chrono")]
    Interval(Interval),
}

/// Prints row-major elements as nested lists along `dims` (`[[1, 2], [3, 4]]`).
fn fmt_nested<'a>(
    f: &mut fmt::Formatter<'_>,
    dims: &[Dimension],
    elements: &mut std::slice::Iter<'a, Value>,
) -> fmt::Result {
    f.write_str("[")?;
    match dims.split_first() {
        None => {}
        Some((d, [])) => fmt_list(f, elements.take(usize::try_from(d.len).unwrap_or(0)))?,
        Some((d, inner)) => {
            for i in 0..d.len.max(0) {
                if i > 0 {
                    f.write_str(", ")?;
                }
                fmt_nested(f, inner, elements)?;
            }
        }
    }
    f.write_str("]")
}

fn decode_container(value: ValueRef<'_>) -> Result<Option<Value>, BoxError> {
    let ty = value.ty();
    Ok(Some(match ty.kind() {
        Kind::Array(_) => Value::Array(Array::<Value>::decode(value)?),
        Kind::Range(_) => Value::Range(Box::new(Range::decode(value)?)),
        Kind::Multirange(_) => Value::Multirange(Multirange::decode(value)?.0),
        // A composite arrives in text when a field has no binary codec; its fields are read
        // from their text into the same variants as from a binary record.
        Kind::Composite(_) => record(value)?,
        _ if ty.base_oid() == oid::RECORD && value.format() == Format::Binary => record(value)?,
        // `record[]` is a pseudo-type in the catalog, an array of records on the wire.
        _ if ty.base_oid() == oid::RECORD_ARRAY && value.format() == Format::Binary => {
            Value::Array(Array::<Value>::decode(value)?)
        }
        _ => return Ok(None),
    }))
}

fn record(value: ValueRef<'_>) -> Result<Value, BoxError> {
    let mut dec = CompositeDecoder::new(value)?;
    // The count comes from the wire: every field takes at least 8 bytes (OID and length) in
    // binary and 1 in text, so never reserve more than the bytes allow.
    let per_field = if value.format() == Format::Binary {
        8
    } else {
        1
    };
    let most = value.bytes().map_or(0, |raw| raw.len() / per_field + 1);
    let mut fields = Vec::with_capacity(dec.remaining().min(most));
    while dec.remaining() > 0 {
        let name = dec.next_name().map(str::to_owned);
        let field = dec.field::<Value>(name.as_deref().unwrap_or("?"))?;
        fields.push((name, field));
    }
    Ok(Value::Record(fields))
}

fn fmt_bound(f: &mut fmt::Formatter<'_>, range: &Range<Value>) -> fmt::Result {
    use std::ops::Bound;
    match range {
        Range::Empty => f.write_str("empty"),
        Range::NonEmpty { lower, upper } => {
            match lower {
                Bound::Included(v) => write!(f, "[{v}, ")?,
                Bound::Excluded(v) => write!(f, "({v}, ")?,
                Bound::Unbounded => f.write_str("(, ")?,
            }
            match upper {
                Bound::Included(v) => write!(f, "{v}]"),
                Bound::Excluded(v) => write!(f, "{v})"),
                Bound::Unbounded => f.write_str(")"),
            }
        }
    }
}

fn fmt_list(
    f: &mut fmt::Formatter<'_>,
    items: impl IntoIterator<Item = impl fmt::Display>,
) -> fmt::Result {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// How a Rust value the table of built-in types decodes becomes a [`Value`].
trait ToValue {
    fn to_value(self) -> Value;
}

/// `ToValue` impls that wrap the value in a variant, converting it first.
macro_rules! to_value {
    (@convert $e:expr) => {
        $e
    };
    (@convert $e:expr, $via:ty) => {
        <$via>::from($e)
    };
    ($($ty:ty => $variant:ident $(via $via:ty)?),* $(,)?) => {
        $(
            impl ToValue for $ty {
                fn to_value(self) -> Value {
                    Value::$variant(to_value!(@convert self $(, $via)?))
                }
            }
        )*
    };
}

to_value!(
    bool => Bool,
    i16 => Int via i64,
    i32 => Int via i64,
    i64 => Int,
    u32 => Int via i64,
    f32 => Float via f64,
    f64 => Float,
    String => Text,
    Vec<u8> => Bytes,
    IpNetwork => Network,
    Point => Point,
    Line => Line,
    LineSegment => LineSegment,
    super::Box => Box,
    Path => Path,
    Polygon => Polygon,
    Circle => Circle,
    BitString => Bits,
    Tid => Tid,
    PgLsn => Lsn,
    Numeric => Numeric,
    Xid8 => Xid8,
    MacAddr => MacAddr,
    MacAddr8 => MacAddr8,
    Money => Money,
);
#[cfg(feature = "uuid")]
to_value!(uuid::Uuid => Uuid);
#[cfg(feature = "chrono")]
to_value!(
    NaiveTime => Time,
    TimeTz => TimeTz,
    Interval => Interval,
    Infinite<NaiveDate> => Date,
    Infinite<NaiveDateTime> => Timestamp,
    Infinite<DateTime<Utc>> => TimestampTz,
);

impl ToValue for i8 {
    /// `"char"`: its one byte.
    fn to_value(self) -> Value {
        Value::Char(self.to_ne_bytes()[0])
    }
}

impl ToValue for Xid {
    fn to_value(self) -> Value {
        Value::Int(i64::from(self.0))
    }
}

impl ToValue for super::Cid {
    fn to_value(self) -> Value {
        Value::Int(i64::from(self.0))
    }
}

impl ToValue for () {
    fn to_value(self) -> Value {
        Value::Void
    }
}

/// The [`Value`] view of the table of built-in types: a binary value of a row becomes its
/// `value` type's (else its Rust type's) `Value`.
macro_rules! values {
    ($({
        $name:ident $oid:ident [#[$cfg:meta] $wire:ident]
        [$({ $(#[$rust_cfg:meta])* $rust:ty })*] $reads:tt $dec:tt $send:tt
        [$({ #[$value_cfg:meta] $value:ty })*]
    })*) => {
        /// The `Value` of a value of a built-in type (in binary, or in text for a text row), or
        /// `None` for types the table gives no Rust type.
        #[inline]
        fn builtin_value(value: ValueRef<'_>) -> Result<Option<Value>, BoxError> {
            let base = value.ty().base_oid();
            $(value_arm!(
                $wire, base, value, $oid,
                [$({ #[$value_cfg] $value })*], [$({ $(#[$rust_cfg])* $rust })*]
            );)*
            Ok(None)
        }
    };
}

/// One row's test in [`builtin_value`]; a text row's Rust type decodes its text form.
macro_rules! value_arm {
    ($wire:ident, $base:ident, $value:ident, $row:ident, [{ #[$cfg:meta] $ty:ty }], $rust:tt) => {
        #[$cfg]
        {
            if $base == oid::$row {
                return Ok(Some(<$ty as Decode<'_>>::decode($value)?.to_value()));
            }
        }
    };
    ($wire:ident, $base:ident, $value:ident, $row:ident, [], [$({ $(#[$cfg:meta])* $ty:ty })*]) => {
        $(
            $(#[$cfg])*
            {
                if $base == oid::$row {
                    return Ok(Some(<$ty as Decode<'_>>::decode($value)?.to_value()));
                }
            }
        )*
    };
}

builtin_types!(values);

/// The `Value` of a binary `bool`, `int2`, `int4`, `int8`, `float4` or `float8` of the right
/// length, or of valid UTF-8 `text` or `varchar`, without the codec's error path: the most
/// common columns, decoded as [`builtin_value`] would (a unit test holds the two together).
/// `None` for anything else.
#[inline]
fn fixed_size(oid: super::Oid, raw: &[u8]) -> Option<Value> {
    Some(match (oid, raw.len()) {
        (oid::TEXT | oid::VARCHAR, _) => Value::Text(std::str::from_utf8(raw).ok()?.to_owned()),
        (oid::BOOL, 1) => Value::Bool(raw.first().is_some_and(|b| *b != 0)),
        (oid::INT2, 2) => Value::Int(i64::from(i16::from_be_bytes(raw.try_into().ok()?))),
        (oid::INT4, 4) => Value::Int(i64::from(i32::from_be_bytes(raw.try_into().ok()?))),
        (oid::INT8, 8) => Value::Int(i64::from_be_bytes(raw.try_into().ok()?)),
        (oid::FLOAT4, 4) => Value::Float(f64::from(f32::from_be_bytes(raw.try_into().ok()?))),
        (oid::FLOAT8, 8) => Value::Float(f64::from_be_bytes(raw.try_into().ok()?)),
        _ => return None,
    })
}

impl<'r> Decode<'r> for Value {
    fn accepts(_ty: &PgType, _format: Format) -> bool {
        true
    }
    super::decode_copy_owned!();

    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let ty = value.ty();
        if let Some(codec) = ty.codec() {
            return codec.decode_value(value);
        }
        let Some(raw) = value.bytes() else {
            return Ok(Value::Null);
        };
        match ty.kind() {
            // The common case first: a built-in scalar in binary.
            Kind::Base if value.format() == Format::Binary => {
                if let Some(fixed) = fixed_size(ty.oid(), raw) {
                    return Ok(fixed);
                }
                if let Some(builtin) = builtin_value(value)? {
                    return Ok(builtin);
                }
            }
            // A domain's values are its base type's.
            Kind::Domain(_) => return Value::decode(value.with_ty(ty.base())),
            _ => {}
        }
        if let Some(container) = decode_container(value)? {
            return Ok(container);
        }
        if super::hstore::is_hstore(ty) {
            return BTreeMap::decode(value).map(Value::Hstore);
        }
        // Text rows of the table (money, ...) arrive in text and decode from it, and so do the
        // fields of a composite received in text: the variant depends on the type only. A `reg*`
        // value in text is a name, not its OID, so it stays text.
        if (value.format() == Format::Binary || !oid::is_reg_type(ty.base_oid()))
            && let Some(builtin) = builtin_value(value)?
        {
            return Ok(builtin);
        }
        if value.format() == Format::Text
            || ty.has_binary_codec()
            || oid::is_text_like(ty.base_oid())
            || super::text::is_citext(ty)
        {
            return String::decode(value).map(Value::Text);
        }
        // A record field Quarry wrote in binary from its text (a `jsonpath`, ...), read back to
        // render the record as text.
        if let Some(text) = super::composite::text_from_binary(ty, raw) {
            return text.map(Value::Text);
        }
        // A record field of a type Quarry has no binary decoder for.
        Ok(Value::Bytes(raw.to_vec()))
    }
}

impl fmt::Display for Value {
    /// Prints the value the way asyncpg's Record repr does: strings quoted, NULL as `None`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("None"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Char(c) => write!(f, "'{}'", char::from(*c).escape_default()),
            Value::Xid8(v) => write!(f, "{v}"),
            Value::MacAddr(v) => write!(f, "{v}"),
            Value::MacAddr8(v) => write!(f, "{v}"),
            Value::Money(v) => write!(f, "{v}"),
            Value::Hstore(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match v {
                        Some(v) => {
                            write!(f, "{}: {}", Value::Text(k.clone()), Value::Text(v.clone()))?
                        }
                        None => write!(f, "{}: None", Value::Text(k.clone()))?,
                    }
                }
                f.write_str("}")
            }
            Value::Void => f.write_str("None"),
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
            Value::Array(array) => fmt_nested(f, &array.dims, &mut array.elements.iter()),
            Value::Range(range) => {
                f.write_str("<Range ")?;
                fmt_bound(f, range)?;
                f.write_str(">")
            }
            Value::Multirange(ranges) => {
                f.write_str("[")?;
                for (i, range) in ranges.iter().enumerate() {
                    f.write_str(if i > 0 { ", <Range " } else { "<Range " })?;
                    fmt_bound(f, range)?;
                    f.write_str(">")?;
                }
                f.write_str("]")
            }
            Value::Record(fields)
                if fields.iter().all(|(name, _)| name.is_some()) && !fields.is_empty() =>
            {
                f.write_str("<Record")?;
                for (name, value) in fields {
                    write!(f, " {}={value}", name.as_deref().unwrap_or_default())?;
                }
                f.write_str(">")
            }
            Value::Record(fields) => {
                f.write_str("(")?;
                fmt_list(f, fields.iter().map(|(_, v)| v))?;
                f.write_str(if fields.len() == 1 { ",)" } else { ")" })
            }
            Value::Custom(v) => write!(f, "{v:?}"),
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
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::{BufMut, BytesMut};

    use super::*;
    use crate::types::{Encode, MAX_NESTING};

    /// An anonymous record of one field, an anonymous record, and so on `depth` levels down to
    /// a bool.
    fn nested_records(depth: usize) -> Vec<u8> {
        let mut value = vec![1u8];
        let mut value_oid = oid::BOOL;
        for _ in 0..depth {
            let mut record = BytesMut::new();
            record.put_i32(1);
            record.put_u32(value_oid);
            record.put_i32(i32::try_from(value.len()).unwrap());
            record.put_slice(&value);
            value = record.to_vec();
            value_oid = oid::RECORD;
        }
        value
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // Found by the decode_value fuzz target: records nest as deep as the bytes allow (12
        // bytes a level), and decoding recursed until the stack overflowed.
        let ty = PgType::resolve(oid::RECORD);
        let limit = usize::from(MAX_NESTING);
        let shallow = nested_records(limit);
        let v = Value::decode(ValueRef::new(Some(&shallow), Format::Binary, &ty)).unwrap();
        assert!(v.to_string().starts_with("((((("));
        for depth in [limit + 1, 20_000] {
            let deep = nested_records(depth);
            let Err(err) = Value::decode(ValueRef::new(Some(&deep), Format::Binary, &ty)) else {
                panic!("a record nested {depth} levels deep decoded");
            };
            assert!(format!("{err:?}").contains("TooDeep"), "{err}");
        }
    }

    #[test]
    fn the_fixed_size_shortcut_agrees_with_the_table() {
        let cases: [(u32, &[u8]); 10] = [
            (oid::TEXT, "ünï".as_bytes()),
            (oid::VARCHAR, b""),
            (oid::BOOL, &[1]),
            (oid::BOOL, &[0]),
            (oid::INT2, &[0x80, 0]),
            (oid::INT4, &[0xff, 0xff, 0xff, 0xfe]),
            (oid::INT8, &[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (oid::FLOAT4, &[0x7f, 0xc0, 0, 0]),
            (oid::FLOAT8, &[0xbf, 0xf8, 0, 0, 0, 0, 0, 0]),
            (oid::FLOAT8, &[0x80, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (oid, raw) in cases {
            let ty = PgType::resolve(oid);
            let value = ValueRef::new(Some(raw), Format::Binary, &ty);
            let table = builtin_value(value).unwrap().unwrap();
            let fixed = fixed_size(oid, raw).unwrap();
            // NaN is not equal to itself: compare the printed forms.
            assert_eq!(format!("{fixed:?}"), format!("{table:?}"), "{ty}");
        }
        assert!(fixed_size(oid::INT4, &[1, 2]).is_none());
        assert!(fixed_size(oid::TEXT, &[0xff]).is_none());
        assert!(fixed_size(oid::BYTEA, b"abcd").is_none());
    }

    #[test]
    fn containers_print_like_asyncpg() {
        let ty = PgType::resolve(oid::INT4_ARRAY);
        let mut buf = BytesMut::new();
        Array::new(
            vec![
                Dimension {
                    len: 2,
                    lower_bound: 1,
                },
                Dimension {
                    len: 2,
                    lower_bound: 1,
                },
            ],
            vec![Some(1), None, Some(3), Some(4)],
        )
        .unwrap()
        .encode(&ty, &mut buf)
        .unwrap();
        let v = Value::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(v.to_string(), "[[1, None], [3, 4]]");
        let ty = PgType::resolve(oid::INT4RANGE);
        let mut buf = BytesMut::new();
        Range::from(1..5).encode(&ty, &mut buf).unwrap();
        let v = Value::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(v.to_string(), "<Range [1, 5)>");
        let rec = Value::Record(vec![(None, Value::Int(1)), (None, Value::Text("a".into()))]);
        assert_eq!(rec.to_string(), "(1, 'a')");
        let rec = Value::Record(vec![(Some("x".into()), Value::Null)]);
        assert_eq!(rec.to_string(), "<Record x=None>");
    }
}
