//! The per-connection type registry: user types looked up by name (enums, composites, domains,
//! ranges, arrays of them, extension types), custom codecs (`set_type_codec`,
//! `set_builtin_type_codec`, `reset_type_codec`), hstore, and `reload_schema_state`.

mod common;

use std::collections::{BTreeMap, HashMap};

use quarry::types::{BoxError, BuiltinCodec, Custom, Kind, TypeCodec, Value};

fn float_codec() -> TypeCodec {
    TypeCodec::text(
        |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
        |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
    )
}

#[tokio::test]
async fn user_types_are_resolved_by_introspection() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'very happy', 'ünï code');
         CREATE TYPE pair AS (m mood, n int4, label text);
         CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
         CREATE TYPE floatrange AS RANGE (subtype = float8);",
        &[],
    )
    .await
    .unwrap();
    let stmt = conn
        .prepare(
            "SELECT 'very happy'::mood AS m, ARRAY['sad']::mood[] AS ms, ROW('sad', 1, 'x')::pair AS p,
                    '[1.5,2)'::floatrange AS r, '{[1,2)}'::floatmultirange AS mr, $1::email AS e",
        )
        .await
        .unwrap();
    let kinds: Vec<_> = stmt.columns().iter().map(|c| c.pg_type().clone()).collect();
    assert_eq!(
        *kinds[0].kind(),
        Kind::Enum(vec!["sad".into(), "very happy".into(), "ünï code".into()])
    );
    assert_eq!(kinds[0].name(), "mood");
    assert_eq!(kinds[0].schema(), "public");
    assert!(matches!(kinds[1].kind(), Kind::Array(e) if e.name() == "mood"));
    let Kind::Composite(fields) = kinds[2].kind() else {
        panic!("pair is not a composite: {:?}", kinds[2])
    };
    let names: Vec<_> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.ty.name()))
        .collect();
    assert_eq!(names, [("m", "mood"), ("n", "int4"), ("label", "text")]);
    assert!(matches!(&fields[0].ty.kind(), Kind::Enum(l) if l.len() == 3));
    assert!(matches!(kinds[3].kind(), Kind::Range(s) if s.name() == "float8"));
    assert!(matches!(kinds[4].kind(), Kind::Multirange(r) if r.name() == "floatrange"));
    assert!(matches!(stmt.param_types()[0].kind(), Kind::Domain(b) if b.name() == "text"));

    // Values still arrive (as text) and text parameters still go to enums and domains.
    let row = conn
        .fetch_row(&stmt, &[&"bob@example.com"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<&str>("m").unwrap(), "very happy");
    assert_eq!(row.get::<String>("e").unwrap(), "bob@example.com");
    let m: String = conn
        .fetch_val("SELECT $1::mood::text", &[&"ünï code"])
        .await
        .unwrap();
    assert_eq!(m, "ünï code");
    assert!(format!("{row:?}").contains("m='very happy'"));
}

#[tokio::test]
async fn introspection_happens_once_and_not_for_builtins() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE color AS ENUM ('red', 'green')", &[])
        .await
        .unwrap();
    let a = conn.prepare("SELECT 'red'::color").await.unwrap();
    let b = conn
        .prepare("SELECT 'green'::color, 1::int4")
        .await
        .unwrap();
    // The registry hands out the type it cached: the same allocation for both statements.
    assert!(std::ptr::eq(
        a.columns()[0].pg_type(),
        b.columns()[0].pg_type()
    ));
    let n: i32 = conn.fetch_val("SELECT 41 + 1", &[]).await.unwrap();
    assert_eq!(n, 42);
}

#[tokio::test]
async fn unnamed_statements_are_prepared_again_after_introspection() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    conn.execute("CREATE TYPE mood AS ENUM ('ok', 'meh')", &[])
        .await
        .unwrap();
    let rows = conn
        .fetch(
            "SELECT m::mood FROM (VALUES ('ok'), ('meh')) v(m) WHERE m <> $1",
            &[&"x"],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get::<&str>(0).unwrap(), "meh");
    assert!(matches!(
        rows[0].columns()[0].pg_type().kind(),
        Kind::Enum(_)
    ));
    assert_eq!(conn.cached_statements(), 0);
}

#[tokio::test]
async fn introspection_inside_a_transaction_leaves_it_alone() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE t_kind AS ENUM ('a', 'b')", &[])
        .await
        .unwrap();
    let jit_before: String = conn.fetch_val("SHOW jit", &[]).await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("CREATE TABLE items(k t_kind)", &[])
        .await
        .unwrap();
    tx.execute("INSERT INTO items VALUES ('b')", &[])
        .await
        .unwrap();
    let k: String = tx.fetch_val("SELECT k FROM items", &[]).await.unwrap();
    assert_eq!(k, "b");
    let jit_in_tx: String = tx.fetch_val("SHOW jit", &[]).await.unwrap();
    assert_eq!(jit_in_tx, jit_before);
    tx.rollback().await.unwrap();
    let exists: bool = conn
        .fetch_val("SELECT to_regclass('items') IS NOT NULL", &[])
        .await
        .unwrap();
    assert!(
        !exists,
        "the rollback undid the table: introspection did not commit"
    );
    let jit_after: String = conn.fetch_val("SHOW jit", &[]).await.unwrap();
    assert_eq!(jit_after, jit_before);
}

