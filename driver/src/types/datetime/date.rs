//! `date` ↔ `NaiveDate` and `Infinite<NaiveDate>`: days since 2000-01-01, `i32::MAX`/`i32::MIN`
//! for `±infinity`; text `YYYY-MM-DD[ BC]`.

use bytes::{BufMut, BytesMut};
use chrono::{Days, NaiveDate};

use super::infinite::infinite_codecs;
use super::{DateTimeError, Infinite, parse_date, pg_epoch};
use crate::types::{BoxError, Format, InvalidLength, ValueRef, oid, text};

fn encode(value: &Infinite<NaiveDate>, buf: &mut BytesMut) -> Result<(), BoxError> {
    let days = match value {
        Infinite::NegInfinity => i32::MIN,
        Infinite::Infinity => i32::MAX,
        Infinite::Value(d) => {
            let days = d.signed_duration_since(pg_epoch()).num_days();
            i32::try_from(days)
                .ok()
                .filter(|d| *d != i32::MIN && *d != i32::MAX)
                .ok_or_else(|| DateTimeError::OutOfRange(format!("date {d}")))?
        }
    };
    buf.put_i32(days);
    Ok(())
}

/// The date `days` after (or before) 2000-01-01.
pub(super) fn date_from_days(days: i64) -> Result<NaiveDate, BoxError> {
    let epoch = pg_epoch();
    let magnitude = Days::new(days.unsigned_abs());
    let date = if days >= 0 {
        epoch.checked_add_days(magnitude)
    } else {
        epoch.checked_sub_days(magnitude)
    };
    date.ok_or_else(|| {
        DateTimeError::OutOfRange(format!(
            "date 2000-01-01 {days:+} days (beyond chrono's range)"
        ))
        .into()
    })
}

fn decode(value: &ValueRef<'_>) -> Result<Infinite<NaiveDate>, BoxError> {
    let raw = value.non_null()?;
    if value.format() == Format::Text {
        let s = text(raw)?;
        return match s {
            "infinity" => Ok(Infinite::Infinity),
            "-infinity" => Ok(Infinite::NegInfinity),
            _ => {
                let (body, bc) = match s.strip_suffix(" BC") {
                    Some(body) => (body, true),
                    None => (s, false),
                };
                parse_date(body, bc).map(Infinite::Value).ok_or_else(|| {
                    DateTimeError::Syntax {
                        pg_type: "date",
                        text: s.to_owned(),
                    }
                    .into()
                })
            }
        };
    }
    let bytes: [u8; 4] = raw.try_into().map_err(|_| InvalidLength {
        expected: 4,
        found: raw.len(),
    })?;
    match i32::from_be_bytes(bytes) {
        i32::MAX => Ok(Infinite::Infinity),
        i32::MIN => Ok(Infinite::NegInfinity),
        days => date_from_days(i64::from(days)).map(Infinite::Value),
    }
}

infinite_codecs!(NaiveDate, "date", |o| o == oid::DATE, encode, decode);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::types::{Decode, Encode, PgType};

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn infinity_and_text() {
        let ty = PgType::resolve(oid::DATE);
        let inf = i32::MAX.to_be_bytes();
        let err = NaiveDate::decode(ValueRef::new(Some(&inf), Format::Binary, &ty)).unwrap_err();
        assert!(
            err.to_string().contains("'infinity'") && err.to_string().contains("NaiveDate"),
            "{err}"
        );
        let v =
            Infinite::<NaiveDate>::decode(ValueRef::new(Some(&inf), Format::Binary, &ty)).unwrap();
        assert_eq!(v, Infinite::Infinity);
        let bc =
            NaiveDate::decode(ValueRef::new(Some(b"0044-03-15 BC"), Format::Text, &ty)).unwrap();
        assert_eq!(bc, ymd(-43, 3, 15));
        let v = Infinite::<NaiveDate>::decode(ValueRef::new(Some(b"-infinity"), Format::Text, &ty))
            .unwrap();
        assert_eq!(v, Infinite::NegInfinity);
        assert!(NaiveDate::decode(ValueRef::new(Some(b"2024-13-01"), Format::Text, &ty)).is_err());
        assert!(NaiveDate::decode(ValueRef::new(Some(&[0, 0]), Format::Binary, &ty)).is_err());
    }

    #[test]
    fn beyond_chrono_is_an_error() {
        let ty = PgType::resolve(oid::DATE);
        let far = (i32::MAX - 1).to_be_bytes();
        assert!(NaiveDate::decode(ValueRef::new(Some(&far), Format::Binary, &ty)).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(days in -2_000_000i32..2_000_000) {
            let ty = PgType::resolve(oid::DATE);
            let d = pg_epoch() + chrono::Duration::days(i64::from(days));
            let mut buf = BytesMut::new();
            d.encode(&ty, &mut buf).unwrap();
            prop_assert_eq!(&buf[..], &days.to_be_bytes()[..]);
            prop_assert_eq!(NaiveDate::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap(), d);
        }
    }
}
