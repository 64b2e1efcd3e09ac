//! Query methods against a real server: execute (simple and extended), execute_many, fetch,
//! fetch_row, fetch_val, fetch_many, and what bad input gets back.

mod common;

use chrono::NaiveDate;
use quarry::{Error, Param};

#[tokio::test]
async fn execute_returns_the_last_command_tag() {
    let mut conn = common::connect().await;
    let tag = conn
        .execute(
            "CREATE TABLE t(id int4, name text); INSERT INTO t VALUES (1, 'a'), (2, 'b')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(tag.as_str(), "INSERT 0 2");
    assert_eq!(tag.rows(), 2);
    let tag = conn
        .execute("UPDATE t SET name = $1 WHERE id > $2", &[&"z", &0i32])
        .await
        .unwrap();
    assert_eq!(tag.as_str(), "UPDATE 2");
}

#[tokio::test]
async fn fetch_methods_decode_rows() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TABLE users(id serial PRIMARY KEY, name text, dob date)",
        &[],
    )
    .await
    .unwrap();
    let dob = NaiveDate::from_ymd_opt(1984, 3, 1).unwrap();
    conn.execute(
        "INSERT INTO users(name, dob) VALUES ($1, $2)",
        &[&"Bob", &dob],
    )
    .await
    .unwrap();
    conn.execute(
        "INSERT INTO users(name, dob) VALUES ($1, $2)",
        &[&"Ann", &None::<NaiveDate>],
    )
    .await
    .unwrap();

    let row = conn
        .fetch_row("SELECT * FROM users WHERE name = $1", &[&"Bob"])
        .await
        .unwrap()
        .expect("Bob is there");
    assert_eq!(
        format!("{row:?}"),
        "Record(id=1, name='Bob', dob=1984-03-01)"
    );
    assert_eq!(row.get::<i32>("id").unwrap(), 1);
    assert_eq!(row.get::<&str>(1).unwrap(), "Bob");
    assert_eq!(row.get::<NaiveDate>("dob").unwrap(), dob);
    assert_eq!(row.len(), 3);
    assert_eq!(row.columns()[2].name(), "dob");

    let rows = conn
        .fetch("SELECT name, dob FROM users ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get::<Option<NaiveDate>>("dob").unwrap(), None);
    assert!(matches!(
        rows[1].get::<NaiveDate>("dob"),
        Err(Error::Decode { .. })
    ));

    let count: i64 = conn
        .fetch_val("SELECT count(*) FROM users", &[])
        .await
        .unwrap();
    assert_eq!(count, 2);
    let none = conn
        .fetch_row("SELECT * FROM users WHERE id = $1", &[&99i32])
        .await
        .unwrap();
    assert!(none.is_none());
    let missing = conn
        .fetch_val::<i32>("SELECT id FROM users WHERE id = $1", &[&99i32])
        .await;
    assert!(matches!(missing, Err(Error::RowNotFound { .. })));
}

#[tokio::test]
async fn execute_many_is_pipelined_and_atomic() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(id int4 PRIMARY KEY, v float8)", &[])
        .await
        .unwrap();
    let values: Vec<(i32, f64)> = (0..5000).map(|i| (i, f64::from(i) / 2.0)).collect();
    let rows: Vec<[Param; 2]> = values
        .iter()
        .map(|(i, v)| [i as Param, v as Param])
        .collect();
    conn.execute_many("INSERT INTO t VALUES ($1, $2)", &rows)
        .await
        .unwrap();
    let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 5000);

    // Row 2 collides with an existing key: the whole batch must roll back.
    let ids = [10_000i32, 10_001, 7, 10_002];
    let rows: Vec<[Param; 2]> = ids.iter().map(|i| [i as Param, &0.0f64 as Param]).collect();
    let err = conn
        .execute_many("INSERT INTO t VALUES ($1, $2)", &rows)
        .await
        .unwrap_err();
    assert!(err.code().unwrap().is_unique_violation(), "{err}");
    let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 5000, "the failed batch left rows behind");

    let returned = conn
        .fetch_many(
            "INSERT INTO t VALUES ($1, 1) RETURNING id * 2",
            [[&20_000i32 as Param], [&20_001i32 as Param]],
        )
        .await
        .unwrap();
    let doubled: Vec<i32> = returned.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(doubled, [40_000, 40_002]);
}

#[tokio::test]
async fn bad_input_gives_clear_errors_and_the_connection_stays_usable() {
    let mut conn = common::connect().await;
    let err = conn
        .fetch("SELECT $1::int4, $2::int4", &[&1i32])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ParamCount {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );

    let err = conn.fetch("SELECT $1::int4", &[&"one"]).await.unwrap_err();
    assert!(matches!(err, Error::ParamType { position: 1, .. }), "{err}");
    assert!(err.to_string().contains("int4"), "{err}");

    let err = conn.execute("SELEC 1", &[]).await.unwrap_err();
    let db = err.as_db_error().expect("a server error");
    assert_eq!(db.code().code(), "42601");
    assert!(db.position().is_some());
    assert!(err.to_string().contains("SELEC 1"), "{err}");

    // A NUL in text is refused before anything is sent (PostgreSQL text cannot hold it).
    let err = conn.fetch("SELECT $1::text", &[&"a\0b"]).await.unwrap_err();
    assert!(
        matches!(err, Error::Encode { position: 1, .. }) && err.to_string().contains("NUL"),
        "{err}"
    );

    let err = conn.execute("SELECT '\0'", &[]).await.unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err}");

    let err = conn
        .fetch_val::<i32>("SELECT 'x'::text", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ColumnType { .. }), "{err}");
    assert!(
        err.to_string().contains("text") && err.to_string().contains("i32"),
        "{err}"
    );

    let v: i32 = conn.fetch_val("SELECT 42", &[]).await.unwrap();
    assert_eq!(v, 42);
}
