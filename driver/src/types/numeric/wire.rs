//! The binary `numeric` format (`ndigits`, `weight`, `sign`, `dscale`, then base-10000 digits,
//! all big-endian 16-bit) and [`Numeric`]'s `Encode`/`Decode`.

use bytes::{Buf, BufMut, BytesMut};

use super::{Numeric, NumericError, NumericValue, parse};
use crate::types::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid, text};

const SIGN_POS: u16 = 0x0000;
const SIGN_NEG: u16 = 0x4000;
const SIGN_NAN: u16 = 0xC000;
const SIGN_PINF: u16 = 0xD000;
const SIGN_NINF: u16 = 0xF000;

/// Appends the binary form of `value`.
pub(super) fn write(value: &Numeric, buf: &mut BytesMut) -> Result<(), NumericError> {
    let (sign, v) = match value {
        Numeric::Number(v) => (if v.negative { SIGN_NEG } else { SIGN_POS }, v),
        Numeric::NaN => (SIGN_NAN, &NumericValue::ZERO),
        Numeric::Infinity => (SIGN_PINF, &NumericValue::ZERO),
        Numeric::NegInfinity => (SIGN_NINF, &NumericValue::ZERO),
    };
    let ndigits = i16::try_from(v.digits.len())
        .map_err(|_| NumericError::OutOfRange(format!("{} base-10000 digits", v.digits.len())))?;
    buf.reserve(8 + 2 * v.digits.len());
    buf.put_i16(ndigits);
    buf.put_i16(v.weight);
    buf.put_u16(sign);
    buf.put_u16(v.scale);
    for d in v.digits.iter() {
        buf.put_i16(*d);
    }
    Ok(())
}

/// Reads a binary `numeric`.
pub(super) fn read(raw: &[u8]) -> Result<Numeric, NumericError> {
    let mut r = raw;
    if r.len() < 8 {
        return Err(NumericError::InvalidBinary(
            "shorter than its 8-byte header",
        ));
    }
    let ndigits = r.get_i16();
    let weight = r.get_i16();
    let sign = r.get_u16();
    let scale = r.get_u16();
    let ndigits = usize::try_from(ndigits)
        .map_err(|_| NumericError::InvalidBinary("negative digit count"))?;
    if r.len() != 2 * ndigits {
        return Err(NumericError::InvalidBinary(
            "digit count does not match the length",
        ));
    }
    let negative = match sign {
        SIGN_POS => false,
        SIGN_NEG => true,
        SIGN_NAN => return Ok(Numeric::NaN),
        SIGN_PINF => return Ok(Numeric::Infinity),
        SIGN_NINF => return Ok(Numeric::NegInfinity),
        _ => return Err(NumericError::InvalidBinary("unknown sign")),
    };
    // Most values have few digits: read them onto the stack, not into an allocation.
    let mut inline = [0i16; 8];
    let mut heap = Vec::new();
    let digits: &mut [i16] = match inline.get_mut(..ndigits) {
        Some(digits) => digits,
        None => {
            heap.resize(ndigits, 0);
            &mut heap
        }
    };
    for d in digits.iter_mut() {
        *d = r.get_i16();
    }
    NumericValue::from_digits(negative, weight, scale, digits).map(Numeric::Number)
}

/// Decodes a `numeric` column value, binary or text.
pub(super) fn decode_value(value: &ValueRef<'_>) -> Result<Numeric, BoxError> {
    let raw = value.non_null()?;
    Ok(match value.format() {
        Format::Binary => read(raw)?,
        Format::Text => text(raw)?.parse()?,
    })
}

/// Appends an integer as a binary `numeric` (for integer parameters of type `numeric`).
pub(crate) fn encode_integer(negative: bool, magnitude: u128, buf: &mut BytesMut) {
    // An integer has at most 10 digits: always writable.
    let _ = write(
        &Numeric::Number(parse::from_integer(negative, magnitude)),
        buf,
    );
}

impl Type for Numeric {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::NUMERIC
    }
}

impl Encode for Numeric {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        write(self, buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Numeric as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Numeric {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Numeric as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        decode_value(&value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn round_trip(n: &Numeric) -> Numeric {
        let mut buf = BytesMut::new();
        write(n, &mut buf).unwrap();
        read(&buf).unwrap()
    }

    #[test]
    fn wire_layout() {
        let mut buf = BytesMut::new();
        write(&"-12.50".parse().unwrap(), &mut buf).unwrap();
        assert_eq!(&buf[..], &[0, 2, 0, 0, 0x40, 0, 0, 2, 0, 12, 0x13, 0x88]);
        for s in ["NaN", "Infinity", "-Infinity", "0", "0.000", "1e20"] {
            let n: Numeric = s.parse().unwrap();
            assert_eq!(round_trip(&n), n);
        }
    }

    #[test]
    fn malformed_binary_is_an_error() {
        assert!(read(&[0, 1, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(read(&[0, 0, 0, 0, 0x12, 0, 0, 0]).is_err());
        assert!(read(&[0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10]).is_err());
        assert!(read(&[0xff, 0xff, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(read(&[0, 0]).is_err());
    }

    proptest! {
        #[test]
        fn text_and_binary_round_trip(
            neg in any::<bool>(),
            int in "[0-9]{0,60}",
            frac in "[0-9]{0,60}",
        ) {
            prop_assume!(!(int.is_empty() && frac.is_empty()));
            let s = format!("{}{int}.{frac}", if neg { "-" } else { "" });
            let n: Numeric = s.parse().unwrap();
            prop_assert_eq!(round_trip(&n), n.clone());
            let reparsed: Numeric = n.to_string().parse().unwrap();
            prop_assert_eq!(reparsed, n);
        }
    }
}
