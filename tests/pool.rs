//! The connection pool against a real server: load with every answer checked, exhaustion and
//! FIFO waiters, killed and restarted servers, cancelled acquires, hooks and replacement rules.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use quarry::{Error, Pool};
use quarry_driver::ephemeral::EphemeralServer;

async fn pool_for(db: &common::TestDb, app: &str, builder: quarry::PoolBuilder) -> Pool {
    builder
        .build(&format!("{}&application_name={app}", db.dsn()))
        .await
        .unwrap()
}

async fn server_connections(admin: &mut quarry::Connection, app: &str) -> i64 {
    admin
        .fetch_val(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_stays_within_max_size_and_every_answer_is_right() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_load", Pool::builder().max_size(10)).await;
    let mut admin = db.connect().await;
    let peak = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));

    let mut tasks = Vec::new();
    for t in 0..200i32 {
        let pool = pool.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100i32 {
                let v = t * 1000 + i;
                let got: i32 = pool.fetch_val("SELECT $1::int4 + 1", &[&v]).await.unwrap();
                assert_eq!(got, v + 1);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    while done.load(Ordering::Relaxed) < 20_000 && tasks.iter().any(|t| !t.is_finished()) {
        let seen = usize::try_from(server_connections(&mut admin, "pool_load").await).unwrap();
        peak.fetch_max(seen, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(done.load(Ordering::Relaxed), 20_000);
    assert!(
        peak.load(Ordering::Relaxed) <= 10,
        "server saw {} connections",
        peak.load(Ordering::Relaxed)
    );
    assert!(peak.load(Ordering::Relaxed) > 0);
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert!(stats.size <= 10, "{stats:?}");
    assert_eq!(stats.acquired, 20_000, "{stats:?}");
    pool.close().await;
}

#[tokio::test]
async fn exhaustion_times_out_and_waiters_are_served_in_order() {
    let db = common::fresh_db().await;
    let pool = pool_for(
        &db,
        "pool_exhaust",
        // Both connections are opened by `build`, so the short timeout only meets the waiting
        // (opening a connection on a loaded machine can take longer than 200 ms).
        Pool::builder()
            .min_size(2)
            .max_size(2)
            .acquire_timeout(Duration::from_millis(200)),
    )
    .await;
    let a = pool.acquire().await.unwrap();
    let b = pool.acquire().await.unwrap();
    let started = Instant::now();
    let err = pool.acquire().await.unwrap_err();
    assert!(
        matches!(err, Error::PoolTimeout { max_size: 2, .. }),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(pool.stats().timed_out, 1);

    // Three waiters queue up in order; each released connection goes to the oldest waiter.
    let pool = pool_for(
        &db,
        "pool_fifo",
        Pool::builder()
            .max_size(1)
            .acquire_timeout(Duration::from_secs(10)),
    )
    .await;
    let held = pool.acquire().await.unwrap();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut waiters = Vec::new();
    for n in 0..3 {
        let waiter_pool = pool.clone();
        let order = order.clone();
        waiters.push(tokio::spawn(async move {
            let conn = waiter_pool.acquire().await.unwrap();
            order.lock().unwrap().push(n);
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(conn);
        }));
        // Let this waiter enqueue before the next one starts.
        while pool.stats().waiting < n + 1 {
            tokio::task::yield_now().await;
        }
    }
    drop(held);
    for w in waiters {
        w.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
    drop((a, b));
}

#[tokio::test]
async fn terminated_backends_are_replaced() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_kill", Pool::builder().max_size(4)).await;
    // Open four connections and put them back idle.
    let conns = [
        pool.acquire().await.unwrap(),
        pool.acquire().await.unwrap(),
        pool.acquire().await.unwrap(),
        pool.acquire().await.unwrap(),
    ];
    drop(conns);
    let mut admin = db.connect().await;
    let killed: i64 = admin
        .fetch_val(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool_kill') t",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(killed, 4);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for i in 0..8i32 {
        let v: i32 = pool.fetch_val("SELECT $1::int4", &[&i]).await.unwrap();
        assert_eq!(v, i);
    }
    assert!(pool.stats().closed_broken >= 4, "{:?}", pool.stats());
}

#[tokio::test]
async fn the_pool_serves_again_soon_after_a_server_restart() {
    let mut server = EphemeralServer::start().unwrap();
    let dsn = format!("{}?sslmode=disable", server.dsn());
    let pool = Pool::builder()
        .max_size(3)
        .acquire_timeout(Duration::from_secs(5))
        .build(&dsn)
        .await
        .unwrap();
    assert_eq!(pool.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
    server.stop().unwrap();
    assert!(pool.fetch_val::<i32>("SELECT 1", &[]).await.is_err());
    server.restart().unwrap();
    let back = Instant::now();
    loop {
        match pool.fetch_val::<i32>("SELECT 2", &[]).await {
            Ok(v) => {
                assert_eq!(v, 2);
                break;
            }
            Err(e) => {
                assert!(
                    back.elapsed() < Duration::from_secs(2),
                    "still failing after restart: {e}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    assert!(back.elapsed() < Duration::from_secs(2));
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_acquires_and_queries_leak_nothing() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_cancel", Pool::builder().max_size(5)).await;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut tasks = Vec::new();
    for i in 0..1000u64 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_micros(rng % 3000);
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let work = async {
                let mut conn = pool.acquire().await?;
                let v: i64 = conn
                    .fetch_val(
                        "SELECT $1::int8 FROM pg_sleep(0.001)",
                        &[&i64::try_from(i).unwrap_or(0)],
                    )
                    .await?;
                Ok::<i64, Error>(v)
            };
            let _ = tokio::time::timeout(delay, work).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Everything came back: the pool still serves all five connections at once, and answers right.
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_eq!(stats.waiting, 0, "{stats:?}");
    assert!(stats.size <= 5, "{stats:?}");
    assert_eq!(stats.size, stats.idle, "{stats:?}");
    assert_eq!(
        stats.created - (stats.closed_broken + stats.closed_expired + stats.closed_other),
        stats.size as u64,
        "{stats:?}"
    );
    let held: Vec<_> = futures_util::future::join_all((0..5).map(|_| pool.acquire())).await;
    for (n, conn) in held.into_iter().enumerate() {
        let mut conn = conn.unwrap();
        let v: i32 = conn
            .fetch_val("SELECT $1::int4", &[&i32::try_from(n).unwrap()])
            .await
            .unwrap();
        assert_eq!(v, i32::try_from(n).unwrap());
    }
}

#[tokio::test]
async fn hooks_run_when_they_should() {
    let db = common::fresh_db().await;
    let inits = Arc::new(AtomicUsize::new(0));
    let setups = Arc::new(AtomicUsize::new(0));
    let (i, s) = (inits.clone(), setups.clone());
    let pool = pool_for(
        &db,
        "pool_hooks",
        Pool::builder()
            .max_size(1)
            .init(move |conn| {
                i.fetch_add(1, Ordering::Relaxed);
                Box::pin(async move {
                    conn.execute("CREATE TEMP TABLE init_marker(x int4)", &[])
                        .await?;
                    Ok(())
                })
            })
            .setup(move |conn| {
                s.fetch_add(1, Ordering::Relaxed);
                Box::pin(async move {
                    conn.execute("SET application_name = 'pool_hooks_setup'", &[])
                        .await?;
                    Ok(())
                })
            }),
    )
    .await;
    {
        let mut conn = pool.acquire().await.unwrap();
        // init ran once (its temp table exists), setup ran before the hand-out.
        let app: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
        assert_eq!(app, "pool_hooks_setup");
        conn.execute("SET work_mem = '7MB'", &[]).await.unwrap();
        conn.execute("BEGIN", &[]).await.unwrap();
    }
    {
        let mut conn = pool.acquire().await.unwrap();
        // The default reset rolled back the open transaction and RESET ALL undid work_mem.
        assert!(!conn.is_in_transaction());
        let work_mem: String = conn.fetch_val("SHOW work_mem", &[]).await.unwrap();
        assert_ne!(work_mem, "7MB");
        assert!(!conn.is_in_transaction());
        let exists: i64 = conn
            .fetch_val("SELECT count(*) FROM init_marker", &[])
            .await
            .unwrap();
        assert_eq!(exists, 0);
    }
    assert_eq!(inits.load(Ordering::Relaxed), 1);
    assert_eq!(setups.load(Ordering::Relaxed), 2);
}

#[tokio::test]
async fn max_queries_and_idle_lifetime_replace_connections() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_maxq", Pool::builder().max_size(1).max_queries(3)).await;
    let first = pool.acquire().await.unwrap().server_pid();
    for _ in 0..3 {
        pool.fetch_val::<i32>("SELECT 1", &[]).await.unwrap();
    }
    let later = pool.acquire().await.unwrap().server_pid();
    assert_ne!(
        first, later,
        "the connection should have been replaced after 3 queries"
    );

    let pool = pool_for(
        &db,
        "pool_idle",
        Pool::builder()
            .max_size(1)
            .max_inactive_connection_lifetime(Some(Duration::from_millis(200))),
    )
    .await;
    let first = pool.acquire().await.unwrap().server_pid();
    let again = pool.acquire().await.unwrap().server_pid();
    assert_eq!(first, again, "a fresh idle connection is reused");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        pool.stats().idle,
        0,
        "the maintenance task closed the idle connection"
    );
    let later = pool.acquire().await.unwrap().server_pid();
    assert_ne!(first, later);
}

#[tokio::test]
async fn transactions_close_and_expire() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_tx", Pool::builder().max_size(2)).await;
    pool.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();
    let mut tx = pool.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    tx.commit().await.unwrap();
    {
        let mut tx = pool.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
        // Dropped: rolled back.
    }
    let n: i64 = pool.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 1);

    let pid = pool.acquire().await.unwrap().server_pid();
    pool.expire_connections();
    let after = pool.acquire().await.unwrap().server_pid();
    assert_ne!(pid, after);

    let held = pool.acquire().await.unwrap();
    let closing = {
        let pool = pool.clone();
        tokio::spawn(async move { pool.close().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!closing.is_finished(), "close waits for connections in use");
    assert!(matches!(
        pool.acquire().await.unwrap_err(),
        Error::PoolClosed
    ));
    drop(held);
    tokio::time::timeout(Duration::from_secs(5), closing)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pool.stats().size, 0);
}

#[tokio::test]
async fn session_state_left_behind_is_reset_for_the_next_user() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_reset", Pool::builder().max_size(1)).await;
    {
        let mut conn = pool.acquire().await.unwrap();
        let locked: bool = conn
            .fetch_val("SELECT pg_try_advisory_lock(42)", &[])
            .await
            .unwrap();
        assert!(locked);
        conn.execute("LISTEN pool_channel", &[]).await.unwrap();
        conn.execute(
            "BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT 1; COMMIT",
            &[],
        )
        .await
        .unwrap();
    }
    let mut conn = pool.acquire().await.unwrap();
    let locks: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(locks, 0, "the advisory lock was released");
    let channels: i64 = conn
        .fetch_val("SELECT count(*) FROM pg_listening_channels()", &[])
        .await
        .unwrap();
    assert_eq!(channels, 0, "UNLISTEN ran");
    let cursors: i64 = conn
        .fetch_val("SELECT count(*) FROM pg_cursors WHERE name = 'c'", &[])
        .await
        .unwrap();
    assert_eq!(cursors, 0, "CLOSE ALL ran");
}

#[tokio::test]
async fn a_stale_plan_on_one_connection_refreshes_the_others() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_stale", Pool::builder().max_size(2)).await;
    pool.execute("CREATE TABLE t(a int4); INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap();
    {
        let mut a = pool.acquire().await.unwrap();
        let mut b = pool.acquire().await.unwrap();
        assert_eq!(a.fetch("SELECT * FROM t", &[]).await.unwrap()[0].len(), 1);
        assert_eq!(b.fetch("SELECT * FROM t", &[]).await.unwrap()[0].len(), 1);
    }
    pool.execute("ALTER TABLE t ADD COLUMN b int4", &[])
        .await
        .unwrap();
    // One connection meets the stale plan outside a transaction and recovers by itself.
    assert_eq!(
        pool.fetch("SELECT * FROM t", &[]).await.unwrap()[0].len(),
        2
    );
    // The other was told: inside a transaction (where no retry is possible) it works at once.
    let first = pool.acquire().await.unwrap();
    let second = pool.acquire().await.unwrap();
    for conn in [first, second] {
        let mut tx = quarry::TransactionBuilder::new(conn).start().await.unwrap();
        let rows = tx.fetch("SELECT * FROM t", &[]).await.unwrap();
        assert_eq!(rows[0].len(), 2);
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn idle_connections_are_reused_last_in_first_out() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_lifo", Pool::builder().max_size(3)).await;
    let a = pool.acquire().await.unwrap();
    let b = pool.acquire().await.unwrap();
    let (pid_a, pid_b) = (a.server_pid(), b.server_pid());
    drop(a);
    drop(b);
    assert_eq!(
        pool.acquire().await.unwrap().server_pid(),
        pid_b,
        "the most recently returned first"
    );
    drop(pool.acquire().await.unwrap());
    let first = pool.acquire().await.unwrap();
    let second = pool.acquire().await.unwrap();
    assert_eq!((first.server_pid(), second.server_pid()), (pid_b, pid_a));
}

#[tokio::test]
async fn a_connection_returned_mid_request_is_discarded() {
    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_midreq", Pool::builder().max_size(1)).await;
    let pid = {
        let mut conn = pool.acquire().await.unwrap();
        let pid = conn.server_pid();
        let slow = conn.execute("SELECT pg_sleep(5)", &[]);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), slow)
                .await
                .is_err()
        );
        pid
    };
    assert_eq!(pool.stats().closed_broken, 1);
    let started = Instant::now();
    let mut conn = pool.acquire().await.unwrap();
    assert_ne!(conn.server_pid(), pid, "a new connection, not the busy one");
    assert_eq!(conn.fetch_val::<i32>("SELECT 5", &[]).await.unwrap(), 5);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the abandoned query"
    );
}

#[tokio::test]
async fn a_pool_listener_reconnects_and_reports_the_gap() {
    use futures_util::StreamExt;
    use quarry::ListenerEvent;

    let db = common::fresh_db().await;
    let pool = pool_for(&db, "pool_listen", Pool::builder().max_size(2)).await;
    let mut listener = pool.listener().await.unwrap();
    listener.listen("pool_events").await.unwrap();
    assert_eq!(
        pool.stats().size,
        0,
        "the listener's connection left the pool"
    );
    pool.execute("NOTIFY pool_events, 'one'", &[])
        .await
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), listener.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(&event, ListenerEvent::Notification(n) if n.payload == "one"),
        "{event:?}"
    );

    pool.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND application_name = 'pool_listen'",
        &[],
    )
    .await
    .unwrap();
    let mut saw_gap = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !saw_gap && Instant::now() < deadline {
        let event = tokio::time::timeout(Duration::from_secs(5), listener.next())
            .await
            .unwrap()
            .unwrap();
        saw_gap = matches!(event, ListenerEvent::Reconnected { .. });
    }
    assert!(saw_gap, "the reconnection was reported");
    pool.execute("NOTIFY pool_events, 'two'", &[])
        .await
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), listener.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(&event, ListenerEvent::Notification(n) if n.payload == "two"),
        "{event:?}"
    );
}
