//! Records and composites against a real server: anonymous records into tuples, NULL fields,
//! nested records, dynamic values, and (with the type registry) user composites both ways.

mod common;

use quarry::types::Value;

#[tokio::test]
async fn anonymous_records_into_tuples() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT (1, 'a') AS pair, ROW(2, NULL::text, ROW(3, 'x'), ARRAY[4, 5]) AS nested",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<(i32, String)>("pair").unwrap(),
        (1, "a".to_owned())
    );
    let nested: (i32, Option<String>, (i32, &str), Vec<i32>) = row.get("nested").unwrap();
    assert_eq!(nested, (2, None, (3, "x"), vec![4, 5]));
    assert_eq!(
        row.value("nested").unwrap().to_string(),
        "(2, None, (3, 'x'), [4, 5])"
    );
    assert_eq!(
        row.value("pair").unwrap(),
        Value::Record(vec![(None, Value::Int(1)), (None, Value::Text("a".into()))])
    );
}

#[tokio::test]
async fn record_errors_name_the_field_and_the_connection_survives() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT ROW(1, NULL::int4) AS r", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<(i32, i32)>("r").unwrap_err().to_string();
    assert!(err.contains("#1") && err.contains("NULL"), "{err}");
    let err = row.get::<(i32, i32, i32)>("r").unwrap_err().to_string();
    assert!(err.contains("2 fields"), "{err}");
    let err = row.get::<(bool, Option<i32>)>("r").unwrap_err().to_string();
    assert!(err.contains("#0") && err.contains("int4"), "{err}");
    assert_eq!(row.get::<(i32, Option<i32>)>("r").unwrap(), (1, None));
    // PostgreSQL cannot receive an anonymous record parameter: a clear error, not a broken connection.
    assert!(
        conn.fetch_row("SELECT $1::record", &[&(1i32,)])
            .await
            .is_err()
    );
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn records_with_fields_without_binary_codec() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT ROW(1, 'a:1'::tsvector) AS r", &[])
        .await
        .unwrap()
        .unwrap();
    // Fields arrive in binary; one Quarry cannot decode stays raw in a dynamic Value.
    let Value::Record(fields) = row.value("r").unwrap() else {
        panic!("a record")
    };
    assert_eq!(fields.first().map(|f| &f.1), Some(&Value::Int(1)));
    assert_eq!(fields.len(), 2);
}

/// User composites get a `Kind::Composite` from the type registry (merged separately).
#[tokio::test]
async fn user_composites_both_ways() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE inner_t AS (x int4, label text)", &[])
        .await
        .unwrap();
    conn.execute(
        "CREATE TYPE outer_t AS (id int8, inr inner_t, tags text[])",
        &[],
    )
    .await
    .unwrap();
    let value = (7i64, (1i32, Some("a b")), vec!["t"]);
    let row = conn
        .fetch_row(
            "SELECT $1::outer_t, $1::outer_t::text, ROW(8, NULL, '{}')::outer_t",
            &[&value],
        )
        .await
        .unwrap()
        .unwrap();
    let back: (i64, (i32, Option<String>), Vec<String>) = row.get(0).unwrap();
    assert_eq!(back, (7, (1, Some("a b".to_owned())), vec!["t".to_owned()]));
    assert_eq!(row.get::<String>(1).unwrap(), r#"(7,"(1,""a b"")",{t})"#);
    type Outer = (i64, Option<(i32, Option<String>)>, Vec<String>);
    let with_null: Outer = row.get(2).unwrap();
    assert_eq!(with_null, (8, None, vec![]));
    assert_eq!(
        row.value(2).unwrap().to_string(),
        "<Record id=8 inr=None tags=[]>"
    );
}

/// The round-trip suite's `comp`: a `jsonpath` field (no binary codec in Quarry), an enum with
/// odd labels and a domain.
const COMP: &str = r#"
CREATE TYPE odd AS ENUM ('a b', 'quote"d', 'back\slash');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE TYPE comp AS (i int4, t text, e odd, j jsonpath, d posint);
"#;

#[derive(Debug, PartialEq, Clone, quarry::Type)]
struct Comp {
    i: Option<i32>,
    t: Option<String>,
    e: Option<String>,
    j: Option<String>,
    d: Option<i32>,
}

