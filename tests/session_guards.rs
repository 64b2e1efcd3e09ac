//! The session state Quarry holds or refuses, in the corners an outside review found broken
//! (each test failed before its fix): the pooler check for SQL that outlives its transaction
//! (unnamed statements, streams and cursors, failed transactions), the held settings of a
//! replica's connections (judged before they are set, each restored on its own), and the retry
//! helper inside an open transaction.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::StreamExt;
use quarry::{Error, IsolationLevel, Pool, RetryPolicy};
use quarry_driver::ephemeral::PoolMode;

/// 81fdbe2: with `pooler=auto` the first session-feature statement sent with the extended
/// protocol asks `SELECT pg_backend_pid()` (a simple Query) *between* its Parse/Describe and its
/// Bind. A simple Query destroys the unnamed prepared statement, so when the statement is unnamed
/// (statement cache off, or SQL longer than the cache's maximum statement size) the Bind fails
/// with 26000 "unnamed prepared statement does not exist" — on a direct connection, where the
/// statement is perfectly legal.
#[tokio::test]
async fn session_feature_detection_destroys_the_unnamed_statement() {
    let db = common::fresh_db().await;
    let mut failures = Vec::new();

    // Statement cache off: inside a transaction (outside one, a retry for a "stale" statement
    // hides the failure at the cost of a third round trip), and in execute_many.
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    let mut tx = conn.transaction().await.unwrap();
    match tx
        .fetch_val::<bool>("SELECT pg_try_advisory_lock(7101)", &[])
        .await
    {
        Ok(true) => {}
        other => failures.push(format!("cache off, fetch_val in a transaction: {other:?}")),
    }
    drop(tx);
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    let key = 7102i64;
    if let Err(e) = conn
        .execute_many(
            "SELECT pg_advisory_lock($1)",
            [[&key as &(dyn quarry::types::Encode + Sync)]],
        )
        .await
    {
        failures.push(format!("cache off, execute_many: {e:?}"));
    }

    // Default settings: a statement over the cache's maximum size (15 KiB) is unnamed too.
    let mut conn = db.connect().await;
    let long = format!(
        "SELECT pg_try_advisory_lock(7103) /* {} */",
        "x".repeat(16 * 1024)
    );
    let mut tx = conn.transaction().await.unwrap();
    match tx.fetch_val::<bool>(long.as_str(), &[]).await {
        Ok(true) => {}
        other => failures.push(format!(
            "default settings, long SQL in a transaction: {}",
            other
                .map_err(|e| e.as_db_error().map(|d| d.message().to_owned()))
                .map(|_| ())
                .err()
                .flatten()
                .unwrap_or_default()
        )),
    }
    drop(tx);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// 81fdbe2: the session-feature check is made in `bind_execute`, `run_many` and pipelines, but
/// not where `fetch_stream` and cursors bind their portal (connection/portal.rs): a session
/// advisory lock through a transaction pooler goes out and stays behind on a backend that the
/// pooler hands to other clients.
#[tokio::test]
async fn fetch_stream_and_cursor_skip_the_session_feature_check() {
    let db = common::fresh_db().await;
    let dsn = format!(
        "{}&pooler=transaction",
        db.dsn_through(PoolMode::Transaction)
    );
    let mut conn = quarry::connect(&dsn).await.unwrap();
    let mut failures = Vec::new();
    {
        let mut rows = conn.fetch_stream("SELECT pg_advisory_lock(7201)", &[]);
        let mut outcome = None;
        while let Some(item) = rows.next().await {
            if let Err(e) = item {
                outcome = Some(e);
                break;
            }
        }
        if !matches!(outcome, Some(Error::SessionFeatureThroughPooler { .. })) {
            failures.push(format!("fetch_stream: {outcome:?}"));
        }
    }
    {
        let mut tx = conn.transaction().await.unwrap();
        match tx.cursor("SELECT pg_advisory_lock(7202)", &[]).await {
            Err(Error::SessionFeatureThroughPooler { .. }) => {}
            Err(other) => failures.push(format!("cursor: {other:?}")),
            Ok(mut cursor) => {
                let fetched = cursor.fetch(1).await.map(|rows| rows.len());
                failures.push(format!("cursor: not refused, fetch gave {fetched:?}"));
            }
        }
        drop(tx);
    }
    let mut direct = db.connect().await;
    let leaked: i64 = direct
        .fetch_val(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
            &[],
        )
        .await
        .unwrap();
    if leaked != 0 {
        failures.push(format!(
            "{leaked} session advisory lock(s) left on pgbouncer's backends"
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// b24456e: a replica's connection runs `SET default_transaction_read_only = on` right after
/// startup, *before* `check_session_attrs`. An explicit `target_session_attrs=read-only` (kept
/// on a replica DSN) then checks the driver's own setting: every server passes, a read-write
/// primary listed as a replica included.
#[tokio::test]
async fn replica_read_only_pin_satisfies_target_session_attrs_read_only() {
    let db = common::fresh_db().await;
    // Sanity: the server is a read-write primary, which `read-only` refuses on a plain
    // connection.
    let plain = quarry::connect(&format!("{}&target_session_attrs=read-only", db.dsn())).await;
    assert!(plain.is_err(), "a read-write primary passed read-only");
    let pool = Pool::builder()
        .replica(format!("{}&target_session_attrs=read-only", db.dsn()).as_str())
        .build(&db.dsn())
        .await
        .unwrap();
    let status = pool.replica_status().await;
    assert!(
        !status[0].up,
        "a read-write primary was accepted as a read-only replica: {:?}",
        status[0]
    );
}

/// b24456e: `Pins::on_report` keeps one `lost` flag for all held settings, and any pinned
/// parameter's report overwrites it. After `RESET default_transaction_read_only` (lost), a
/// deliberate `SET DateStyle` (held too, on a server whose default DateStyle is not ISO) clears
/// the flag: the replica connection's read-only default is never made again.
#[tokio::test]
async fn one_pins_report_clears_anothers_loss() {
    let pair = common::replica::Pair::start().await;
    let primary_dsn = common::replica::Pair::dsn(&[pair.primary.port()], "");
    let mut admin = quarry::connect(&primary_dsn).await.unwrap();
    admin
        .execute(
            "ALTER DATABASE postgres SET DateStyle = 'Postgres, MDY'",
            &[],
        )
        .await
        .unwrap();
    admin.execute("CREATE TABLE marker ()", &[]).await.unwrap();
    pair.replica.wait_replayed(&pair.primary).unwrap();
    let replica_dsn = common::replica::Pair::dsn(&[pair.replica.port()], "");
    let pool = Pool::builder()
        .replica(replica_dsn.as_str())
        .build(&primary_dsn)
        .await
        .unwrap();
    let mut conn = pool.replica().acquire().await.unwrap();
    let recovery: bool = conn
        .fetch_val("SELECT pg_is_in_recovery()", &[])
        .await
        .unwrap();
    assert!(recovery, "a replica's connection");
    let style: String = conn.fetch_val("SHOW DateStyle", &[]).await.unwrap();
    assert!(style.starts_with("ISO"), "{style}");
    let held: String = conn
        .fetch_val("SHOW default_transaction_read_only", &[])
        .await
        .unwrap();
    assert_eq!(held, "on", "the replica's read-only default is held");
    // Control: a reset alone is repaired before the next request.
    conn.execute("RESET default_transaction_read_only", &[])
        .await
        .unwrap();
    let held: String = conn
        .fetch_val("SHOW default_transaction_read_only", &[])
        .await
        .unwrap();
    assert_eq!(held, "on", "control: a reset is repaired");
    // In a transaction (the repair waits for its end): a reset, then the user's own DateStyle,
    // each reported at its own ReadyForQuery.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("RESET default_transaction_read_only", &[])
        .await
        .unwrap();
    tx.execute("SET DateStyle = 'SQL, DMY'", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let held: String = conn
        .fetch_val("SHOW default_transaction_read_only", &[])
        .await
        .unwrap();
    assert_eq!(
        held, "on",
        "the read-only default was lost for good after a DateStyle change"
    );
}

/// 649d335: inside an open transaction `transaction_with_retry` "runs once, as a savepoint", but
/// the policy's options go out as `SET TRANSACTION ...` on the *outer* transaction before the
/// SAVEPOINT. With `isolation(Serializable)` (the usual policy) the server refuses it once the
/// outer transaction ran a query, the work never runs and the caller's transaction is aborted;
/// with `read_only(true)` the caller's whole transaction silently becomes READ ONLY for good.
#[tokio::test]
async fn retry_in_a_savepoint_sets_the_outer_transaction() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    let mut failures = Vec::new();

    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let policy = RetryPolicy::new().isolation(IsolationLevel::Serializable);
    let result = tx
        .transaction_with_retry(&policy, |sp| {
            let counted = counted.clone();
            Box::pin(async move {
                counted.fetch_add(1, Ordering::SeqCst);
                sp.execute("INSERT INTO t VALUES (2)", &[]).await?;
                Ok(())
            })
        })
        .await;
    if result.is_err() || runs.load(Ordering::SeqCst) != 1 {
        failures.push(format!(
            "isolation policy in a savepoint: {result:?}, work ran {} time(s)",
            runs.load(Ordering::SeqCst)
        ));
    }
    if let Err(e) = tx.execute("INSERT INTO t VALUES (3)", &[]).await {
        failures.push(format!("outer transaction after it: {e}"));
    }
    drop(tx);

    let mut tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    let policy = RetryPolicy::new().read_only(true);
    let result = tx
        .transaction_with_retry(&policy, |sp| {
            Box::pin(async move { sp.fetch_val::<i64>("SELECT count(*) FROM t", &[]).await })
        })
        .await;
    if let Err(e) = &result {
        failures.push(format!("read-only policy in a savepoint: {e}"));
    }
    if let Err(e) = tx.execute("INSERT INTO t VALUES (4)", &[]).await {
        failures.push(format!(
            "outer transaction after a read-only savepoint: {e}"
        ));
    }
    drop(tx);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// 81fdbe2: the detection query runs inside the caller's transaction. In an aborted one the
/// caller's session SET fails (as it would anyway), but the error names a query the caller never
/// sent — `SELECT pg_catalog.pg_backend_pid()` — instead of theirs.
#[tokio::test]
async fn detection_in_an_aborted_transaction_names_the_wrong_query() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("SELECT 1/0", &[]).await.unwrap_err();
    let err = tx
        .execute("SET search_path = public", &[])
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        !text.contains("pg_backend_pid") && text.contains("search_path"),
        "{text}"
    );
}
