//! Query loggers: every query is reported with its text, parameter count, time, rows and error.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;

#[derive(Debug, Clone)]
struct Entry {
    sql: String,
    params: usize,
    elapsed: Duration,
    rows: Option<u64>,
    error: Option<String>,
}

#[tokio::test]
async fn the_query_logger_sees_each_query_with_its_timing() {
    let mut conn = common::connect().await;
    let log = Arc::new(Mutex::new(Vec::<Entry>::new()));
    let sink = Arc::clone(&log);
    conn.add_query_logger(move |q| {
        sink.lock().unwrap().push(Entry {
            sql: q.sql.to_owned(),
            params: q.params,
            elapsed: q.elapsed,
            rows: q.rows,
            error: q.error.map(|e| e.to_string()),
        });
    });

    conn.execute("CREATE TABLE t(id int4, name text)", &[])
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO t VALUES ($1, $2), ($1 + 1, $2)",
        &[&1i32, &"a"],
    )
    .await
    .unwrap();
    let rows = conn
        .fetch("SELECT * FROM t ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    conn.execute("SELECT pg_sleep(0.05)", &[]).await.unwrap();
    assert!(conn.execute("SELECT nope", &[]).await.is_err());
    let streamed: Vec<_> = conn
        .fetch_stream("SELECT n FROM generate_series(1, 5) AS n", &[])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 5);
    let batch: Vec<[quarry::Param; 1]> = vec![[&10i32], [&11i32], [&12i32]];
    conn.execute_many("INSERT INTO t(id) VALUES ($1)", &batch)
        .await
        .unwrap();

    let log = log.lock().unwrap().clone();
    let sqls: Vec<&str> = log.iter().map(|e| e.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [
            "CREATE TABLE t(id int4, name text)",
            "INSERT INTO t VALUES ($1, $2), ($1 + 1, $2)",
            "SELECT * FROM t ORDER BY id",
            "SELECT pg_sleep(0.05)",
            "SELECT nope",
            "SELECT n FROM generate_series(1, 5) AS n",
            "INSERT INTO t(id) VALUES ($1)",
        ]
    );
    assert_eq!(log[1].params, 2);
    assert_eq!(log[1].rows, Some(2));
    assert_eq!(log[2].rows, Some(2));
    assert!(log[3].elapsed >= Duration::from_millis(50), "{:?}", log[3]);
    assert!(log[4].error.as_deref().unwrap().contains("nope"));
    assert_eq!(log[5].rows, Some(5));
    assert_eq!(log[6].params, 3);
    assert!(
        log.iter()
            .filter(|e| e.sql != "SELECT nope")
            .all(|e| e.error.is_none())
    );

    conn.clear_query_loggers();
    conn.execute("SELECT 1", &[]).await.unwrap();
}
