//! Numbers against a real server: integers (with widening), floats, `"char"`, `oid`/`reg*`,
//! `numeric` as `Numeric`, `Decimal` and `NumericF64`, and `money`. Each value is sent as a
//! parameter and read back in binary, and compared with the server's own text and with a SQL
//! literal decoded by Quarry.

mod common;

use quarry::Error;
use quarry::types::{Money, Numeric, NumericF64, Value};
use rust_decimal::Decimal;

#[tokio::test]
async fn integers_at_their_extremes_and_widened() {
    let mut conn = common::connect().await;
    for v in [i16::MIN, -1, 0, i16::MAX] {
        let row = conn
            .fetch_row(
                "SELECT $1::int2, $1::int2::text, $2::int4, $3::int8, $4::float8, $5::numeric",
                &[&v, &v, &v, &v, &v],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i16>(0).unwrap(), v);
        assert_eq!(row.get::<String>(1).unwrap(), v.to_string());
        assert_eq!(row.get::<i32>(2).unwrap(), i32::from(v));
        assert_eq!(row.get::<i64>(3).unwrap(), i64::from(v));
        assert_eq!(row.get::<f64>(4).unwrap(), f64::from(v));
        assert_eq!(row.get::<Numeric>(5).unwrap().to_string(), v.to_string());
    }
    for v in [i32::MIN, i32::MAX] {
        let row = conn
            .fetch_row(
                "SELECT $1::int4, $1::int4::text, $2::int8, $3::float8, $4::numeric",
                &[&v, &v, &v, &v],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i32>(0).unwrap(), v);
        assert_eq!(row.get::<String>(1).unwrap(), v.to_string());
        assert_eq!(row.get::<i64>(2).unwrap(), i64::from(v));
        assert_eq!(row.get::<f64>(3).unwrap(), f64::from(v));
        assert_eq!(row.get::<Numeric>(4).unwrap().to_string(), v.to_string());
    }
    for v in [i64::MIN, i64::MAX] {
        let row = conn
            .fetch_row(
                &format!("SELECT $1::int8, $1::int8::text, $2::numeric, '{v}'::int8"),
                &[&v, &v],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i64>(0).unwrap(), v);
        assert_eq!(row.get::<String>(1).unwrap(), v.to_string());
        assert_eq!(row.get::<Numeric>(2).unwrap().to_string(), v.to_string());
        assert_eq!(row.get::<i64>(3).unwrap(), v);
    }
    // The seed's example: `2 ^ $1` with an integer parameter.
    let power = 10i32;
    let row = conn
        .fetch_row("SELECT 2 ^ $1", &[&power])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.value(0)
            .unwrap()
            .to_string()
            .trim_end_matches(['0', '.']),
        "1024"
    );
    // Narrowing is refused before anything is sent.
    let err = conn
        .fetch_row("SELECT $1::int4", &[&1i64])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ParamType { .. }), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn floats_with_nan_infinities_and_negative_zero() {
    let mut conn = common::connect().await;
    let cases: [(f64, &str); 6] = [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
        (-0.0, "-0"),
        (0.1, "0.1"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
    ];
    for (v, text) in cases {
        let row = conn
            .fetch_row(
                &format!("SELECT $1::float8, $1::float8::text, '{text}'::float8"),
                &[&v],
            )
            .await
            .unwrap()
            .unwrap();
        let back = row.get::<f64>(0).unwrap();
        assert_eq!(back.to_bits(), v.to_bits(), "{text}");
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(row.get::<f64>(2).unwrap().to_bits(), v.to_bits());
    }
    let row = conn
        .fetch_row(
            "SELECT $1::float4, $1::float4::text, $2::float8",
            &[&-0.0f32, &1.1f32],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<f32>(0).unwrap().to_bits(), (-0.0f32).to_bits());
    assert_eq!(row.get::<String>(1).unwrap(), "-0");
    assert_eq!(
        row.get::<f64>(2).unwrap(),
        f64::from(1.1f32),
        "f32 widens exactly"
    );
}

#[tokio::test]
async fn char_oid_and_reg_types() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT $1::\"char\", $1::\"char\"::text, 'r'::\"char\", $2::oid, $2::oid::text, \
             'pg_class'::regclass, $3::regclass::text, 'int4'::regtype, 'pg_catalog'::regnamespace",
            &[&(b'x' as i8), &u32::MAX, &1259u32],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<i8>(0).unwrap(), b'x' as i8);
    assert_eq!(row.get::<String>(1).unwrap(), "x");
    assert_eq!(row.get::<i8>(2).unwrap(), b'r' as i8);
    assert_eq!(row.get::<u32>(3).unwrap(), u32::MAX);
    assert_eq!(row.get::<String>(4).unwrap(), u32::MAX.to_string());
    assert_eq!(row.get::<u32>(5).unwrap(), 1259);
    assert_eq!(row.get::<String>(6).unwrap(), "pg_class");
    assert_eq!(row.get::<u32>(7).unwrap(), 23);
    assert_eq!(row.get::<u32>(8).unwrap(), 11);
    assert_eq!(row.value(5).unwrap(), Value::Int(1259));
}

