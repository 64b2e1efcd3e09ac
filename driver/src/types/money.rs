//! `money`: [`Money`], an `int8` count of the currency's smallest unit (cents for most locales).

use std::fmt;

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid};

/// A PostgreSQL `money` value: a count of the smallest currency unit, as the server stores it.
///
/// The number of fractional digits comes from the server's `lc_monetary` (2 for most locales, 0
/// for yen); [`Display`](fmt::Display) assumes 2, [`Money::to_string_with`] takes it explicitly. Columns
/// arrive as text (so `String` gets the server's own rendering, as in asyncpg); `Money` reads the
/// digits of that text, which does not depend on the locale's symbols or separators. Parameters
/// are sent in binary.
///
/// ```
/// use quarry_driver::types::Money;
/// assert_eq!(Money(123456).to_string(), "1234.56");
/// assert_eq!(Money(-5).to_string(), "-0.05");
/// assert_eq!(Money(1234).to_string_with(0), "1234");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// The amount with `frac_digits` digits after the point (no currency symbol or grouping).
    pub fn to_string_with(self, frac_digits: u32) -> String {
        let magnitude = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        match 10u64.checked_pow(frac_digits) {
            Some(1) => format!("{sign}{magnitude}"),
            Some(unit) => {
                let width = usize::try_from(frac_digits).unwrap_or(0);
                format!("{sign}{}.{:0width$}", magnitude / unit, magnitude % unit)
            }
            // Beyond 19 fractional digits every i64 is below one unit.
            None => {
                let width = usize::try_from(frac_digits).unwrap_or(0);
                format!("{sign}0.{magnitude:0width$}")
            }
        }
    }
}

impl fmt::Display for Money {
    /// The amount with 2 fractional digits, as for `lc_monetary` locales using cents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.to_string_with(2))
    }
}

impl Type for Money {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::MONEY
    }
}

impl Encode for Money {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_i64(self.0);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Money as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Money {
    super::decode_copy_owned!();
    fn accepts(ty: &PgType, format: Format) -> bool {
        let _ = format;
        <Money as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        if value.format() == Format::Text {
            return parse_text(super::text(raw)?);
        }
        let bytes: [u8; 8] = raw.try_into().map_err(|_| InvalidLength {
            expected: 8,
            found: raw.len(),
        })?;
        Ok(Money(i64::from_be_bytes(bytes)))
    }
}

/// Reads the text form in any locale: its digits are the amount in the smallest unit (every
/// fractional digit is printed), and a `-` or parentheses make it negative.
fn parse_text(s: &str) -> Result<Money, BoxError> {
    let mut amount: i64 = 0;
    let mut seen_digit = false;
    let negative = s.contains('-') || s.contains('(');
    for d in s.bytes().filter(u8::is_ascii_digit) {
        seen_digit = true;
        let d = i64::from(d - b'0');
        amount = amount
            .checked_mul(10)
            .and_then(|a| {
                if negative {
                    a.checked_sub(d)
                } else {
                    a.checked_add(d)
                }
            })
            .ok_or_else(|| format!("money {s:?} is out of range"))?;
    }
    if !seen_digit {
        return Err(format!("invalid money text {s:?}").into());
    }
    Ok(Money(amount))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formats() {
        assert_eq!(Money(0).to_string(), "0.00");
        assert_eq!(Money(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Money(7).to_string_with(3), "0.007");
        assert_eq!(Money(7).to_string_with(25), "0.0000000000000000000000007");
        assert_eq!(format!("{:>8}", Money(150)), "    1.50");
    }

    #[test]
    fn text_in_any_locale() {
        assert_eq!(parse_text("$1,234.56").unwrap(), Money(123_456));
        assert_eq!(parse_text("-$0.05").unwrap(), Money(-5));
        assert_eq!(parse_text("($1.00)").unwrap(), Money(-100));
        assert_eq!(parse_text("1.234,56 €").unwrap(), Money(123_456));
        assert_eq!(
            parse_text("-$92,233,720,368,547,758.08").unwrap(),
            Money(i64::MIN)
        );
        assert!(parse_text("$").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(v in any::<i64>()) {
            let money = PgType::resolve(oid::MONEY);
            let mut buf = BytesMut::new();
            Money(v).encode(&money, &mut buf).unwrap();
            prop_assert_eq!(Money::decode(ValueRef::new(Some(&buf), Format::Binary, &money)).unwrap(), Money(v));
        }
    }
}
