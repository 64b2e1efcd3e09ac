//! Property tests for every scalar codec: any value of the Rust type encodes to bytes that decode
//! back to the same value (in binary, the format Quarry uses), and arbitrary bytes given to each
//! decoder give a value or an error, never a panic. Containers (arrays, ranges, records,
//! networks) have their own properties next to their codecs.

use std::collections::HashMap;
use std::fmt::Debug;

use bytes::BytesMut;
use proptest::prelude::*;

use super::{
    BitString, Box as PgBox, Cid, Circle, Decode, Encode, Format, IsNull, Kind, Line, LineSegment,
    MacAddr, MacAddr8, Money, Numeric, NumericF64, Oid, Path, PgLsn, PgType, Point, Polygon, Tid,
    ValueRef, Xid, Xid8, oid,
};

/// Encodes `v` as a value of `ty` and decodes it back in binary.
fn round_trip_as<T>(v: &T, ty: &PgType) -> T
where
    T: Encode + for<'r> Decode<'r>,
{
    let mut buf = BytesMut::new();
    assert!(matches!(v.encode(ty, &mut buf).unwrap(), IsNull::No));
    assert!(<T as Decode>::accepts(ty, Format::Binary), "{ty}");
    T::decode(ValueRef::new(Some(&buf), Format::Binary, ty)).unwrap()
}

fn round_trip<T>(v: &T, type_oid: Oid) -> T
where
    T: Encode + for<'r> Decode<'r>,
{
    round_trip_as(v, &PgType::resolve(type_oid))
}

/// Decoding arbitrary bytes as `T` must not panic.
fn garbage<T: for<'r> Decode<'r> + Debug>(raw: &[u8], type_oid: Oid) {
    let ty = PgType::resolve(type_oid);
    let _ = T::decode(ValueRef::new(Some(raw), Format::Binary, &ty));
}

fn finite() -> impl Strategy<Value = f64> {
    proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO
}

fn point() -> impl Strategy<Value = Point> {
    (finite(), finite()).prop_map(|(x, y)| Point { x, y })
}

fn hstore() -> PgType {
    PgType::new(16_500, "hstore", "public", Kind::Base)
}

