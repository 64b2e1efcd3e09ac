//! `rust_decimal::Decimal` ↔ `numeric`, exactly: a value Decimal cannot hold (NaN, ±Infinity,
//! more than 96 bits of mantissa, more than 28 significant decimal places) is an error naming it.

use bytes::BytesMut;
use rust_decimal::Decimal;

use super::{Numeric, NumericError, NumericValue, parse, wire};
use crate::types::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid};

/// Decimal's largest scale.
const DECIMAL_MAX_SCALE: u32 = 28;
/// Decimal's largest mantissa, 2⁹⁶ − 1.
const DECIMAL_MAX_MANTISSA: i128 = (1 << 96) - 1;

const DECIMAL: &str = "rust_decimal::Decimal";

impl TryFrom<&NumericValue> for Decimal {
    type Error = NumericError;

    /// Converts exactly, keeping the scale (`1.50` stays `1.50`); trailing zeros beyond Decimal's
    /// 28 places are dropped since that does not change the value.
    fn try_from(v: &NumericValue) -> Result<Decimal, NumericError> {
        let inexact = || NumericError::Inexact {
            value: v.to_string(),
            rust_type: DECIMAL,
        };
        let mut mantissa: i128 = 0;
        for d in v.digits.iter() {
            mantissa = mantissa
                .checked_mul(10_000)
                .and_then(|m| m.checked_add(i128::from(*d)))
                .ok_or_else(inexact)?;
        }
        // `mantissa` is the value × 10^(4 × fractional digit groups), or ÷ 10000^(integer groups
        // not stored) when the last digit has a positive weight.
        let ndigits = i64::try_from(v.digits.len()).map_err(|_| inexact())?;
        let last_weight = i64::from(v.weight) - (ndigits - 1);
        let mut scale: i64 = if v.digits.is_empty() {
            0
        } else {
            -4 * last_weight
        };
        let target = i64::from(u32::from(v.scale).min(DECIMAL_MAX_SCALE));
        while scale < target {
            mantissa = mantissa.checked_mul(10).ok_or_else(inexact)?;
            scale += 1;
        }
        while scale > target {
            if mantissa % 10 != 0 {
                return Err(inexact());
            }
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa > DECIMAL_MAX_MANTISSA {
            return Err(inexact());
        }
        if v.negative {
            mantissa = -mantissa;
        }
        let scale = u32::try_from(scale).map_err(|_| inexact())?;
        Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| inexact())
    }
}

impl TryFrom<&Numeric> for Decimal {
    type Error = NumericError;

    /// Converts a finite value exactly; NaN and ±Infinity are errors.
    ///
    /// ```
    /// use quarry_driver::types::Numeric;
    /// use rust_decimal::Decimal;
    /// let n: Numeric = "1.50".parse().unwrap();
    /// assert_eq!(Decimal::try_from(&n).unwrap().to_string(), "1.50");
    /// assert!(Decimal::try_from(&Numeric::NaN).is_err());
    /// ```
    fn try_from(n: &Numeric) -> Result<Decimal, NumericError> {
        let v = n.as_number().ok_or(NumericError::NotFinite {
            value: n.special_name().unwrap_or("NaN"),
            rust_type: DECIMAL,
        })?;
        Decimal::try_from(v)
    }
}

impl From<Decimal> for Numeric {
    /// Exact: every Decimal is a `numeric`, with its scale.
    fn from(d: Decimal) -> Numeric {
        let magnitude = d.mantissa().unsigned_abs();
        let digits: Vec<u8> = magnitude.to_string().bytes().map(|b| b - b'0').collect();
        let len = i64::try_from(digits.len()).unwrap_or(0);
        // Decimal's scale is at most 28 and its mantissa at most 29 digits: always in range.
        let scale = u16::try_from(d.scale()).unwrap_or(0);
        parse::from_decimal(d.is_sign_negative(), &digits, len - i64::from(scale), scale)
            .map(Numeric::Number)
            .unwrap_or(Numeric::Number(NumericValue::ZERO))
    }
}

impl Type for Decimal {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::NUMERIC
    }
}

impl Encode for Decimal {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        wire::write(&Numeric::from(*self), buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Decimal as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Decimal {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Decimal as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(Decimal::try_from(&wire::decode_value(&value)?)?)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn dec(n: &str) -> Result<Decimal, NumericError> {
        Decimal::try_from(&Numeric::from_str(n).unwrap())
    }

    #[test]
    fn exact_conversions() {
        for s in [
            "0",
            "1.50",
            "-0.0001",
            "12345678901234567890.12345678",
            "0.0000000000000000000000000001",
        ] {
            assert_eq!(dec(s).unwrap().to_string(), s);
        }
        assert_eq!(dec("79228162514264337593543950335").unwrap(), Decimal::MAX);
        assert_eq!(
            dec("1.000000000000000000000000000000000")
                .unwrap()
                .to_string(),
            "1.0000000000000000000000000000"
        );
        assert_eq!(dec("1e20").unwrap().to_string(), "100000000000000000000");
    }

    #[test]
    fn beyond_decimal_is_an_error() {
        let err = dec("79228162514264337593543950336").unwrap_err();
        assert!(
            err.to_string().contains("79228162514264337593543950336"),
            "{err}"
        );
        assert!(dec("0.00000000000000000000000000001").is_err());
        assert!(dec(&"9".repeat(1000)).is_err());
        let err = dec("NaN").unwrap_err();
        assert!(
            err.to_string().contains("NaN") && err.to_string().contains("Decimal"),
            "{err}"
        );
        assert!(dec("-Infinity").is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trips(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), neg in any::<bool>(), scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, neg, scale);
            let mut buf = BytesMut::new();
            let numeric = PgType::resolve(oid::NUMERIC);
            d.encode(&numeric, &mut buf).unwrap();
            let back = Decimal::decode(ValueRef::new(Some(&buf), Format::Binary, &numeric)).unwrap();
            prop_assert_eq!(back, d);
            prop_assert_eq!(back.scale(), d.scale());
            prop_assert_eq!(Numeric::from(d).to_string(), d.to_string());
        }
    }
}
