//! The public pipeline against a real server: every statement's typed result in its hands, in
//! both modes; an error in the middle (atomic: nothing committed; otherwise the others are),
//! checked from a second connection; inside a transaction and through a pool; the statement
//! cache off, too small, or gone stale; large pipelines; timeouts; a pipeline future dropped at
//! each await point (through the fault proxy) and at random moments, and a connection cut
//! midway. Also `execute_each` and `execute_many` over any iterator and a prepared statement.

mod common;

use std::future::Future;
use std::pin::pin;
use std::time::{Duration, Instant};

use common::fault_proxy::{Action, Fault, FaultProxy};
use quarry::{CommandTag, Connection, Error, Param, Pipeline, Pool, Record};

fn is_unique_violation(e: &Error) -> bool {
    e.code().is_some_and(|c| c.is_unique_violation())
}

async fn count(conn: &mut Connection, sql: &str) -> i64 {
    conn.fetch_val(sql, &[]).await.unwrap()
}

async fn table(conn: &mut Connection) {
    conn.execute("CREATE TABLE t(n int4 PRIMARY KEY, pad text)", &[])
        .await
        .unwrap();
}

#[tokio::test]
async fn each_statement_gets_its_own_typed_result() {
    let mut conn = common::connect().await;
    table(&mut conn).await;
    let name = "zed";
    let mut batch = Pipeline::new();
    let insert = batch.execute(
        "INSERT INTO t VALUES ($1, $2), ($1 + 1, $2)",
        &[&1i32, &name],
    );
    let rows = batch.fetch("SELECT n, pad FROM t WHERE n >= $1 ORDER BY n", &[&0i32]);
    let row = batch.fetch_row("SELECT pad FROM t WHERE n = $1", &[&2i32]);
    let none = batch.fetch_row("SELECT pad FROM t WHERE n = $1", &[&99i32]);
    let val = batch.fetch_val::<i64>("SELECT count(*) FROM t", &[]);
    let text = batch.fetch_val::<String>("SELECT $1::text || $2::text", &[&"a", &"b"]);
    let missing = batch.fetch_val::<i32>("SELECT n FROM t WHERE n < 0", &[]);
    let null = batch.fetch_val::<Option<i32>>("SELECT NULL::int4", &[]);
    assert_eq!(batch.len(), 8);
    let mut results = conn.pipeline(batch).await.unwrap();
    assert_eq!(results.len(), 8);
    assert_eq!(results.take(insert).unwrap().rows(), 2);
    let rows: Vec<(i32, String)> = results
        .take(rows)
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    assert_eq!(rows, [(1, "zed".to_owned()), (2, "zed".to_owned())]);
    let row: Record = results.take(row).unwrap().unwrap();
    assert_eq!(row.get::<&str>("pad").unwrap(), "zed");
    assert!(results.take(none).unwrap().is_none());
    assert_eq!(results.take(val).unwrap(), 2);
    assert_eq!(results.take(text).unwrap(), "ab");
    let err = results.take(missing).unwrap_err();
    assert!(
        matches!(&err, Error::RowNotFound { query } if query.contains("n < 0")),
        "{err}"
    );
    assert_eq!(results.take(null).unwrap(), None);

    // A ticket is redeemed once, and only on its own pipeline's results.
    let err = results.take(insert).unwrap_err();
    assert!(
        matches!(err, Error::PipelineResult { statement: 0, .. }),
        "{err}"
    );
    let mut other = Pipeline::new();
    other.execute("SELECT 1", &[]);
    let mut other_results = conn.pipeline(other).await.unwrap();
    let err = other_results.take(val).unwrap_err();
    assert!(err.to_string().contains("another pipeline"), "{err}");

    // An empty pipeline is answered without a word to the server.
    assert!(conn.pipeline(Pipeline::new()).await.unwrap().is_empty());
    assert_eq!(count(&mut conn, "SELECT count(*) FROM t").await, 2);
}

