//! `numeric`: the lossless [`Numeric`] (PostgreSQL's own base-10000 representation, with its text
//! form), and the conversions other Rust types use to reach it: `rust_decimal::Decimal`
//! (`decimal.rs`), [`NumericF64`] (`float.rs`) and integers. The binary wire form is in `wire.rs`.

#[cfg(feature = "rust_decimal")]
mod decimal;
mod float;
mod parse;
mod wire;

use std::fmt;

pub use float::NumericF64;
pub(crate) use wire::encode_integer;

/// Largest display scale PostgreSQL stores (`NUMERIC_DSCALE_MAX`).
const MAX_SCALE: u16 = 0x3FFF;
/// Base of the digits.
const NBASE: i32 = 10_000;

/// A PostgreSQL `numeric`, exactly as the server holds it: any precision, its display scale
/// (trailing zeros are kept: `1.50` stays `1.50`), `NaN` and `±Infinity`.
///
/// It prints and parses like PostgreSQL's text form, and round-trips every value the server can
/// store (up to 131072 digits before the point and 16383 after).
///
/// ```
/// use quarry_driver::types::Numeric;
/// let n: Numeric = "-12345678901234567890.1234567890123456789000".parse().unwrap();
/// assert_eq!(n.to_string(), "-12345678901234567890.1234567890123456789000");
/// assert_eq!("1.5e3".parse::<Numeric>().unwrap().to_string(), "1500");
/// assert_eq!("nan".parse::<Numeric>().unwrap(), Numeric::NaN);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Numeric {
    /// A finite value.
    Number(NumericValue),
    /// `NaN`.
    NaN,
    /// `Infinity` (PostgreSQL 14 and later).
    Infinity,
    /// `-Infinity` (PostgreSQL 14 and later).
    NegInfinity,
}

/// A finite `numeric`: sign, base-10000 digits, the weight of the first digit and the display scale.
///
/// The value is `Σ digits[i] × 10000^(weight − i)`, printed with `scale` decimal places. Digits
/// have no leading or trailing zero digits, and zero is positive with no digits.
///
/// ```
/// use quarry_driver::types::{Numeric, NumericValue};
/// let v = NumericValue::from_parts(false, 0, 4, vec![12, 3400]).unwrap();
/// assert_eq!(v.to_string(), "12.3400");
/// assert_eq!((v.weight(), v.scale(), v.digits()), (0, 4, &[12, 3400][..]));
/// assert_eq!(Numeric::Number(v), "12.3400".parse().unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NumericValue {
    negative: bool,
    weight: i16,
    scale: u16,
    digits: Digits,
}

/// How many base-10000 digits a value holds without allocating: 32 significant decimal digits,
/// more than most values have (a `numeric(14, 3)` has at most 5).
const INLINE_DIGITS: usize = 8;

/// Base-10000 digits, inline up to [`INLINE_DIGITS`] so decoding a typical value does not
/// allocate; compared, hashed and printed as the slice they hold.
#[derive(Clone)]
enum Digits {
    Inline { len: u8, buf: [i16; INLINE_DIGITS] },
    Heap(Vec<i16>),
}

impl Digits {
    const EMPTY: Digits = Digits::Inline {
        len: 0,
        buf: [0; INLINE_DIGITS],
    };

    fn from_slice(digits: &[i16]) -> Digits {
        let mut buf = [0; INLINE_DIGITS];
        match (u8::try_from(digits.len()), buf.get_mut(..digits.len())) {
            (Ok(len), Some(slot)) => {
                slot.copy_from_slice(digits);
                Digits::Inline { len, buf }
            }
            _ => Digits::Heap(digits.to_vec()),
        }
    }
}

impl std::ops::Deref for Digits {
    type Target = [i16];
    fn deref(&self) -> &[i16] {
        match self {
            Digits::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Digits::Heap(digits) => digits,
        }
    }
}

impl Default for Digits {
    fn default() -> Digits {
        Digits::EMPTY
    }
}

impl PartialEq for Digits {
    fn eq(&self, other: &Digits) -> bool {
        **self == **other
    }
}

impl Eq for Digits {}

