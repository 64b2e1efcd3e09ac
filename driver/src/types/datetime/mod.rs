//! Dates and times (chrono): `date`, `time`, `timetz`, `timestamp`, `timestamptz`, `interval`.
//!
//! Binary forms count from PostgreSQL's epoch, 2000-01-01 00:00:00 (days for `date`, microseconds
//! otherwise); `infinity`/`-infinity` are the extreme values and decode into [`Infinite`], or into
//! an error naming them for a plain chrono type. Text forms (ISO `DateStyle`, `postgres`
//! `IntervalStyle`, which Quarry connections use) are read too.

mod date;
mod infinite;
mod interval;
mod time;
mod timestamp;

use chrono::{NaiveDate, NaiveTime};

use super::BoxError;

pub use infinite::Infinite;
pub use interval::{Interval, IntervalError};
pub use time::TimeTz;

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01 00:00:00 UTC).
const PG_EPOCH_UNIX_SECS: i64 = 946_684_800;
/// Microseconds in a day.
const USECS_PER_DAY: i64 = 86_400_000_000;

/// PostgreSQL's epoch for dates.
fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A value PostgreSQL can hold but chrono cannot, or text that is not a date/time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateTimeError {
    /// `infinity` or `-infinity` reached a plain chrono type.
    #[error(
        "{pg_type} '{value}' cannot be decoded into {rust_type}; use quarry::types::Infinite<{rust_type}>"
    )]
    Infinite {
        /// `date`, `timestamp` or `timestamptz`.
        pg_type: &'static str,
        /// `infinity` or `-infinity`.
        value: &'static str,
        /// The chrono type asked for.
        rust_type: &'static str,
    },
    /// A value outside chrono's range (about ±262,000 years), or PostgreSQL's.
    #[error("{0} is out of range")]
    OutOfRange(String),
    /// `24:00:00`, which PostgreSQL allows as a `time` and chrono's `NaiveTime` does not.
    #[error("time 24:00:00 has no NaiveTime")]
    EndOfDay,
    /// Text that is not in the expected format.
    #[error("invalid {pg_type} text {text:?}")]
    Syntax {
        /// The type being read.
        pg_type: &'static str,
        /// The text received.
        text: String,
    },
}

/// Rounds nanoseconds to microseconds as PostgreSQL rounds extra fractional digits (`rint`:
/// half to even).
fn round_nanos(nanos: u32) -> i64 {
    let (us, rest) = (i64::from(nanos / 1000), nanos % 1000);
    if rest > 500 || (rest == 500 && us % 2 == 1) {
        us + 1
    } else {
        us
    }
}

/// Parses `YYYY-MM-DD` (any number of year digits), with `bc` for a year before 1 AD.
fn parse_date(s: &str, bc: bool) -> Option<NaiveDate> {
    let mut parts = s.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year = if bc { 1 - year } else { year };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses `HH:MM:SS[.ffffff]` into microseconds since midnight (24:00:00 allowed; more hours for
/// intervals).
fn parse_time_micros(s: &str) -> Option<i128> {
    let mut parts = s.splitn(3, ':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (sec, frac) = match parts.next() {
        Some(rest) => match rest.split_once('.') {
            Some((s, f)) => (s.parse::<i64>().ok()?, parse_fraction(f)?),
            None => (rest.parse::<i64>().ok()?, 0),
        },
        None => (0, 0),
    };
    if !(0..=59).contains(&m) || !(0..=60).contains(&sec) || h < 0 {
        return None;
    }
    Some(i128::from(h) * 3_600_000_000 + i128::from(m * 60_000_000 + sec * 1_000_000 + frac))
}

/// Fractional seconds text (`5`, `123456`) as microseconds; at most 6 digits.
fn parse_fraction(f: &str) -> Option<i64> {
    if f.is_empty() || f.len() > 6 || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: i64 = f.parse().ok()?;
    let pad = 6 - u32::try_from(f.len()).ok()?;
    Some(digits * 10_i64.pow(pad))
}

/// A time of day from microseconds since midnight.
fn time_from_micros(us: i64) -> Result<NaiveTime, BoxError> {
    if us == USECS_PER_DAY {
        return Err(DateTimeError::EndOfDay.into());
    }
    let secs = u32::try_from(us.div_euclid(1_000_000))
        .map_err(|_| DateTimeError::OutOfRange(format!("time of {us} microseconds")))?;
    let nanos = u32::try_from(us.rem_euclid(1_000_000) * 1000)
        .map_err(|_| DateTimeError::OutOfRange(format!("time of {us} microseconds")))?;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
        .ok_or_else(|| DateTimeError::OutOfRange(format!("time of {us} microseconds")).into())
}

/// Microseconds since midnight, rounded like PostgreSQL (a leap second counts as :59.999999).
fn time_to_micros(t: NaiveTime) -> i64 {
    use chrono::Timelike;
    let nanos = t.nanosecond().min(999_999_999);
    let us = i64::from(t.num_seconds_from_midnight()) * 1_000_000 + round_nanos(nanos);
    us.min(USECS_PER_DAY)
}

/// Writes `HH:MM:SS[.ffffff]` like PostgreSQL (trailing fractional zeros dropped).
fn write_time(out: &mut String, us: i64) {
    use std::fmt::Write;
    let us = us.unsigned_abs();
    let secs = us / 1_000_000;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let frac = us % 1_000_000;
    if frac != 0 {
        let digits = format!("{frac:06}");
        let _ = write!(out, ".{}", digits.trim_end_matches('0'));
    }
}
