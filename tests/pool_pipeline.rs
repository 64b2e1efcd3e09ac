//! Pipelined pool shortcut calls against a real server: every answer in the right hands, errors
//! and implicit transactions per request, only reads pipelined, cancelled callers and cancelled
//! leaders, stale plans, evictions, Parse failures, lost connections, large results,
//! `max_queries`, `close`, and the pool's counters afterwards.
//!
//! No assertion depends on timing: a batch is made to form by holding every connection while
//! the calls queue (the pool says when they wait), then releasing one; the cost estimate that
//! keeps slow statements out of batches is set out of reach (`pipeline_max_cost`).

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quarry::{Error, Executor, Pool, PoolBuilder, PoolStats};

type Call<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A pool that pipelines whatever a statement's measured cost (on a loaded machine a quick
/// statement may measure as slow).
fn builder() -> PoolBuilder {
    Pool::builder().pipeline_max_cost(Duration::from_secs(3600))
}

async fn pool_for(db: &common::TestDb, builder: PoolBuilder) -> Pool {
    builder.build(&db.dsn()).await.unwrap()
}

fn is_division_by_zero(e: &Error) -> bool {
    e.code().is_some_and(|c| c.code() == "22012")
}

/// Waits (polling, up to a minute) until the pool's stats satisfy `done`.
async fn wait_for(pool: &Pool, what: &str, done: impl Fn(&PoolStats) -> bool) {
    for _ in 0..6000 {
        if done(&pool.stats()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what}: {:?}", pool.stats());
}

/// Waits until every connection is back and idle (a cancelled leader's batch may still be
/// finishing; a returning connection leaves `in_use` before it joins the idle list).
async fn settle(pool: &Pool) {
    wait_for(pool, "connections stay in use", |s| {
        s.in_use == 0 && s.waiting == 0 && s.idle == s.size
    })
    .await;
}

/// Runs `calls` so that a batch provably forms: every connection is held while the calls are
/// spawned, until all of them wait for the pool (queued, for pipelined ones); then one
/// connection is released, and its taker leads one batch of every queued call. Returns the
/// answers in order, after releasing the other connections.
async fn queued<T: Send + 'static>(pool: &Pool, calls: Vec<Call<T>>) -> Vec<T> {
    let mut held = Vec::new();
    for _ in 0..pool.stats().max_size {
        held.push(pool.acquire().await.unwrap());
    }
    let n = calls.len();
    let tasks: Vec<_> = calls.into_iter().map(tokio::spawn).collect();
    wait_for(pool, "the calls do not queue", |s| s.waiting == n).await;
    held.pop();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    drop(held);
    answers
}

/// `queued`, checking that every call queued for the batch was answered in it.
async fn one_batch<T: Send + 'static>(pool: &Pool, calls: Vec<Call<T>>) -> Vec<T> {
    let before = pool.stats();
    let n = u64::try_from(calls.len()).unwrap();
    let answers = queued(pool, calls).await;
    settle(pool).await;
    let after = pool.stats();
    assert_eq!(after.batches, before.batches + 1, "{before:?}\n{after:?}");
    assert_eq!(
        after.pipelined,
        before.pipelined + n,
        "{before:?}\n{after:?}"
    );
    answers
}