#[tokio::test]
async fn an_error_in_the_middle_fails_only_that_statement() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    conn.execute("INSERT INTO t VALUES (2, 'old')", &[])
        .await
        .unwrap();
    let mut batch = Pipeline::new();
    let first = batch.execute("INSERT INTO t(n) VALUES ($1)", &[&1i32]);
    let duplicate = batch.execute("INSERT INTO t(n) VALUES ($1)", &[&2i32]);
    let divide = batch.fetch_val::<i32>("SELECT 1 / $1::int4", &[&0i32]);
    let syntax = batch.execute("INSERT INTO nowhere VALUES (1)", &[]);
    let wrong_type = batch.fetch_val::<i32>("SELECT $1::int4", &[&"not an int"]);
    let last = batch.execute("INSERT INTO t(n) VALUES ($1)", &[&3i32]);
    let mut results = conn.pipeline(batch).await.unwrap();
    assert_eq!(results.take(first).unwrap().rows(), 1);
    let err = results.take(duplicate).unwrap_err();
    assert!(is_unique_violation(&err), "{err}");
    assert!(err.to_string().contains("INSERT INTO t(n)"), "{err}");
    let err = results.take(divide).unwrap_err();
    assert_eq!(err.code().unwrap().code(), "22012", "{err}");
    let err = results.take(syntax).unwrap_err();
    assert_eq!(err.code().unwrap().code(), "42P01", "{err}");
    let err = results.take(wrong_type).unwrap_err();
    assert!(matches!(err, Error::ParamType { position: 1, .. }), "{err}");
    assert_eq!(results.take(last).unwrap().rows(), 1);
    assert!(!conn.is_in_transaction());
    let committed: Vec<i32> = observer
        .fetch("SELECT n FROM t ORDER BY n", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(committed, [1, 2, 3]);
}

#[tokio::test]
async fn an_atomic_pipeline_commits_all_or_nothing() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    conn.execute("INSERT INTO t VALUES (3, 'old')", &[])
        .await
        .unwrap();
    for failing in [
        "INSERT INTO t(n) VALUES ($1)",
        "SELECT 1 / ($1::int4 - 3)",
        "SELEC $1",
    ] {
        let mut batch = Pipeline::atomic();
        assert!(batch.is_atomic());
        batch.execute("INSERT INTO t(n) VALUES ($1)", &[&1i32]);
        batch.execute("UPDATE t SET pad = 'new' WHERE n = $1", &[&3i32]);
        batch.execute(failing, &[&3i32]);
        batch.execute("INSERT INTO t(n) VALUES ($1)", &[&4i32]);
        let err = conn.pipeline(batch).await.unwrap_err();
        assert!(err.as_db_error().is_some(), "{failing}: {err}");
        assert!(!conn.is_in_transaction());
        let seen: Vec<(i32, Option<String>)> = observer
            .fetch("SELECT n, pad FROM t ORDER BY n", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
            .collect();
        assert_eq!(seen, [(3, Some("old".to_owned()))], "{failing}");
    }
    // Parameters that do not fit fail it before anything is sent.
    let mut batch = Pipeline::atomic();
    batch.execute("INSERT INTO t(n) VALUES ($1)", &[&1i32]);
    batch.execute("INSERT INTO t(n) VALUES ($1)", &[&"one"]);
    let err = conn.pipeline(batch).await.unwrap_err();
    assert!(matches!(err, Error::ParamType { .. }), "{err}");
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 1);

    let mut batch = Pipeline::atomic();
    let a = batch.execute("INSERT INTO t(n) VALUES ($1)", &[&1i32]);
    let b = batch.fetch_val::<i64>("SELECT count(*) FROM t", &[]);
    let mut results = conn.pipeline(batch).await.unwrap();
    assert_eq!(results.take(a).unwrap().rows(), 1);
    assert_eq!(
        results.take(b).unwrap(),
        2,
        "later statements see earlier ones"
    );
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 2);
}

