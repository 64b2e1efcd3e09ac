//! Ranges and multiranges against a real server: inclusive, exclusive, unbounded and empty ranges
//! round trip and agree with PostgreSQL's own text form.

mod common;

use std::ops::Bound;

use chrono::NaiveDate;
use quarry::types::{Multirange, Range};

#[tokio::test]
async fn int_ranges_round_trip() {
    let mut conn = common::connect().await;
    let cases: [(Range<i32>, &str); 5] = [
        (Range::from(1..5), "[1,5)"),
        (Range::Empty, "empty"),
        (Range::from(..), "(,)"),
        (Range::from(3..), "[3,)"),
        (Range::from(..10), "(,10)"),
    ];
    for (range, text) in cases {
        let row = conn
            .fetch_row("SELECT $1::int4range, $1::int4range::text", &[&range])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Range<i32>>(0).unwrap(), range);
        assert_eq!(row.get::<String>(1).unwrap(), text);
    }
    // PostgreSQL normalises discrete ranges: [1,3] becomes [1,4).
    let r: Range<i64> = conn
        .fetch_val("SELECT $1::int8range", &[&Range::from(1i64..=3)])
        .await
        .unwrap();
    assert_eq!(r, Range::from(1..4));
    let r: Range<i64> = conn
        .fetch_val("SELECT '(0,9]'::int8range", &[])
        .await
        .unwrap();
    assert_eq!(r, Range::new(Bound::Included(1), Bound::Excluded(10)));
}

#[tokio::test]
async fn date_ranges_and_values() {
    let mut conn = common::connect().await;
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let range = Range::from(d(1999, 12, 31)..d(2000, 1, 2));
    let row = conn
        .fetch_row(
            "SELECT $1::daterange, $1::daterange::text, '[2020-01-01,)'::daterange AS open",
            &[&range],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Range<NaiveDate>>(0).unwrap(), range);
    assert_eq!(row.get::<String>(1).unwrap(), "[1999-12-31,2000-01-02)");
    assert_eq!(
        row.get::<Range<NaiveDate>>("open").unwrap(),
        Range::from(d(2020, 1, 1)..)
    );
    assert_eq!(
        row.value("open").unwrap().to_string(),
        "<Range [2020-01-01, )>"
    );
}

#[tokio::test]
async fn multiranges() {
    let mut conn = common::connect().await;
    let m = Multirange(vec![Range::from(1..3), Range::from(5..)]);
    let row = conn
        .fetch_row(
            "SELECT $1::int4multirange, $1::int4multirange::text, '{}'::int4multirange",
            &[&m],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Multirange<i32>>(0).unwrap(), m);
    assert_eq!(row.get::<String>(1).unwrap(), "{[1,3),[5,)}");
    assert_eq!(row.get::<Multirange<i32>>(2).unwrap(), Multirange(vec![]));
    assert_eq!(
        row.value(0).unwrap().to_string(),
        "[<Range [1, 3)>, <Range [5, )>]"
    );
}

#[tokio::test]
async fn arrays_of_ranges_and_errors() {
    let mut conn = common::connect().await;
    let v = vec![Range::from(1..2), Range::Empty];
    let back: Vec<Range<i32>> = conn
        .fetch_val("SELECT $1::int4range[]", &[&v])
        .await
        .unwrap();
    assert_eq!(back, v);
    let row = conn
        .fetch_row("SELECT int4range(1, 5) AS r", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<Range<bool>>("r").unwrap_err().to_string();
    assert!(err.contains('r') && err.contains("int4range"), "{err}");
    assert!(
        conn.fetch_row("SELECT $1::int4range", &[&Range::from(1i64..2)])
            .await
            .is_err()
    );
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

#[derive(Debug, PartialEq, quarry::Type)]
struct Booking {
    words: Option<String>,
    during: Range<chrono::NaiveDateTime>,
    slots: Multirange<i32>,
    names: Range<String>,
}

/// A composite holding a `tsvector` arrives in text; its range and multirange fields (quoted
/// bounds, escapes, infinite bounds, `empty`) read through `Range<T>` and `Multirange<T>`, into
/// tuples and derived structs, alone and in arrays.
#[tokio::test]
async fn ranges_in_text_composites() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TYPE textrange AS RANGE (subtype = text); \
         CREATE TYPE booking AS (words tsvector, during tsrange, slots int4multirange, names textrange)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT ROW('a:1', '[2020-01-01 10:00,2020-01-02 00:00:00.5)', '{[1,3), [5,)}',
                     textrange('a "b', E'c\\d', '(]'))::booking AS b,
                 ARRAY[ROW(NULL, 'empty', '{}', '(,)')::booking, NULL] AS bs"#;
    let row = conn.fetch_row(sql, &[]).await.unwrap().unwrap();
    let at = |d: u32, h: u32, ms: u32| {
        NaiveDate::from_ymd_opt(2020, 1, d)
            .unwrap()
            .and_hms_milli_opt(h, 0, 0, ms)
            .unwrap()
    };
    let want = Booking {
        words: Some("'a':1".into()),
        during: Range::from(at(1, 10, 0)..at(2, 0, 500)),
        slots: Multirange(vec![Range::from(1..3), Range::from(5..)]),
        names: Range::new(
            Bound::Excluded("a \"b".to_owned()),
            Bound::Included("c\\d".to_owned()),
        ),
    };
    assert_eq!(row.get::<Booking>("b").unwrap(), want);
    type Tuple = (
        Option<String>,
        Range<chrono::NaiveDateTime>,
        Multirange<i32>,
        Range<String>,
    );
    let tuple: Tuple = row.get("b").unwrap();
    assert_eq!(tuple.1, want.during);
    assert_eq!(tuple.3, want.names);
    let empty = Booking {
        words: None,
        during: Range::Empty,
        slots: Multirange(vec![]),
        names: Range::from(..),
    };
    assert_eq!(
        row.get::<Vec<Option<Booking>>>("bs").unwrap(),
        [Some(empty), None]
    );
}
