//! Cancellation and timeouts: a timed-out query is cancelled on the server and the connection
//! answers the next query correctly; futures dropped mid-query never leak their answers into the
//! next query; a transaction whose BEGIN or COMMIT was abandoned is finished or rolled back before
//! the next request (checked from a second connection); a cancel request in flight never hits a
//! later query; a backend killed mid-query closes the connection with the server's error.

mod common;

use std::time::{Duration, Instant};

use futures_util::{FutureExt, StreamExt};
use quarry::{Connection, Error, Param};

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
    // The server's own FATAL (57P01, admin_shutdown), not the end of the stream that follows it.
    let err = result.unwrap_err();
    assert_eq!(
        err.code().map(|c| c.code().to_owned()).as_deref(),
        Some("57P01"),
        "{err}"
    );
    assert!(err.is_fatal(), "{err}");
    assert!(victim.is_closed());
    let again = victim.fetch_val::<i32>("SELECT 1", &[]).await.unwrap_err();
    assert!(matches!(again, Error::Closed), "{again}");
}

/// The session's state as another connection sees it (`pg_stat_activity.state`).
async fn state_seen_from(observer: &mut Connection, pid: i32) -> String {
    observer
        .fetch_val("SELECT state FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dropped_transaction_start_leaves_no_transaction_nobody_owns() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    // BEGIN written, its answer not awaited: nothing exists yet that could roll it back.
    assert!(conn.transaction().now_or_never().is_none());
    let tag = conn
        .execute("INSERT INTO t VALUES ($1)", &[&1i32])
        .await
        .unwrap();
    assert_eq!(tag.rows(), 1);
    assert!(!conn.is_in_transaction());
    let pid = conn.server_pid();
    assert_eq!(state_seen_from(&mut observer, pid).await, "idle");
    let seen: i64 = observer
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(
        seen, 1,
        "the autocommit INSERT reported Ok must be committed"
    );

    // The same for a savepoint inside a transaction: only the abandoned level is undone.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    assert!(tx.transaction().now_or_never().is_none());
    tx.execute("INSERT INTO t VALUES (3)", &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!conn.is_in_transaction());
    let rows: Vec<i32> = observer
        .fetch("SELECT n FROM t ORDER BY n", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(rows, [1, 2, 3]);
    assert_eq!(state_seen_from(&mut observer, pid).await, "idle");
}

#[tokio::test]
async fn a_dropped_commit_or_rollback_never_leaves_later_writes_uncommitted() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    let pid = conn.server_pid();
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    for (round, finish_with_commit) in [(0i32, true), (1, false), (2, true), (3, false)] {
        let mut tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES ($1)", &[&(100 + round)])
            .await
            .unwrap();
        // Something still owed when COMMIT (or ROLLBACK) is called: the call is dropped
        // before its statement can go out.
        assert!(
            tx.execute("SELECT pg_sleep(0.05)", &[])
                .now_or_never()
                .is_none()
        );
        if finish_with_commit {
            assert!(tx.commit().now_or_never().is_none());
        } else {
            assert!(tx.rollback().now_or_never().is_none());
        }
        conn.execute("INSERT INTO t VALUES ($1)", &[&round])
            .await
            .unwrap();
        assert!(!conn.is_in_transaction(), "round {round}");
        assert_eq!(state_seen_from(&mut observer, pid).await, "idle");
        let seen: i64 = observer
            .fetch_val("SELECT count(*) FROM t WHERE n = $1", &[&round])
            .await
            .unwrap();
        assert_eq!(seen, 1, "round {round}: a write reported Ok is committed");
    }
    // A COMMIT that did go out completes: the transaction's rows are there.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (500)", &[]).await.unwrap();
    assert!(tx.commit().now_or_never().is_none());
    conn.execute("INSERT INTO t VALUES (501)", &[])
        .await
        .unwrap();
    let seen: Vec<i32> = observer
        .fetch("SELECT n FROM t WHERE n >= 500 ORDER BY n", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(seen, [500, 501]);
    assert_eq!(state_seen_from(&mut observer, pid).await, "idle");
}

#[tokio::test]
async fn a_cancel_in_flight_never_hits_a_later_query() {
    let mut conn = common::connect().await;
    for round in 0..40u64 {
        // The call times out after 1 ms and starts its cancel; the caller gives up on it while
        // the cancel is still in flight. The query itself ends a moment later, so a cancel that
        // is not waited for arrives while the next query runs.
        let sleep = format!("SELECT pg_sleep({})", 0.002 + 0.001 * (round % 4) as f64);
        let call = conn
            .timeout(Duration::from_millis(1))
            .execute(sleep.as_str(), &[]);
        let outer = Duration::from_micros(1_200 + 300 * (round % 6));
        let _ = tokio::time::timeout(outer, call).await;
        // Unrelated work that runs long enough for a stray cancel to land on it.
        conn.execute("SELECT pg_sleep(0.03)", &[])
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let v: i64 = conn
            .fetch_val("SELECT $1::int8", &[&i64::try_from(round).unwrap()])
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(v, i64::try_from(round).unwrap());
    }
}

#[tokio::test]
async fn a_stream_honours_the_command_timeout() {
    let mut conn = common::connect().await;
    conn.set_command_timeout(Some(Duration::from_millis(200)));
    let started = Instant::now();
    {
        let mut rows = conn.fetch_stream("SELECT pg_sleep(5)", &[]);
        let first = rows.next().await.expect("an item");
        assert!(matches!(first, Err(Error::Timeout { .. })), "{first:?}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(200) + Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    // The limit bounds each wait for the server, not the caller's own pace: a stream read
    // slowly takes longer than the limit in all, and is not cut short.
    let mut rows = conn.fetch_stream("SELECT n FROM generate_series(1, 5) AS n", &[]);
    let mut seen = 0;
    while let Some(row) = rows.next().await {
        seen += 1;
        assert_eq!(row.unwrap().get::<i32>(0).unwrap(), seen);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, 5);
    drop(rows);
    assert_eq!(conn.fetch_val::<i32>("SELECT 3", &[]).await.unwrap(), 3);
}

#[tokio::test]
async fn a_changed_client_encoding_closes_the_connection_with_an_error() {
    for sql in [
        "SET client_encoding TO 'LATIN1'",
        "SELECT set_config('client_encoding', 'WIN1252', false)",
    ] {
        let mut conn = common::connect().await;
        let err = conn.execute(sql, &[]).await.unwrap_err();
        assert!(matches!(err, Error::ClientEncoding { .. }), "{sql}: {err}");
        assert!(err.to_string().contains("client_encoding"), "{err}");
        assert!(conn.is_closed());
        assert!(matches!(
            conn.fetch_val::<String>("SELECT 'é'::text", &[]).await,
            Err(Error::Closed)
        ));
    }
    // UTF8 under another spelling is fine.
    let mut conn = common::connect().await;
    conn.execute("SET client_encoding TO 'utf-8'", &[])
        .await
        .unwrap();
    let s: String = conn.fetch_val("SELECT 'é'::text", &[]).await.unwrap();
    assert_eq!(s, "é");
}

#[tokio::test]
async fn more_parameters_than_the_protocol_carries_are_refused_before_sending() {
    let mut conn = common::connect().await;
    let values: Vec<i32> = (0..70_000).collect();
    let params: Vec<Param<'_>> = values.iter().map(|v| v as Param<'_>).collect();
    let sql = format!(
        "SELECT {}",
        (1..=70_000)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join("+")
    );
    let err = conn.fetch(sql.as_str(), &params).await.unwrap_err();
    assert!(
        matches!(err, Error::TooManyParameters { found: 70_000, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("65535"), "{err}");
    let err = conn
        .execute_many(sql.as_str(), [params.as_slice()])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooManyParameters { .. }), "{err}");
    assert!(!conn.is_closed());
    assert_eq!(conn.fetch_val::<i32>("SELECT 4", &[]).await.unwrap(), 4);
}

#[tokio::test]
async fn a_commit_after_a_dropped_failing_write_is_not_ok() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    // Sent, then dropped: its error (division by zero) fails the transaction unseen.
    assert!(
        tx.execute("INSERT INTO t VALUES (1 / 0)", &[])
            .now_or_never()
            .is_none()
    );
    // The server answers COMMIT of a failed transaction with ROLLBACK (no error): the INSERT
    // reported Ok above is not committed, so commit() must not say Ok.
    let err = tx.commit().await.unwrap_err();
    assert!(matches!(err, Error::TransactionRolledBack), "{err}");
    assert!(!conn.is_in_transaction());
    let seen: i64 = observer
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(seen, 0);
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn an_abandoned_savepoint_is_undone_before_an_outer_level_queued_after_it() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    {
        let mut sp = tx.transaction().await.unwrap();
        // SAVEPOINT quarry_savepoint_3 written, its answer not awaited...
        assert!(sp.transaction().now_or_never().is_none());
        // ...then level 2 is dropped, which queues its rollback after it.
    }
    // Undoing level 2 first removes savepoint 3, and undoing 3 then fails the transaction.
    tx.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let seen: i64 = observer
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(seen, 2);
}

#[tokio::test]
async fn a_dropped_execute_many_commits_all_of_its_rows_or_none() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4, pad text)", &[])
        .await
        .unwrap();
    let pad = "x".repeat(200);
    let values: Vec<i32> = (0..20_000).collect();
    let rows: Vec<[Param; 2]> = values.iter().map(|v| [v as Param, &pad]).collect();
    for round in 0..3u64 {
        // Long enough for the first chunks of Bind/Execute to go out, not for the Sync.
        let call = conn.execute_many("INSERT INTO t VALUES ($1, $2)", &rows);
        let _ = tokio::time::timeout(Duration::from_millis(20 + 10 * round), call).await;
        assert_eq!(conn.fetch_val::<i32>("SELECT 5", &[]).await.unwrap(), 5);
        let seen: i64 = observer
            .fetch_val("SELECT count(*) FROM t", &[])
            .await
            .unwrap();
        assert!(
            seen % 20_000 == 0,
            "round {round}: an abandoned batch left {seen} rows (it is all or nothing)"
        );
    }
}