#[tokio::test]
async fn inside_a_transaction_the_pipeline_is_part_of_it() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    let mut tx = conn.transaction().await.unwrap();
    let mut batch = Pipeline::new();
    let a = batch.execute("INSERT INTO t(n) VALUES ($1)", &[&1i32]);
    let b = batch.fetch_val::<i64>("SELECT count(*) FROM t", &[]);
    let mut results = tx.pipeline(batch).await.unwrap();
    assert_eq!(results.take(a).unwrap().rows(), 1);
    assert_eq!(results.take(b).unwrap(), 1);
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 0);
    tx.rollback().await.unwrap();
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 0);

    // A failing statement fails the transaction: the ones after it are refused by the server.
    let mut tx = conn.transaction().await.unwrap();
    let mut batch = Pipeline::new();
    let bad = batch.fetch_val::<i32>("SELECT 1 / 0", &[]);
    let after = batch.fetch_val::<i32>("SELECT 1", &[]);
    let mut results = tx.pipeline(batch).await.unwrap();
    assert!(results.take(bad).is_err());
    let err = results.take(after).unwrap_err();
    assert_eq!(err.code().unwrap().code(), "25P02", "{err}");
    let err = tx.commit().await.unwrap_err();
    assert!(matches!(err, Error::TransactionRolledBack), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 5", &[]).await.unwrap(), 5);
}

#[tokio::test]
async fn a_pool_runs_a_pipeline_on_one_connection() {
    let db = common::fresh_db().await;
    let pool = Pool::builder().max_size(2).build(&db.dsn()).await.unwrap();
    let mut batch = Pipeline::new();
    let pids: Vec<_> = (0..20)
        .map(|_| batch.fetch_val::<i32>("SELECT pg_backend_pid()", &[]))
        .collect();
    let mut results = pool.pipeline(batch).await.unwrap();
    let pids: Vec<i32> = pids.into_iter().map(|p| results.take(p).unwrap()).collect();
    assert!(pids.windows(2).all(|w| w[0] == w[1]), "{pids:?}");
    let mut conn = pool.acquire().await.unwrap();
    let mut batch = Pipeline::new();
    let v = batch.fetch_val::<i32>("SELECT $1::int4 * 2", &[&21i32]);
    assert_eq!(conn.pipeline(batch).await.unwrap().take(v).unwrap(), 42);
}

#[tokio::test]
async fn the_statement_cache_off_too_small_or_stale_changes_no_answer() {
    let db = common::fresh_db().await;
    for size in [0, 2, 100] {
        let mut conn = quarry::connect(&format!("{}&statement_cache_size={size}", db.dsn()))
            .await
            .unwrap();
        // Five statements interleaved: uncached ones are parsed again before each Bind, and
        // statements evicted while the others are prepared stay open until their Binds.
        let sql: Vec<String> = (0..5)
            .map(|k| format!("SELECT $1::int4 + {k}, '{k}'::text"))
            .collect();
        for round in 0..2 {
            let expected: Vec<(i32, String)> = (0..20usize)
                .map(|i| {
                    (
                        VALUES[i] + i32::try_from(i % 5).unwrap(),
                        (i % 5).to_string(),
                    )
                })
                .collect();
            let mut batch = Pipeline::new();
            let tickets: Vec<_> = (0..20usize)
                .map(|i| batch.fetch_row(sql[i % 5].as_str(), &[&VALUES[i]]))
                .collect();
            let mut results = conn.pipeline(batch).await.unwrap();
            let got: Vec<(i32, String)> = tickets
                .into_iter()
                .map(|t| {
                    let row = results.take(t).unwrap().unwrap();
                    (row.get(0).unwrap(), row.get(1).unwrap())
                })
                .collect();
            assert_eq!(got, expected, "size {size} round {round}");
            assert!(conn.cached_statements() <= size, "size {size}");
        }
        // Every statement evicted was closed on the server: none is left but the cached ones
        // (and one evicted by this query, closed with the next request).
        let open: i64 = conn
            .fetch_val("SELECT count(*) FROM pg_prepared_statements", &[])
            .await
            .unwrap();
        assert!(
            usize::try_from(open).unwrap() <= size + 1,
            "size {size}: {open} statements left open"
        );
    }

    // A cached plan gone stale (the table changed shape) is prepared again and run once more.
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE s(a int4)", &[]).await.unwrap();
    conn.execute("INSERT INTO s VALUES (1)", &[]).await.unwrap();
    for atomic in [false, true] {
        conn.fetch("SELECT * FROM s", &[]).await.unwrap();
        conn.execute(&format!("ALTER TABLE s ADD COLUMN c{atomic} int4"), &[])
            .await
            .unwrap();
        let mut batch = if atomic {
            Pipeline::atomic()
        } else {
            Pipeline::new()
        };
        let before = batch.fetch_val::<i32>("SELECT 1", &[]);
        let rows = batch.fetch("SELECT * FROM s", &[]);
        let mut results = conn.pipeline(batch).await.unwrap();
        assert_eq!(results.take(before).unwrap(), 1);
        let rows = results.take(rows).unwrap();
        assert_eq!(rows[0].len(), if atomic { 3 } else { 2 }, "atomic {atomic}");
    }
}