/// Runs `sql` a few times the ordinary way, so the pool learns it.
async fn learn(pool: &Pool, sql: &str, params: &[quarry::Param<'_>]) {
    for _ in 0..3 {
        pool.fetch(sql, params).await.unwrap();
    }
}

/// After whatever happened, the pool still answers every call correctly (and pipelines them
/// when `batched`).
async fn still_serves(pool: &Pool, batched: bool) {
    const SQL: &str = "SELECT $1::int4 * 2";
    learn(pool, SQL, &[&1i32]).await;
    let mut tasks = Vec::new();
    for t in 0..32i32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20i32 {
                let x = t * 100 + i;
                let v: i32 = pool.fetch_val(SQL, &[&x]).await.unwrap();
                assert_eq!(v, x * 2);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    settle(pool).await;
    if !batched {
        return;
    }
    let calls: Vec<Call<i32>> = (0..8i32)
        .map(|x| {
            let pool = pool.clone();
            Box::pin(async move { pool.fetch_val(SQL, &[&x]).await.unwrap() }) as Call<i32>
        })
        .collect();
    let answers = one_batch(pool, calls).await;
    assert_eq!(answers, (0..8).map(|x| x * 2).collect::<Vec<_>>());
    let stats = pool.stats();
    assert!(stats.size <= stats.max_size, "{stats:?}");
}

/// `&Pool` as an [`Executor`] (what the `query!` macros use).
async fn via_executor(pool: &Pool, d: i32) -> quarry::Result<Option<i32>> {
    let row = Executor::fetch_row(pool, "SELECT 1000 / $1::int4", &[&d]).await?;
    row.map(|r| r.get::<i32>(0)).transpose()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_calls_and_errors_each_get_their_own_answer() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(2)).await;
    // Learn the statements (the first run of a SQL text is never pipelined).
    for _ in 0..5 {
        let _: i32 = pool
            .fetch_val("SELECT 100 / $1::int4", &[&1i32])
            .await
            .unwrap();
        pool.fetch("SELECT generate_series(1, $1::int4)", &[&1i32])
            .await
            .unwrap();
        via_executor(&pool, 1).await.unwrap();
        pool.execute("SELECT $1::int4", &[&1i32]).await.unwrap();
    }

    // Under load: whether and how calls are batched depends on timing; the answers do not.
    let tasks: Vec<_> = (0..48i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..40i32 {
                    mixed_call(&pool, t, i).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    settle(&pool).await;
    let stats = pool.stats();
    assert!(stats.size <= 2, "{stats:?}");
    // 20 learning calls, then 48 tasks x 40 iterations (one in four runs two calls): a
    // pipelined call is one acquire, as an ordinary one.
    let calls = 20 + 48 * 40 + 48 * 10;
    assert_eq!(stats.acquired, calls, "{stats:?}");

    // One batch of every kind of call, errors among them.
    let calls: Vec<Call<()>> = (0..16i32)
        .map(|t| {
            let pool = pool.clone();
            Box::pin(async move {
                if t % 4 == 3 {
                    let d = t % 3;
                    match via_executor(&pool, d).await {
                        Ok(v) => assert_eq!(v, Some(1000 / d)),
                        Err(e) => assert!(d == 0 && is_division_by_zero(&e), "{e}"),
                    }
                } else if t % 8 == 2 {
                    let tag = pool.execute("SELECT $1::int4", &[&t]).await.unwrap();
                    assert_eq!(tag.rows(), 1);
                } else {
                    mixed_call(&pool, t, 0).await;
                }
            }) as Call<()>
        })
        .collect();
    let before = pool.stats();
    one_batch(&pool, calls).await;
    let after = pool.stats();
    // The held connections are acquires too.
    assert_eq!(after.acquired, before.acquired + 16 + 2, "{after:?}");
    assert_eq!(after.closed_broken, 0, "{after:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

/// One of four kinds of call, chosen by `t + i`, checking its own answer.
async fn mixed_call(pool: &Pool, t: i32, i: i32) {
    let d = (t + i) % 4;
    match (t + i) % 4 {
        0 | 1 => {
            let r = pool.fetch_val::<i32>("SELECT 100 / $1::int4", &[&d]).await;
            match r {
                Ok(v) => assert_eq!(v, 100 / d),
                Err(e) => assert!(d == 0 && is_division_by_zero(&e), "{e}"),
            }
        }
        2 => {
            let n = t % 5 + i % 3;
            let rows = pool
                .fetch("SELECT generate_series(1, $1::int4)", &[&n])
                .await
                .unwrap();
            let got: Vec<i32> = rows.iter().map(|r| r.get(0).unwrap()).collect();
            assert_eq!(got, (1..=n).collect::<Vec<_>>());
        }
        _ => {
            let d = t % 3;
            match via_executor(pool, d).await {
                Ok(v) => assert_eq!(v, Some(1000 / d)),
                Err(e) => assert!(d == 0 && is_division_by_zero(&e), "{e}"),
            }
            let tag = pool.execute("SELECT $1::int4", &[&t]).await.unwrap();
            assert_eq!(tag.rows(), 1);
        }
    }
}

/// A table `t(id, v)` and `ins(id, d)`, which inserts `(id, 100 / d)`: a write inside a
/// read-looking call, pipelined (writes themselves never are).
async fn insert_function(pool: &Pool) {
    pool.execute("CREATE TABLE t(id int4 PRIMARY KEY, v int4)", &[])
        .await
        .unwrap();
    pool.execute(
        "CREATE FUNCTION ins(id int4, d int4) RETURNS int4 LANGUAGE sql \
         AS 'INSERT INTO t(id, v) VALUES (id, 100 / d) RETURNING id'",
        &[],
    )
    .await
    .unwrap();
}

const INSERT: &str = "SELECT ins($1, $2)";

async fn ids(pool: &Pool) -> Vec<i32> {
    let rows = pool
        .fetch("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap();
    rows.iter().map(|r| r.get(0).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_rolls_back_no_other_request() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(2)).await;
    insert_function(&pool).await;
    for id in -5..0i32 {
        pool.execute(INSERT, &[&id, &1i32]).await.unwrap();
    }
    let insert = |pool: Pool, id: i32| async move {
        let d = (id * 7) % 3;
        match pool.execute(INSERT, &[&id, &d]).await {
            Ok(tag) => {
                assert_ne!(d, 0);
                assert_eq!(tag.rows(), 1);
                Some(id)
            }
            Err(e) => {
                assert!(d == 0 && is_division_by_zero(&e), "{e}");
                None
            }
        }
    };

    let tasks: Vec<_> = (0..32i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut inserted = Vec::new();
                for i in 0..30i32 {
                    inserted.extend(insert(pool.clone(), t * 1000 + i).await);
                }
                inserted
            })
        })
        .collect();
    let mut expected: Vec<i32> = (-5..0).collect();
    for task in tasks {
        expected.extend(task.await.unwrap());
    }
    // And one batch of 32, a third of which fail.
    let calls: Vec<Call<Option<i32>>> = (0..32i32)
        .map(|i| Box::pin(insert(pool.clone(), 100_000 + i)) as Call<Option<i32>>)
        .collect();
    expected.extend(one_batch(&pool, calls).await.into_iter().flatten());
    expected.sort_unstable();
    assert_eq!(ids(&pool).await, expected);
    let stats = pool.stats();
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_never_pipelined_reads_are() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(2)).await;
    pool.execute("CREATE TABLE c(id int4 PRIMARY KEY, n int4 NOT NULL)", &[])
        .await
        .unwrap();
    pool.execute(
        "INSERT INTO c SELECT g, 0 FROM generate_series(0, 7) g",
        &[],
    )
    .await
    .unwrap();
    const UPDATE: &str = "UPDATE c SET n = n + 1 WHERE id = $1";
    const LOCK: &str = "SELECT n FROM c WHERE id = $1 FOR UPDATE";
    const READ: &str = "SELECT n FROM c WHERE id = $1";
    for _ in 0..5 {
        pool.execute(UPDATE, &[&0i32]).await.unwrap();
        pool.fetch(LOCK, &[&0i32]).await.unwrap();
        pool.fetch(READ, &[&0i32]).await.unwrap();
    }
    // Under load.
    let before = pool.stats();
    let tasks: Vec<_> = (0..16i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..20i32 {
                    let id = (t + i) % 8;
                    assert_eq!(pool.execute(UPDATE, &[&id]).await.unwrap().rows(), 1);
                    assert_eq!(pool.fetch(LOCK, &[&id]).await.unwrap().len(), 1);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    settle(&pool).await;
    let after = pool.stats();
    assert_eq!(after.pipelined, before.pipelined, "{after:?}");
    assert_eq!(after.batches, before.batches, "{after:?}");
    // Queued together: only the reads form a batch.
    let mut calls: Vec<Call<()>> = Vec::new();
    for id in 0..8i32 {
        let pool = pool.clone();
        calls.push(Box::pin(async move {
            assert_eq!(pool.execute(UPDATE, &[&id]).await.unwrap().rows(), 1);
        }));
    }
    for id in 0..8i32 {
        let pool = pool.clone();
        calls.push(Box::pin(async move {
            assert_eq!(pool.fetch(LOCK, &[&id]).await.unwrap().len(), 1);
        }));
    }
    for id in 0..8i32 {
        let pool = pool.clone();
        calls.push(Box::pin(async move {
            pool.fetch_val::<i32>(READ, &[&id]).await.unwrap();
        }));
    }
    let before = pool.stats();
    queued(&pool, calls).await;
    settle(&pool).await;
    let after = pool.stats();
    assert_eq!(after.pipelined, before.pipelined + 8, "{after:?}");
    assert_eq!(after.batches, before.batches + 1, "{after:?}");
    let total: i64 = pool.fetch_val("SELECT sum(n) FROM c", &[]).await.unwrap();
    assert_eq!(total, 5 + 16 * 20 + 8);
    still_serves(&pool, true).await;
    pool.close().await;
}

/// `log(id)` and `log_id(id, secs)`, which sleeps `secs` and then logs `id`.
async fn log_function(pool: &Pool) {
    pool.execute("CREATE TABLE log(id int4 NOT NULL)", &[])
        .await
        .unwrap();
    pool.execute(
        "CREATE FUNCTION log_id(id int4, secs float8) RETURNS int4 LANGUAGE sql \
         AS 'SELECT pg_sleep(secs); INSERT INTO log(id) VALUES (id) RETURNING id'",
        &[],
    )
    .await
    .unwrap();
}

const LOG: &str = "SELECT log_id($1, $2)";

async fn log_counts(pool: &Pool) -> HashMap<i32, i32> {
    let rows = pool
        .fetch("SELECT id, count(*)::int4 FROM log GROUP BY id", &[])
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_callers_break_nothing_and_nothing_runs_twice() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(3)).await;
    log_function(&pool).await;
    for id in -5..0i32 {
        let _: i32 = pool.fetch_val(LOG, &[&id, &0f64]).await.unwrap();
    }

    // Under load, with timeouts from "cancelled at once" to "usually finishes" (whether one
    // finishes depends on timing); every fifth call has none and must finish.
    let tasks: Vec<_> = (0..40i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut done = Vec::new();
                for i in 0..50i32 {
                    let id = t * 1000 + i;
                    let secs = 0f64;
                    let params: [quarry::Param<'_>; 2] = [&id, &secs];
                    let call = pool.fetch_val::<i32>(LOG, &params);
                    if i % 5 == 0 {
                        assert_eq!(call.await.unwrap(), id);
                        done.push(id);
                        continue;
                    }
                    let limit =
                        Duration::from_micros(u64::try_from((t * 31 + i * 17) % 400).unwrap());
                    if let Ok(result) = tokio::time::timeout(limit, call).await {
                        assert_eq!(result.unwrap(), id);
                        done.push(id);
                    }
                }
                done
            })
        })
        .collect();
    let mut done = Vec::new();
    for task in tasks {
        done.extend(task.await.unwrap());
    }
    settle(&pool).await;
    let counts = log_counts(&pool).await;
    // Nothing ran twice; everything answered ran once.
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    for id in &done {
        assert_eq!(counts.get(id), Some(&1), "{id} answered but not there");
    }
    assert!(done.len() >= 40 * 10, "{}", done.len());

    // Callers cancelled while queued never run; the others run in one batch.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(pool.acquire().await.unwrap());
    }
    let tasks: Vec<_> = (0..16i32)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move { pool.fetch_val::<i32>(LOG, &[&(100_000 + i), &0f64]).await })
        })
        .collect();
    wait_for(&pool, "the calls do not queue", |s| s.waiting == 16).await;
    let mut kept = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        if i % 2 == 0 {
            task.abort();
            // Awaited: the task's future (and its queued request) is gone.
            assert!(task.await.unwrap_err().is_cancelled());
        } else {
            kept.push(task);
        }
    }
    let before = pool.stats();
    held.pop();
    for (i, task) in kept.into_iter().enumerate() {
        let id = 100_000 + 2 * i32::try_from(i).unwrap() + 1;
        assert_eq!(task.await.unwrap().unwrap(), id);
    }
    drop(held);
    settle(&pool).await;
    let after = pool.stats();
    assert_eq!(after.batches, before.batches + 1, "{after:?}");
    assert_eq!(after.pipelined, before.pipelined + 8, "{after:?}");
    let counts = log_counts(&pool).await;
    for i in 0..16i32 {
        let expected = (i % 2 == 1).then_some(&1);
        assert_eq!(counts.get(&(100_000 + i)), expected, "{i}");
    }
    still_serves(&pool, true).await;
    pool.close().await;
}

