//! bool, integers, floats and `oid`: fixed-size big-endian values.
//!
//! Decoding widens losslessly (an `int2` column decodes into `i64`); encoding is exact, because the
//! server tells the parameter's type and a silent narrowing would lose data.

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, InvalidLength, IsNull, Oid, non_null, oid, text};

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into().map_err(|_| {
        Box::new(InvalidLength {
            expected: N,
            found: raw.len(),
        }) as BoxError
    })
}

impl Encode for bool {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_u8(u8::from(*self));
        Ok(IsNull::No)
    }
    fn accepts(&self, oid: Oid) -> bool {
        oid == oid::BOOL
    }
}

impl<'r> Decode<'r> for bool {
    fn accepts(oid: Oid, _format: Format) -> bool {
        oid == oid::BOOL
    }
    fn decode(raw: Option<&'r [u8]>, format: Format, _oid: Oid) -> Result<Self, BoxError> {
        let raw = non_null(raw)?;
        match format {
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
        impl Encode for $ty {
            fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                buf.put_slice(&self.to_be_bytes());
                Ok(IsNull::No)
            }
            fn accepts(&self, oid: Oid) -> bool {
                oid == $encode_oid
            }
        }

        impl<'r> Decode<'r> for $ty {
            fn accepts(oid: Oid, _format: Format) -> bool {
                matches!(oid, $($decode_oid)|+)
            }
            fn decode(raw: Option<&'r [u8]>, format: Format, oid: Oid) -> Result<Self, BoxError> {
                let raw = non_null(raw)?;
                if format == Format::Text {
                    return Ok(text(raw)?.parse::<$ty>()?);
                }
                $(
                    if oid == $decode_oid {
                        return Ok(<$ty>::from(<$wire>::from_be_bytes(fixed(raw)?)));
                    }
                )+
                Err(format!("cannot decode {} into {}", oid::describe(oid), stringify!($ty)).into())
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

    #[test]
    fn integers_round_trip_and_widen() {
        let mut buf = BytesMut::new();
        (-5i16).encode(&mut buf).unwrap();
        assert_eq!(
            <i64 as Decode>::decode(Some(&buf), Format::Binary, oid::INT2).unwrap(),
            -5
        );
        assert_eq!(
            <i32 as Decode>::decode(Some(b"17"), Format::Text, oid::INT4).unwrap(),
            17
        );
    }

    #[test]
    fn wrong_lengths_and_null_are_errors() {
        assert!(<i32 as Decode>::decode(Some(&[0, 1]), Format::Binary, oid::INT4).is_err());
        assert!(<i32 as Decode>::decode(None, Format::Binary, oid::INT4).is_err());
        assert!(<bool as Decode>::decode(Some(b"x"), Format::Text, oid::BOOL).is_err());
    }

    #[test]
    fn floats() {
        let mut buf = BytesMut::new();
        1.5f64.encode(&mut buf).unwrap();
        assert_eq!(
            <f64 as Decode>::decode(Some(&buf), Format::Binary, oid::FLOAT8).unwrap(),
            1.5
        );
        assert!(
            <f64 as Decode>::decode(Some(b"NaN"), Format::Text, oid::FLOAT8)
                .unwrap()
                .is_nan()
        );
    }
}
