//! Text to [`Numeric`]: PostgreSQL's input syntax (sign, digits, point, exponent, `NaN`,
//! `Infinity`), and decimal digit strings to base-10000 digits.

use std::str::FromStr;

use super::{MAX_SCALE, Numeric, NumericError, NumericValue};

/// Exponents beyond this cannot give a storable value (PostgreSQL's limit is similar).
const MAX_EXPONENT: i64 = 1_000_000;

impl FromStr for Numeric {
    type Err = NumericError;

    /// Parses PostgreSQL's `numeric` input syntax: `[+-]digits[.digits][e[+-]digits]`, `NaN`,
    /// `[+-]Infinity` and `[+-]inf` (case-insensitive), surrounded by optional spaces.
    fn from_str(input: &str) -> Result<Numeric, NumericError> {
        let s = input.trim();
        let syntax = || NumericError::Syntax(input.to_owned());
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, s.get(1..).unwrap_or("")),
            Some(b'+') => (false, s.get(1..).unwrap_or("")),
            _ => (false, s),
        };
        if body.eq_ignore_ascii_case("nan") && body.len() == s.len() {
            return Ok(Numeric::NaN);
        }
        if body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("inf") {
            return Ok(if negative {
                Numeric::NegInfinity
            } else {
                Numeric::Infinity
            });
        }
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => {
                let exp = body.get(at + 1..).ok_or_else(syntax)?;
                let exp: i64 = exp.parse().map_err(|_| syntax())?;
                if exp.abs() > MAX_EXPONENT {
                    return Err(NumericError::OutOfRange(input.to_owned()));
                }
                (body.get(..at).ok_or_else(syntax)?, exp)
            }
            None => (body, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(syntax());
        }
        let digits: Vec<u8> = int_part
            .bytes()
            .chain(frac_part.bytes())
            .map(|b| b - b'0')
            .collect();
        let frac_len = i64::try_from(frac_part.len()).map_err(|_| syntax())?;
        let int_len = i64::try_from(int_part.len()).map_err(|_| syntax())?;
        let scale = (frac_len - exponent).max(0);
        let scale = u16::try_from(scale)
            .ok()
            .filter(|s| *s <= MAX_SCALE)
            .ok_or_else(|| NumericError::OutOfRange(input.to_owned()))?;
        from_decimal(negative, &digits, int_len + exponent, scale)
            .map(Numeric::Number)
            .map_err(|e| match e {
                NumericError::OutOfRange(_) => NumericError::OutOfRange(input.to_owned()),
                other => other,
            })
    }
}

/// A value from decimal digits (each 0–9): `0.d₀d₁d₂… × 10^point`, printed with `scale` places.
/// Every digit must lie within `scale` places (callers guarantee it).
pub(super) fn from_decimal(
    negative: bool,
    digits: &[u8],
    point: i64,
    scale: u16,
) -> Result<NumericValue, NumericError> {
    let mut groups: Vec<i16> = Vec::with_capacity(digits.len() / 4 + 2);
    let mut first_group: Option<i64> = None;
    let mut current: Option<i64> = None;
    for (i, d) in digits.iter().enumerate() {
        let i = i64::try_from(i).map_err(|_| NumericError::OutOfRange(String::new()))?;
        let k = point - 1 - i;
        let group = k.div_euclid(4);
        let place = [1i16, 10, 100, 1000]
            .get(usize::try_from(k.rem_euclid(4)).unwrap_or(0))
            .copied()
            .unwrap_or(1);
        if current != Some(group) {
            groups.push(0);
            current = Some(group);
            first_group.get_or_insert(group);
        }
        if let Some(last) = groups.last_mut() {
            *last += i16::from(*d) * place;
        }
    }
    let weight = first_group.unwrap_or(0);
    // Leading zero groups are dropped by from_parts; check the weight after that.
    let leading = i64::try_from(groups.iter().take_while(|g| **g == 0).count()).unwrap_or(0);
    let effective = weight - leading;
    if groups.iter().all(|g| *g == 0) {
        return NumericValue::from_parts(negative, 0, scale, Vec::new());
    }
    let weight = i16::try_from(effective).map_err(|_| NumericError::OutOfRange(String::new()))?;
    groups.drain(..usize::try_from(leading).unwrap_or(0));
    NumericValue::from_parts(negative, weight, scale, groups)
}

/// An integer `±magnitude`, scale 0.
pub(super) fn from_integer(negative: bool, magnitude: u128) -> NumericValue {
    let mut groups = Vec::with_capacity(10);
    let mut rest = magnitude;
    while rest > 0 {
        // In range: a remainder of 10000 is below i16::MAX.
        #[allow(clippy::cast_possible_truncation)]
        groups.push((rest % 10_000) as i16);
        rest /= 10_000;
    }
    groups.reverse();
    let weight = i16::try_from(groups.len()).unwrap_or(0) - 1;
    // Integers of at most 39 digits are always valid parts.
    NumericValue::from_parts(negative, weight.max(0), 0, groups).unwrap_or(NumericValue::ZERO)
}
