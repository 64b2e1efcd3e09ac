//! Dates and times (chrono). `date` is days since 2000-01-01; `infinity`/`-infinity` have no
//! `NaiveDate` and decode as an error naming them.

use bytes::{BufMut, BytesMut};
use chrono::{Days, NaiveDate};

use super::{
    BoxError, Decode, Encode, Format, InvalidLength, IsNull, PgType, Type, ValueRef, oid, text,
};

/// PostgreSQL's epoch for dates and timestamps.
fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl Type for NaiveDate {
    fn accepts(ty: &PgType) -> bool {
        ty.oid() == oid::DATE
    }
}

impl Encode for NaiveDate {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        let days = self.signed_duration_since(pg_epoch()).num_days();
        let days = i32::try_from(days).map_err(|_| format!("date {self} is out of range"))?;
        buf.put_i32(days);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        <NaiveDate as Type>::accepts(ty)
    }
}

impl<'r> Decode<'r> for NaiveDate {
    fn accepts(ty: &PgType, _format: Format) -> bool {
        <NaiveDate as Type>::accepts(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        if value.format() == Format::Text {
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
        let date_ty = PgType::resolve(oid::DATE);
        let d = NaiveDate::from_ymd_opt(1984, 3, 1).unwrap();
        let mut buf = BytesMut::new();
        d.encode(&date_ty, &mut buf).unwrap();
        assert_eq!(
            NaiveDate::decode(ValueRef::new(Some(&buf), Format::Binary, &date_ty)).unwrap(),
            d
        );
        let inf = i32::MAX.to_be_bytes();
        assert!(NaiveDate::decode(ValueRef::new(Some(&inf), Format::Binary, &date_ty)).is_err());
    }
}