/// Parameter values that live as long as the test (pipelines borrow their parameters).
static VALUES: [i32; 20] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
];

#[tokio::test]
async fn large_pipelines_go_out_in_chunks_in_both_modes() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    let pad = "p".repeat(300);
    let ids: Vec<i32> = (0..3000).collect();
    for atomic in [false, true] {
        let mut batch = if atomic {
            Pipeline::atomic()
        } else {
            Pipeline::new()
        };
        let offset = if atomic { 10_000 } else { 0 };
        let shifted: Vec<i32> = ids.iter().map(|i| i + offset).collect();
        let tickets: Vec<_> = shifted
            .iter()
            .map(|i| {
                batch.fetch_val::<i32>("INSERT INTO t VALUES ($1, $2) RETURNING n", &[i, &pad])
            })
            .collect();
        let mut results = conn.pipeline(batch).await.unwrap();
        for (ticket, id) in tickets.into_iter().zip(&shifted) {
            assert_eq!(results.take(ticket).unwrap(), *id);
        }
    }
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 6000);

    // An atomic pipeline failing in a late chunk leaves nothing of the early ones.
    let mut batch = Pipeline::atomic();
    let fresh: Vec<i32> = (20_000..23_000).collect();
    for i in &fresh {
        batch.execute("INSERT INTO t VALUES ($1, $2)", &[i, &pad]);
    }
    batch.execute("INSERT INTO t VALUES ($1, $2)", &[&0i32, &pad]);
    let err = conn.pipeline(batch).await.unwrap_err();
    assert!(is_unique_violation(&err), "{err}");
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 6000);
}

#[tokio::test]
async fn a_timeout_bounds_the_whole_pipeline() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    for atomic in [false, true] {
        conn.set_command_timeout(Some(Duration::from_millis(300)));
        let mut batch = if atomic {
            Pipeline::atomic()
        } else {
            Pipeline::new()
        };
        let n = if atomic { 2 } else { 1 };
        batch.execute("INSERT INTO t(n) VALUES ($1)", &[&n]);
        batch.execute("SELECT pg_sleep(10)", &[]);
        batch.fetch_val::<i32>("SELECT 1", &[]);
        let started = Instant::now();
        let err = conn.pipeline(batch).await.unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        assert!(
            started.elapsed() < Duration::from_millis(1300) + Duration::from_millis(500),
            "took {:?}",
            started.elapsed()
        );
        conn.set_command_timeout(None);
        assert_eq!(conn.fetch_val::<i32>("SELECT 7", &[]).await.unwrap(), 7);
        assert!(!conn.is_in_transaction());
        let seen = count(
            &mut observer,
            &format!("SELECT count(*) FROM t WHERE n = {n}"),
        )
        .await;
        // Each statement its own transaction: the insert before the sleep committed; atomic:
        // cancelled with the sleep, nothing is.
        assert_eq!(seen, i64::from(!atomic), "atomic {atomic}");
    }
    let mut batch = Pipeline::new();
    batch.execute("SELECT pg_sleep(10)", &[]);
    let err = conn
        .timeout(Duration::from_millis(200))
        .pipeline(batch)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let mut batch = Pipeline::new();
    let v = batch.fetch_val::<i32>("SELECT 3", &[]);
    let mut results = conn
        .timeout(Duration::from_secs(5))
        .pipeline(batch)
        .await
        .unwrap();
    assert_eq!(results.take(v).unwrap(), 3);
}

