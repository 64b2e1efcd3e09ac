//! Typed binary COPY with the column types given up front (no lookup round trip: it works for a
//! role that may insert but not select), and rows of dynamic `Value`s copied back into a table,
//! text-only columns included.

mod common;

use common::fault_proxy::{Action, Fault, FaultProxy};
use quarry::copy::{CopyError, CopyOptions};
use quarry::types::{PgType, Value, oid};
use quarry::{Connection, Error};

async fn rows_text(conn: &mut Connection, table: &str) -> Vec<String> {
    let sql = format!("SELECT t::text FROM {table} t ORDER BY 1");
    conn.fetch(sql.as_str(), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect()
}

#[tokio::test]
async fn column_types_given_up_front_skip_the_lookup() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE t (a int4, b text, c jsonpath)", &[])
        .await
        .unwrap();
    let proxy = FaultProxy::start().await;
    let mut proxied = quarry::connect(&proxy.dsn(&db)).await.unwrap();
    // Looking the types up describes a query, whose RowDescription ('T') the proxy cuts: a COPY
    // given its types never asks for one.
    proxy.arm(Fault::on(b'T', Action::Cut));
    let rows = vec![(1i32, "x", "$.a"), (2, "y", "$.b[*]")];
    let given = CopyOptions::new().columns(["a", "b", "c"]).column_types([
        PgType::resolve(oid::INT4),
        PgType::resolve(oid::TEXT),
        PgType::resolve(oid::JSONPATH),
    ]);
    let n = proxied
        .copy_records_to_table_with("t", rows.clone(), &given)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(proxy.fired(), 0);
    let looked_up = CopyOptions::new().columns(["a", "b", "c"]);
    assert!(
        proxied
            .copy_records_to_table_with("t", rows, &looked_up)
            .await
            .is_err()
    );
    assert_eq!(proxy.fired(), 1);
    assert_eq!(
        rows_text(&mut conn, "t").await,
        [r#"(1,x,"$.""a""")"#, r#"(2,y,"$.""b""[*]")"#]
    );

    let wrong = CopyOptions::new()
        .columns(["a", "b"])
        .column_types([PgType::resolve(oid::INT4)]);
    let err = conn
        .copy_records_to_table_with("t", [(1i32, "x")], &wrong)
        .await
        .unwrap_err();
    let Error::Copy(copy) = &err else {
        panic!("not a COPY error: {err:?}")
    };
    assert!(
        matches!(
            **copy,
            CopyError::ColumnTypes {
                columns: 2,
                types: 1
            }
        ),
        "{err:?}"
    );
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn value_rows_are_copied() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TABLE src (a int2, b text, c jsonpath, d int4[], e numeric, f timestamptz); \
         INSERT INTO src VALUES (1, 'a\"b', '$.x', '[0:1]={1,NULL}', 'NaN', 'infinity'), \
                                (NULL, NULL, NULL, NULL, NULL, NULL), \
                                (-32768, '', 'strict $', '{}', '-1.50', '2024-01-02 03:04:05+00'); \
         CREATE TABLE dst (LIKE src)",
        &[],
    )
    .await
    .unwrap();
    let rows: Vec<Vec<Value>> = conn
        .fetch("SELECT * FROM src", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (0..r.len()).map(|i| r.value(i).unwrap()).collect())
        .collect();
    let n = conn
        .copy_records_to_table("dst", rows, &[], None)
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        rows_text(&mut conn, "dst").await,
        rows_text(&mut conn, "src").await
    );

    // A value that does not fit its column is an error naming the row and column; nothing is
    // inserted and the connection goes on.
    let bad = vec![vec![
        Value::Int(70_000),
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
    ]];
    let err = conn
        .copy_records_to_table("dst", bad, &[], None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("70000 does not fit int2"), "{err}");
    let count: i64 = conn
        .fetch_val("SELECT count(*) FROM dst", &[])
        .await
        .unwrap();
    assert_eq!(count, 3);
}
