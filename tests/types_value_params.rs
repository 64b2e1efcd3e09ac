//! `Value` as a parameter, and types without a binary codec sent as text: a dynamic row read
//! back is written again, integers narrow to the parameter's type when they fit, a value that does
//! not fit is an error naming the parameter, the value's kind and the PostgreSQL type (and the
//! connection stays usable), and `String`/`None`/`()` reach text-only types and `void`.

mod common;

use quarry::types::{Array, Dimension, MacAddr, Value, Xid8};
use quarry::{Connection, Error, Param};

/// Sends `v` as `$1::ty` and returns the server's text of it.
async fn text_of(conn: &mut Connection, ty: &str, v: Param<'_>) -> Option<String> {
    let sql = format!("SELECT ($1::{ty})::text");
    conn.fetch_val(sql.as_str(), &[v]).await.unwrap()
}

#[tokio::test]
async fn a_dynamic_row_is_written_back() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TABLE t(a int2, b int4, c int8, d text, e float4, f numeric, g int4[], h bool)",
        &[],
    )
    .await
    .unwrap();
    let row = conn
        .fetch_row(
            "SELECT 1::int2, 2::int4, 3::int8, 'x'::text, 1.5::float4, 2.25::numeric, \
             '[0:1]={7,NULL}'::int4[], true",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let values: Vec<Value> = (0..row.len()).map(|i| row.value(i).unwrap()).collect();
    let params = quarry::params(&values);
    conn.execute(
        "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &params,
    )
    .await
    .unwrap();
    let text: String = conn.fetch_val("SELECT t::text FROM t", &[]).await.unwrap();
    assert_eq!(text, r#"(1,2,3,x,1.5,2.25,"[0:1]={7,NULL}",t)"#);
}

#[tokio::test]
async fn integers_narrow_when_they_fit() {
    let mut conn = common::connect().await;
    for ty in ["int2", "int4", "int8", "numeric", "float8", "oid"] {
        assert_eq!(
            text_of(&mut conn, ty, &Value::Int(12)).await.as_deref(),
            Some("12"),
            "{ty}"
        );
    }
    let sum: i32 = conn
        .fetch_val(
            "SELECT $1::int4 + 1",
            &[&Value::Int(i64::from(i32::MAX) - 1)],
        )
        .await
        .unwrap();
    assert_eq!(sum, i32::MAX);
}

#[tokio::test]
async fn a_value_that_does_not_fit_is_an_error_and_the_connection_stays_usable() {
    let mut conn = common::connect().await;
    let err = conn
        .fetch_val::<i16>("SELECT $1::int2", &[&Value::Int(70_000)])
        .await
        .unwrap_err();
    let Error::Encode {
        position,
        rust_type,
        ref pg_type,
        ..
    } = err
    else {
        panic!("not an encode error: {err:?}");
    };
    assert_eq!(
        (position, rust_type, pg_type.as_str()),
        (1, "Value::Int", "int2")
    );
    assert!(err.to_string().contains("70000 does not fit int2"), "{err}");

    // A value of the wrong family is refused before anything is sent.
    let err = conn
        .fetch_val::<i32>(
            "SELECT $1::int4 + $2::int4",
            &[&1i32, &Value::Text("1".into())],
        )
        .await
        .unwrap_err();
    let Error::ParamType {
        position,
        rust_type,
        ref pg_type,
        ..
    } = err
    else {
        panic!("not a type error: {err:?}");
    };
    assert_eq!(
        (position, rust_type, pg_type.as_str()),
        (2, "Value::Text", "int4")
    );

    // An element out of range inside an array.
    let array = Value::Array(Array::from_vec(vec![Value::Int(1), Value::Int(1 << 40)]));
    let err = conn
        .fetch_val::<Vec<i32>>("SELECT $1::int4[]", &[&array])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not fit int4"), "{err}");

    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
    assert!(!conn.is_closed());
}

#[tokio::test]
async fn text_only_types_are_sent_as_text() {
    let mut conn = common::connect().await;
    for (ty, text) in [
        ("jsonpath", "$.\"a\"[*]?(@ > 1)"),
        ("txid_snapshot", "10:20:10,14,15"),
        ("pg_snapshot", "10:20:10,14,15"),
        ("macaddr", "08:00:2b:01:02:03"),
        ("macaddr8", "08:00:2b:01:02:03:04:05"),
        ("money", "$1,234.56"),
        ("tsvector", "'a' 'b':2"),
        ("int4[]", "{1,2}"),
    ] {
        let s = text.to_owned();
        let sql = format!("SELECT $1::{ty}::text = $2::{ty}::text");
        let same: bool = conn
            .fetch_val(sql.as_str(), &[&s, &s])
            .await
            .unwrap_or_else(|e| {
                // int4[] has a binary codec: a String is no int4[] parameter.
                assert_eq!(ty, "int4[]", "{e}");
                true
            });
        assert!(same, "{ty}");
        if ty != "int4[]" {
            let back = text_of(&mut conn, ty, &s).await.unwrap();
            let literal: String = conn
                .fetch_val(
                    format!("SELECT '{}'::{ty}::text", text.replace('\'', "''")).as_str(),
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(back, literal, "{ty}");
            assert_eq!(text_of(&mut conn, ty, &None::<String>).await, None, "{ty}");
            assert_eq!(text_of(&mut conn, ty, &Value::Null).await, None, "{ty}");
            let value = Value::Text(s.clone());
            if !matches!(ty, "macaddr" | "macaddr8") {
                assert_eq!(
                    text_of(&mut conn, ty, &value).await.unwrap(),
                    literal,
                    "{ty}"
                );
            }
        }
    }
    let mac = MacAddr([8, 0, 0x2b, 1, 2, 3]);
    assert_eq!(
        text_of(&mut conn, "macaddr", &Value::MacAddr(mac))
            .await
            .unwrap(),
        "08:00:2b:01:02:03"
    );
}

#[tokio::test]
async fn void_is_sent_as_unit() {
    let mut conn = common::connect().await;
    let back: () = conn.fetch_val("SELECT $1::void", &[&()]).await.unwrap();
    assert_eq!(back, ());
    let value = conn
        .fetch_row("SELECT pg_sleep(0)", &[])
        .await
        .unwrap()
        .unwrap()
        .value(0)
        .unwrap();
    assert_eq!(value, Value::Void);
    assert_eq!(
        text_of(&mut conn, "void", &value).await.as_deref(),
        Some("")
    );
}

#[tokio::test]
async fn representation_depends_on_the_type_only() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT '1'::xid8, '18446744073709551615'::xid8, 'x'::\"char\", \
             '08:00:2b:01:02:03'::macaddr, '[-2:-1]={1,2}'::int4[], 'infinity'::date",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.value(0).unwrap(), Value::Xid8(Xid8(1)));
    assert_eq!(row.value(1).unwrap(), Value::Xid8(Xid8(u64::MAX)));
    assert_eq!(row.value(2).unwrap(), Value::Char(b'x'));
    assert_eq!(
        row.value(3).unwrap(),
        Value::MacAddr(MacAddr([8, 0, 0x2b, 1, 2, 3]))
    );
    let Value::Array(array) = row.value(4).unwrap() else {
        panic!("not an array")
    };
    assert_eq!(
        array.dims,
        [Dimension {
            len: 2,
            lower_bound: -2
        }]
    );
    assert_eq!(
        row.value(5).unwrap(),
        Value::Date(quarry::types::Infinite::Infinity)
    );
    for i in 0..row.len() {
        let v = row.value(i).unwrap();
        let original: String = conn
            .fetch_val(
                format!(
                    "SELECT ({})::text",
                    [
                        "'1'::xid8",
                        "'18446744073709551615'::xid8",
                        "'x'::\"char\"",
                        "'08:00:2b:01:02:03'::macaddr",
                        "'[-2:-1]={1,2}'::int4[]",
                        "'infinity'::date"
                    ][i]
                )
                .as_str(),
                &[],
            )
            .await
            .unwrap();
        let ty = ["xid8", "xid8", "\"char\"", "macaddr", "int4[]", "date"][i];
        assert_eq!(text_of(&mut conn, ty, &v).await.unwrap(), original, "{ty}");
    }
}
