//! `interval` ↔ [`Interval`] (months, days, microseconds: PostgreSQL's three fields, kept apart
//! because a month and a day have no fixed length) and `chrono::Duration` when months are 0.

use std::fmt;

use bytes::{Buf, BufMut, BytesMut};
use chrono::Duration;

use super::{round_nanos, write_time};
use crate::types::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

/// A PostgreSQL `interval`, exactly as stored.
///
/// Converts to `chrono::Duration` only when `months` is 0 (a day counts as 24 hours); a month
/// has no fixed length, so asyncpg's "30 days" is not guessed.
///
/// ```
/// use quarry_driver::types::Interval;
/// let i = Interval { months: 14, days: -3, microseconds: 3_723_500_000 };
/// assert_eq!(i.to_string(), "1 year 2 mons -3 days +01:02:03.5");
/// assert!(chrono::Duration::try_from(i).is_err());
/// let d = chrono::Duration::try_from(Interval { months: 0, days: 1, microseconds: 1 }).unwrap();
/// assert_eq!(d.num_microseconds(), Some(86_400_000_001));
/// assert_eq!(Interval::try_from(d).unwrap(), Interval { months: 0, days: 0, microseconds: 86_400_000_001 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Months (a year is 12).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds.
    pub microseconds: i64,
}

/// An [`Interval`] and a `chrono::Duration` that do not convert exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntervalError {
    /// The interval has months, which have no fixed length.
    #[error(
        "interval '{0}' has months, which have no fixed length: it has no chrono::Duration (decode it as quarry::types::Interval)"
    )]
    HasMonths(Interval),
    /// The duration has more microseconds than an interval holds.
    #[error("duration of {0} seconds is beyond interval's range")]
    Overflow(i64),
    /// Text that is not a `postgres`-style interval.
    #[error("invalid interval text {0:?} (Quarry reads IntervalStyle 'postgres')")]
    Syntax(String),
}

impl TryFrom<Interval> for Duration {
    type Error = IntervalError;

    fn try_from(i: Interval) -> Result<Duration, IntervalError> {
        if i.months != 0 {
            return Err(IntervalError::HasMonths(i));
        }
        // |days × 86400e6| < 2^63 / 50 and chrono holds ±2^63 milliseconds: never overflows.
        Ok(Duration::microseconds(i.microseconds) + Duration::days(i64::from(i.days)))
    }
}

impl TryFrom<Duration> for Interval {
    type Error = IntervalError;

    /// All in microseconds (days 0), nanoseconds rounded as PostgreSQL rounds them.
    fn try_from(d: Duration) -> Result<Interval, IntervalError> {
        let overflow = || IntervalError::Overflow(d.num_seconds());
        let secs = d.num_seconds();
        let nanos = d.subsec_nanos();
        let frac = if nanos >= 0 {
            round_nanos(nanos.unsigned_abs())
        } else {
            -round_nanos(nanos.unsigned_abs())
        };
        let microseconds = secs
            .checked_mul(1_000_000)
            .and_then(|us| us.checked_add(frac))
            .ok_or_else(overflow)?;
        Ok(Interval {
            months: 0,
            days: 0,
            microseconds,
        })
    }
}

impl fmt::Display for Interval {
    /// Prints like PostgreSQL's `postgres` IntervalStyle.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        let mut out = String::with_capacity(32);
        let mut is_zero = true;
        let mut is_before = false;
        let mut part = |out: &mut String, value: i64, unit: &str| {
            if value == 0 {
                return;
            }
            let _ = write!(
                out,
                "{}{}{value} {unit}{}",
                if is_zero { "" } else { " " },
                if is_before && value > 0 { "+" } else { "" },
                if value != 1 { "s" } else { "" }
            );
            is_before = value < 0;
            is_zero = false;
        };
        part(&mut out, i64::from(self.months / 12), "year");
        part(&mut out, i64::from(self.months % 12), "mon");
        part(&mut out, i64::from(self.days), "day");
        if is_zero || self.microseconds != 0 {
            if !is_zero {
                out.push(' ');
            }
            if self.microseconds < 0 {
                out.push('-');
            } else if is_before {
                out.push('+');
            }
            write_time(&mut out, self.microseconds);
        }
        f.pad(&out)
    }
}

impl std::str::FromStr for Interval {
    type Err = IntervalError;