proptest! {
    #[test]
    fn prop_bool_and_integers(b: bool, a: i16, c: i32, d: i64, ch: i8, o: u32) {
        prop_assert_eq!(round_trip(&b, oid::BOOL), b);
        prop_assert_eq!(round_trip(&a, oid::INT2), a);
        prop_assert_eq!(round_trip(&c, oid::INT4), c);
        prop_assert_eq!(round_trip(&d, oid::INT8), d);
        prop_assert_eq!(round_trip(&ch, oid::CHAR), ch);
        prop_assert_eq!(round_trip(&o, oid::OID), o);
        prop_assert_eq!(round_trip(&o, oid::REGCLASS), o);
    }

    #[test]
    fn prop_floats_bit_exact(x: f32, y: f64) {
        prop_assert_eq!(round_trip(&x, oid::FLOAT4).to_bits(), x.to_bits());
        prop_assert_eq!(round_trip(&y, oid::FLOAT8).to_bits(), y.to_bits());
    }

    #[test]
    fn prop_text_and_bytes(s in "[^\u{0}]*", raw: Vec<u8>) {
        prop_assert_eq!(round_trip(&s, oid::TEXT), s.clone());
        prop_assert_eq!(round_trip(&s, oid::VARCHAR), s.clone());
        prop_assert_eq!(round_trip(&s, oid::NAME), s.clone());
        prop_assert_eq!(round_trip(&raw, oid::BYTEA), raw.clone());
        let b = bytes::Bytes::from(raw.clone());
        prop_assert_eq!(round_trip(&b, oid::BYTEA), b);
    }

    #[test]
    fn prop_text_with_nul_is_refused(a in "[^\u{0}]*", b in "[^\u{0}]*") {
        let s = format!("{a}\0{b}");
        let mut buf = BytesMut::new();
        prop_assert!(s.encode(&PgType::resolve(oid::TEXT), &mut buf).is_err());
    }

    #[test]
    fn prop_numeric_text_is_lossless(
        neg: bool,
        int in "[0-9]{1,60}",
        frac in proptest::option::of("[0-9]{1,60}"),
        exp in proptest::option::of(-200i32..200),
    ) {
        let mut text = format!("{}{int}", if neg { "-" } else { "" });
        if let Some(f) = frac {
            text.push('.');
            text.push_str(&f);
        }
        if let Some(e) = exp {
            text.push_str(&format!("e{e}"));
        }
        let n: Numeric = text.parse().unwrap();
        prop_assert_eq!(round_trip(&n, oid::NUMERIC), n);
    }

    #[test]
    fn prop_numeric_f64(x in finite()) {
        let back = round_trip(&NumericF64(x), oid::NUMERIC);
        prop_assert_eq!(back.0, x);
    }

    #[test]
    fn prop_money(cents: i64) {
        prop_assert_eq!(round_trip(&Money(cents), oid::MONEY), Money(cents));
    }

    #[test]
    fn prop_system_types(x: u32, y: u64, block: u32, offset: u16) {
        prop_assert_eq!(round_trip(&Xid(x), oid::XID), Xid(x));
        prop_assert_eq!(round_trip(&Cid(x), oid::CID), Cid(x));
        prop_assert_eq!(round_trip(&Xid8(y), oid::XID8), Xid8(y));
        prop_assert_eq!(round_trip(&PgLsn(y), oid::PG_LSN), PgLsn(y));
        let tid = Tid { block, offset };
        prop_assert_eq!(round_trip(&tid, oid::TID), tid);
    }

    #[test]
    fn prop_mac_addresses(a: [u8; 6], b: [u8; 8]) {
        prop_assert_eq!(round_trip(&MacAddr(a), oid::MACADDR), MacAddr(a));
        prop_assert_eq!(round_trip(&MacAddr8(b), oid::MACADDR8), MacAddr8(b));
    }

    #[test]
    fn prop_bit_strings(bits: Vec<bool>) {
        let mut b = BitString::new();
        for bit in &bits {
            b.push(*bit);
        }
        prop_assert_eq!(round_trip(&b, oid::VARBIT), b.clone());
        prop_assert_eq!(round_trip(&b, oid::BIT), b);
    }

    #[test]
    fn prop_geometry(
        p in point(),
        q in point(),
        (a, b, c) in (finite(), finite(), finite()),
        points in proptest::collection::vec(point(), 1..20),
        closed: bool,
    ) {
        prop_assert_eq!(round_trip(&p, oid::POINT), p);
        let line = Line { a, b, c };
        prop_assert_eq!(round_trip(&line, oid::LINE), line);
        let seg = LineSegment { start: p, end: q };
        prop_assert_eq!(round_trip(&seg, oid::LSEG), seg);
        let bx = PgBox { high: p, low: q };
        prop_assert_eq!(round_trip(&bx, oid::BOX), bx);
        let circle = Circle { center: p, radius: a.abs() };
        prop_assert_eq!(round_trip(&circle, oid::CIRCLE), circle);
        let path = Path { points: points.clone(), closed };
        prop_assert_eq!(round_trip(&path, oid::PATH), path);
        let polygon = Polygon { points };
        prop_assert_eq!(round_trip(&polygon, oid::POLYGON), polygon);
    }

    #[test]
    fn prop_hstore(map: HashMap<String, Option<String>>) {
        let map: HashMap<String, Option<String>> = map
            .into_iter()
            .filter(|(k, v)| !k.contains('\0') && !v.as_deref().unwrap_or("").contains('\0'))
            .collect();
        prop_assert_eq!(round_trip_as(&map, &hstore()), map);
    }

    #[test]
    fn prop_decoders_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
        garbage::<bool>(&raw, oid::BOOL);
        garbage::<i16>(&raw, oid::INT2);
        garbage::<i64>(&raw, oid::INT8);
        garbage::<f64>(&raw, oid::FLOAT8);
        garbage::<f32>(&raw, oid::FLOAT4);
        garbage::<String>(&raw, oid::TEXT);
        garbage::<String>(&raw, oid::JSONB);
        garbage::<Numeric>(&raw, oid::NUMERIC);
        garbage::<NumericF64>(&raw, oid::NUMERIC);
        garbage::<Money>(&raw, oid::MONEY);
        garbage::<Tid>(&raw, oid::TID);
        garbage::<PgLsn>(&raw, oid::PG_LSN);
        garbage::<MacAddr>(&raw, oid::MACADDR);
        garbage::<BitString>(&raw, oid::VARBIT);
        garbage::<Path>(&raw, oid::PATH);
        garbage::<Polygon>(&raw, oid::POLYGON);
        garbage::<Circle>(&raw, oid::CIRCLE);
        garbage::<super::Value>(&raw, oid::NUMERIC);
        garbage::<super::Value>(&raw, oid::RECORD);
        let ty = hstore();
        let _ = HashMap::<String, Option<String>>::decode(ValueRef::new(Some(&raw), Format::Binary, &ty));
    }
}

#[cfg(feature = "rust_decimal")]
mod decimal {
    use rust_decimal::Decimal;

    use super::*;

    proptest! {
        #[test]
        fn prop_decimal(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let back: Decimal = round_trip(&d, oid::NUMERIC);
            prop_assert_eq!(back, d);
            prop_assert_eq!(back.scale(), d.scale());
        }

        #[test]
        fn prop_decimal_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            garbage::<Decimal>(&raw, oid::NUMERIC);
        }
    }
}

#[cfg(feature = "uuid")]
mod uuid_codec {
    use super::*;

    proptest! {
        #[test]
        fn prop_uuid(x: u128) {
            let u = uuid::Uuid::from_u128(x);
            prop_assert_eq!(round_trip(&u, oid::UUID), u);
        }
    }
}