fn numeric_cases() -> Vec<String> {
    let mut cases: Vec<String> = [
        "0",
        "1",
        "-1",
        "0.5",
        "-0.0001",
        "1.50",
        "1.500000",
        "100",
        "10000",
        "100000000",
        "123456789012345678901234567890.123456789012345678901234567890",
        "0.000000000001",
        "1e3",
        "1.2e-5",
        "9999.9999",
        "-10000.0001",
        "NaN",
        "Infinity",
        "-Infinity",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    cases.push("9".repeat(1000));
    cases.push(format!("-{}.{}", "12345".repeat(120), "6789".repeat(100)));
    cases.push(format!("0.{}1", "0".repeat(998)));
    cases
}

#[tokio::test]
async fn numeric_is_lossless() {
    let mut conn = common::connect().await;
    for literal in numeric_cases() {
        let v: Numeric = literal.parse().unwrap();
        let row = conn
            .fetch_row(
                &format!("SELECT $1::numeric, $1::numeric::text, '{literal}'::numeric"),
                &[&v],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Numeric>(0).unwrap(), v, "{literal}");
        assert_eq!(row.get::<String>(1).unwrap(), v.to_string(), "{literal}");
        assert_eq!(row.get::<Numeric>(2).unwrap(), v, "{literal}");
    }
    // Negative scale (PostgreSQL 15): rounded by the column's type, printed without a point.
    let row = conn
        .fetch_row(
            "SELECT 123456::numeric(6, -2), 123456::numeric(6, -2)::text",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let v = row.get::<Numeric>(0).unwrap();
    assert_eq!(v.to_string(), "123500");
    assert_eq!(row.get::<String>(1).unwrap(), "123500");
    assert_eq!(row.value(0).unwrap(), Value::Numeric(v));
}

#[tokio::test]
async fn decimal_is_exact_or_an_error() {
    let mut conn = common::connect().await;
    let values = [
        "0",
        "1.50",
        "-0.0000000000000000000000000001",
        "79228162514264337593543950335",
        "-7922816251426433759354395033.5",
        "12345.6789",
    ];
    for s in values {
        let d: Decimal = s.parse().unwrap();
        let row = conn
            .fetch_row(
                &format!("SELECT $1::numeric, $1::numeric::text, '{s}'::numeric"),
                &[&d],
            )
            .await
            .unwrap()
            .unwrap();
        let back = row.get::<Decimal>(0).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.to_string(), s, "scale is kept");
        assert_eq!(row.get::<String>(1).unwrap(), s);
        assert_eq!(row.get::<Decimal>(2).unwrap().to_string(), s);
    }
    let too_big = "79228162514264337593543950336";
    let too_fine = "0.00000000000000000000000000001";
    for s in ["NaN", "Infinity", "-Infinity", too_big, too_fine] {
        let row = conn
            .fetch_row(&format!("SELECT '{s}'::numeric AS n"), &[])
            .await
            .unwrap()
            .unwrap();
        let err = row.get::<Decimal>("n").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(s)
                && text.contains("\"n\"")
                && text.contains("numeric")
                && text.contains("Decimal"),
            "{text}"
        );
        // Numeric holds it.
        assert_eq!(row.get::<Numeric>("n").unwrap().to_string(), s);
    }
    let row = conn
        .fetch_row("SELECT NULL::numeric AS n, 1::int4 AS i", &[])
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.get::<Decimal>("n")
            .unwrap_err()
            .to_string()
            .contains("NULL")
    );
    assert_eq!(row.get::<Option<Decimal>>("n").unwrap(), None);
    let err = row.get::<Decimal>("i").unwrap_err();
    assert!(matches!(err, Error::ColumnType { .. }), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 2", &[]).await.unwrap(), 2);
}

#[tokio::test]
async fn numeric_as_float_is_opt_in() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT $1::numeric, $1::numeric::text, $2::numeric, 'NaN'::numeric, '-Infinity'::numeric",
            &[&NumericF64(11.123), &NumericF64(f64::INFINITY)],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<NumericF64>(0).unwrap(), NumericF64(11.123));
    assert_eq!(row.get::<String>(1).unwrap(), "11.123");
    assert_eq!(row.get::<NumericF64>(2).unwrap().0, f64::INFINITY);
    assert!(row.get::<NumericF64>(3).unwrap().0.is_nan());
    assert_eq!(row.get::<NumericF64>(4).unwrap().0, f64::NEG_INFINITY);
    // Plain f64 stays strict.
    assert!(matches!(row.get::<f64>(0), Err(Error::ColumnType { .. })));
}

#[tokio::test]
async fn money_in_cents_and_as_text() {
    let mut conn = common::connect().await;
    for cents in [0i64, 123_456, -5, i64::MAX, i64::MIN] {
        let row = conn
            .fetch_row("SELECT $1::money, $1::money::text", &[&Money(cents)])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Money>(0).unwrap(), Money(cents));
        // Text, as asyncpg gives it: the server's own rendering.
        assert_eq!(row.get::<String>(0).unwrap(), row.get::<String>(1).unwrap());
    }
    let row = conn
        .fetch_row("SELECT '12.34'::money, '-0.01'::money", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Money>(0).unwrap(), Money(1234));
    assert_eq!(row.get::<Money>(1).unwrap(), Money(-1));
    assert_eq!(Money(1234).to_string(), "12.34");
}
