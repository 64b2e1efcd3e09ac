//! Dates and times (chrono). `date` is days since 2000-01-01; `infinity`/`-infinity` have no
//! `NaiveDate` and decode as an error naming them.

use bytes::{BufMut, BytesMut};
use chrono::{Days, NaiveDate};

use super::{BoxError, Decode, Encode, Format, InvalidLength, IsNull, Oid, non_null, oid, text};

/// PostgreSQL's epoch for dates and timestamps.
fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl Encode for NaiveDate {
    fn encode(&self, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        let days = self.signed_duration_since(pg_epoch()).num_days();
        let days = i32::try_from(days).map_err(|_| format!("date {self} is out of range"))?;
        buf.put_i32(days);
        Ok(IsNull::No)
    }
    fn accepts(&self, oid: Oid) -> bool {
        oid == oid::DATE
    }
}

impl<'r> Decode<'r> for NaiveDate {
    fn accepts(oid: Oid, _format: Format) -> bool {
        oid == oid::DATE
    }
    fn decode(raw: Option<&'r [u8]>, format: Format, _oid: Oid) -> Result<Self, BoxError> {
        let raw = non_null(raw)?;
        if format == Format::Text {
            return Ok(NaiveDate::parse_from_str(text(raw)?, "%Y-%m-%d")?);
        }
        let bytes: [u8; 4] = raw.try_into().map_err(|_| InvalidLength {
            expected: 4,
            found: raw.len(),
        })?;
        let days = i32::from_be_bytes(bytes);
        match days {
            i32::MAX => return Err("date 'infinity' has no NaiveDate".into()),
            i32::MIN => return Err("date '-infinity' has no NaiveDate".into()),
            _ => {}
        }
        let epoch = pg_epoch();
        let date = if days >= 0 {
            epoch.checked_add_days(Days::new(u64::from(days.unsigned_abs())))
        } else {
            epoch.checked_sub_days(Days::new(u64::from(days.unsigned_abs())))
        };
        date.ok_or_else(|| format!("date {days} days from 2000-01-01 is out of range").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_round_trip() {
        let d = NaiveDate::from_ymd_opt(1984, 3, 1).unwrap();
        let mut buf = BytesMut::new();
        d.encode(&mut buf).unwrap();
        assert_eq!(
            NaiveDate::decode(Some(&buf), Format::Binary, oid::DATE).unwrap(),
            d
        );
        let inf = i32::MAX.to_be_bytes();
        assert!(NaiveDate::decode(Some(&inf), Format::Binary, oid::DATE).is_err());
    }
}