#[tokio::test]
async fn a_dropped_stream_does_not_hold_up_a_call_after_a_second_drop() {
    let mut conn = common::connect().await;
    conn.fetch("SELECT pg_sleep($1)", &[&0f64]).await.unwrap();
    {
        let mut rows = conn.fetch_stream("SELECT pg_sleep($1)", &[&4f64]);
        assert!(rows.next().now_or_never().is_none());
    }
    // Dropped while it gives the stream's rest its grace period, before the cancel.
    let _ = tokio::time::timeout(
        Duration::from_millis(5),
        conn.fetch_val::<i32>("SELECT 1", &[]),
    )
    .await;
    let started = Instant::now();
    assert_eq!(conn.fetch_val::<i32>("SELECT 2", &[]).await.unwrap(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited {:?} for the dropped stream's whole query",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_dropped_transaction_start_leaves_a_transaction_opened_by_sql_alone() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    conn.execute("BEGIN", &[]).await.unwrap();
    conn.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    // BEGIN inside the open transaction opens nothing (the server warns): nothing to undo.
    assert!(conn.transaction().now_or_never().is_none());
    conn.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    conn.execute("COMMIT", &[]).await.unwrap();
    let seen: i64 = observer
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(seen, 2, "writes reported Ok, then COMMIT reported Ok");
}

#[tokio::test]
async fn a_type_lookup_cut_short_by_a_timeout_leaves_no_failed_transaction() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut locker = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')", &[])
        .await
        .unwrap();
    // Warm the backend's catalog caches (the simple protocol looks up no type).
    conn.execute("SELECT 'happy'::mood", &[]).await.unwrap();
    // The type lookup (BEGIN; ...; COMMIT) waits for this lock until the timeout cancels it.
    locker
        .execute(
            "BEGIN; LOCK TABLE pg_catalog.pg_type IN ACCESS EXCLUSIVE MODE",
            &[],
        )
        .await
        .unwrap();
    let result = conn
        .timeout(Duration::from_millis(300))
        .fetch_row("SELECT 'happy'::mood", &[])
        .await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    locker.execute("ROLLBACK", &[]).await.unwrap();
    conn.execute("CREATE TABLE after_lookup(n int4)", &[])
        .await
        .unwrap();
    assert!(!conn.is_in_transaction());
    let pid = conn.server_pid();
    assert_eq!(state_seen_from(&mut observer, pid).await, "idle");
    let found: i64 = observer
        .fetch_val(
            "SELECT count(*) FROM pg_class WHERE relname = 'after_lookup'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(found, 1);
}

#[tokio::test]
async fn close_does_not_wait_for_abandoned_work_and_commits_nothing_of_it() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    let pid = conn.server_pid();
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    assert!(
        tx.execute("SELECT pg_sleep(3)", &[])
            .now_or_never()
            .is_none()
    );
    drop(tx);
    let started = Instant::now();
    conn.close().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "close took {:?}",
        started.elapsed()
    );
    // The server ends the session once the sleep is over; the transaction's row never commits.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive: bool = observer
            .fetch_val(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)",
                &[&pid],
            )
            .await
            .unwrap();
        if !alive {
            break;
        }
        assert!(Instant::now() < deadline, "the session outlived its close");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let n: i64 = observer
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(n, 0);
}
