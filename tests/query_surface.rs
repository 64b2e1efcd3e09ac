//! One query surface: the same verbs on a connection, a transaction, a pool, a pooled
//! connection and `conn.timeout(d)`; rows read into tuples with `fetch_as`; `try_get` as a
//! `Result`; `pool.transaction()` named as on a connection.

mod common;

use std::time::Duration;

use futures_util::TryStreamExt;
use quarry::{Error, Executor, Pool};

const USERS: &str =
    "SELECT id, name FROM (VALUES (1, 'Ann'), (2, NULL)) AS u(id, name) ORDER BY id";

/// Everything an executor offers, used generically.
async fn read_all(db: impl Executor + Copy) -> Vec<(i32, Option<String>)> {
    let count: i64 = db
        .fetch_val("SELECT count(*) FROM (VALUES (1), (2)) AS v(x)", &[])
        .await
        .unwrap();
    assert_eq!(count, 2);
    let first: Option<(i32, Option<String>)> = db.fetch_row_as(USERS, &[]).await.unwrap();
    assert_eq!(first, Some((1, Some("Ann".to_owned()))));
    db.fetch_as(USERS, &[]).await.unwrap()
}

fn expected() -> Vec<(i32, Option<String>)> {
    vec![(1, Some("Ann".to_owned())), (2, None)]
}

#[tokio::test]
async fn the_same_verbs_on_every_executor() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    // Connection: inherent methods and the generic path.
    let rows: Vec<(i32, Option<String>)> = conn.fetch_as(USERS, &[]).await.unwrap();
    assert_eq!(rows, expected());
    let none: Option<(i32, String)> = conn
        .fetch_row_as("SELECT 1, 'x' WHERE false", &[])
        .await
        .unwrap();
    assert_eq!(none, None);
    // A transaction.
    let mut tx = conn.transaction().await.unwrap();
    let rows: Vec<(i32, Option<String>)> = tx.fetch_as(USERS, &[]).await.unwrap();
    assert_eq!(rows, expected());
    tx.rollback().await.unwrap();
    // A pool, a pooled connection.
    let pool = Pool::builder()
        .max_size(2)
        .build_with(quarry::Config::from_dsn(&db.dsn()).unwrap())
        .await
        .unwrap();
    assert_eq!(read_all(&pool).await, expected());
    let rows: Vec<(i32, Option<String>)> = pool.fetch_as(USERS, &[]).await.unwrap();
    assert_eq!(rows, expected());
    let mut pooled = pool.acquire().await.unwrap();
    let n: i64 = (&mut pooled)
        .fetch_val("SELECT count(*) FROM pg_class WHERE false", &[])
        .await
        .unwrap();
    assert_eq!(n, 0);
    // conn.timeout(d) is an executor too.
    let rows: Vec<(i32, Option<String>)> =
        Executor::fetch_as(conn.timeout(Duration::from_secs(5)), USERS, &[])
            .await
            .unwrap();
    assert_eq!(rows, expected());
}

/// The widest tuple `FromRecord` covers.
type Sixteen = (
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
);

#[tokio::test]
async fn a_tuple_must_match_the_row() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let err = conn
        .fetch_as::<(i32,)>("SELECT 1, 2", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ColumnCount {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("has 2 column(s)"), "{err}");
    // A wrong type names the column; a NULL needs an Option.
    let err = conn
        .fetch_as::<(i32, i32)>("SELECT 1, 'x'::text", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ColumnType { .. }), "{err:?}");
    let err = conn
        .fetch_as::<(i32, String)>("SELECT 1, NULL::text", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    // Sixteen columns.
    let wide: Option<Sixteen> = conn
        .fetch_row_as(
            "SELECT 1::int2, 2::int2, 3::int2, 4::int2, 5::int2, 6::int2, 7::int2, 8::int2, \
             9::int2, 10::int2, 11::int2, 12::int2, 13::int2, 14::int2, 15::int2, 16::int2",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(wide.map(|w| w.15), Some(16));
    // The connection is fine afterwards.
    assert_eq!(conn.fetch_val::<i32>("SELECT 7", &[]).await.unwrap(), 7);
}

#[tokio::test]
async fn a_timed_stream_is_bounded_and_leaves_the_connection_usable() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let started = std::time::Instant::now();
    let mut rows = conn.timeout(Duration::from_millis(300)).fetch_stream(
        "SELECT g, pg_sleep(CASE WHEN g = 2 THEN 30 ELSE 0 END) FROM generate_series(1, 3) g",
        &[],
    );
    let mut seen = 0;
    let err = loop {
        match rows.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the stream ended without a timeout"),
            Err(e) => break e,
        }
    };
    drop(rows);
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(seen <= 1, "{seen}");
    // Bounded: the limit plus the recovery limit, far from the 30 s the query would take.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(conn.fetch_val::<i32>("SELECT 5", &[]).await.unwrap(), 5);
    assert!(!conn.is_in_transaction());
}

