//! bool, integers, floats, `"char"` (`i8`), `oid` and the `reg*` types (`u32`): fixed-size
//! big-endian values.
//!
//! Both directions widen losslessly and never narrow: an `int2` column decodes into `i64`, and an
//! `i32` parameter is sent as `int8`, `float8` or `numeric` when the server asks for one (so
//! `SELECT 2 ^ $1` takes an `i32`). A silent narrowing would lose data, so there is none.

use bytes::{BufMut, BytesMut};

use super::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into().map_err(|_| {
        Box::new(InvalidLength {
            expected: N,
            found: raw.len(),
        }) as BoxError
    })
}

impl Type for bool {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::BOOL
    }
}

impl Encode for bool {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_u8(u8::from(*self));
        Ok(IsNull::No)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        <bool as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for bool {
    crate::types::decode_copy_owned!();
    #[inline]
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <bool as Type>::accepts(ty)
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        match value.format() {
            Format::Binary => Ok(fixed::<1>(raw)?[0] != 0),
            Format::Text => match raw {
                b"t" => Ok(true),
                b"f" => Ok(false),
                _ => Err(format!("invalid boolean text {:?}", String::from_utf8_lossy(raw)).into()),
            },
        }
    }
}

/// Writes `value` as a parameter of type `ty`, widening losslessly (an `i16` fits `int2`, `int4`,
/// `int8`, `float8` and `numeric`); the `accepts` methods guarantee `ty` is one of the listed OIDs.
macro_rules! number {
    ($ty:ty, [$($encode_oid:path => $put:expr),+], [$($decode_oid:pat => $wire:ty),+]) => {
        impl Type for $ty {
            #[inline]
            fn accepts(ty: &PgType) -> bool {
                matches!(ty.base_oid(), $($encode_oid)|+)
            }
        }

        impl Encode for $ty {
            fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                let v = *self;
                $(
                    if ty.base_oid() == $encode_oid {
                        ($put)(v, buf);
                        return Ok(IsNull::No);
                    }
                )+
                Err(format!("cannot encode {} as {ty}", stringify!($ty)).into())
            }
            #[inline]
            fn accepts(&self, ty: &PgType) -> bool {
                <$ty as Type>::accepts(ty)
            }
        }

        impl<'r> Decode<'r> for $ty {
            crate::types::decode_copy_owned!();
            #[inline]
            fn accepts(ty: &PgType, _format: Format) -> bool {
                matches!(ty.base_oid(), $($decode_oid)|+)
            }
            #[inline]
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                let raw = value.non_null()?;
                if value.format() == Format::Text {
                    return Ok(text(raw)?.parse::<$ty>()?);
                }
                match value.ty().base_oid() {
                    $($decode_oid => Ok(<$ty>::from(<$wire>::from_be_bytes(fixed(raw)?))),)+
                    _ => Err(format!("cannot decode {} into {}", value.ty(), stringify!($ty)).into()),
                }
            }
        }
    };
}

fn put_numeric<T: Into<i128>>(v: T, buf: &mut BytesMut) {
    let v: i128 = v.into();
    super::numeric::encode_integer(v < 0, v.unsigned_abs(), buf);
}

number!(i16, [
    oid::INT2 => |v: i16, b: &mut BytesMut| b.put_i16(v),
    oid::INT4 => |v: i16, b: &mut BytesMut| b.put_i32(i32::from(v)),
    oid::INT8 => |v: i16, b: &mut BytesMut| b.put_i64(i64::from(v)),
    oid::FLOAT8 => |v: i16, b: &mut BytesMut| b.put_f64(f64::from(v)),
    oid::NUMERIC => put_numeric::<i16>
], [oid::INT2 => i16]);
number!(i32, [
    oid::INT4 => |v: i32, b: &mut BytesMut| b.put_i32(v),
    oid::INT8 => |v: i32, b: &mut BytesMut| b.put_i64(i64::from(v)),
    oid::FLOAT8 => |v: i32, b: &mut BytesMut| b.put_f64(f64::from(v)),
    oid::NUMERIC => put_numeric::<i32>
], [oid::INT4 => i32, oid::INT2 => i16]);
number!(i64, [
    oid::INT8 => |v: i64, b: &mut BytesMut| b.put_i64(v),
    oid::NUMERIC => put_numeric::<i64>
], [oid::INT8 => i64, oid::INT4 => i32, oid::INT2 => i16]);
number!(f32, [
    oid::FLOAT4 => |v: f32, b: &mut BytesMut| b.put_f32(v),
    oid::FLOAT8 => |v: f32, b: &mut BytesMut| b.put_f64(f64::from(v))
], [oid::FLOAT4 => f32]);
number!(f64, [
    oid::FLOAT8 => |v: f64, b: &mut BytesMut| b.put_f64(v)
], [oid::FLOAT8 => f64, oid::FLOAT4 => f32]);