    /// Parses the `postgres` IntervalStyle output: `[N year[s]] [N mon[s]] [N day[s]] [±HH:MM:SS[.f]]`.
    fn from_str(s: &str) -> Result<Interval, IntervalError> {
        let syntax = || IntervalError::Syntax(s.to_owned());
        let mut i = Interval::default();
        let mut words = s.split_whitespace();
        while let Some(word) = words.next() {
            if word.contains(':') {
                let (negative, clock) = match word.as_bytes().first() {
                    Some(b'-') => (true, word.get(1..).ok_or_else(syntax)?),
                    Some(b'+') => (false, word.get(1..).ok_or_else(syntax)?),
                    _ => (false, word),
                };
                let us = super::parse_time_micros(clock).ok_or_else(syntax)?;
                let us = if negative { -us } else { us };
                let total = i128::from(i.microseconds) + us;
                i.microseconds = i64::try_from(total).map_err(|_| syntax())?;
                continue;
            }
            let n: i32 = word.parse().map_err(|_| syntax())?;
            let unit = words.next().ok_or_else(syntax)?;
            match unit.trim_end_matches('s') {
                "year" => {
                    i.months = n
                        .checked_mul(12)
                        .and_then(|m| i.months.checked_add(m))
                        .ok_or_else(syntax)?;
                }
                "mon" => i.months = i.months.checked_add(n).ok_or_else(syntax)?,
                "day" => i.days = i.days.checked_add(n).ok_or_else(syntax)?,
                _ => return Err(syntax()),
            }
        }
        Ok(i)
    }
}

fn read(value: &ValueRef<'_>) -> Result<Interval, BoxError> {
    let raw = value.non_null()?;
    if value.format() == Format::Text {
        return Ok(text(raw)?.parse()?);
    }
    if raw.len() != 16 {
        return Err(InvalidLength {
            expected: 16,
            found: raw.len(),
        }
        .into());
    }
    let mut r = raw;
    let microseconds = r.get_i64();
    let days = r.get_i32();
    let months = r.get_i32();
    Ok(Interval {
        months,
        days,
        microseconds,
    })
}

fn write(i: &Interval, buf: &mut BytesMut) {
    buf.put_i64(i.microseconds);
    buf.put_i32(i.days);
    buf.put_i32(i.months);
}

impl Type for Interval {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::INTERVAL
    }
}

impl Encode for Interval {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        write(self, buf);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Interval as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for Interval {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Interval as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        read(&value)
    }
}

impl Type for Duration {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::INTERVAL
    }
}

impl Encode for Duration {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        write(&Interval::try_from(*self)?, buf);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <Duration as Type>::accepts(ty)
    }
    fn rust_type(&self) -> &'static str {
        "chrono::Duration"
    }
}

impl<'r> Decode<'r> for Duration {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <Duration as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(Duration::try_from(read(&value)?)?)
    }
    fn rust_type() -> &'static str {
        "chrono::Duration"
    }
}

/// Days and microseconds as one count (for callers comparing intervals as durations).
#[cfg(test)]
fn total_micros(i: &Interval) -> i128 {
    i128::from(i.days) * i128::from(super::USECS_PER_DAY) + i128::from(i.microseconds)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn prints_like_postgres() {
        let cases = [
            (
                Interval {
                    months: 0,
                    days: 0,
                    microseconds: 0,
                },
                "00:00:00",
            ),
            (
                Interval {
                    months: 1,
                    days: 1,
                    microseconds: 0,
                },
                "1 mon 1 day",
            ),
            (
                Interval {
                    months: -1,
                    days: 0,
                    microseconds: 0,
                },
                "-1 mons",
            ),
            (
                Interval {
                    months: -13,
                    days: 2,
                    microseconds: -1,
                },
                "-1 years -1 mons +2 days -00:00:00.000001",
            ),
            (
                Interval {
                    months: 0,
                    days: -1,
                    microseconds: 7_200_000_000,
                },
                "-1 days +02:00:00",
            ),
            (
                Interval {
                    months: 0,
                    days: 0,
                    microseconds: 400 * 3_600_000_000,
                },
                "400:00:00",
            ),
            (
                Interval {
                    months: 24,
                    days: 0,
                    microseconds: 0,
                },
                "2 years",
            ),
        ];
        for (i, s) in cases {
            assert_eq!(i.to_string(), s);
            assert_eq!(s.parse::<Interval>().unwrap(), i, "{s}");
        }
        assert!("1 fortnight".parse::<Interval>().is_err());
        assert!("P1Y".parse::<Interval>().is_err());
    }

    #[test]
    fn months_into_duration_is_an_error() {
        let err = Duration::try_from(Interval {
            months: 1,
            days: 0,
            microseconds: 0,
        })
        .unwrap_err();
        assert!(err.to_string().contains("'1 mon'"), "{err}");
        assert!(Interval::try_from(Duration::MAX).is_err());
        let d = Duration::nanoseconds(-1_500);
        assert_eq!(Interval::try_from(d).unwrap().microseconds, -2);
    }

    proptest! {
        #[test]
        fn round_trip(months in any::<i32>(), days in any::<i32>(), microseconds in any::<i64>()) {
            let i = Interval { months, days, microseconds };
            let mut buf = BytesMut::new();
            write(&i, &mut buf);
            let ty = PgType::resolve(oid::INTERVAL);
            prop_assert_eq!(read(&ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(), i);
            let text = i.to_string();
            prop_assert_eq!(text.parse::<Interval>().unwrap(), i);
            if months == 0 {
                let d = Duration::try_from(i).unwrap();
                prop_assert_eq!(i128::from(d.num_microseconds().unwrap_or(0)), total_micros(&i));
            }
        }
    }
}