/// Polls `call` until the proxy's armed fault fires (the call is stuck at that point), then
/// drops it.
async fn drop_when_fired<T>(proxy: &FaultProxy, call: impl Future<Output = T>) {
    let before = proxy.fired();
    let mut call = pin!(call);
    for _ in 0..1000 {
        if tokio::time::timeout(Duration::from_millis(5), call.as_mut())
            .await
            .is_ok()
        {
            panic!("the call finished before the fault fired");
        }
        if proxy.fired() > before {
            return;
        }
    }
    panic!("the fault never fired");
}

/// The connection answers exactly and is outside any transaction.
async fn answers_exactly(conn: &mut Connection) {
    for i in 0..3i32 {
        let v: i32 = conn.fetch_val("SELECT 42 + $1::int4", &[&i]).await.unwrap();
        assert_eq!(v, 42 + i);
        let mut batch = Pipeline::new();
        let a = batch.fetch_val::<i32>("SELECT $1::int4", &[&i]);
        let b = batch.fetch("SELECT generate_series(1, $1::int4)", &[&i]);
        let mut results = conn.pipeline(batch).await.unwrap();
        assert_eq!(results.take(a).unwrap(), i);
        assert_eq!(results.take(b).unwrap().len(), usize::try_from(i).unwrap());
    }
    assert!(!conn.is_in_transaction());
}

