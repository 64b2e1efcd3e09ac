//! Server-side cursors and `fetch_stream`: batches, skipping, bounded memory over a million
//! rows, early drops, errors and abandoned fetches.

mod common;

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use quarry::{Error, Executor, Record};

/// Resident memory of this process, in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn ints(rows: &[Record]) -> Vec<i32> {
    rows.iter().map(|r| r.get::<i32>(0).unwrap()).collect()
}

#[tokio::test]
async fn a_cursor_needs_a_transaction() {
    let mut conn = common::connect().await;
    let err = conn.cursor("SELECT 1", &[]).await.unwrap_err();
    assert!(matches!(err, Error::NoTransaction(_)), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 2", &[]).await.unwrap(), 2);
}

#[tokio::test]
async fn fetch_fetch_row_and_forward() {
    let mut conn = common::connect().await;
    let mut tx = conn.transaction().await.unwrap();
    let mut cursor = tx
        .cursor("SELECT n FROM generate_series(1, $1) AS n", &[&100i32])
        .await
        .unwrap();
    assert_eq!(ints(&cursor.fetch(3).await.unwrap()), [1, 2, 3]);
    assert_eq!(
        cursor
            .fetch_row()
            .await
            .unwrap()
            .unwrap()
            .get::<i32>("n")
            .unwrap(),
        4
    );
    // fetch_row prefetched 50 rows (4..=53): forward skips some buffered, then on the server.
    assert_eq!(cursor.forward(60).await.unwrap(), 60);
    assert_eq!(ints(&cursor.fetch(2).await.unwrap()), [65, 66]);
    assert_eq!(cursor.forward(1000).await.unwrap(), 34);
    assert!(cursor.fetch_row().await.unwrap().is_none());
    assert!(cursor.fetch(10).await.unwrap().is_empty());
    cursor.close().await.unwrap();
    assert_eq!(tx.fetch_val::<i32>("SELECT 5", &[]).await.unwrap(), 5);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_million_row_cursor_streams_in_bounded_memory() {
    let mut conn = common::connect().await;
    let mut tx = conn.transaction().await.unwrap();
    let mut cursor = tx
        .cursor(
            "SELECT n, repeat('x', 100) AS pad FROM generate_series(1, 1000000) AS n",
            &[],
        )
        .await
        .unwrap();
    cursor.set_prefetch(1000);
    let base = rss_kb();
    let mut peak = base;
    let mut sum = 0i64;
    let mut count = 0u64;
    let mut rows = Box::pin(cursor.into_stream());
    while let Some(row) = rows.next().await {
        let row = row.unwrap();
        sum += i64::from(row.get::<i32>(0).unwrap());
        count += 1;
        if count.is_multiple_of(50_000) {
            peak = peak.max(rss_kb());
        }
    }
    assert_eq!(count, 1_000_000);
    assert_eq!(sum, 500_000_500_000);
    let growth_mb = peak.saturating_sub(base) / 1024;
    assert!(growth_mb < 64, "RSS grew by {growth_mb} MB");
    drop(rows);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn dropping_a_cursor_stream_early_leaves_the_connection_correct() {
    let mut conn = common::connect().await;
    let mut tx = conn.transaction().await.unwrap();
    let cursor = tx
        .cursor("SELECT n FROM generate_series(1, 100000) AS n", &[])
        .await
        .unwrap();
    let first: Vec<i32> = cursor
        .into_stream()
        .take(75)
        .map(|r| r.unwrap().get::<i32>(0).unwrap())
        .collect()
        .await;
    assert_eq!(first.len(), 75);
    assert_eq!(tx.fetch_val::<i32>("SELECT 42", &[]).await.unwrap(), 42);
    // A second cursor in the same transaction works.
    let mut again = tx.cursor("SELECT 'a'::text", &[]).await.unwrap();
    assert_eq!(
        again
            .fetch_row()
            .await
            .unwrap()
            .unwrap()
            .get::<String>(0)
            .unwrap(),
        "a"
    );
    tx.commit().await.unwrap();
    assert_eq!(conn.fetch_val::<i32>("SELECT 43", &[]).await.unwrap(), 43);
}

#[tokio::test]
async fn an_abandoned_fetch_is_reported_and_the_connection_recovers() {
    let mut conn = common::connect().await;
    let mut tx = conn.transaction().await.unwrap();
    let mut cursor = tx
        .cursor(
            "SELECT n, pg_sleep(0.001) FROM generate_series(1, 2000) AS n",
            &[],
        )
        .await
        .unwrap();
    let abandoned = tokio::time::timeout(Duration::from_millis(5), cursor.fetch(2000)).await;
    assert!(abandoned.is_err());
    let err = cursor.fetch_row().await.unwrap_err();
    assert!(matches!(err, Error::CursorInterrupted { .. }), "{err}");
    drop(cursor);
    assert_eq!(tx.fetch_val::<i32>("SELECT 9", &[]).await.unwrap(), 9);
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn a_cursor_error_comes_back_and_the_transaction_is_failed() {
    let mut conn = common::connect().await;
    let mut tx = conn.transaction().await.unwrap();
    let mut cursor = tx
        .cursor(
            "SELECT 10 / (n - 60) FROM generate_series(1, 100) AS n",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(cursor.fetch(50).await.unwrap().len(), 50);
    let err = cursor.fetch(50).await.unwrap_err();
    assert_eq!(err.code().unwrap().code(), "22012");
    drop(cursor);
    tx.rollback().await.unwrap();
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn fetch_stream_reads_every_row() {
    let mut conn = common::connect().await;
    let rows: Vec<Record> = conn
        .fetch_stream("SELECT n FROM generate_series(1, $1) AS n", &[&10_000i32])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 10_000);
    assert_eq!(rows[9_999].get::<i32>(0).unwrap(), 10_000);
    // Empty results and statements without rows.
    let none: Vec<Record> = conn
        .fetch_stream("SELECT 1 WHERE false", &[])
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn fetch_stream_early_drop_then_a_new_query_is_correct() {
    let mut conn = common::connect().await;
    {
        let mut rows = conn.fetch_stream("SELECT n FROM generate_series(1, 200000) AS n", &[]);
        for expected in 1..=10 {
            let row = rows.next().await.unwrap().unwrap();
            assert_eq!(row.get::<i32>(0).unwrap(), expected);
        }
    }
    assert_eq!(conn.fetch_val::<i32>("SELECT 77", &[]).await.unwrap(), 77);
    // Dropped before its first row was read.
    drop(conn.fetch_stream("SELECT 1", &[]));
    let mut rows = conn.fetch_stream("SELECT 2", &[]);
    let _ = rows.next().await;
    drop(rows);
    assert_eq!(conn.fetch_val::<i32>("SELECT 78", &[]).await.unwrap(), 78);
}

#[tokio::test]
async fn fetch_stream_error_midway() {
    let mut conn = common::connect().await;
    let mut rows = conn.fetch_stream(
        "SELECT 1 / (5000 - n) FROM generate_series(1, 10000) AS n",
        &[],
    );
    let mut ok = 0;
    let mut failed = None;
    while let Some(row) = rows.next().await {
        match row {
            Ok(_) => ok += 1,
            Err(e) => failed = Some(e),
        }
    }
    drop(rows);
    assert!(ok < 5000);
    assert_eq!(failed.unwrap().code().unwrap().code(), "22012");
    assert_eq!(conn.fetch_val::<i32>("SELECT 3", &[]).await.unwrap(), 3);
}

async fn sum_through(db: impl Executor) -> i64 {
    db.fetch_stream("SELECT n::int8 FROM generate_series(1, 1000) AS n", &[])
        .map(|r| r.unwrap().get::<i64>(0).unwrap())
        .fold(0, |a, b| async move { a + b })
        .await
}

#[tokio::test]
async fn fetch_stream_on_any_executor() {
    let mut conn = common::connect().await;
    assert_eq!(sum_through(&mut conn).await, 500_500);
    let mut tx = conn.transaction().await.unwrap();
    assert_eq!(sum_through(&mut tx).await, 500_500);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn fetch_stream_of_a_million_rows_in_bounded_memory() {
    let mut conn = common::connect().await;
    let base = rss_kb();
    let mut peak = base;
    let mut count = 0u64;
    let mut rows = conn.fetch_stream(
        "SELECT n, repeat('y', 100) FROM generate_series(1, 1000000) AS n",
        &[],
    );
    while let Some(row) = rows.next().await {
        row.unwrap();
        count += 1;
        if count.is_multiple_of(50_000) {
            peak = peak.max(rss_kb());
        }
    }
    drop(rows);
    assert_eq!(count, 1_000_000);
    let growth_mb = peak.saturating_sub(base) / 1024;
    assert!(growth_mb < 64, "RSS grew by {growth_mb} MB");
}

#[tokio::test]
async fn a_dropped_stream_over_five_million_rows_is_cancelled() {
    let mut conn = common::connect().await;
    {
        let mut rows = conn.fetch_stream(
            "SELECT n, repeat('x', 50) AS pad FROM generate_series(1, 5000000) AS n",
            &[],
        );
        for expected in 1..=3 {
            let row = rows.next().await.unwrap().unwrap();
            assert_eq!(row.get::<i32>("n").unwrap(), expected);
        }
    }
    // Without a cancel the next request would first read ~5M rows (several seconds).
    let started = std::time::Instant::now();
    assert_eq!(conn.fetch_val::<i32>("SELECT 42", &[]).await.unwrap(), 42);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    // The session is in step: no cancel is left over for later queries.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for i in 0..5 {
        let n: i64 = conn
            .fetch_val(
                "SELECT count(*) FROM generate_series(1, $1)",
                &[&(100_000i32 + i)],
            )
            .await
            .unwrap();
        assert_eq!(n, 100_000 + i64::from(i));
    }
}

#[tokio::test]
async fn a_dropped_stream_with_a_small_rest_is_drained() {
    let mut conn = common::connect().await;
    {
        let mut rows = conn.fetch_stream("SELECT n FROM generate_series(1, 100) AS n", &[]);
        assert_eq!(
            rows.next().await.unwrap().unwrap().get::<i32>(0).unwrap(),
            1
        );
    }
    assert_eq!(conn.fetch_val::<i32>("SELECT 7", &[]).await.unwrap(), 7);
    // A slow query that ends within the grace period is not cancelled either.
    {
        let mut rows = conn.fetch_stream(
            "SELECT n FROM generate_series(1, 2) AS n, pg_sleep(0.001)",
            &[],
        );
        assert_eq!(
            rows.next().await.unwrap().unwrap().get::<i32>(0).unwrap(),
            1
        );
    }
    assert_eq!(conn.fetch_val::<i32>("SELECT 8", &[]).await.unwrap(), 8);
}