#[tokio::test]
async fn text_codec_numeric_as_float() {
    let mut conn = common::connect().await;
    conn.set_type_codec("pg_catalog.numeric", float_codec())
        .await
        .unwrap();
    let Custom(x): Custom<f64> = conn
        .fetch_val("SELECT $1::numeric", &[&Custom(11.123f64)])
        .await
        .unwrap();
    assert_eq!(x, 11.123);
    // The server agrees on the value it received.
    let text: String = conn
        .fetch_val("SELECT ($1::numeric * 2)::text", &[&Custom(11.123f64)])
        .await
        .unwrap();
    assert_eq!(text, "22.246");
    // A literal decodes through the codec, typed and dynamically.
    let row = conn
        .fetch_row("SELECT 1.25::numeric AS n, NULL::numeric AS z", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Custom<f64>>("n").unwrap().0, 1.25);
    assert_eq!(row.get::<Option<Custom<f64>>>("z").unwrap(), None);
    let Value::Custom(v) = row.value("n").unwrap() else {
        panic!("not decoded by the codec")
    };
    assert_eq!(v.downcast_ref::<f64>(), Some(&1.25));
    assert_eq!(format!("{row:?}"), "Record(n=1.25, z=None)");

    // Wrong Rust type: an error naming the column and both types; the connection stays usable.
    let err = row.get::<Custom<i32>>("n").unwrap_err().to_string();
    assert!(
        err.contains("\"n\"") && err.contains("numeric") && err.contains("i32"),
        "{err}"
    );
    let err = conn
        .fetch_val::<Custom<f64>>("SELECT 'NaNx'::text::numeric", &[])
        .await
        .unwrap_err();
    assert!(err.as_db_error().is_some(), "{err}");
    let bad_decode = conn
        .fetch_val::<Custom<f64>>("SELECT 'NaN'::numeric", &[])
        .await;
    assert!(bad_decode.unwrap().0.is_nan());

    conn.reset_type_codec("numeric").await.unwrap();
    let row = conn
        .fetch_row("SELECT 1.25::numeric AS n", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.value("n").unwrap().to_string(), "1.25");
    assert!(matches!(row.value("n").unwrap(), Value::Numeric(_)));
    assert!(row.get::<Custom<f64>>("n").is_err());
    // Resetting twice is fine.
    conn.reset_type_codec("numeric").await.unwrap();
}

#[tokio::test]
async fn json_codec_with_serde_json() {
    let mut conn = common::connect().await;
    conn.set_type_codec(
        "json",
        TypeCodec::text(
            |v: &serde_json::Value| -> Result<String, BoxError> { Ok(serde_json::to_string(v)?) },
            |s: &str| -> Result<serde_json::Value, BoxError> { Ok(serde_json::from_str(s)?) },
        ),
    )
    .await
    .unwrap();
    let data = serde_json::json!({"foo": "bar", "spam": 1});
    let Custom(back): Custom<serde_json::Value> = conn
        .fetch_val("SELECT $1::json", &[&Custom(data.clone())])
        .await
        .unwrap();
    assert_eq!(back, data);
    let text: String = conn
        .fetch_val("SELECT ($1::json ->> 'foo')", &[&Custom(data.clone())])
        .await
        .unwrap();
    assert_eq!(text, "bar");
    // Plain text still works for the same type.
    let raw: String = conn
        .fetch_val("SELECT $1::json::text", &[&"[1, 2]"])
        .await
        .unwrap();
    assert_eq!(raw, "[1, 2]");
}

/// A user type with its own `Decode` impl keeps working when a codec is registered for it.
struct Celsius(f64);

impl<'r> quarry::types::Decode<'r> for Celsius {
    fn accepts(ty: &quarry::types::PgType, _format: quarry::types::Format) -> bool {
        ty.name() == "numeric"
    }
    fn decode(value: quarry::types::ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(Celsius(std::str::from_utf8(value.non_null()?)?.parse()?))
    }
}

#[tokio::test]
async fn typed_decode_still_works_with_a_codec() {
    let mut conn = common::connect().await;
    conn.set_type_codec("numeric", float_codec()).await.unwrap();
    let c: Celsius = conn.fetch_val("SELECT 21.5::numeric", &[]).await.unwrap();
    assert_eq!(c.0, 21.5);
}

