//! Edge cases of the type system against a real server: arrays of every type (sent as a
//! parameter, read back in binary, compared with the server's text and with that text parsed by
//! the server and decoded by Quarry), 2-D arrays through `Array<T>`, a 10 MB bytea, text holding a
//! NUL, and errors (wrong type, NULL into a non-Option, out of range) that name the column, the
//! PostgreSQL type and the Rust type while the connection stays usable.

mod common;

use std::fmt::Debug;
use std::net::IpAddr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use quarry::Connection;
use quarry::types::{
    Array, BitString, Box as PgBox, Circle, Decode, Dimension, Encode, Interval, IpNetwork, Json,
    LineSegment, MacAddr, Money, Numeric, Point, Range, Tid, TimeTz, Type, Value,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sends `v` as `$1::ty[]`, reads it back, and checks the server's text for it parses back (on
/// the server) into the same value; NULL elements included.
async fn array_round_trip<T>(conn: &mut Connection, ty: &str, v: Vec<T>)
where
    T: Encode + Type + for<'r> Decode<'r> + PartialEq + Debug + Sync,
{
    let row = conn
        .fetch_row(&format!("SELECT $1::{ty}[], $1::{ty}[]::text"), &[&v])
        .await
        .unwrap_or_else(|e| panic!("{ty}[]: {e}"))
        .unwrap();
    assert_eq!(row.get::<Vec<T>>(0).unwrap(), v, "{ty}[] round trip");
    let text: String = row.get(1).unwrap();
    let parsed: Vec<T> = conn
        .fetch_val(&format!("SELECT $1::text::{ty}[]"), &[&text])
        .await
        .unwrap_or_else(|e| panic!("{ty}[] from {text}: {e}"));
    assert_eq!(parsed, v, "{ty}[] from the server's text {text}");
    let dynamic = row.value(0).unwrap();
    assert!(
        matches!(&dynamic, Value::Array(a) if a.elements.len() == v.len()),
        "{ty}[]: {dynamic:?}"
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Tag {
    name: String,
    weight: f64,
}

#[tokio::test]
async fn arrays_of_every_type() {
    let mut conn = common::connect().await;
    let c = &mut conn;
    array_round_trip(c, "bool", vec![Some(true), None, Some(false)]).await;
    array_round_trip(c, "int2", vec![i16::MIN, 0, i16::MAX]).await;
    array_round_trip(c, "int4", vec![Some(i32::MIN), None, Some(i32::MAX)]).await;
    array_round_trip(c, "int8", vec![i64::MIN, i64::MAX]).await;
    array_round_trip(c, "float4", vec![1.5f32, -0.0, f32::INFINITY]).await;
    array_round_trip(c, "float8", vec![0.1f64, f64::NEG_INFINITY, 1e308]).await;
    array_round_trip(c, "oid", vec![0u32, u32::MAX]).await;
    array_round_trip(c, "\"char\"", vec![b'a' as i8, -1i8]).await;
    array_round_trip(
        c,
        "text",
        vec![
            Some("a,b".to_owned()),
            None,
            Some("NULL".to_owned()),
            Some("quote \" back\\slash {}".to_owned()),
            Some(String::new()),
        ],
    )
    .await;
    array_round_trip(c, "varchar", vec!["ünï".to_owned()]).await;
    array_round_trip(c, "bytea", vec![vec![0u8, 255, 92], vec![]]).await;
    array_round_trip(
        c,
        "numeric",
        vec![
            Decimal::new(-12_345, 3),
            Decimal::ZERO,
            Decimal::MAX,
            Decimal::new(1, 28),
        ],
    )
    .await;
    array_round_trip(
        c,
        "numeric",
        vec![
            Some("1e-300".parse::<Numeric>().unwrap()),
            None,
            Some("NaN".parse::<Numeric>().unwrap()),
            Some("-Infinity".parse::<Numeric>().unwrap()),
        ],
    )
    .await;
    array_round_trip(c, "money", vec![Money(-1), Money(i64::MAX)]).await;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    array_round_trip(
        c,
        "date",
        vec![Some(day(-44, 3, 15)), None, Some(day(1969, 12, 31))],
    )
    .await;
    let ts = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
    array_round_trip(
        c,
        "timestamp",
        vec![ts("1999-12-31 23:59:59.999999"), ts("0001-01-01 00:00:00")],
    )
    .await;
    array_round_trip(
        c,
        "timestamptz",
        vec![
            ts("2024-03-10 07:00:00").and_utc(),
            DateTime::<Utc>::from_timestamp(0, 1_000).unwrap(),
        ],
    )
    .await;
    array_round_trip(
        c,
        "time",
        vec![
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
            NaiveTime::MIN,
        ],
    )
    .await;
    array_round_trip(
        c,
        "timetz",
        vec![TimeTz {
            time: NaiveTime::from_hms_opt(12, 30, 0).unwrap(),
            offset: FixedOffset::east_opt(-(5 * 3600 + 30 * 60)).unwrap(),
        }],
    )
    .await;
    array_round_trip(
        c,
        "interval",
        vec![
            Interval {
                months: 14,
                days: -3,
                microseconds: 1,
            },
            Interval::default(),
        ],
    )
    .await;
    array_round_trip(
        c,
        "uuid",
        vec![
            Some(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)),
            None,
            Some(Uuid::nil()),
        ],
    )
    .await;
    array_round_trip(
        c,
        "inet",
        vec![
            IpNetwork::new("10.1.2.3".parse().unwrap(), 8).unwrap(),
            IpNetwork::new("::1".parse().unwrap(), 128).unwrap(),
        ],
    )
    .await;
    array_round_trip(
        c,
        "cidr",
        vec![IpNetwork::new("192.168.0.0".parse().unwrap(), 16).unwrap()],
    )
    .await;
    array_round_trip(
        c,
        "inet",
        vec![
            "127.0.0.1".parse::<IpAddr>().unwrap(),
            "fe80::1".parse().unwrap(),
        ],
    )
    .await;
    array_round_trip(c, "macaddr", vec![MacAddr([0, 1, 2, 0xaa, 0xbb, 0xff])]).await;
    let mut bits = BitString::new();
    for b in [true, false, true, true, false, false, false, false, true] {
        bits.push(b);
    }
    array_round_trip(c, "varbit", vec![bits, BitString::new()]).await;
    array_round_trip(
        c,
        "point",
        vec![Point { x: 1.5, y: -2.0 }, Point { x: 0.0, y: 1e-300 }],
    )
    .await;
    array_round_trip(
        c,
        "lseg",
        vec![LineSegment {
            start: Point { x: 0.0, y: 0.0 },
            end: Point { x: 1.0, y: 1.0 },
        }],
    )
    .await;
    array_round_trip(
        c,
        "box",
        vec![
            PgBox {
                high: Point { x: 2.0, y: 2.0 },
                low: Point { x: 0.0, y: 0.0 },
            },
            PgBox {
                high: Point { x: 5.0, y: 5.0 },
                low: Point { x: 1.0, y: 1.0 },
            },
        ],
    )
    .await;
    array_round_trip(
        c,
        "circle",
        vec![Circle {
            center: Point { x: 1.0, y: 2.0 },
            radius: 3.0,
        }],
    )
    .await;
    array_round_trip(
        c,
        "tid",
        vec![Tid {
            block: u32::MAX,
            offset: 7,
        }],
    )
    .await;
    array_round_trip(
        c,
        "int4range",
        vec![Range::Empty, Range::from(1..10), Range::from(..5)],
    )
    .await;
    array_round_trip(
        c,
        "jsonb",
        vec![
            Some(serde_json::json!({"a": [1, null], "b": "\"q\""})),
            None,
            Some(serde_json::json!(null)),
        ],
    )
    .await;
    array_round_trip(
        c,
        "json",
        vec![Json(Tag {
            name: "x, {y}".into(),
            weight: 0.5,
        })],
    )
    .await;
}

#[tokio::test]
async fn two_dimensional_arrays_of_several_types() {
    let mut conn = common::connect().await;
    let dims = vec![
        Dimension {
            len: 2,
            lower_bound: -1,
        },
        Dimension {
            len: 2,
            lower_bound: 1,
        },
    ];
    let dates = Array::new(
        dims.clone(),
        vec![
            Some(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
            None,
            Some(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
            // PostgreSQL's first date, 4714-11-24 BC.
            Some(NaiveDate::from_ymd_opt(-4713, 11, 24).unwrap()),
        ],
    )
    .unwrap();
    let uuids = Array::new(dims.clone(), (0..4).map(Uuid::from_u128).collect()).unwrap();
    let decimals = Array::new(
        dims,
        vec![
            Decimal::new(1, 2),
            Decimal::new(-3, 0),
            Decimal::new(5, 5),
            Decimal::ZERO,
        ],
    )
    .unwrap();
    let row = conn
        .fetch_row(
            "SELECT $1::date[], $2::uuid[], $3::numeric[], $1::date[]::text,
                    array_ndims($2::uuid[]), array_lower($3::numeric[], 1)",
            &[&dates, &uuids, &decimals],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Array<Option<NaiveDate>>>(0).unwrap(), dates);
    assert_eq!(row.get::<Array<Uuid>>(1).unwrap(), uuids);
    assert_eq!(row.get::<Array<Decimal>>(2).unwrap(), decimals);
    assert!(
        row.get::<String>(3)
            .unwrap()
            .starts_with("[-1:0][1:2]={{2000-01-01,NULL}")
    );
    assert_eq!(row.get::<i32>(4).unwrap(), 2);
    assert_eq!(row.get::<i32>(5).unwrap(), -1);
    // A 2-D array does not fit a Vec; the error says to use Array<T>.
    let err = row.get::<Vec<Uuid>>(1).unwrap_err().to_string();
    assert!(err.contains("Array<T>"), "{err}");
}

#[tokio::test]
async fn ten_megabyte_bytea_round_trips() {
    let mut conn = common::connect().await;
    let big: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let row = conn
        .fetch_row(
            "SELECT $1::bytea, length($1::bytea), md5($1::bytea)",
            &[&big],
        )
        .await
        .unwrap()
        .unwrap();
    let back: &[u8] = row.get(0).unwrap();
    assert!(back == big.as_slice(), "10 MB bytea came back different");
    assert_eq!(row.get::<i32>(1).unwrap(), 10 * 1024 * 1024);
    // The server's digest matches one of the same bytes sent as a literal-free second query.
    let digest: String = row.get(2).unwrap();
    let again: String = conn
        .fetch_val("SELECT md5($1::bytea)", &[&bytes::Bytes::from(big)])
        .await
        .unwrap();
    assert_eq!(digest, again);
    let ok: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn text_with_a_nul_is_a_clear_error() {
    let mut conn = common::connect().await;
    for sql in ["SELECT $1::text", "SELECT $1::varchar", "SELECT $1::jsonb"] {
        let err = conn
            .fetch_val::<String>(sql, &[&"a\0b"])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("NUL") && err.contains("bytea"), "{sql}: {err}");
    }
    let err = conn
        .fetch_val::<Vec<String>>("SELECT $1::text[]", &[&vec!["ok", "\0"]])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("NUL") && err.contains("element 1"), "{err}");
    // Nothing reached the server: the connection is usable.
    let ok: String = conn.fetch_val("SELECT $1::text", &[&"fine"]).await.unwrap();
    assert_eq!(ok, "fine");
    // NUL in bytea is just a byte.
    let raw: Vec<u8> = conn
        .fetch_val("SELECT $1::bytea", &[&b"a\0b".as_slice()])
        .await
        .unwrap();
    assert_eq!(raw, b"a\0b");
}

#[tokio::test]
async fn decode_errors_name_column_and_types_and_the_connection_survives() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT 1::int8 AS big, NULL::date AS missing, 300::int4 AS wide,
                    'infinity'::timestamptz AS forever, 1e30::numeric AS huge",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let check = |err: quarry::Error, parts: &[&str]| {
        let text = err.to_string();
        for part in parts {
            assert!(text.contains(part), "{text:?} does not mention {part:?}");
        }
    };
    // Wrong type (never narrowed).
    check(row.get::<i32>("big").unwrap_err(), &["big", "int8", "i32"]);
    check(
        row.get::<String>("big").unwrap_err(),
        &["big", "int8", "String"],
    );
    // NULL into a non-Option.
    check(
        row.get::<NaiveDate>("missing").unwrap_err(),
        &["missing", "date", "NaiveDate", "NULL"],
    );
    assert_eq!(row.get::<Option<NaiveDate>>("missing").unwrap(), None);
    // Out of range for the Rust type.
    check(
        row.get::<DateTime<Utc>>("forever").unwrap_err(),
        &["forever", "timestamptz", "DateTime", "infinity"],
    );
    check(
        row.get::<Decimal>("huge").unwrap_err(),
        &["huge", "numeric", "Decimal"],
    );
    check(row.get::<i8>("wide").unwrap_err(), &["wide", "int4", "i8"]);
    // Out of range parameters are errors naming the parameter, before anything is sent.
    let err = conn
        .fetch_val::<i16>("SELECT $1::int2", &[&70_000i32])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("i32") && err.contains("int2"), "{err}");
    let ok: i64 = conn.fetch_val("SELECT $1::int8", &[&5i64]).await.unwrap();
    assert_eq!(ok, 5);
}