/// A composite with a field Quarry has no binary codec for arrives in text; tuples and derived
/// structs read it field by field (alone and in arrays, escapes included) and send it back.
#[tokio::test]
async fn composites_with_text_only_fields_both_ways() {
    let mut conn = common::connect().await;
    conn.execute(COMP, &[]).await.unwrap();
    let literal = r#"'(1,"a ""q"" \\ b","quote""d","$.""a\\""b""",5)'::comp"#;
    let sql = format!(
        "SELECT {literal} AS c, ARRAY[{literal}, NULL, '(,,,,)'::comp] AS cs, \
         ({literal})::text AS c_text, (ARRAY[{literal}, NULL, '(,,,,)'::comp])::text AS cs_text"
    );
    let row = conn.fetch_row(sql.as_str(), &[]).await.unwrap().unwrap();
    let want = Comp {
        i: Some(1),
        t: Some(r#"a "q" \ b"#.into()),
        e: Some(r#"quote"d"#.into()),
        j: Some(r#"$."a\"b""#.into()),
        d: Some(5),
    };
    type Tuple = (i32, String, String, String, i32);
    let tuple: Tuple = row.get("c").unwrap();
    assert_eq!(
        tuple,
        (
            1,
            want.t.clone().unwrap(),
            want.e.clone().unwrap(),
            want.j.clone().unwrap(),
            5
        )
    );
    assert_eq!(row.get::<Comp>("c").unwrap(), want);
    let empty = Comp {
        i: None,
        t: None,
        e: None,
        j: None,
        d: None,
    };
    let structs: Vec<Option<Comp>> = row.get("cs").unwrap();
    assert_eq!(structs, [Some(want.clone()), None, Some(empty.clone())]);
    type Nullable = (
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i32>,
    );
    let tuples: Vec<Option<Nullable>> = row.get("cs").unwrap();
    assert_eq!(tuples[2], Some((None, None, None, None, None)));
    // Sent back (in binary, the jsonpath field in its binary form), identical.
    let c_text: String = row.get("c_text").unwrap();
    let cs_text: String = row.get("cs_text").unwrap();
    for param in [&tuple as quarry::Param, &want] {
        let back: String = conn
            .fetch_val("SELECT $1::comp::text", &[param])
            .await
            .unwrap();
        assert_eq!(back, c_text);
    }
    for param in [&structs as quarry::Param, &tuples] {
        let back: String = conn
            .fetch_val("SELECT $1::comp[]::text", &[param])
            .await
            .unwrap();
        assert_eq!(back, cs_text);
    }
    // Value still reads and sends it (as its text).
    let value = row.value("c").unwrap();
    let back: String = conn
        .fetch_val("SELECT $1::comp::text", &[&value])
        .await
        .unwrap();
    assert_eq!(back, c_text);
}

/// A field whose text has no exact binary form Quarry can write (`tsvector`) still reads; sending
/// it in a record is a clear error before anything is sent, and the connection stays usable.
#[tokio::test]
async fn text_fields_without_a_binary_form_are_refused_clearly() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TYPE doc AS (id int4, words tsvector, snap txid_snapshot)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT '(1,"a:1 b:2","10:20:10,14")'::doc"#;
    let doc: (i32, String, String) = conn.fetch_val(sql, &[]).await.unwrap();
    assert_eq!(doc, (1, "'a':1 'b':2".to_owned(), "10:20:10,14".to_owned()));
    let err = conn
        .fetch_val::<String>("SELECT $1::doc::text", &[&doc])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("field 1"), "names the field: {err}");
    assert!(err.contains("tsvector"), "{err}");
    // Without the tsvector, the snapshot goes in its binary form.
    let back: String = conn
        .fetch_val(
            "SELECT $1::doc::text",
            &[&(2i32, None::<String>, "10:20:10,14")],
        )
        .await
        .unwrap();
    assert_eq!(back, r#"(2,,"10:20:10,14")"#);
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

/// Arrays of composites holding `citext` and `hstore` (no codec registered) read and go back.
#[tokio::test]
async fn arrays_of_records_with_citext_and_hstore_fields() {
    use std::collections::BTreeMap;
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore; \
         CREATE TYPE tagged2 AS (id int4, name citext, attrs hstore)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT ARRAY[ROW(7, 'Mixed "Case"', 'a=>1, b=>NULL')::tagged2, NULL,
                 ROW(NULL, NULL, NULL)::tagged2]"#;
    type Tagged = (
        Option<i32>,
        Option<String>,
        Option<BTreeMap<String, Option<String>>>,
    );
    let tagged: Vec<Option<Tagged>> = conn.fetch_val(sql, &[]).await.unwrap();
    let attrs = BTreeMap::from([
        ("a".to_owned(), Some("1".to_owned())),
        ("b".to_owned(), None),
    ]);
    assert_eq!(
        tagged,
        [
            Some((Some(7), Some(r#"Mixed "Case""#.to_owned()), Some(attrs))),
            None,
            Some((None, None, None)),
        ]
    );
    let same: bool = conn
        .fetch_val(
            format!("SELECT $1::tagged2[]::text = ({sql})::text").as_str(),
            &[&tagged],
        )
        .await
        .unwrap();
    assert!(same);
}