#[tokio::test]
async fn a_pipeline_dropped_at_any_await_leaves_the_connection_in_step() {
    let db = common::fresh_db().await;
    let proxy = FaultProxy::start().await;
    let mut conn = quarry::connect(&proxy.dsn(&db)).await.unwrap();
    let mut observer = db.connect().await;
    table(&mut conn).await;
    // Stalled at the k-th answer of each kind: while preparing (ParameterDescription), at
    // each statement's BindComplete, CommandComplete and ReadyForQuery.
    let points: [(u8, usize); 6] = [
        (b't', 1),
        (b'2', 1),
        (b'2', 3),
        (b'C', 2),
        (b'Z', 1),
        (b'Z', 3),
    ];
    let mut next = 0i32;
    for atomic in [false, true] {
        for (round, &(tag, nth)) in points.iter().enumerate() {
            let first = next;
            next += 3;
            let ids = [first, first + 1, first + 2];
            // A new SQL text each round, so the first statement is prepared in the pipeline.
            let sql = format!("INSERT INTO t(n, pad) VALUES ($1, '{atomic}{round}')");
            let mut batch = if atomic {
                Pipeline::atomic()
            } else {
                Pipeline::new()
            };
            for id in &ids {
                batch.execute(sql.as_str(), &[id]);
            }
            if tag == b'Z' && atomic && nth > 1 {
                // An atomic pipeline has one ReadyForQuery.
                continue;
            }
            let fired = proxy.fired();
            proxy.arm(Fault::on(tag, Action::Stall).nth(nth));
            let mut call = Box::pin(conn.pipeline(batch));
            let mut stuck = false;
            for _ in 0..1000 {
                if tokio::time::timeout(Duration::from_millis(5), call.as_mut())
                    .await
                    .is_ok()
                {
                    break;
                }
                if proxy.fired() > fired {
                    stuck = true;
                    break;
                }
            }
            assert!(
                stuck,
                "atomic {atomic}, {} #{nth}: never stalled",
                tag as char
            );
            drop(call);
            proxy.release();
            answers_exactly(&mut conn).await;
            let seen = count(
                &mut observer,
                &format!(
                    "SELECT count(*) FROM t WHERE n BETWEEN {first} AND {}",
                    first + 2
                ),
            )
            .await;
            let what = format!("atomic {atomic}, dropped at {} #{nth}", tag as char);
            if atomic {
                assert!(seen == 0 || seen == 3, "{what}: {seen} of 3 rows committed");
            } else if tag != b't' {
                // Sent before the first await on an answer: every statement ran.
                assert_eq!(seen, 3, "{what}");
            }
        }
    }

    // An atomic pipeline dropped before its Sync was written (its first chunk's answers
    // stalled): nothing of it is committed.
    let pad = "p".repeat(300);
    let big: Vec<i32> = (100_000..103_000).collect();
    let mut batch = Pipeline::atomic();
    for i in &big {
        batch.execute("INSERT INTO t VALUES ($1, $2)", &[i, &pad]);
    }
    proxy.arm(Fault::on(b'C', Action::Stall));
    drop_when_fired(&proxy, conn.pipeline(batch)).await;
    proxy.release();
    answers_exactly(&mut conn).await;
    assert_eq!(
        count(&mut observer, "SELECT count(*) FROM t WHERE n >= 100000").await,
        0,
        "an atomic pipeline dropped before its Sync committed rows"
    );
}

#[tokio::test]
async fn pipelines_dropped_at_any_moment_leave_all_or_nothing_and_a_usable_connection() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    let pad = "p".repeat(300);
    for round in 0..40i32 {
        let atomic = round % 2 == 1;
        // Every fourth round is large enough to go out in several chunks.
        let n = if round % 4 < 2 { 20 } else { 600 };
        let ids: Vec<i32> = (0..n).map(|i| round * 10_000 + i).collect();
        let mut batch = if atomic {
            Pipeline::atomic()
        } else {
            Pipeline::new()
        };
        for id in &ids {
            batch.execute("INSERT INTO t VALUES ($1, $2)", &[id, &pad]);
        }
        // Dropped after anything from nothing to all of it.
        let after = Duration::from_micros(u64::try_from(round * 397 % 6000).unwrap());
        let _ = tokio::time::timeout(after, conn.pipeline(batch)).await;
        assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
        assert!(!conn.is_in_transaction());
        let seen = count(
            &mut observer,
            &format!(
                "SELECT count(*) FROM t WHERE n BETWEEN {} AND {}",
                round * 10_000,
                round * 10_000 + n - 1
            ),
        )
        .await;
        if atomic {
            assert!(
                seen == 0 || seen == i64::from(n),
                "round {round}: an atomic pipeline left {seen} of {n} rows"
            );
        }
    }
    answers_exactly(&mut conn).await;
}

#[tokio::test]
async fn a_connection_cut_midway_fails_the_pipeline_and_says_closed() {
    let db = common::fresh_db().await;
    let proxy = FaultProxy::start().await;
    let mut conn = quarry::connect(&proxy.dsn(&db)).await.unwrap();
    let mut batch = Pipeline::new();
    for _ in 0..5 {
        batch.fetch_val::<i32>("SELECT 1", &[]);
    }
    proxy.arm(Fault::on(b'Z', Action::Cut).nth(3));
    let err = tokio::time::timeout(Duration::from_secs(5), conn.pipeline(batch))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.is_fatal(), "{err}");
    assert!(conn.is_closed());
    let mut batch = Pipeline::new();
    batch.fetch_val::<i32>("SELECT 1", &[]);
    assert!(matches!(conn.pipeline(batch).await, Err(Error::Closed)));
}

