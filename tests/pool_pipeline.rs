//! Pipelined pool shortcut calls against a real server: every answer in the right hands, errors
//! and implicit transactions per request, cancelled callers and cancelled leaders, stale plans,
//! `max_queries`, `close`, and the pool's counters afterwards.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use quarry::{Error, Executor, Pool};

async fn pool_for(db: &common::TestDb, builder: quarry::PoolBuilder) -> Pool {
    builder.build(&db.dsn()).await.unwrap()
}

fn is_division_by_zero(e: &Error) -> bool {
    e.code().is_some_and(|c| c.code() == "22012")
}

/// Waits until no connection is in use (a cancelled leader's batch may still be finishing).
async fn settle(pool: &Pool) {
    for _ in 0..500 {
        if pool.stats().in_use == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("connections stay in use: {:?}", pool.stats());
}

/// After whatever happened, the pool still answers every call correctly.
async fn still_serves(pool: &Pool) {
    let mut tasks = Vec::new();
    for t in 0..32i32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20i32 {
                let x = t * 100 + i;
                let v: i32 = pool.fetch_val("SELECT $1::int4 * 2", &[&x]).await.unwrap();
                assert_eq!(v, x * 2);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    settle(pool).await;
    let stats = pool.stats();
    assert!(stats.size <= stats.max_size, "{stats:?}");
    assert_eq!(stats.idle, stats.size, "{stats:?}");
}

/// `&Pool` as an [`Executor`] (what the `query!` macros use).
async fn via_executor(pool: &Pool, d: i32) -> quarry::Result<Option<i32>> {
    let row = Executor::fetch_row(pool, "SELECT 1000 / $1::int4", &[&d]).await?;
    row.map(|r| r.get::<i32>(0)).transpose()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_calls_and_errors_each_get_their_own_answer() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(2)).await;
    // Learn the statements (the first run of a SQL text is never pipelined).
    // (Several times: the pool pipelines statements it measured as quick.)
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

    let tasks: Vec<_> = (0..48i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..40i32 {
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
                            match via_executor(&pool, d).await {
                                Ok(v) => assert_eq!(v, Some(1000 / d)),
                                Err(e) => assert!(d == 0 && is_division_by_zero(&e), "{e}"),
                            }
                            let tag = pool.execute("SELECT $1::int4", &[&t]).await.unwrap();
                            assert_eq!(tag.rows(), 1);
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert!(stats.size <= 2, "{stats:?}");
    assert!(
        stats.batches > 0 && stats.pipelined > stats.batches,
        "{stats:?}"
    );
    // 20 learning calls, then 48 tasks x 40 iterations (one in four runs two calls).
    let calls = 20 + 48 * 40 + 48 * 10;
    assert_eq!(stats.acquired, calls, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_rolls_back_no_other_request() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(2)).await;
    pool.execute("CREATE TABLE t(id int4 PRIMARY KEY, v int4)", &[])
        .await
        .unwrap();
    const INSERT: &str = "INSERT INTO t(id, v) VALUES ($1, 100 / $2::int4)";
    for id in -5..0i32 {
        pool.execute(INSERT, &[&id, &1i32]).await.unwrap();
    }

    let tasks: Vec<_> = (0..32i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut inserted = Vec::new();
                for i in 0..30i32 {
                    let id = t * 1000 + i;
                    let d = (id * 7) % 3;
                    match pool.execute(INSERT, &[&id, &d]).await {
                        Ok(tag) => {
                            assert_ne!(d, 0);
                            assert_eq!(tag.rows(), 1);
                            inserted.push(id);
                        }
                        Err(e) => assert!(d == 0 && is_division_by_zero(&e), "{e}"),
                    }
                }
                inserted
            })
        })
        .collect();
    let mut expected: Vec<i32> = (-5..0).collect();
    for task in tasks {
        expected.extend(task.await.unwrap());
    }
    expected.sort_unstable();
    let rows = pool
        .fetch("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<i32> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(got, expected);
    let stats = pool.stats();
    assert!(stats.pipelined > stats.batches, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_callers_break_nothing_and_nothing_runs_twice() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(3)).await;
    pool.execute("CREATE TABLE log(id int4 NOT NULL)", &[])
        .await
        .unwrap();
    const INSERT: &str = "INSERT INTO log(id) VALUES ($1)";
    for id in -5..0i32 {
        pool.execute(INSERT, &[&id]).await.unwrap();
        let _: i32 = pool.fetch_val("SELECT $1::int4 * 2", &[&id]).await.unwrap();
    }

    let tasks: Vec<_> = (0..40i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut done = Vec::new();
                for i in 0..50i32 {
                    let id = t * 1000 + i;
                    // From "cancelled at once" to "usually finishes".
                    let limit =
                        Duration::from_micros(u64::try_from((t * 31 + i * 17) % 400).unwrap());
                    if let Ok(result) =
                        tokio::time::timeout(limit, pool.execute(INSERT, &[&id])).await
                    {
                        assert_eq!(result.unwrap().rows(), 1);
                        done.push(id);
                    }
                    let x = id;
                    let v: i32 = pool.fetch_val("SELECT $1::int4 * 2", &[&x]).await.unwrap();
                    assert_eq!(v, x * 2);
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
    let rows = pool
        .fetch("SELECT id, count(*)::int4 FROM log GROUP BY id", &[])
        .await
        .unwrap();
    let counts: HashMap<i32, i32> = rows
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    // Nothing ran twice; everything answered ran once.
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    for id in &done {
        assert_eq!(
            counts.get(id),
            Some(&1),
            "insert {id} answered but not there"
        );
    }
    assert!(done.len() > 100, "too few calls finished: {}", done.len());
    let stats = pool.stats();
    assert!(stats.batches > 0, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

// Current-thread runtime: tasks first run in the order they were spawned, so task 0 is the first
// to wait for the pool's one connection and leads the batch of everyone queued.
#[tokio::test]
async fn aborted_leaders_and_callers_leave_the_others_answered() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(1)).await;
    pool.execute("CREATE TABLE log(id int4 NOT NULL)", &[])
        .await
        .unwrap();

    for round in 0..3i32 {
        // A statement learned as cheap (pipelined), whose runs here sleep 20 ms each.
        let sql = format!(
            "INSERT INTO log(id) SELECT $1::int4 FROM pg_sleep($2::float8) RETURNING id /* {round} */"
        );
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
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(pool.stats().waiting, 16);
        // Task 0 gets the connection and runs the 16 requests (~320 ms): abort it (the
        // leader) and two callers midway.
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
        let ids: Vec<i32> = pool
            .fetch(
                "SELECT id FROM log WHERE id >= $1 AND id < $2 ORDER BY id",
                &[&(round * 100), &(round * 100 + 100)],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        // Each request ran at most once; every one not aborted ran (an aborted one ran if a
        // leader had taken it before the abort).
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(unique, ids, "a request ran twice");
        for t in 0..16i32 {
            let aborted = aborted.contains(&usize::try_from(t).unwrap());
            assert!(
                aborted || ids.contains(&(round * 100 + t)),
                "{t} missing: {ids:?}"
            );
        }
    }
    let stats = pool.stats();
    // At least one round ran as a batch whose leader was aborted (on a loaded machine a
    // statement may measure as too slow to pipeline in some round).
    assert!(stats.batches >= 1 && stats.pipelined >= 4, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_plans_in_a_pipeline_are_retried() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(2)).await;
    pool.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();
    pool.execute("INSERT INTO t SELECT generate_series(1, 10)", &[])
        .await
        .unwrap();
    const SQL: &str = "SELECT * FROM t WHERE a > $1::int4 ORDER BY a";
    let run = |pool: Pool, columns: usize| async move {
        let tasks: Vec<_> = (0..16i32)
            .map(|t| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for i in 0..10i32 {
                        let above = (t + i) % 10;
                        let rows = pool.fetch(SQL, &[&above]).await.unwrap();
                        assert_eq!(rows.len(), usize::try_from(10 - above).unwrap());
                        assert!(rows.iter().all(|r| r.len() == columns));
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    };
    run(pool.clone(), 1).await;
    pool.execute("ALTER TABLE t ADD COLUMN b int4 DEFAULT 7", &[])
        .await
        .unwrap();
    run(pool.clone(), 2).await;
    let stats = pool.stats();
    assert!(stats.pipelined > stats.batches, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_queries_holds_for_pipelined_calls() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(2).max_queries(5)).await;
    const SQL: &str = "SELECT pg_backend_pid() + 0 * $1::int4";
    for _ in 0..5 {
        let _: i32 = pool.fetch_val(SQL, &[&0i32]).await.unwrap();
    }
    let tasks: Vec<_> = (0..16i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut pids = Vec::new();
                for _ in 0..20 {
                    pids.push(pool.fetch_val::<i32>(SQL, &[&t]).await.unwrap());
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
    assert!(per_pid.values().all(|&n| n <= 5), "{per_pid:?}");
    let stats = pool.stats();
    assert!(stats.closed_expired > 0 && stats.batches > 0, "{stats:?}");
    assert_eq!(stats.closed_broken, 0, "{stats:?}");
    still_serves(&pool).await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_waits_for_batches_and_fails_only_the_queued() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, Pool::builder().max_size(2)).await;
    const SQL: &str = "SELECT $1::int4 FROM pg_sleep($2::float8)";
    for _ in 0..5 {
        let _: i32 = pool.fetch_val(SQL, &[&0i32, &0f64]).await.unwrap();
    }
    let tasks: Vec<_> = (0..32i32)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut answered = 0;
                for i in 0..50i32 {
                    let x = t * 100 + i;
                    match pool.fetch_val::<i32>(SQL, &[&x, &0.001f64]).await {
                        Ok(v) => {
                            assert_eq!(v, x);
                            answered += 1;
                        }
                        Err(Error::PoolClosed) => return answered,
                        Err(e) => panic!("{e}"),
                    }
                }
                answered
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    pool.close().await;
    let mut answered = 0;
    for task in tasks {
        answered += task.await.unwrap();
    }
    assert!(answered > 0);
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_eq!(stats.size, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_statements_are_not_pipelined() {
    let db = common::fresh_db().await;
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
        Pool::builder().max_size(2).pipeline(false),
        Pool::builder()
            .max_size(2)
            .setup(|_| Box::pin(async { Ok(()) })),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_statement_cache_evicts_under_pipelining_and_answers_stay_right() {
    let db = common::fresh_db().await;
    for cache_size in [2usize, 0] {
        let mut config = quarry::Config::from_dsn(&db.dsn()).unwrap();
        config.statement_cache_size(cache_size);
        let pool = Pool::builder()
            .max_size(2)
            .build_with(config)
            .await
            .unwrap();
        // Six statements through a cache of two: they keep evicting each other.
        let sqls: Vec<String> = (0..6).map(|k| format!("SELECT $1::int4 + {k}")).collect();
        for _ in 0..5 {
            for sql in &sqls {
                let _: i32 = pool.fetch_val(sql.as_str(), &[&0i32]).await.unwrap();
            }
        }
        let sqls = std::sync::Arc::new(sqls);
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
        let stats = pool.stats();
        if cache_size == 0 {
            // Unnamed statements are never pipelined.
            assert_eq!((stats.batches, stats.pipelined), (0, 0), "{stats:?}");
        }
        assert_eq!(stats.closed_broken, 0, "{stats:?}");
        still_serves(&pool).await;
        pool.close().await;
    }
}
