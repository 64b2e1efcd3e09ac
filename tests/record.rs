//! `Record`: access by index and by name, duplicate names, borrowing decodes, type errors that
//! name the column and both types, NULLs, Debug like asyncpg's repr, dynamic values.

mod common;

use quarry::Error;
use quarry::types::Value;

#[tokio::test]
async fn access_by_index_and_name_with_duplicates() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT 1 AS a, 2 AS a, 'x'::text AS b", &[])
        .await
        .unwrap()
        .unwrap();
    // By index each column; by name the last one (as asyncpg).
    assert_eq!(row.get::<i32>(0).unwrap(), 1);
    assert_eq!(row.get::<i32>(1).unwrap(), 2);
    assert_eq!(row.get::<i32>("a").unwrap(), 2);
    assert!(matches!(
        row.get::<i32>("zz"),
        Err(Error::ColumnNotFound { .. })
    ));
    assert!(matches!(
        row.get::<i32>(9),
        Err(Error::ColumnIndex { index: 9, len: 3 })
    ));
    // try_get is get: the error says what was wrong (no column, wrong type), never a bare None.
    assert!(matches!(
        row.try_get::<i32>("zz"),
        Err(Error::ColumnNotFound { .. })
    ));
    assert!(matches!(
        row.try_get::<i32>("b"),
        Err(Error::ColumnType { .. })
    ));
    assert_eq!(row.try_get::<&str>("b").unwrap(), "x");
    let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["a", "a", "b"]);
}

#[tokio::test]
async fn types_nulls_and_values() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT true AS b, 2::int2 AS s, 3::int4 AS i, 4::int8 AS l, 1.5::float4 AS f, 2.25::float8 AS d,
                    'txt'::varchar AS v, '\\x00ff'::bytea AS by, NULL::int4 AS n, 12.5::numeric AS num",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(row.get::<bool>("b").unwrap());
    assert_eq!(row.get::<i16>("s").unwrap(), 2);
    assert_eq!(row.get::<i64>("s").unwrap(), 2, "int2 widens into i64");
    assert_eq!(row.get::<i32>("i").unwrap(), 3);
    assert_eq!(row.get::<i64>("l").unwrap(), 4);
    assert_eq!(row.get::<f32>("f").unwrap(), 1.5);
    assert_eq!(row.get::<f64>("d").unwrap(), 2.25);
    assert_eq!(row.get::<String>("v").unwrap(), "txt");
    assert_eq!(row.get::<&[u8]>("by").unwrap(), &[0x00, 0xff]);
    assert_eq!(row.get::<Option<i32>>("n").unwrap(), None);
    // numeric arrives in binary and decodes exactly.
    let num = row.get::<quarry::types::Numeric>("num").unwrap();
    assert_eq!(num.to_string(), "12.5");
    assert_eq!(row.value("num").unwrap(), Value::Numeric(num));

    let err = row.get::<i32>("n").unwrap_err();
    assert!(err.to_string().contains("NULL"), "{err}");
    let err = row.get::<i32>("l").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"l\"") && text.contains("int8") && text.contains("i32"),
        "{text}"
    );
    assert_eq!(
        format!("{row:?}"),
        "Record(b=true, s=2, i=3, l=4, f=1.5, d=2.25, v='txt', by=b'\\x00\\xff', n=None, num=12.5)"
    );
}

#[tokio::test]
async fn parameters_round_trip() {
    let mut conn = common::connect().await;
    let bytes: &[u8] = b"\x00\x01binary";
    let row = conn
        .fetch_row(
            "SELECT $1::bool, $2::int2, $3::int4, $4::int8, $5::float4, $6::float8, $7::text, $8::bytea, $9::int4",
            &[&true, &-2i16, &i32::MIN, &i64::MAX, &0.5f32, &f64::MIN_POSITIVE, &"é ✓", &bytes, &None::<i32>],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(row.get::<bool>(0).unwrap());
    assert_eq!(row.get::<i16>(1).unwrap(), -2);
    assert_eq!(row.get::<i32>(2).unwrap(), i32::MIN);
    assert_eq!(row.get::<i64>(3).unwrap(), i64::MAX);
    assert_eq!(row.get::<f32>(4).unwrap(), 0.5);
    assert_eq!(row.get::<f64>(5).unwrap(), f64::MIN_POSITIVE);
    assert_eq!(row.get::<&str>(6).unwrap(), "é ✓");
    assert_eq!(row.get::<Vec<u8>>(7).unwrap(), bytes);
    assert_eq!(row.get::<Option<i32>>(8).unwrap(), None);
}
