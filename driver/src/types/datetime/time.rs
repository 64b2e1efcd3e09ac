//! `time` ↔ `NaiveTime` (microseconds since midnight) and `timetz` ↔ [`TimeTz`] (the same plus
//! the zone in seconds *west* of UTC, as PostgreSQL stores it).

use std::fmt;

use bytes::{Buf, BufMut, BytesMut};
use chrono::{FixedOffset, NaiveTime};

use super::{DateTimeError, parse_time_micros, time_from_micros, time_to_micros, write_time};
use crate::types::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

/// A PostgreSQL `timetz`: a time of day with its UTC offset.
///
/// ```
/// use chrono::{FixedOffset, NaiveTime};
/// use quarry_driver::types::TimeTz;
/// let t = TimeTz {
///     time: NaiveTime::from_hms_micro_opt(12, 30, 0, 500_000).unwrap(),
///     offset: FixedOffset::east_opt(5 * 3600 + 1800).unwrap(),
/// };
/// assert_eq!(t.to_string(), "12:30:00.5+05:30");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeTz {
    /// The local time of day.
    pub time: NaiveTime,
    /// The offset from UTC (east positive).
    pub offset: FixedOffset,
}

impl fmt::Display for TimeTz {
    /// Prints like PostgreSQL: `HH:MM:SS[.ffffff]±HH[:MM[:SS]]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(24);
        write_time(&mut out, time_to_micros(self.time));
        write_offset(&mut out, self.offset.local_minus_utc());
        f.pad(&out)
    }
}

/// Writes a UTC offset like PostgreSQL: `+05`, `-03:30`, `+00:01:15`.
pub(super) fn write_offset(out: &mut String, east_secs: i32) {
    use std::fmt::Write;
    let sign = if east_secs < 0 { '-' } else { '+' };
    let s = east_secs.unsigned_abs();
    let _ = write!(out, "{sign}{:02}", s / 3600);
    if !s.is_multiple_of(3600) {
        let _ = write!(out, ":{:02}", s / 60 % 60);
        if !s.is_multiple_of(60) {
            let _ = write!(out, ":{:02}", s % 60);
        }
    }
}

/// Parses `±HH[:MM[:SS]]` into seconds east of UTC.
pub(super) fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => return None,
    };
    let mut secs = 0;
    for (i, part) in rest.split(':').enumerate() {
        let unit = [3600, 60, 1].get(i)?;
        if part.is_empty() || part.len() > 2 {
            return None;
        }
        secs += unit * part.parse::<i32>().ok()?;
    }
    Some(sign * secs)
}

/// Splits `time±offset` at the offset's sign.
pub(super) fn split_offset(s: &str) -> Option<(&str, &str)> {
    let at = s.rfind(['+', '-'])?;
    Some((s.get(..at)?, s.get(at..)?))
}

fn syntax(pg_type: &'static str, text: &str) -> BoxError {
    DateTimeError::Syntax {
        pg_type,
        text: text.to_owned(),
    }
    .into()
}

impl Type for NaiveTime {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::TIME
    }
}

impl Encode for NaiveTime {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_i64(time_to_micros(*self));
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <NaiveTime as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for NaiveTime {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <NaiveTime as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        let us = match value.format() {
            Format::Text => {
                let s = text(raw)?;
                parse_time_micros(s)
                    .and_then(|us| i64::try_from(us).ok())
                    .ok_or_else(|| syntax("time", s))?
            }
            Format::Binary => i64::from_be_bytes(raw.try_into().map_err(|_| InvalidLength {
                expected: 8,
                found: raw.len(),
            })?),
        };
        time_from_micros(us)
    }
    fn rust_type() -> &'static str {
        "NaiveTime"
    }
}

impl Type for TimeTz {
    fn accepts(ty: &PgType) -> bool {
        ty.base_oid() == oid::TIMETZ
    }
}

impl Encode for TimeTz {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        buf.put_i64(time_to_micros(self.time));
        buf.put_i32(-self.offset.local_minus_utc());
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <TimeTz as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for TimeTz {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <TimeTz as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        let (us, east) = match value.format() {
            Format::Text => {
                let s = text(raw)?;
                let (time, offset) = split_offset(s).ok_or_else(|| syntax("timetz", s))?;
                let us = parse_time_micros(time)
                    .and_then(|us| i64::try_from(us).ok())
                    .ok_or_else(|| syntax("timetz", s))?;
                (us, parse_offset(offset).ok_or_else(|| syntax("timetz", s))?)
            }
            Format::Binary => {
                if raw.len() != 12 {
                    return Err(InvalidLength {
                        expected: 12,
                        found: raw.len(),
                    }
                    .into());
                }
                let mut r = raw;
                let us = r.get_i64();
                let west = r.get_i32();
                (us, west.checked_neg().unwrap_or(i32::MAX))
            }
        };
        let offset = FixedOffset::east_opt(east)
            .ok_or_else(|| DateTimeError::OutOfRange(format!("time zone offset {east} s")))?;
        Ok(TimeTz {
            time: time_from_micros(us)?,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn timetz_wire_and_text() {
        let ty = PgType::resolve(oid::TIMETZ);
        let t = TimeTz {
            time: NaiveTime::from_hms_opt(1, 2, 3).unwrap(),
            offset: FixedOffset::west_opt(3 * 3600 + 1800).unwrap(),
        };
        let mut buf = BytesMut::new();
        t.encode(&ty, &mut buf).unwrap();
        assert_eq!(&buf[8..], &(3 * 3600 + 1800i32).to_be_bytes());
        assert_eq!(
            TimeTz::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(),
            t
        );
        assert_eq!(t.to_string(), "01:02:03-03:30");
        let parsed =
            TimeTz::decode(ValueRef::new(Some(b"01:02:03-03:30"), Format::Text, &ty)).unwrap();
        assert_eq!(parsed, t);
        assert!(TimeTz::decode(ValueRef::new(Some(&buf[..8]), Format::Binary, &ty)).is_err());
    }

    #[test]
    fn end_of_day_and_text() {
        let ty = PgType::resolve(oid::TIME);
        let eod = 86_400_000_000i64.to_be_bytes();
        assert!(NaiveTime::decode(ValueRef::new(Some(&eod), Format::Binary, &ty)).is_err());
        let t = NaiveTime::decode(ValueRef::new(Some(b"13:14:15.25"), Format::Text, &ty)).unwrap();
        assert_eq!(t, NaiveTime::from_hms_milli_opt(13, 14, 15, 250).unwrap());
        assert!(NaiveTime::decode(ValueRef::new(Some(b"13:61:00"), Format::Text, &ty)).is_err());
    }

    proptest! {
        #[test]
        fn time_round_trip(us in 0i64..86_400_000_000, off in -57_599i32..57_599) {
            let time = time_from_micros(us).unwrap();
            let ty = PgType::resolve(oid::TIMETZ);
            let t = TimeTz { time, offset: FixedOffset::east_opt(off).unwrap() };
            let mut buf = BytesMut::new();
            t.encode(&ty, &mut buf).unwrap();
            prop_assert_eq!(TimeTz::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(), t);
            let text = t.to_string();
            prop_assert_eq!(TimeTz::decode(ValueRef::new(Some(text.as_bytes()), Format::Text, &ty)).unwrap(), t);
        }
    }
}
