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
