//! [`NumericF64`]: opt-in `f64` for `numeric` columns and parameters (asyncpg's "numeric as float"),
//! rounding once, correctly, from the exact decimal value.

use bytes::BytesMut;

use super::{Numeric, wire};
use crate::types::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid};

/// An `f64` sent and received as `numeric`.
///
/// Decoding parses the exact decimal value and rounds it to the nearest `f64` (NaN and ±Infinity
/// map to their float counterparts); encoding sends the shortest decimal that reads back as the
/// same float (`11.123`, not `11.1229999…`). Plain `f64` stays strict: it only decodes `float4`
/// and `float8`.
///
/// ```
/// use quarry_driver::types::{Decode, Encode, Format, NumericF64, PgType, ValueRef};
/// let numeric = PgType::resolve(1700);
/// let mut buf = bytes::BytesMut::new();
/// NumericF64(11.123).encode(&numeric, &mut buf).unwrap();
/// let back = NumericF64::decode(ValueRef::new(Some(&buf), Format::Binary, &numeric)).unwrap();
/// assert_eq!(back.0, 11.123);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct NumericF64(pub f64);

impl From<NumericF64> for Numeric {
    fn from(v: NumericF64) -> Numeric {
        let x = v.0;
        if x.is_nan() {
            Numeric::NaN
        } else if x == f64::INFINITY {
            Numeric::Infinity
        } else if x == f64::NEG_INFINITY {
            Numeric::NegInfinity
        } else {
            // Rust prints the shortest round-tripping decimal, without an exponent: valid input.
            format!("{x}").parse().unwrap_or(Numeric::NaN)
        }
    }
}

impl From<&Numeric> for NumericF64 {
    fn from(n: &Numeric) -> NumericF64 {
        NumericF64(match n {
            Numeric::NaN => f64::NAN,
            Numeric::Infinity => f64::INFINITY,
            Numeric::NegInfinity => f64::NEG_INFINITY,
            // A numeric's text is always a valid float literal (huge values become ±inf).
            Numeric::Number(v) => v.to_string().parse().unwrap_or(f64::NAN),
        })
    }
}

impl Type for NumericF64 {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::NUMERIC
    }
}

impl Encode for NumericF64 {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        wire::write(&Numeric::from(*self), buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <NumericF64 as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for NumericF64 {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <NumericF64 as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(NumericF64::from(&wire::decode_value(&value)?))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn floats_round_trip_through_numeric(x in any::<f64>()) {
            let back = NumericF64::from(&Numeric::from(NumericF64(x))).0;
            if x.is_nan() {
                prop_assert!(back.is_nan());
            } else {
                prop_assert_eq!(back, x);
            }
        }
    }

    #[test]
    fn shortest_text() {
        assert_eq!(Numeric::from(NumericF64(11.123)).to_string(), "11.123");
        assert_eq!(Numeric::from(NumericF64(-0.0)).to_string(), "0");
        assert_eq!(
            Numeric::from(NumericF64(f64::NEG_INFINITY)),
            Numeric::NegInfinity
        );
    }
}