/// `oid` and the `reg*` types (`regclass`, `regtype`, ...) are a `u32` on the wire. In text
/// format a `reg*` value is a name (`pg_class`), so only binary values decode into `u32`.
impl Type for u32 {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        oid::is_reg_type(ty.base_oid())
    }
}

impl Encode for u32 {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_u32(*self);
        Ok(IsNull::No)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        <u32 as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for u32 {
    crate::types::decode_copy_owned!();
    #[inline]
    fn accepts(ty: &PgType, format: Format) -> bool {
        oid::is_reg_type(ty.base_oid()) && (format == Format::Binary || ty.base_oid() == oid::OID)
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        match value.format() {
            Format::Binary => Ok(u32::from_be_bytes(fixed(raw)?)),
            Format::Text => Ok(text(raw)?.parse()?),
        }
    }
}

/// `"char"`: PostgreSQL's one-byte internal type (`pg_class.relkind`), as an `i8`.
impl Type for i8 {
    #[inline]
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::CHAR
    }
}

impl Encode for i8 {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_i8(*self);
        Ok(IsNull::No)
    }
    #[inline]
    fn accepts(&self, ty: &PgType) -> bool {
        <i8 as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for i8 {
    crate::types::decode_copy_owned!();
    #[inline]
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <i8 as Type>::accepts(ty)
    }
    #[inline]
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        let byte = match (value.format(), raw) {
            (Format::Binary, [b]) => *b,
            // Text: the byte itself, empty for 0, or `\ooo` (octal) for bytes above 127.
            (Format::Text, []) => 0,
            (Format::Text, [b]) => *b,
            (Format::Text, [b'\\', o @ ..]) if o.len() == 3 => {
                u8::from_str_radix(text(o)?, 8).map_err(|_| bad_char(raw))?
            }
            _ => return Err(bad_char(raw)),
        };
        Ok(i8::from_be_bytes([byte]))
    }
}

