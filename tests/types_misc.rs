//! The other types against a real server: json/jsonb, uuid, bit strings, bytea as `Bytes`, tid,
//! xid, xid8, cid, pg_lsn, void, tsvector/tsquery, xml and citext. Each value is sent as a
//! parameter, read back, and compared with the server's text and a literal decoded by Quarry.

mod common;

use bytes::Bytes;
use quarry::types::{BitString, Cid, Decode, Encode, Json, PgLsn, Tid, Value, Xid, Xid8};
use quarry::{Connection, Error};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Sends `v` as `$1::ty` and returns it read back, with the server's text for it.
async fn round_trip<T>(conn: &mut Connection, ty: &str, v: &T) -> (T, String)
where
    T: Encode + Sync + for<'r> Decode<'r>,
{
    let sql = format!("SELECT $1::{ty}, $1::{ty}::text");
    let row = conn.fetch_row(sql.as_str(), &[v]).await.unwrap().unwrap();
    (row.get(0).unwrap(), row.get(1).unwrap())
}

/// Decodes the SQL literal `'text'::ty`.
async fn literal<T: for<'r> Decode<'r>>(conn: &mut Connection, text: &str, ty: &str) -> T {
    let sql = format!("SELECT '{text}'::{ty}");
    conn.fetch_val(sql.as_str(), &[]).await.unwrap()
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Item {
    name: String,
    tags: Vec<String>,
    price: Option<f64>,
}

#[tokio::test]
async fn json_and_jsonb() {
    let mut conn = common::connect().await;
    let value = json!({"a": [1, 2.5, null], "b": "ünï\"code", "c": {"d": true}});
    for ty in ["json", "jsonb"] {
        let (back, text) = round_trip(&mut conn, ty, &value).await;
        assert_eq!(back, value, "{ty}");
        let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed, value, "{ty}");
        let lit: serde_json::Value = literal(&mut conn, r#"{"x": [1, {"y": null}]}"#, ty).await;
        assert_eq!(lit, json!({"x": [1, {"y": null}]}));

        let item = Json(Item {
            name: "lamp".into(),
            tags: vec!["home".into(), "light".into()],
            price: None,
        });
        let (Json(back), _) = round_trip(&mut conn, ty, &item).await;
        assert_eq!(back, item.0, "{ty}");

        // Raw JSON text both ways.
        let (raw, _) = round_trip(&mut conn, ty, &r#"[1, "two"]"#.to_owned()).await;
        let raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(raw, json!([1, "two"]));
    }
    // jsonb normalises; the raw text shows the server's form.
    let text: String = literal(&mut conn, r#"{"b":1,   "a":2}"#, "jsonb").await;
    assert_eq!(text, r#"{"a": 2, "b": 1}"#);
    let text: &str = &conn
        .fetch_row(r#"SELECT '{"b":1,   "a":2}'::json"#, &[])
        .await
        .unwrap()
        .unwrap()
        .get::<String>(0)
        .unwrap();
    assert_eq!(text, r#"{"b":1,   "a":2}"#);
    // A JSON value of the wrong shape is a decode error naming the column; the connection goes on.
    let row = conn
        .fetch_row(r#"SELECT '"x"'::jsonb AS j"#, &[])
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        row.get::<Json<Item>>("j"),
        Err(Error::Decode { ref column, .. }) if column == "j"
    ));
    assert_eq!(row.value("j").unwrap(), Value::Text("\"x\"".into()));
}

#[tokio::test]
async fn uuid_round_trips() {
    let mut conn = common::connect().await;
    for text in [
        "00000000-0000-0000-0000-000000000000",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ] {
        let id = Uuid::parse_str(text).unwrap();
        let (back, server_text) = round_trip(&mut conn, "uuid", &id).await;
        assert_eq!((back, server_text.as_str()), (id, text));
        let lit: Uuid = literal(&mut conn, &text.to_uppercase(), "uuid").await;
        assert_eq!(lit, id);
    }
    let row = conn
        .fetch_row(
            "SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        row.get::<i32>("id"),
        Err(Error::ColumnType { .. })
    ));
    let debug = format!("{row:?}");
    assert!(
        debug.contains("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        "{debug}"
    );
}

#[tokio::test]
async fn bit_strings() {
    let mut conn = common::connect().await;
    for (ty, text) in [
        ("varbit", ""),
        ("varbit", "1"),
        ("varbit", "10110011"),
        ("varbit", "101100111"),
        ("bit(5)", "10101"),
        ("bit(16)", "0000000011111111"),
    ] {
        let bits: BitString = text.parse().unwrap();
        let (back, server_text) = round_trip(&mut conn, ty, &bits).await;
        assert_eq!(back, bits, "{ty} {text}");
        assert_eq!(server_text, text, "{ty}");
        let lit: BitString = literal(&mut conn, text, ty).await;
        assert_eq!(lit, bits, "literal {ty} {text}");
    }
    let long: BitString = (0..1000).map(|i| i % 3 == 0).collect();
    let (back, text) = round_trip(&mut conn, "varbit", &long).await;
    assert_eq!(back, long);
    assert_eq!(text, long.to_string());
    let hex: BitString = literal(&mut conn, "xF0", "bit(8)").await;
    assert_eq!(hex.to_string(), "11110000");
    // An explicit cast to bit(n) pads; mismatched lengths are the server's error, and the
    // connection goes on.
    let three: BitString = "101".parse().unwrap();
    let padded: BitString = conn
        .fetch_val("SELECT $1::bit(5)", &[&three])
        .await
        .unwrap();
    assert_eq!(padded.to_string(), "10100");
    assert!(
        conn.fetch_row("SELECT $1::varbit & B'10101'", &[&three])
            .await
            .is_err()
    );
    let n: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn bytea_as_bytes() {
    let mut conn = common::connect().await;
    let v = Bytes::from_static(b"\x00\x01\xffquarry\\");
    let (back, text) = round_trip(&mut conn, "bytea", &v).await;
    assert_eq!(back, v);
    assert_eq!(text, "\\x0001ff7175617272795c");
    let lit: Bytes = literal(&mut conn, "\\xdeadbeef", "bytea").await;
    assert_eq!(&lit[..], &[0xde, 0xad, 0xbe, 0xef]);
}

#[tokio::test]
async fn system_types() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(x int)", &[]).await.unwrap();
    conn.execute("INSERT INTO t VALUES (1), (2)", &[])
        .await
        .unwrap();
    let rows = conn
        .fetch(
            "SELECT ctid, xmin, cmin, ctid::text AS ctid_text FROM t ORDER BY x",
            &[],
        )
        .await
        .unwrap();
    let tid: Tid = rows[1].get("ctid").unwrap();
    assert_eq!(
        tid,
        Tid {
            block: 0,
            offset: 2
        }
    );
    assert_eq!(tid.to_string(), rows[1].get::<&str>("ctid_text").unwrap());
    let _xmin: Xid = rows[0].get("xmin").unwrap();
    let _cmin: Cid = rows[0].get("cmin").unwrap();
    assert_eq!(rows[1].value("ctid").unwrap(), Value::Tid(tid));

    let tid = Tid {
        block: u32::MAX,
        offset: u16::MAX,
    };
    let (back, text) = round_trip(&mut conn, "tid", &tid).await;
    assert_eq!((back, text.as_str()), (tid, "(4294967295,65535)"));
    let (back, text) = round_trip(&mut conn, "xid", &Xid(u32::MAX)).await;
    assert_eq!((back, text.as_str()), (Xid(u32::MAX), "4294967295"));
    let (back, text) = round_trip(&mut conn, "cid", &Cid(7)).await;
    assert_eq!((back, text.as_str()), (Cid(7), "7"));
    if conn.server_version_num().unwrap_or(0) >= 130_000 {
        let (back, text) = round_trip(&mut conn, "xid8", &Xid8(u64::MAX)).await;
        assert_eq!(
            (back, text.as_str()),
            (Xid8(u64::MAX), "18446744073709551615")
        );
        let current: Xid8 = conn
            .fetch_val("SELECT pg_current_xact_id()", &[])
            .await
            .unwrap();
        assert!(current.0 > 0);
    }

    for text in ["16/B374D848", "0/0", "FFFFFFFF/FFFFFFFF"] {
        let lsn: PgLsn = text.parse().unwrap();
        let (back, server_text) = round_trip(&mut conn, "pg_lsn", &lsn).await;
        assert_eq!((back, server_text.as_str()), (lsn, text));
        let lit: PgLsn = literal(&mut conn, text, "pg_lsn").await;
        assert_eq!(lit, lsn);
    }
    let _wal: PgLsn = conn
        .fetch_val("SELECT pg_current_wal_lsn()", &[])
        .await
        .unwrap();

    // void: `()` and a NULL-like dynamic value.
    let row = conn
        .fetch_row("SELECT pg_sleep(0) AS v", &[])
        .await
        .unwrap()
        .unwrap();
    row.get::<()>("v").unwrap();
    assert_eq!(row.value("v").unwrap(), Value::Void);
}

#[tokio::test]
async fn text_only_types() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT to_tsvector('english', 'The quick brown foxes') AS v,
                    to_tsquery('english', 'quick & fox') AS q,
                    '<a>x</a>'::xml AS x",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<String>("v").unwrap(),
        "'brown':3 'fox':4 'quick':2"
    );
    assert_eq!(row.get::<&str>("q").unwrap(), "'quick' & 'fox'");
    assert_eq!(row.get::<String>("x").unwrap(), "<a>x</a>");
    let x: String = conn
        .fetch_val("SELECT $1::xml::text", &[&"<b/>"])
        .await
        .unwrap();
    assert_eq!(x, "<b/>");

    conn.execute("CREATE EXTENSION IF NOT EXISTS citext", &[])
        .await
        .unwrap();
    let row = conn
        .fetch_row(
            "SELECT $1::citext AS c, $1::citext = 'HELLO' AS eq",
            &[&"Hello"],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<&str>("c").unwrap(), "Hello");
    assert!(row.get::<bool>("eq").unwrap());
}
