//! Cancellation and timeouts: a timed-out query is cancelled on the server and the connection
//! answers the next query correctly; futures dropped mid-query never leak their answers into the
//! next query; a backend killed mid-query closes the connection with an error.

mod common;

use std::time::{Duration, Instant};

use quarry::Error;

#[tokio::test]
async fn a_timeout_cancels_the_query_and_the_connection_recovers() {
    let mut conn = common::connect().await;
    let started = Instant::now();
    let err = conn
        .timeout(Duration::from_millis(100))
        .execute("SELECT pg_sleep(10)", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let v: i32 = conn.fetch_val("SELECT 7", &[]).await.unwrap();
    assert_eq!(v, 7);

    // The same through the connection-wide command timeout, on the extended protocol.
    conn.set_command_timeout(Some(Duration::from_millis(100)));
    let err = conn
        .fetch("SELECT pg_sleep($1)", &[&10f64])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    conn.set_command_timeout(None);
    let v: String = conn
        .fetch_val("SELECT $1::text", &[&"after"])
        .await
        .unwrap();
    assert_eq!(v, "after");
}

#[tokio::test]
async fn command_timeout_from_the_dsn() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&command_timeout=0.2", db.dsn()))
        .await
        .unwrap();
    let err = conn.execute("SELECT pg_sleep(5)", &[]).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn a_cancel_token_cancels_a_running_query() {
    let mut conn = common::connect().await;
    let token = conn.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        token.cancel().await
    });
    let err = conn.execute("SELECT pg_sleep(10)", &[]).await.unwrap_err();
    assert!(err.code().unwrap().is_query_canceled(), "{err}");
    canceller.await.unwrap().unwrap();
    assert_eq!(conn.fetch_val::<i32>("SELECT 2", &[]).await.unwrap(), 2);
}

#[tokio::test]
async fn dropped_futures_never_answer_the_next_query() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TABLE big AS SELECT g AS n, repeat('x', 100) AS pad FROM generate_series(1, 200000) g",
        &[],
    )
    .await
    .unwrap();
    // Drop fetches at many points: before sending, mid-result, during the prepare round trip.
    for delay_us in [0i32, 50, 200, 1_000, 3_000, 10_000, 30_000] {
        let fut = conn.fetch("SELECT n, pad FROM big WHERE n > $1", &[&0i32]);
        let _ =
            tokio::time::timeout(Duration::from_micros(delay_us.unsigned_abs().into()), fut).await;
        let v: i32 = conn
            .fetch_val("SELECT $1::int4 + 1", &[&delay_us])
            .await
            .unwrap();
        assert_eq!(v, delay_us + 1, "dropped after {delay_us} µs");
        let fut = conn.execute("SELECT pg_sleep(0.01); SELECT 1", &[]);
        let _ =
            tokio::time::timeout(Duration::from_micros(delay_us.unsigned_abs().into()), fut).await;
        let s: String = conn.fetch_val("SELECT 'fresh'::text", &[]).await.unwrap();
        assert_eq!(s, "fresh");
    }
    // A dropped prepare of a new statement.
    let fut = conn.prepare("SELECT n FROM big WHERE n = $1 AND pad <> ''");
    drop(fut);
    let fut = conn.fetch_row("SELECT count(*) FROM big WHERE n < $1", &[&10i32]);
    let _ = tokio::time::timeout(Duration::from_micros(100), fut).await;
    let n: i64 = conn
        .fetch_val("SELECT count(*) FROM big WHERE n < $1", &[&10i32])
        .await
        .unwrap();
    assert_eq!(n, 9);
}

#[tokio::test]
async fn a_terminated_backend_closes_the_connection() {
    let db = common::fresh_db().await;
    let mut victim = db.connect().await;
    let mut killer = db.connect().await;
    let pid = victim.server_pid();
    let query = tokio::spawn(async move {
        let result = victim.execute("SELECT pg_sleep(10)", &[]).await;
        (result, victim)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let killed: bool = killer
        .fetch_val("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    assert!(killed);
    let (result, mut victim) = tokio::time::timeout(Duration::from_secs(5), query)
        .await
        .unwrap()
        .unwrap();
    assert!(result.is_err());
    assert!(victim.is_closed());
    let again = victim.fetch_val::<i32>("SELECT 1", &[]).await.unwrap_err();
    assert!(matches!(again, Error::Closed), "{again}");
}