#[tokio::test]
async fn binary_codec_for_a_user_type() {
    let mut conn = common::connect().await;
    conn.execute("CREATE DOMAIN small AS int4", &[])
        .await
        .unwrap();
    // A binary codec on int4 (built-in): values go through it in binary both ways.
    conn.set_type_codec(
        "int4",
        TypeCodec::binary(
            |x: &u16| -> Result<Vec<u8>, BoxError> { Ok(i32::from(*x).to_be_bytes().to_vec()) },
            |raw: &[u8]| -> Result<u16, BoxError> {
                Ok(u16::try_from(i32::from_be_bytes(raw.try_into()?))?)
            },
        ),
    )
    .await
    .unwrap();
    let Custom(x): Custom<u16> = conn
        .fetch_val("SELECT $1::int4 + 1", &[&Custom(41u16)])
        .await
        .unwrap();
    assert_eq!(x, 42);
    // i32 keeps its own codec for the same type.
    let y: i32 = conn.fetch_val("SELECT $1::int4", &[&7i32]).await.unwrap();
    assert_eq!(y, 7);
    let err = conn
        .fetch_val::<Custom<u16>>("SELECT -1::int4", &[])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("u16"), "{err}");
    let ok: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn unknown_type_names_are_errors() {
    let mut conn = common::connect().await;
    let err = conn
        .set_type_codec("no_such_type", float_codec())
        .await
        .unwrap_err();
    assert!(matches!(err, quarry::Error::TypeNotFound { .. }), "{err}");
    let err = conn.reset_type_codec("it's \\ bad").await.unwrap_err();
    assert!(
        matches!(err, quarry::Error::TypeNotFound { .. }) || err.as_db_error().is_some(),
        "{err}"
    );
    let n: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn hstore_maps() {
    let mut conn = common::connect().await;
    conn.execute("CREATE EXTENSION hstore", &[]).await.unwrap();
    // Without a codec, hstore arrives as text and still decodes into maps.
    let map: HashMap<String, Option<String>> = conn
        .fetch_val(
            "SELECT 'a=>1, b=>NULL, \"k y\"=>\"v\\\\\\\"q\"'::hstore",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(map.get("a"), Some(&Some("1".to_owned())));
    assert_eq!(map.get("b"), Some(&None));
    assert_eq!(map.get("k y"), Some(&Some("v\\\"q".to_owned())));

    let mut sent = BTreeMap::new();
    sent.insert(
        "key".to_owned(),
        Some("välue, with => \"quotes\"".to_owned()),
    );
    sent.insert("null".to_owned(), None);
    sent.insert(String::new(), Some(String::new()));
    let back: BTreeMap<String, Option<String>> =
        conn.fetch_val("SELECT $1::hstore", &[&sent]).await.unwrap();
    assert_eq!(back, sent);
    // The server's own view of what was sent.
    let n: i64 = conn
        .fetch_val("SELECT count(*) FROM each($1::hstore)", &[&sent])
        .await
        .unwrap();
    assert_eq!(n, 3);
    let v: Option<String> = conn
        .fetch_val("SELECT $1::hstore -> 'key'", &[&sent])
        .await
        .unwrap();
    assert_eq!(v.as_deref(), Some("välue, with => \"quotes\""));

    // With the built-in codec: binary, and Value/Debug show the map.
    conn.set_builtin_type_codec("hstore", BuiltinCodec::Hstore)
        .await
        .unwrap();
    let row = conn
        .fetch_row("SELECT 'a=>1,b=>2'::hstore AS h", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.columns()[0].format(), quarry::types::Format::Binary);
    assert_eq!(
        format!("{row:?}"),
        r#"Record(h={"a": Some("1"), "b": Some("2")})"#
    );
    let typed: HashMap<String, Option<String>> = row.get("h").unwrap();
    assert_eq!(typed.len(), 2);
    let back: BTreeMap<String, Option<String>> =
        conn.fetch_val("SELECT $1::hstore", &[&sent]).await.unwrap();
    assert_eq!(back, sent);
    let Custom(via_codec): Custom<BTreeMap<String, Option<String>>> = conn
        .fetch_val("SELECT $1::hstore", &[&Custom(sent.clone())])
        .await
        .unwrap();
    assert_eq!(via_codec, sent);
}

#[tokio::test]
async fn reload_schema_state_sees_changed_types() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE state AS ENUM ('on')", &[])
        .await
        .unwrap();
    let stmt = conn.prepare("SELECT 'on'::state").await.unwrap();
    assert_eq!(
        *stmt.columns()[0].pg_type().kind(),
        Kind::Enum(vec!["on".into()])
    );
    conn.execute("ALTER TYPE state ADD VALUE 'off'", &[])
        .await
        .unwrap();
    conn.reload_schema_state();
    assert_eq!(conn.cached_statements(), 0);
    let stmt = conn.prepare("SELECT 'off'::state").await.unwrap();
    assert_eq!(
        *stmt.columns()[0].pg_type().kind(),
        Kind::Enum(vec!["on".into(), "off".into()])
    );
    let s: String = conn.fetch_val("SELECT 'off'::state", &[]).await.unwrap();
    assert_eq!(s, "off");
}

#[tokio::test]
async fn citext_stays_text() {
    let mut conn = common::connect().await;
    conn.execute("CREATE EXTENSION citext", &[]).await.unwrap();
    let eq: bool = conn
        .fetch_val("SELECT $1::citext = 'HELLO'::citext", &[&"hello"])
        .await
        .unwrap();
    assert!(eq);
    let s: String = conn.fetch_val("SELECT 'MiXed'::citext", &[]).await.unwrap();
    assert_eq!(s, "MiXed");
}