fn bad_char(raw: &[u8]) -> BoxError {
    format!("invalid \"char\" value {:?}", String::from_utf8_lossy(raw)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<'r, T: Decode<'r>>(
        raw: Option<&'r [u8]>,
        format: Format,
        ty: &'r PgType,
    ) -> Result<T, BoxError> {
        T::decode(ValueRef::new(raw, format, ty))
    }

    #[test]
    fn integers_round_trip_and_widen() {
        let int2 = PgType::resolve(oid::INT2);
        let mut buf = BytesMut::new();
        (-5i16).encode(&int2, &mut buf).unwrap();
        assert_eq!(
            decode::<i64>(Some(&buf), Format::Binary, &int2).unwrap(),
            -5
        );
        let int4 = PgType::resolve(oid::INT4);
        assert_eq!(decode::<i32>(Some(b"17"), Format::Text, &int4).unwrap(), 17);
    }

    #[test]
    fn wrong_lengths_and_null_are_errors() {
        let int4 = PgType::resolve(oid::INT4);
        assert!(decode::<i32>(Some(&[0, 1]), Format::Binary, &int4).is_err());
        assert!(decode::<i32>(None, Format::Binary, &int4).is_err());
        let boolean = PgType::resolve(oid::BOOL);
        assert!(decode::<bool>(Some(b"x"), Format::Text, &boolean).is_err());
    }

    #[test]
    fn floats() {
        let float8 = PgType::resolve(oid::FLOAT8);
        let mut buf = BytesMut::new();
        1.5f64.encode(&float8, &mut buf).unwrap();
        assert_eq!(
            decode::<f64>(Some(&buf), Format::Binary, &float8).unwrap(),
            1.5
        );
        assert!(
            decode::<f64>(Some(b"NaN"), Format::Text, &float8)
                .unwrap()
                .is_nan()
        );
    }

    #[test]
    fn integers_widen_into_the_parameter_type() {
        let mut buf = BytesMut::new();
        7i16.encode(&PgType::resolve(oid::INT8), &mut buf).unwrap();
        assert_eq!(&buf[..], &7i64.to_be_bytes());
        buf.clear();
        (-3i32)
            .encode(&PgType::resolve(oid::FLOAT8), &mut buf)
            .unwrap();
        assert_eq!(&buf[..], &(-3f64).to_be_bytes());
        buf.clear();
        1.5f32
            .encode(&PgType::resolve(oid::FLOAT8), &mut buf)
            .unwrap();
        assert_eq!(&buf[..], &1.5f64.to_be_bytes());
        buf.clear();
        let numeric = PgType::resolve(oid::NUMERIC);
        i64::MIN.encode(&numeric, &mut buf).unwrap();
        let n = crate::types::Numeric::decode(ValueRef::new(Some(&buf), Format::Binary, &numeric));
        assert_eq!(n.unwrap().to_string(), i64::MIN.to_string());
        assert!(!Encode::accepts(&1i64, &PgType::resolve(oid::INT4)));
        assert!(!Encode::accepts(&1i64, &PgType::resolve(oid::FLOAT8)));
        assert!(!Encode::accepts(&1f64, &PgType::resolve(oid::FLOAT4)));
        assert!(<Option<i32> as Type>::accepts(&PgType::resolve(oid::INT8)));
    }

    #[test]
    fn char_and_reg_types() {
        let ch = PgType::resolve(oid::CHAR);
        let mut buf = BytesMut::new();
        (-2i8).encode(&ch, &mut buf).unwrap();
        assert_eq!(decode::<i8>(Some(&buf), Format::Binary, &ch).unwrap(), -2);
        assert_eq!(
            decode::<i8>(Some(b"r"), Format::Text, &ch).unwrap(),
            b'r' as i8
        );
        assert_eq!(decode::<i8>(Some(b"\\376"), Format::Text, &ch).unwrap(), -2);
        assert_eq!(decode::<i8>(Some(b""), Format::Text, &ch).unwrap(), 0);
        assert!(decode::<i8>(Some(b"ab"), Format::Text, &ch).is_err());
        let regclass = PgType::resolve(oid::REGCLASS);
        assert!(<u32 as Decode>::accepts(&regclass, Format::Binary));
        assert_eq!(
            decode::<u32>(Some(&1259u32.to_be_bytes()), Format::Binary, &regclass).unwrap(),
            1259
        );
    }

    proptest::proptest! {
        #[test]
        fn round_trips(a in proptest::prelude::any::<i16>(), b in proptest::prelude::any::<i32>(), c in proptest::prelude::any::<i64>(), x in proptest::prelude::any::<f64>()) {
            let int8 = PgType::resolve(oid::INT8);
            for v in [i64::from(a), i64::from(b), c] {
                let mut buf = BytesMut::new();
                v.encode(&int8, &mut buf).unwrap();
                proptest::prop_assert_eq!(decode::<i64>(Some(&buf), Format::Binary, &int8).unwrap(), v);
            }
            let float8 = PgType::resolve(oid::FLOAT8);
            let mut buf = BytesMut::new();
            x.encode(&float8, &mut buf).unwrap();
            proptest::prop_assert_eq!(decode::<f64>(Some(&buf), Format::Binary, &float8).unwrap().to_bits(), x.to_bits());
        }
    }
}