#[tokio::test]
async fn an_atomic_pipeline_whose_commit_is_unknown_is_never_ok() {
    let db = common::fresh_db().await;
    let proxy = FaultProxy::start().await;
    let mut conn = quarry::connect(&proxy.dsn(&db)).await.unwrap();
    conn.execute("CREATE TABLE t(n int4)", &[]).await.unwrap();
    let mut batch = Pipeline::atomic();
    batch.execute("INSERT INTO t VALUES ($1)", &[&1i32]);
    batch.execute("INSERT INTO t VALUES ($1)", &[&2i32]);
    // Every statement answered, then the connection is cut instead of the Sync's answer.
    proxy.arm(Fault::on(b'Z', Action::Cut));
    let result = tokio::time::timeout(Duration::from_secs(5), conn.pipeline(batch))
        .await
        .unwrap();
    let err = result.unwrap_err();
    assert!(err.is_fatal(), "{err}");
    assert!(conn.is_closed());
}

#[tokio::test]
async fn execute_each_gives_each_row_its_own_result() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    table(&mut conn).await;
    let ids = [1i32, 2, 1, 3];
    let results = conn
        .execute_each(
            "INSERT INTO t(n) VALUES ($1)",
            ids.iter().map(|i| [i as Param]),
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok() && results[1].is_ok() && results[3].is_ok());
    assert!(is_unique_violation(results[2].as_ref().unwrap_err()));
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 3);
    let pool = Pool::builder().max_size(1).build(&db.dsn()).await.unwrap();
    let results = pool
        .execute_each("DELETE FROM t WHERE n = $1", [[&1i32 as Param], [&9i32]])
        .await
        .unwrap();
    let rows: Vec<u64> = results
        .into_iter()
        .map(|r| r.map(|tag: CommandTag| tag.rows()).unwrap())
        .collect();
    assert_eq!(rows, [1, 0]);
}

#[tokio::test]
async fn execute_many_streams_any_iterator_and_reuses_a_prepared_statement() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    let mut observer = db.connect().await;
    table(&mut conn).await;
    let stmt = conn.prepare("INSERT INTO t(n) VALUES ($1)").await.unwrap();
    let ids: Vec<i32> = (0..5000).collect();
    // Rows made on the fly, never collected.
    conn.execute_many(&stmt, ids.iter().map(|i| [i as Param]))
        .await
        .unwrap();
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 5000);
    // With the statement cache off nothing stays prepared on the server (it is parsed once, as
    // the unnamed statement, for the whole batch), so this works behind a transaction pooler.
    let prepared: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO t%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(prepared, 0);

    // The unnamed statement on the server is now whatever ran last (here a DELETE taking one
    // int4, like the INSERT): the given statement is parsed again, never bound to that.
    conn.execute("DELETE FROM t WHERE n = $1", &[&-1i32])
        .await
        .unwrap();
    conn.execute_many(&stmt, [[&20_000i32 as Param]])
        .await
        .unwrap();
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 5001);
    conn.execute("DELETE FROM t WHERE n = 20000", &[])
        .await
        .unwrap();
    // A later row that does not fit fails the whole batch, after earlier chunks went out.
    let more: Vec<i32> = (10_000..15_000).collect();
    let wrong = "x";
    let rows = more
        .iter()
        .map(|i| [i as Param])
        .chain(std::iter::once([&wrong as Param]));
    let err = conn.execute_many(&stmt, rows).await.unwrap_err();
    assert!(matches!(err, Error::ParamType { .. }), "{err}");
    assert_eq!(count(&mut observer, "SELECT count(*) FROM t").await, 5000);
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
    // No rows: nothing to do.
    let none: Vec<[Param; 1]> = Vec::new();
    conn.execute_many("INSERT INTO t(n) VALUES ($1)", &none)
        .await
        .unwrap();
}