// Current-thread runtime: tasks first run in the order they were spawned, so task 0 is the first
// to wait for the pool's one connection and leads the batch of everyone queued.
#[tokio::test]
async fn aborted_leaders_and_callers_leave_the_others_answered() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(1)).await;
    log_function(&pool).await;

    for round in 0..3i32 {
        // A statement learned on quick runs; here each run sleeps 20 ms.
        let sql = format!("{LOG} /* {round} */");
        for _ in 0..5 {
            let learned = pool.fetch_val::<i32>(sql.as_str(), &[&-1i32, &0f64]).await;
            assert_eq!(learned.unwrap(), -1);
        }
        let held = pool.acquire().await.unwrap();
        let mut tasks = Vec::new();
        for t in 0..16i32 {
            let pool = pool.clone();
            let sql = sql.clone();
            let id = round * 100 + t;
            tasks.push(tokio::spawn(async move {
                pool.fetch_val::<i32>(sql.as_str(), &[&id, &0.02f64]).await
            }));
        }
        wait_for(&pool, "the calls do not queue", |s| s.waiting == 16).await;
        // Task 0 gets the connection and leads one batch of all 16 requests (about 320 ms of
        // sleeping; the cost limit is out of reach): abort it (the leader, usually midway) and
        // two callers. Whenever the aborts land, each request runs at most once and every one
        // not aborted is answered.
        drop(held);
        tokio::time::sleep(Duration::from_millis(
            60 + 20 * u64::try_from(round).unwrap(),
        ))
        .await;
        let aborted = [0usize, 5, 9];
        for &i in &aborted {
            tasks[i].abort();
        }
        for (i, task) in tasks.into_iter().enumerate() {
            let id = round * 100 + i32::try_from(i).unwrap();
            match task.await {
                Ok(result) => assert_eq!(result.unwrap(), id),
                Err(e) => assert!(e.is_cancelled() && aborted.contains(&i), "task {i}: {e}"),
            }
        }
        settle(&pool).await;
        let counts = log_counts(&pool).await;
        for t in 0..16i32 {
            let n = counts.get(&(round * 100 + t)).copied().unwrap_or(0);
            let aborted = aborted.contains(&usize::try_from(t).unwrap());
            assert!(
                n == 1 || (aborted && n == 0),
                "{t} ran {n} times: {counts:?}"
            );
        }
    }
    let stats = pool.stats();
    // One batch per round, whoever led it; the requests of callers aborted before it took
    // them never ran.
    assert_eq!(stats.batches, 3, "{stats:?}");
    assert!(stats.pipelined >= 3 * 13, "{stats:?}");
    // A leader aborted midway hands its batch on: the connection is never lost.
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_plans_in_a_pipeline_are_retried() {
    let db = common::fresh_db().await;
    // One connection: it has the statement cached when the schema changes under it.
    let pool = pool_for(&db, builder().max_size(1)).await;
    pool.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();
    pool.execute("INSERT INTO t SELECT generate_series(1, 10)", &[])
        .await
        .unwrap();
    const SQL: &str = "SELECT * FROM t WHERE a > $1::int4 ORDER BY a";
    let call = |pool: Pool, above: i32, columns: usize| async move {
        let rows = pool.fetch(SQL, &[&above]).await.unwrap();
        assert_eq!(rows.len(), usize::try_from(10 - above).unwrap());
        assert!(rows.iter().all(|r| r.len() == columns));
    };
    let load = |pool: Pool, columns: usize| async move {
        let tasks: Vec<_> = (0..16i32)
            .map(|t| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for i in 0..10i32 {
                        call(pool.clone(), (t + i) % 10, columns).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    };
    let batch = |pool: Pool, columns: usize| {
        (0..10i32)
            .map(|above| Box::pin(call(pool.clone(), above, columns)) as Call<()>)
            .collect::<Vec<_>>()
    };
    load(pool.clone(), 1).await;
    learn(&pool, SQL, &[&0i32]).await;
    one_batch(&pool, batch(pool.clone(), 1)).await;
    pool.execute("ALTER TABLE t ADD COLUMN b int4 DEFAULT 7", &[])
        .await
        .unwrap();
    // Queued on the old statement: the connection meets the stale plan, and each request is
    // retried the ordinary way. One statement went stale: it counts once, however many
    // requests met it.
    queued(&pool, batch(pool.clone(), 2)).await;
    settle(&pool).await;
    assert_eq!(pool.stats().stale_plans, 1, "{:?}", pool.stats());
    load(pool.clone(), 2).await;
    learn(&pool, SQL, &[&0i32]).await;
    one_batch(&pool, batch(pool.clone(), 2)).await;
    let stats = pool.stats();
    assert!(stats.stale_plans > 0, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_queries_holds_for_pipelined_calls() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(2).max_queries(5)).await;
    const SQL: &str = "SELECT pg_backend_pid() + 0 * $1::int4";
    for _ in 0..5 {
        let _: i32 = pool.fetch_val(SQL, &[&0i32]).await.unwrap();
    }
    let call = |pool: Pool, t: i32| async move { pool.fetch_val::<i32>(SQL, &[&t]).await.unwrap() };
    let tasks: Vec<_> = (0..16i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut pids = Vec::new();
                for _ in 0..20 {
                    pids.push(call(pool.clone(), t).await);
                }
                pids
            })
        })
        .collect();
    let mut per_pid: HashMap<i32, usize> = HashMap::new();
    for task in tasks {
        for pid in task.await.unwrap() {
            *per_pid.entry(pid).or_default() += 1;
        }
    }
    // Queued: the batch holds what its connection may still run.
    let before = pool.stats();
    let calls: Vec<Call<i32>> = (0..16i32)
        .map(|t| Box::pin(call(pool.clone(), t)) as Call<i32>)
        .collect();
    for pid in queued(&pool, calls).await {
        *per_pid.entry(pid).or_default() += 1;
    }
    assert!(per_pid.values().all(|&n| n <= 5), "{per_pid:?}");
    settle(&pool).await;
    let stats = pool.stats();
    assert!(stats.batches > before.batches, "{stats:?}");
    assert!(stats.closed_expired > 0, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, false).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_waits_for_batches_and_fails_only_the_queued() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(2)).await;
    const SQL: &str = "SELECT $1::int4 FROM pg_sleep($2::float8)";
    for _ in 0..5 {
        let _: i32 = pool.fetch_val(SQL, &[&0i32, &0f64]).await.unwrap();
    }
    let answered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..32i32)
        .map(|t| {
            let pool = pool.clone();
            let answered = answered.clone();
            tokio::spawn(async move {
                for i in 0..50i32 {
                    let x = t * 100 + i;
                    match pool.fetch_val::<i32>(SQL, &[&x, &0.001f64]).await {
                        Ok(v) => {
                            assert_eq!(v, x);
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(Error::PoolClosed) => return,
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    // Closed while calls run, queue and wait.
    while answered.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pool.close().await;
    for task in tasks {
        task.await.unwrap();
    }
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_eq!(stats.size, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_statements_are_not_pipelined() {
    let db = common::fresh_db().await;
    // The default cost limit (2 ms): each run of this sleeps 5 ms.
    let pool = pool_for(&db, Pool::builder().max_size(2)).await;
    const SQL: &str = "SELECT $1::int4 FROM pg_sleep(0.005)";
    let tasks: Vec<_> = (0..8i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..5i32 {
                    let x = t * 100 + i;
                    assert_eq!(pool.fetch_val::<i32>(SQL, &[&x]).await.unwrap(), x);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stats = pool.stats();
    assert_eq!((stats.batches, stats.pipelined), (0, 0), "{stats:?}");
    assert_eq!(stats.acquired, 40, "{stats:?}");
    pool.close().await;
}

#[tokio::test]
async fn hooks_and_the_switch_turn_pipelining_off() {
    let db = common::fresh_db().await;
    for builder in [
        builder().max_size(2).pipeline(false),
        builder().max_size(2).setup(|_| Box::pin(async { Ok(()) })),
    ] {
        let pool = pool_for(&db, builder).await;
        let tasks: Vec<_> = (0..8i32)
            .map(|t| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for i in 0..20i32 {
                        let x = t * 100 + i;
                        let v: i32 = pool.fetch_val("SELECT $1::int4 + 1", &[&x]).await.unwrap();
                        assert_eq!(v, x + 1);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let stats = pool.stats();
        assert_eq!((stats.batches, stats.pipelined), (0, 0), "{stats:?}");
        assert_eq!(stats.acquired, 160, "{stats:?}");
        pool.close().await;
    }
}

async fn pool_with_cache(db: &common::TestDb, cache_size: usize, max_size: usize) -> Pool {
    let config = quarry::Config::from_dsn(&db.dsn())
        .unwrap()
        .statement_cache_size(cache_size);
    builder()
        .max_size(max_size)
        .build_with(config)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_statement_cache_evicts_under_pipelining_and_answers_stay_right() {
    let db = common::fresh_db().await;
    for cache_size in [2usize, 0] {
        let pool = pool_with_cache(&db, cache_size, 2).await;
        // Six statements through a cache of two: they keep evicting each other.
        let sqls: Vec<String> = (0..6).map(|k| format!("SELECT $1::int4 + {k}")).collect();
        for _ in 0..5 {
            for sql in &sqls {
                let _: i32 = pool.fetch_val(sql.as_str(), &[&0i32]).await.unwrap();
            }
        }
        let sqls = Arc::new(sqls);
        let tasks: Vec<_> = (0..24i32)
            .map(|t| {
                let pool = pool.clone();
                let sqls = sqls.clone();
                tokio::spawn(async move {
                    for i in 0..30i32 {
                        let k = usize::try_from(t + i).unwrap() % sqls.len();
                        let x = t * 100 + i;
                        let v: i32 = pool.fetch_val(sqls[k].as_str(), &[&x]).await.unwrap();
                        assert_eq!(v, x + i32::try_from(k).unwrap());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        settle(&pool).await;
        let stats = pool.stats();
        if cache_size == 0 {
            // Unnamed statements are never pipelined.
            assert_eq!((stats.batches, stats.pipelined), (0, 0), "{stats:?}");
        }
        // An evicted statement is closed, never bound after.
        assert_eq!(stats.stale_plans, 0, "{stats:?}");
        assert_eq!(stats.closed_broken, 0, "{stats:?}");
        still_serves(&pool, cache_size > 0).await;
        pool.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_more_statements_than_the_cache_holds_binds_no_closed_statement() {
    let db = common::fresh_db().await;
    let pool = pool_with_cache(&db, 2, 1).await;
    let sqls: Vec<String> = (0..4).map(|k| format!("SELECT $1::int4 + {k}")).collect();
    for sql in &sqls {
        learn(&pool, sql, &[&0i32]).await;
    }
    let sqls = Arc::new(sqls);
    let before = pool.stats();
    for round in 0..5i32 {
        // Preparing four statements through a cache of two evicts (and closes) the first ones
        // prepared: their requests are retried the ordinary way, the others sent.
        let calls: Vec<Call<()>> = (0..4i32)
            .map(|k| {
                let pool = pool.clone();
                let sqls = sqls.clone();
                Box::pin(async move {
                    let x = round * 10 + k;
                    let sql = sqls[usize::try_from(k).unwrap()].as_str();
                    let v: i32 = pool.fetch_val(sql, &[&x]).await.unwrap();
                    assert_eq!(v, x + k);
                }) as Call<()>
            })
            .collect();
        queued(&pool, calls).await;
        settle(&pool).await;
    }
    let stats = pool.stats();
    assert_eq!(stats.batches, before.batches + 5, "{stats:?}");
    assert!(stats.pipelined >= before.pipelined + 5, "{stats:?}");
    // No statement closed by the batch's own prepares was bound: no stale plan, so no
    // schema reload for every connection.
    assert_eq!(stats.stale_plans, 0, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_mid_batch_fails_its_calls_and_the_pool_recovers() {
    let db = common::fresh_db().await;
    let terminated = Arc::new(AtomicUsize::new(0));
    let heard = terminated.clone();
    let pool = pool_for(
        &db,
        builder().max_size(1).init(move |conn| {
            let heard = heard.clone();
            conn.add_termination_listener(move |_| {
                heard.fetch_add(1, Ordering::SeqCst);
            });
            Box::pin(async { Ok(()) })
        }),
    )
    .await;
    const SQL: &str = "SELECT $1::int4 FROM pg_sleep($2::float8)";
    learn(&pool, SQL, &[&0i32, &0f64]).await;
    let pid: i32 = pool
        .fetch_val("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    let mut held = pool.acquire().await.unwrap();
    let held_pid: i32 = held
        .fetch_val("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    assert_eq!(held_pid, pid);
    let tasks: Vec<_> = (0..8i32)
        .map(|x| {
            let pool = pool.clone();
            tokio::spawn(async move { pool.fetch_val::<i32>(SQL, &[&x, &0.5f64]).await })
        })
        .collect();
    wait_for(&pool, "the calls do not queue", |s| s.waiting == 8).await;
    drop(held);
    // Once the batch runs on the server, end the backend.
    let mut admin = db.connect().await;
    loop {
        let active: i64 = admin
            .fetch_val(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
                &[&pid],
            )
            .await
            .unwrap();
        if active > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ended: bool = admin
        .fetch_val("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    assert!(ended);
    // Every caller hears back (a hang would fail here, not wait forever).
    let mut failed = 0;
    for (x, task) in tasks.into_iter().enumerate() {
        let answer = tokio::time::timeout(Duration::from_secs(120), task)
            .await
            .expect("a caller of the lost batch hangs")
            .unwrap();
        match answer {
            Ok(v) => assert_eq!(v, i32::try_from(x).unwrap()),
            Err(_) => failed += 1,
        }
    }
    assert!(failed >= 1);
    settle(&pool).await;
    let stats = pool.stats();
    assert_eq!(stats.closed_broken, 1, "{stats:?}");
    assert_eq!(terminated.load(Ordering::SeqCst), 1);
    let new_pid: i32 = pool
        .fetch_val("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    assert_ne!(new_pid, pid);
    still_serves(&pool, true).await;
    admin.close().await.ok();
    pool.close().await;
}

// Current-thread runtime: the calls queue in the order they are spawned.
#[tokio::test]
async fn transactions_and_settings_from_shortcut_calls_stay_out_of_batches() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(1)).await;
    const READ: &str = "SELECT current_setting('transaction_isolation') || '/' || \
                        current_setting('application_name') || '/' || \
                        current_setting('search_path') || $1::text";
    const SET_CONFIG: &str = "SELECT set_config('application_name', $1, false)";
    learn(&pool, READ, &[&""]).await;
    let expected: String = pool.fetch_val(READ, &[&""]).await.unwrap();
    assert!(expected.starts_with("read committed/"), "{expected}");
    // Each leaves the one connection in a transaction or with changed settings.
    let begin = |pool: Pool| async move {
        pool.execute("BEGIN ISOLATION LEVEL SERIALIZABLE", &[])
            .await
            .unwrap();
    };
    let set = |pool: Pool| async move {
        pool.execute("SET search_path = nowhere", &[])
            .await
            .unwrap();
    };
    let set_config = |pool: Pool| async move {
        let v: String = pool.fetch_val(SET_CONFIG, &[&"leaked"]).await.unwrap();
        assert_eq!(v, "leaked");
    };
    let read = |pool: Pool, expected: String| async move {
        let v: String = pool.fetch_val(READ, &[&""]).await.unwrap();
        assert_eq!(v, expected);
    };
    for _ in 0..3 {
        begin(pool.clone()).await;
        read(pool.clone(), expected.clone()).await;
        set(pool.clone()).await;
        read(pool.clone(), expected.clone()).await;
        set_config(pool.clone()).await;
        read(pool.clone(), expected.clone()).await;
    }
    begin(pool.clone()).await;
    set(pool.clone()).await;
    set_config(pool.clone()).await;
    let before = pool.stats();
    let mut calls: Vec<Call<()>> = Vec::new();
    for i in 0..11 {
        let pool = pool.clone();
        let expected = expected.clone();
        calls.push(match i {
            4 => Box::pin(begin(pool)),
            5 => Box::pin(set(pool)),
            6 => Box::pin(set_config(pool)),
            _ => Box::pin(async move {
                let v: String = pool.fetch_val(READ, &[&""]).await.unwrap();
                assert_eq!(v, expected);
            }),
        });
    }
    queued(&pool, calls).await;
    settle(&pool).await;
    let after = pool.stats();
    // The eight reads in one batch; BEGIN, SET and set_config never pipelined.
    assert_eq!(after.pipelined, before.pipelined + 8, "{after:?}");
    assert_eq!(after.batches, before.batches + 1, "{after:?}");
    assert_eq!(
        pool.fetch_val::<String>(READ, &[&""]).await.unwrap(),
        expected
    );
    let stats = pool.stats();
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_that_fails_to_prepare_in_a_batch_fails_alone() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(1)).await;
    pool.execute("CREATE TABLE gone(a int4)", &[])
        .await
        .unwrap();
    const GONE: &str = "SELECT count(*)::int4 FROM gone WHERE a > $1::int4";
    const ADD: &str = "SELECT $1::int4 + 1";
    learn(&pool, GONE, &[&0i32]).await;
    learn(&pool, ADD, &[&0i32]).await;
    pool.execute("DROP TABLE gone", &[]).await.unwrap();
    // The next connection has neither statement: the batch prepares them, and GONE's Parse fails.
    pool.expire_connections();
    let calls: Vec<Call<()>> = (0..12i32)
        .map(|x| {
            let pool = pool.clone();
            Box::pin(async move {
                if x % 2 == 0 {
                    let e = pool.fetch_val::<i32>(GONE, &[&x]).await.unwrap_err();
                    assert!(e.code().is_some_and(|c| c.code() == "42P01"), "{e}");
                } else {
                    assert_eq!(pool.fetch_val::<i32>(ADD, &[&x]).await.unwrap(), x + 1);
                }
            }) as Call<()>
        })
        .collect();
    let before = pool.stats();
    queued(&pool, calls).await;
    settle(&pool).await;
    let after = pool.stats();
    // The six additions in the batch; the failing statement is left to the ordinary path,
    // which reports the server's error.
    assert_eq!(after.pipelined, before.pipelined + 6, "{after:?}");
    assert_eq!(after.batches, before.batches + 1, "{after:?}");
    assert_eq!(after.closed_broken, 0, "{after:?}");
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_results_in_a_batch() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(1)).await;
    const SQL: &str = "SELECT g, repeat('x', 20) FROM generate_series(1, $1::int4) g";
    learn(&pool, SQL, &[&1i32]).await;
    let calls: Vec<Call<()>> = (0..8i32)
        .map(|i| {
            let pool = pool.clone();
            Box::pin(async move {
                if i % 2 == 0 {
                    let n = 10_000 + i;
                    let rows = pool.fetch(SQL, &[&n]).await.unwrap();
                    assert_eq!(rows.len(), usize::try_from(n).unwrap());
                    for (k, row) in rows.iter().enumerate() {
                        assert_eq!(row.get::<i32>(0).unwrap(), i32::try_from(k).unwrap() + 1);
                    }
                } else {
                    let row = pool.fetch_row(SQL, &[&10_000i32]).await.unwrap().unwrap();
                    assert_eq!(row.get::<i32>(0).unwrap(), 1);
                }
            }) as Call<()>
        })
        .collect();
    one_batch(&pool, calls).await;
    assert_eq!(pool.stats().closed_broken, 0);
    still_serves(&pool, true).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_sends_nothing_still_runs_the_queued_reset() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, builder().max_size(1)).await;
    pool.execute("CREATE TYPE mood AS ENUM ('a', 'b')", &[])
        .await
        .unwrap();
    const SQL: &str = "SELECT $1::mood::text";
    learn(&pool, SQL, &[&"a"]).await;
    // The pool's profile knows `mood` with two labels; a new connection, with three, caches
    // the statement and changes a setting (so a reset is queued for its next use).
    pool.execute("ALTER TYPE mood ADD VALUE 'c'", &[])
        .await
        .unwrap();
    pool.expire_connections();
    {
        let mut conn = pool.acquire().await.unwrap();
        let v: String = conn.fetch_val(SQL, &[&"c"]).await.unwrap();
        assert_eq!(v, "c");
        conn.execute("SET application_name = 'dirty'", &[])
            .await
            .unwrap();
    }
    // Both requests meet parameter types other than their own: nothing is sent but the reset.
    let calls: Vec<Call<String>> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            Box::pin(async move { pool.fetch_val::<String>(SQL, &[&"b"]).await.unwrap() })
                as Call<String>
        })
        .collect();
    let before = pool.stats();
    assert_eq!(queued(&pool, calls).await, ["b", "b"]);
    settle(&pool).await;
    let after = pool.stats();
    assert_eq!(after.batches, before.batches, "{after:?}");
    assert_eq!(after.pipelined, before.pipelined, "{after:?}");
    // The connection was brought back in step (not discarded), and no session state leaked
    // (the reset ran, queued by the batch or by the callers' own retries).
    assert_eq!(after.closed_broken, 0, "{after:?}");
    let name: String = pool
        .fetch_val("SELECT current_setting('application_name')", &[])
        .await
        .unwrap();
    assert_ne!(name, "dirty", "{after:?}");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_callers_that_hear_of_a_timeout_count_as_timed_out() {
    let db = common::fresh_db().await;
    let pool = pool_for(
        &db,
        builder()
            .max_size(1)
            // Long enough for all four callers to queue on a loaded machine.
            .acquire_timeout(Duration::from_secs(3)),
    )
    .await;
    const SQL: &str = "SELECT $1::int4 FROM pg_sleep($2::float8)";
    learn(&pool, SQL, &[&0i32, &0f64]).await;
    let held = pool.acquire().await.unwrap();
    let before = pool.stats();
    let tasks: Vec<_> = (0..4i32)
        .map(|x| {
            let pool = pool.clone();
            tokio::spawn(async move { pool.fetch_val::<i32>(SQL, &[&x, &1.5f64]).await })
        })
        .collect();
    wait_for(&pool, "the calls do not queue", |s| s.waiting == 4).await;
    drop(held);
    // Usually the batch (6 s of sleeping) outlasts the waits of the callers in it: their
    // acquires time out while their requests run, and they get their answers. A caller whose
    // wait ends before a leader took its request hears of the timeout.
    let mut told = 0;
    for (x, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(v) => assert_eq!(v, i32::try_from(x).unwrap()),
            Err(Error::PoolTimeout { .. }) => told += 1,
            Err(e) => panic!("{e}"),
        }
    }
    settle(&pool).await;
    let after = pool.stats();
    assert_eq!(after.timed_out - before.timed_out, told, "{after:?}");
    assert!(after.waited <= after.acquired, "{after:?}");
    pool.close().await;
}