impl std::hash::Hash for Digits {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// What went wrong building, parsing, decoding or converting a `numeric`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumericError {
    /// The text is not a number.
    #[error("invalid numeric {0:?}")]
    Syntax(String),
    /// The value has more digits before or after the point than PostgreSQL's `numeric` holds.
    #[error("numeric {0:?} is out of PostgreSQL's numeric range")]
    OutOfRange(String),
    /// A digit was not in `0..=9999`.
    #[error("invalid numeric digit {0} (digits are base 10000)")]
    InvalidDigit(i16),
    /// Digits were given below the display scale, where they would be invisible.
    #[error("numeric digits go beyond the display scale {0}")]
    HiddenDigits(u16),
    /// The binary value was malformed.
    #[error("invalid numeric binary value: {0}")]
    InvalidBinary(&'static str),
    /// NaN or an infinity reached a Rust type that has no such value.
    #[error("numeric {value} cannot be represented as {rust_type}")]
    NotFinite {
        /// `NaN`, `Infinity` or `-Infinity`.
        value: &'static str,
        /// The Rust type asked for.
        rust_type: &'static str,
    },
    /// A finite value does not fit the Rust type without rounding.
    #[error(
        "numeric {value} does not fit {rust_type} without rounding; decode it as quarry::types::Numeric"
    )]
    Inexact {
        /// The value as PostgreSQL prints it.
        value: String,
        /// The Rust type asked for.
        rust_type: &'static str,
    },
}

impl NumericValue {
    /// Zero with no decimal places.
    pub const ZERO: NumericValue = NumericValue {
        negative: false,
        weight: 0,
        scale: 0,
        digits: Digits::EMPTY,
    };

    /// A value from its parts; leading and trailing zero digits are dropped (adjusting the weight).
    ///
    /// Errors when a digit is not in `0..=9999`, the scale is beyond 16383, or a non-zero digit lies
    /// below the display scale (it would not be printed, so the value would not round-trip).
    pub fn from_parts(
        negative: bool,
        weight: i16,
        scale: u16,
        digits: Vec<i16>,
    ) -> Result<NumericValue, NumericError> {
        NumericValue::from_digits(negative, weight, scale, &digits)
    }

    /// [`NumericValue::from_parts`] from borrowed digits.
    pub(super) fn from_digits(
        negative: bool,
        weight: i16,
        scale: u16,
        digits: &[i16],
    ) -> Result<NumericValue, NumericError> {
        if scale > MAX_SCALE {
            return Err(NumericError::OutOfRange(format!("scale {scale}")));
        }
        if let Some(bad) = digits
            .iter()
            .find(|d| !(0..NBASE).contains(&i32::from(**d)))
        {
            return Err(NumericError::InvalidDigit(*bad));
        }
        let mut weight = i32::from(weight);
        let leading = digits.iter().take_while(|d| **d == 0).count();
        let mut digits = digits.get(leading..).unwrap_or_default();
        weight -=
            i32::try_from(leading).map_err(|_| NumericError::InvalidBinary("too many digits"))?;
        while let Some((0, rest)) = digits.split_last() {
            digits = rest;
        }
        if digits.is_empty() {
            return Ok(NumericValue {
                scale,
                ..NumericValue::ZERO
            });
        }
        let last_weight = weight
            - i32::try_from(digits.len() - 1)
                .map_err(|_| NumericError::InvalidBinary("too many digits"))?;
        if last_weight < 0 {
            // The last digit covers decimal places up to 4 × -last_weight.
            let excess = 4 * -last_weight - i32::from(scale);
            let last = digits.last().copied().unwrap_or(0);
            let hidden = match excess {
                ..=0 => false,
                1..=3 => i32::from(last) % 10_i32.pow(excess.unsigned_abs()) != 0,
                _ => true,
            };
            if hidden {
                return Err(NumericError::HiddenDigits(scale));
            }
        }
        let weight = i16::try_from(weight)
            .map_err(|_| NumericError::OutOfRange(format!("weight {weight}")))?;
        Ok(NumericValue {
            negative,
            weight,
            scale,
            digits: Digits::from_slice(digits),
        })
    }

    /// Whether the value is below zero (zero is never negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The power of 10000 of the first digit.
    pub fn weight(&self) -> i16 {
        self.weight
    }

    /// The display scale: how many decimal places the value prints with.
    pub fn scale(&self) -> u16 {
        self.scale
    }