#[cfg(feature = "json")]
mod json_codec {
    use super::*;
    use crate::types::Json;

    proptest! {
        #[test]
        fn prop_json(s in "[^\u{0}]*", n: i64, quarter: i32, flag: bool) {
            // Binary fractions: serde_json's own float parsing is exact for them.
            let x = f64::from(quarter) / 4.0;
            let v = serde_json::json!({"s": s, "n": n, "x": x, "list": [flag, null]});
            prop_assert_eq!(round_trip(&v, oid::JSONB), v.clone());
            prop_assert_eq!(round_trip(&v, oid::JSON), v.clone());
            prop_assert_eq!(round_trip(&Json(v.clone()), oid::JSONB), Json(v));
        }
    }
}

#[cfg(feature = "chrono")]
mod chrono_codecs {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

    use super::*;
    use crate::types::{Infinite, Interval, TimeTz};

    fn date() -> impl Strategy<Value = NaiveDate> {
        // PostgreSQL's dates: 4714-11-24 BC to 5874897 AD, cut to what chrono holds.
        (-2_451_545i32..95_000_000).prop_filter_map("outside chrono", |days| {
            NaiveDate::from_num_days_from_ce_opt(days)
        })
    }

    fn time() -> impl Strategy<Value = NaiveTime> {
        (0u32..86_400, 0u32..1_000_000).prop_filter_map("invalid time", |(s, us)| {
            NaiveTime::from_num_seconds_from_midnight_opt(s, us * 1_000)
        })
    }

    fn timestamp() -> impl Strategy<Value = NaiveDateTime> {
        // 4713 BC to 294276 AD in microseconds, cut to what chrono holds.
        (-210_866_803_200_000_000i64..8_210_266_876_800_000_000)
            .prop_filter_map("outside chrono", |us| {
                DateTime::from_timestamp_micros(us).map(|t| t.naive_utc())
            })
    }

    proptest! {
        #[test]
        fn prop_dates_and_times(d in date(), t in time(), offset in -57_599i32..=57_599) {
            prop_assert_eq!(round_trip(&d, oid::DATE), d);
            prop_assert_eq!(round_trip(&t, oid::TIME), t);
            let tz = TimeTz { time: t, offset: FixedOffset::east_opt(offset).unwrap() };
            prop_assert_eq!(round_trip(&tz, oid::TIMETZ), tz);
            let inf = Infinite::Value(d);
            prop_assert_eq!(round_trip(&inf, oid::DATE), inf);
        }

        #[test]
        fn prop_timestamps(ts in timestamp(), offset in -57_599i32..=57_599) {
            prop_assert_eq!(round_trip(&ts, oid::TIMESTAMP), ts);
            let utc = ts.and_utc();
            prop_assert_eq!(round_trip(&utc, oid::TIMESTAMPTZ), utc);
            let fixed = utc.with_timezone(&FixedOffset::east_opt(offset).unwrap());
            let back: DateTime<FixedOffset> = round_trip(&fixed, oid::TIMESTAMPTZ);
            prop_assert_eq!(back, fixed);
            let mut buf = BytesMut::new();
            fixed.encode(&PgType::resolve(oid::TIMESTAMPTZ), &mut buf).unwrap();
            let ty = PgType::resolve(oid::TIMESTAMPTZ);
            let back = DateTime::<Utc>::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
            prop_assert_eq!(back, utc);
            let inf = Infinite::Value(ts);
            prop_assert_eq!(round_trip(&inf, oid::TIMESTAMP), inf);
        }

        #[test]
        fn prop_intervals(months: i32, days: i32, microseconds: i64) {
            let iv = Interval { months, days, microseconds };
            prop_assert_eq!(round_trip(&iv, oid::INTERVAL), iv);
            // Exact conversion to chrono::Duration and back; months are refused, never guessed.
            let total = |i: Interval| i128::from(i.days) * 86_400_000_000 + i128::from(i.microseconds);
            match chrono::Duration::try_from(iv) {
                Ok(d) => {
                    prop_assert_eq!(months, 0);
                    let back = Interval::try_from(d).unwrap();
                    prop_assert_eq!(total(back), total(iv));
                }
                Err(_) => prop_assert!(months != 0 || total(iv).unsigned_abs() > i64::MAX as u128 / 1_000),
            }
        }

        #[test]
        fn prop_datetime_decoders_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..24)) {
            garbage::<NaiveDate>(&raw, oid::DATE);
            garbage::<NaiveTime>(&raw, oid::TIME);
            garbage::<TimeTz>(&raw, oid::TIMETZ);
            garbage::<NaiveDateTime>(&raw, oid::TIMESTAMP);
            garbage::<DateTime<Utc>>(&raw, oid::TIMESTAMPTZ);
            garbage::<Interval>(&raw, oid::INTERVAL);
            garbage::<chrono::Duration>(&raw, oid::INTERVAL);
        }
    }
}
