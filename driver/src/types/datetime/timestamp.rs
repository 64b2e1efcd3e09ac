//! `timestamp` ↔ `NaiveDateTime`, `timestamptz` ↔ `DateTime<Utc>`, `DateTime<FixedOffset>`,
//! `DateTime<Local>`, and their `Infinite<_>`: microseconds since 2000-01-01 00:00:00 (UTC for
//! `timestamptz`), `i64::MAX`/`i64::MIN` for `±infinity`. Text: ISO `DateStyle`.

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, Utc};

use super::infinite::infinite_codecs;
use super::time::{parse_offset, split_offset};
use super::{
    DateTimeError, Infinite, PG_EPOCH_UNIX_SECS, parse_date, parse_time_micros, round_nanos,
};
use crate::types::{BoxError, Format, InvalidLength, ValueRef, oid, text};

/// Microseconds since PostgreSQL's epoch, nanoseconds rounded as the server rounds them.
fn to_micros(dt: &NaiveDateTime) -> Result<i64, BoxError> {
    let utc = dt.and_utc();
    let us = (utc.timestamp() - PG_EPOCH_UNIX_SECS)
        .checked_mul(1_000_000)
        .and_then(|us| us.checked_add(round_nanos(utc.timestamp_subsec_nanos())))
        .filter(|us| *us != i64::MAX && *us != i64::MIN);
    us.ok_or_else(|| DateTimeError::OutOfRange(format!("timestamp {dt}")).into())
}

/// The timestamp `us` microseconds from PostgreSQL's epoch.
fn from_micros(us: i64) -> Result<NaiveDateTime, BoxError> {
    let secs = us.div_euclid(1_000_000) + PG_EPOCH_UNIX_SECS;
    let nanos = u32::try_from(us.rem_euclid(1_000_000) * 1000).unwrap_or(0);
    DateTime::from_timestamp(secs, nanos)
        .map(|dt| dt.naive_utc())
        .ok_or_else(|| {
            DateTimeError::OutOfRange(format!(
                "timestamp 2000-01-01 {us:+} microseconds (beyond chrono's range)"
            ))
            .into()
        })
}

fn write(value: Infinite<NaiveDateTime>, buf: &mut BytesMut) -> Result<(), BoxError> {
    buf.put_i64(match value {
        Infinite::NegInfinity => i64::MIN,
        Infinite::Infinity => i64::MAX,
        Infinite::Value(dt) => to_micros(&dt)?,
    });
    Ok(())
}

/// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]`; the offset in seconds east.
fn parse_text(s: &str, pg_type: &'static str) -> Result<(NaiveDateTime, i32), BoxError> {
    let syntax = || -> BoxError {
        DateTimeError::Syntax {
            pg_type,
            text: s.to_owned(),
        }
        .into()
    };
    let (body, bc) = match s.strip_suffix(" BC") {
        Some(body) => (body, true),
        None => (s, false),
    };
    let (date, time) = body.split_once(' ').ok_or_else(syntax)?;
    let (time, offset) = match split_offset(time) {
        Some((t, o)) => (t, parse_offset(o).ok_or_else(syntax)?),
        None => (time, 0),
    };
    let date = parse_date(date, bc).ok_or_else(syntax)?;
    let us = parse_time_micros(time)
        .and_then(|us| i64::try_from(us).ok())
        .ok_or_else(syntax)?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or_else(syntax)?;
    let local = midnight
        .checked_add_signed(chrono::Duration::microseconds(us))
        .ok_or_else(syntax)?;
    Ok((local, offset))
}

/// Reads a timestamp as its UTC (or, for `timestamp`, wall-clock) value and the offset the text
/// form carried (0 in binary).
fn read(
    value: &ValueRef<'_>,
    pg_type: &'static str,
) -> Result<Infinite<(NaiveDateTime, i32)>, BoxError> {
    let raw = value.non_null()?;
    if value.format() == Format::Text {
        let s = text(raw)?;
        return match s {
            "infinity" => Ok(Infinite::Infinity),
            "-infinity" => Ok(Infinite::NegInfinity),
            _ => {
                let (local, offset) = parse_text(s, pg_type)?;
                let utc = local
                    .checked_sub_signed(chrono::Duration::seconds(i64::from(offset)))
                    .ok_or_else(|| DateTimeError::OutOfRange(format!("{pg_type} {s}")))?;
                Ok(Infinite::Value((utc, offset)))
            }
        };
    }
    let bytes: [u8; 8] = raw.try_into().map_err(|_| InvalidLength {
        expected: 8,
        found: raw.len(),
    })?;
    match i64::from_be_bytes(bytes) {
        i64::MAX => Ok(Infinite::Infinity),
        i64::MIN => Ok(Infinite::NegInfinity),
        us => Ok(Infinite::Value((from_micros(us)?, 0))),
    }
}

fn map<T, U>(
    v: Infinite<T>,
    f: impl FnOnce(T) -> Result<U, BoxError>,
) -> Result<Infinite<U>, BoxError> {
    Ok(match v {
        Infinite::NegInfinity => Infinite::NegInfinity,
        Infinite::Infinity => Infinite::Infinity,
        Infinite::Value(v) => Infinite::Value(f(v)?),
    })
}

fn encode_naive(v: &Infinite<NaiveDateTime>, buf: &mut BytesMut) -> Result<(), BoxError> {
    write(*v, buf)
}

fn decode_naive(value: &ValueRef<'_>) -> Result<Infinite<NaiveDateTime>, BoxError> {
    map(read(value, "timestamp")?, |(dt, _)| Ok(dt))
}

