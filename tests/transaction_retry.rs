//! Transactions that retry (`transaction_with_retry`), against real conflicts: two serializable
//! transactions in a write-skew, two transactions that deadlock, errors that must not be
//! retried, and a policy's last attempt. Every outcome is checked from another connection.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use quarry::{IsolationLevel, Pool, RetryPolicy, SqlState};
use tokio::sync::Barrier;

/// The classic write skew: two doctors on call, each transaction takes its own doctor off call
/// when the other is still on. Serializable makes one of the two fail (40001); retried, it sees
/// the other's commit and leaves its doctor on call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serialization_failure_is_retried_until_it_commits() {
    let db = common::fresh_db().await;
    let mut setup = db.connect().await;
    setup
        .execute(
            "CREATE TABLE doctors (id int4 PRIMARY KEY, on_call bool NOT NULL)",
            &[],
        )
        .await
        .unwrap();
    setup
        .execute("INSERT INTO doctors VALUES (1, true), (2, true)", &[])
        .await
        .unwrap();
    let pool = Pool::builder().max_size(2).build(&db.dsn()).await.unwrap();
    let policy = RetryPolicy::new()
        .isolation(IsolationLevel::Serializable)
        .backoff(Duration::from_millis(1), Duration::from_millis(10));
    let both_read = Arc::new(Barrier::new(2));
    let runs = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for id in [1i32, 2] {
        let (pool, policy, both_read, runs) = (
            pool.clone(),
            policy.clone(),
            both_read.clone(),
            runs.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mine = Arc::new(AtomicU32::new(0));
            let mine_in = mine.clone();
            let went_off = pool
                .transaction_with_retry(&policy, move |tx| {
                    // Each attempt's future owns what it uses (the closure may run again).
                    let (mine, runs, both_read) =
                        (mine_in.clone(), runs.clone(), both_read.clone());
                    Box::pin(async move {
                        let attempt = mine.fetch_add(1, Ordering::SeqCst) + 1;
                        runs.fetch_add(1, Ordering::SeqCst);
                        let on_call: i64 = tx
                            .fetch_val("SELECT count(*) FROM doctors WHERE on_call", &[])
                            .await?;
                        if attempt == 1 {
                            // Both first attempts read before either writes: a real conflict.
                            both_read.wait().await;
                        }
                        if on_call < 2 {
                            return Ok(false);
                        }
                        tx.execute("UPDATE doctors SET on_call = false WHERE id = $1", &[&id])
                            .await?;
                        Ok(true)
                    })
                })
                .await
                .unwrap();
            (went_off, mine.load(Ordering::SeqCst))
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(false, 2), (true, 1)],
        "one retried and stayed on call"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let on_call: i64 = setup
        .fetch_val("SELECT count(*) FROM doctors WHERE on_call", &[])
        .await
        .unwrap();
    assert_eq!(on_call, 1);
}

/// Two transactions that lock two rows in opposite orders: PostgreSQL breaks the deadlock by
/// failing one (40P01); retried, it runs after the other and both updates land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_is_retried() {
    let db = common::fresh_db().await;
    let mut setup = db.connect().await;
    setup
        .execute(
            "CREATE TABLE accounts (id int4 PRIMARY KEY, n int4 NOT NULL)",
            &[],
        )
        .await
        .unwrap();
    setup
        .execute("INSERT INTO accounts VALUES (1, 0), (2, 0)", &[])
        .await
        .unwrap();
    // The deadlock is found after deadlock_timeout (1 s by default): keep the test short.
    let dsn = format!("{}&options=-c%20deadlock_timeout%3D100", db.dsn());
    let pool = Pool::builder().max_size(2).build(&dsn).await.unwrap();
    let policy = RetryPolicy::new().backoff(Duration::from_millis(1), Duration::from_millis(10));
    let both_locked = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for (first, second) in [(1i32, 2i32), (2, 1)] {
        let (pool, policy, both_locked) = (pool.clone(), policy.clone(), both_locked.clone());
        tasks.push(tokio::spawn(async move {
            let runs = Arc::new(AtomicU32::new(0));
            let runs_in = runs.clone();
            pool.transaction_with_retry(&policy, move |tx| {
                let (runs, both_locked) = (runs_in.clone(), both_locked.clone());
                Box::pin(async move {
                    let attempt = runs.fetch_add(1, Ordering::SeqCst) + 1;
                    tx.execute("UPDATE accounts SET n = n + 1 WHERE id = $1", &[&first])
                        .await?;
                    if attempt == 1 {
                        both_locked.wait().await;
                    }
                    tx.execute("UPDATE accounts SET n = n + 1 WHERE id = $1", &[&second])
                        .await?;
                    Ok(())
                })
            })
            .await
            .unwrap();
            runs.load(Ordering::SeqCst)
        }));
    }
    let mut runs = Vec::new();
    for task in tasks {
        runs.push(task.await.unwrap());
    }
    runs.sort();
    assert_eq!(
        runs,
        [1, 2],
        "one of the two was chosen as the deadlock victim and retried"
    );
    let total: i64 = setup
        .fetch_val("SELECT sum(n) FROM accounts", &[])
        .await
        .unwrap();
    assert_eq!(total, 4, "each transaction's two updates, once");
}

/// Errors of other kinds are returned at once (the work ran once) and leave nothing behind;
/// a retryable one is retried up to the policy's attempts, and the last error is returned.
#[tokio::test]
async fn other_errors_are_not_retried_and_attempts_are_bounded() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE t (id int4 PRIMARY KEY)", &[])
        .await
        .unwrap();
    conn.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    let policy = RetryPolicy::new()
        .attempts(3)
        .backoff(Duration::from_millis(1), Duration::from_millis(2));
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let err = conn
        .transaction_with_retry(&policy, |tx| {
            let counted = counted.clone();
            Box::pin(async move {
                counted.fetch_add(1, Ordering::SeqCst);
                tx.execute("INSERT INTO t VALUES (2)", &[]).await?;
                tx.execute("INSERT INTO t VALUES (1)", &[]).await?;
                Ok(())
            })
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(SqlState::UniqueViolation), "{err}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let err = conn
        .transaction_with_retry(&policy, |tx| {
            let counted = counted.clone();
            Box::pin(async move {
                counted.fetch_add(1, Ordering::SeqCst);
                tx.execute("INSERT INTO t VALUES (3)", &[]).await?;
                tx.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$",
                    &[],
                )
                .await?;
                Ok(())
            })
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(SqlState::SerializationFailure), "{err}");
    assert_eq!(runs.load(Ordering::SeqCst), 3);

    // Inside an open transaction it runs once, as a savepoint.
    let mut tx = conn.transaction().await.unwrap();
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let err = tx
        .transaction_with_retry(&policy, |sp| {
            let counted = counted.clone();
            Box::pin(async move {
                counted.fetch_add(1, Ordering::SeqCst);
                sp.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$",
                    &[],
                )
                .await?;
                Ok(())
            })
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(SqlState::SerializationFailure), "{err}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    tx.rollback().await.unwrap();

    // The connection is clean and nothing was committed: checked from another one.
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
    let mut other = db.connect().await;
    let ids: Vec<i32> = other
        .fetch("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0).unwrap())
        .collect();
    assert_eq!(ids, [1]);
    let open: i64 = other
        .fetch_val(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(open, 0);
}
