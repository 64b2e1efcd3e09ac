//! bool, integers, floats and `oid`: fixed-size big-endian values.
//!
//! Decoding widens losslessly (an `int2` column decodes into `i64`); encoding is exact, because the
//! server tells the parameter's type and a silent narrowing would lose data.

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
    fn accepts(ty: &PgType) -> bool {
        ty.oid() == oid::BOOL
    }
}

impl Encode for bool {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_u8(u8::from(*self));
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <bool as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for bool {
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <bool as Type>::accepts(ty)
    }
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

/// Integer and float codecs differ only in the Rust type, the OIDs and the byte width.
macro_rules! number {
    ($ty:ty, $encode_oid:path, [$($decode_oid:path => $wire:ty),+]) => {
        impl Type for $ty {
            fn accepts(ty: &PgType) -> bool {
                ty.oid() == $encode_oid
            }
        }

        impl Encode for $ty {
            fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                buf.put_slice(&self.to_be_bytes());
                Ok(IsNull::No)
            }
            fn accepts(&self, ty: &PgType) -> bool {
                <$ty as Type>::accepts(ty)
            }
        }

        impl<'r> Decode<'r> for $ty {
            fn accepts(ty: &PgType, _format: Format) -> bool {
                matches!(ty.oid(), $($decode_oid)|+)
            }
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                let raw = value.non_null()?;
                if value.format() == Format::Text {
                    return Ok(text(raw)?.parse::<$ty>()?);
                }
                $(
                    if value.ty().oid() == $decode_oid {
                        return Ok(<$ty>::from(<$wire>::from_be_bytes(fixed(raw)?)));
                    }
                )+
                Err(format!("cannot decode {} into {}", value.ty(), stringify!($ty)).into())
            }
        }
    };
}

number!(i16, oid::INT2, [oid::INT2 => i16]);
number!(i32, oid::INT4, [oid::INT4 => i32, oid::INT2 => i16]);
number!(i64, oid::INT8, [oid::INT8 => i64, oid::INT4 => i32, oid::INT2 => i16]);
number!(u32, oid::OID, [oid::OID => u32]);
number!(f32, oid::FLOAT4, [oid::FLOAT4 => f32]);
number!(f64, oid::FLOAT8, [oid::FLOAT8 => f64, oid::FLOAT4 => f32]);

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
}