fn encode_tz<Tz: chrono::TimeZone>(
    v: &Infinite<DateTime<Tz>>,
    buf: &mut BytesMut,
) -> Result<(), BoxError> {
    write(map(v.clone(), |dt| Ok(dt.naive_utc()))?, buf)
}

fn decode_utc(value: &ValueRef<'_>) -> Result<Infinite<DateTime<Utc>>, BoxError> {
    map(read(value, "timestamptz")?, |(dt, _)| Ok(dt.and_utc()))
}

fn decode_fixed(value: &ValueRef<'_>) -> Result<Infinite<DateTime<FixedOffset>>, BoxError> {
    map(read(value, "timestamptz")?, |(dt, offset)| {
        let offset = FixedOffset::east_opt(offset)
            .ok_or_else(|| DateTimeError::OutOfRange(format!("time zone offset {offset} s")))?;
        Ok(dt.and_utc().with_timezone(&offset))
    })
}

fn decode_local(value: &ValueRef<'_>) -> Result<Infinite<DateTime<Local>>, BoxError> {
    map(read(value, "timestamptz")?, |(dt, _)| {
        Ok(dt.and_utc().with_timezone(&Local))
    })
}

infinite_codecs!(
    NaiveDateTime,
    "timestamp",
    |o| o == oid::TIMESTAMP,
    encode_naive,
    decode_naive
);
infinite_codecs!(
    DateTime<Utc>,
    "timestamptz",
    |o| o == oid::TIMESTAMPTZ,
    encode_tz,
    decode_utc
);
infinite_codecs!(
    DateTime<FixedOffset>,
    "timestamptz",
    |o| o == oid::TIMESTAMPTZ,
    encode_tz,
    decode_fixed
);
infinite_codecs!(
    DateTime<Local>,
    "timestamptz",
    |o| o == oid::TIMESTAMPTZ,
    encode_tz,
    decode_local
);

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::types::{Decode, Encode, PgType};

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn epoch_and_infinity() {
        let ty = PgType::resolve(oid::TIMESTAMP);
        let mut buf = BytesMut::new();
        dt("2000-01-01 00:00:01").encode(&ty, &mut buf).unwrap();
        assert_eq!(&buf[..], &1_000_000i64.to_be_bytes());
        let inf = i64::MIN.to_be_bytes();
        let err =
            NaiveDateTime::decode(ValueRef::new(Some(&inf), Format::Binary, &ty)).unwrap_err();
        assert!(err.to_string().contains("'-infinity'"), "{err}");
        let v = Infinite::<NaiveDateTime>::decode(ValueRef::new(Some(&inf), Format::Binary, &ty))
            .unwrap();
        assert_eq!(v, Infinite::NegInfinity);
    }

    #[test]
    fn nanoseconds_round_like_postgres() {
        let ty = PgType::resolve(oid::TIMESTAMP);
        let mut buf = BytesMut::new();
        dt("2000-01-01 00:00:00.0000015")
            .encode(&ty, &mut buf)
            .unwrap();
        assert_eq!(&buf[..], &2i64.to_be_bytes());
        buf.clear();
        dt("1999-12-31 23:59:59.9999994")
            .encode(&ty, &mut buf)
            .unwrap();
        assert_eq!(&buf[..], &(-1i64).to_be_bytes());
    }

    #[test]
    fn text_forms() {
        let ty = PgType::resolve(oid::TIMESTAMPTZ);
        let v = DateTime::<FixedOffset>::decode(ValueRef::new(
            Some(b"2024-03-10 01:59:59.5-05"),
            Format::Text,
            &ty,
        ))
        .unwrap();
        assert_eq!(v.to_rfc3339(), "2024-03-10T01:59:59.500-05:00");
        let u = DateTime::<Utc>::decode(ValueRef::new(
            Some(b"0044-03-15 12:00:00+00:01:15 BC"),
            Format::Text,
            &ty,
        ))
        .unwrap();
        assert_eq!(
            u.naive_utc(),
            NaiveDate::from_ymd_opt(-43, 3, 15)
                .unwrap()
                .and_hms_opt(11, 58, 45)
                .unwrap()
        );
        let ts = PgType::resolve(oid::TIMESTAMP);
        let n = NaiveDateTime::decode(ValueRef::new(
            Some(b"1969-07-20 20:17:40"),
            Format::Text,
            &ts,
        ))
        .unwrap();
        assert_eq!(n, dt("1969-07-20 20:17:40"));
        assert!(
            NaiveDateTime::decode(ValueRef::new(Some(b"1969-07-20"), Format::Text, &ts)).is_err()
        );
        let i =
            Infinite::<DateTime<Utc>>::decode(ValueRef::new(Some(b"infinity"), Format::Text, &ty))
                .unwrap();
        assert_eq!(i, Infinite::Infinity);
    }

    proptest! {
        #[test]
        fn round_trip(us in -200_000_000_000_000_000i64..200_000_000_000_000_000) {
            let ty = PgType::resolve(oid::TIMESTAMPTZ);
            let v = from_micros(us).unwrap().and_utc();
            let mut buf = BytesMut::new();
            v.encode(&ty, &mut buf).unwrap();
            prop_assert_eq!(&buf[..], &us.to_be_bytes()[..]);
            prop_assert_eq!(DateTime::<Utc>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(), v);
            let local = DateTime::<Local>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
            prop_assert_eq!(local, v);
        }
    }
}