    /// The base-10000 digits, most significant first.
    pub fn digits(&self) -> &[i16] {
        &self.digits
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The digit of weight `w` (0 outside the stored digits).
    fn digit_at(&self, w: i32) -> i16 {
        let index = i32::from(self.weight) - w;
        usize::try_from(index)
            .ok()
            .and_then(|i| self.digits.get(i))
            .copied()
            .unwrap_or(0)
    }
}

impl fmt::Display for NumericValue {
    /// Prints like PostgreSQL: no exponent, exactly `scale` decimal places.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        let mut out = String::with_capacity(self.digits.len() * 4 + usize::from(self.scale) + 3);
        if self.negative {
            out.push('-');
        }
        if self.weight < 0 {
            out.push('0');
        } else {
            write!(out, "{}", self.digit_at(i32::from(self.weight)))?;
            for w in (0..i32::from(self.weight)).rev() {
                write!(out, "{:04}", self.digit_at(w))?;
            }
        }
        if self.scale > 0 {
            out.push('.');
            let mut left = usize::from(self.scale);
            let mut w = -1;
            while left > 0 {
                let group = format!("{:04}", self.digit_at(w));
                let take = left.min(4);
                out.push_str(group.get(..take).unwrap_or("0000"));
                left -= take;
                w -= 1;
            }
        }
        f.pad(&out)
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Numeric::Number(v) => v.fmt(f),
            Numeric::NaN => f.pad("NaN"),
            Numeric::Infinity => f.pad("Infinity"),
            Numeric::NegInfinity => f.pad("-Infinity"),
        }
    }
}

impl Numeric {
    /// The name of a non-finite value (`NaN`, `Infinity`, `-Infinity`), `None` for numbers.
    pub fn special_name(&self) -> Option<&'static str> {
        match self {
            Numeric::Number(_) => None,
            Numeric::NaN => Some("NaN"),
            Numeric::Infinity => Some("Infinity"),
            Numeric::NegInfinity => Some("-Infinity"),
        }
    }

    /// The finite value, `None` for NaN and the infinities.
    pub fn as_number(&self) -> Option<&NumericValue> {
        match self {
            Numeric::Number(v) => Some(v),
            _ => None,
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Numeric {
            fn from(v: $t) -> Numeric {
                Numeric::Number(parse::from_integer(v < 0 as $t, u128::from(v.unsigned_abs())))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, i128);

impl From<u32> for Numeric {
    fn from(v: u32) -> Numeric {
        Numeric::Number(parse::from_integer(false, u128::from(v)))
    }
}

impl From<u64> for Numeric {
    fn from(v: u64) -> Numeric {
        Numeric::Number(parse::from_integer(false, u128::from(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Numeric {
        s.parse().unwrap()
    }

    #[test]
    fn prints_like_postgres() {
        for s in [
            "0",
            "1",
            "-1",
            "0.5",
            "-0.5",
            "12.3400",
            "10000",
            "100000000",
            "0.0001",
            "0.00001",
            "123456789.987654321",
            "0.000",
            "-1234.5678",
        ] {
            assert_eq!(n(s).to_string(), s, "{s}");
        }
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1.50e1").to_string(), "15.0");
        assert_eq!(n("15e-3").to_string(), "0.015");
        assert_eq!(n("  +7.  ").to_string(), "7");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("-inf"), Numeric::NegInfinity);
        assert_eq!(n("Infinity"), Numeric::Infinity);
        assert_eq!(n("NaN").to_string(), "NaN");
    }

    #[test]
    fn thousand_digits_round_trip() {
        let s: String = "9".repeat(600) + "." + &"1".repeat(400);
        assert_eq!(n(&s).to_string(), s);
        assert_eq!(n(&format!("-{s}")).to_string(), format!("-{s}"));
    }

    #[test]
    fn parts_are_checked() {
        assert!(NumericValue::from_parts(false, 0, 0, vec![10_000]).is_err());
        assert!(NumericValue::from_parts(false, 0, 0, vec![-1]).is_err());
        assert!(matches!(
            NumericValue::from_parts(false, 0, 1, vec![1, 5500]),
            Err(NumericError::HiddenDigits(1))
        ));
        let v = NumericValue::from_parts(true, 3, 0, vec![0, 0, 1]).unwrap();
        assert_eq!((v.weight(), v.digits()), (1, &[1][..]));
        assert_eq!(v.to_string(), "-10000");
        let zero = NumericValue::from_parts(true, 3, 2, vec![0, 0]).unwrap();
        assert!(!zero.is_negative());
        assert_eq!(zero.to_string(), "0.00");
    }

    #[test]
    fn bad_text_is_an_error() {
        for s in ["", "-", "1.2.3", "abc", "1e", "1e99999999999", "--1", "1 2"] {
            assert!(s.parse::<Numeric>().is_err(), "{s:?}");
        }
    }

    #[test]
    fn from_integers() {
        assert_eq!(Numeric::from(i64::MIN).to_string(), i64::MIN.to_string());
        assert_eq!(Numeric::from(0i32).to_string(), "0");
        assert_eq!(Numeric::from(u64::MAX).to_string(), u64::MAX.to_string());
    }
}