#[tokio::test]
async fn query_macros_run_within_a_timeout() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let q = quarry::query_scalar!("SELECT upper($1::text) AS \"u!\"", "cy");
    let up = q
        .fetch_one(conn.timeout(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(up, "CY");
}

#[tokio::test]
async fn try_get_is_a_result_and_pool_transaction_commits() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let row = conn
        .fetch_row("SELECT 1::int4 AS a, NULL::text AS b", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i32>("a").unwrap(), 1);
    assert_eq!(row.try_get::<Option<&str>>("b").unwrap(), None);
    assert!(matches!(
        row.try_get::<i32>("zz"),
        Err(Error::ColumnNotFound { .. })
    ));
    assert!(matches!(
        row.try_get::<&str>("b"),
        Err(Error::Decode { .. })
    ));

    conn.execute("CREATE TABLE t(x int4)", &[]).await.unwrap();
    let pool = Pool::builder()
        .max_size(1)
        .build_with(quarry::Config::from_dsn(&db.dsn()).unwrap())
        .await
        .unwrap();
    let mut tx = pool.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    // Not visible from a second connection until committed.
    let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 0);
    tx.commit().await.unwrap();
    let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 1);
}

/// `execute_many` and `fetch_many` through the `Executor` trait, on every executor.
async fn insert_batch(db: impl Executor + Copy, first: i32) -> Vec<i32> {
    let ids: Vec<i32> = (first..first + 3).collect();
    db.execute_many(
        "INSERT INTO batch(n) VALUES ($1)",
        ids.iter().map(|id| [id as quarry::Param]),
    )
    .await
    .unwrap();
    let more = [first + 100, first + 101];
    let back = db
        .fetch_many(
            "INSERT INTO batch(n) VALUES ($1) RETURNING n",
            more.iter().map(|id| [id as quarry::Param]),
        )
        .await
        .unwrap();
    back.iter().map(|r| r.get(0).unwrap()).collect()
}

#[tokio::test]
async fn batches_run_on_every_executor() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE batch(n int4 PRIMARY KEY)", &[])
        .await
        .unwrap();
    let pool = Pool::builder()
        .max_size(2)
        .build_with(quarry::Config::from_dsn(&db.dsn()).unwrap())
        .await
        .unwrap();
    assert_eq!(insert_batch(&pool, 0).await, [100, 101]);
    let ids: Vec<i32> = (10..13).collect();
    Executor::execute_many(
        conn.timeout(Duration::from_secs(5)),
        "INSERT INTO batch(n) VALUES ($1)",
        ids.iter().map(|id| [id as quarry::Param]),
    )
    .await
    .unwrap();
    let back = Executor::fetch_many(
        conn.timeout(Duration::from_secs(5)),
        "INSERT INTO batch(n) VALUES ($1) RETURNING n",
        [[&20i32 as quarry::Param]],
    )
    .await
    .unwrap();
    assert_eq!(back.len(), 1);
    let n: i64 = conn
        .fetch_val("SELECT count(*) FROM batch", &[])
        .await
        .unwrap();
    assert_eq!(n, 5 + 3 + 1);
}
