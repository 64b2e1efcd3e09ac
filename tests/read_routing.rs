//! Read routing in the pool against a live primary and streaming replicas: reads spread over the
//! replicas, writes stay on the primary, a stopped replica is skipped until it returns, a
//! maximum lag sends reads to the primary, and read-your-writes reads see their writes.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use common::replica::{Pair, Trio, blocking};
use quarry::{Executor, Pool, SqlState};
use quarry_driver::ephemeral::EphemeralServer;

/// The server a read ran on (port, in recovery) and the rows of `t` it saw.
async fn read(db: impl Executor) -> (u16, bool, i64) {
    let row = db
        .fetch_row(
            "SELECT inet_server_port(), pg_is_in_recovery(), (SELECT count(*) FROM t)",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let port: i32 = row.get(0).unwrap();
    (
        u16::try_from(port).unwrap(),
        row.get(1).unwrap(),
        row.get(2).unwrap(),
    )
}

fn dsn(server: &EphemeralServer) -> String {
    format!("{}?sslmode=disable", server.dsn())
}

async fn replayed(replica: &EphemeralServer, primary: &EphemeralServer) {
    let (r, p) = (dsn(replica), dsn(primary));
    // The servers live in the test; wait through their DSNs.
    let mut replica = quarry::connect(&r).await.unwrap();
    let mut primary = quarry::connect(&p).await.unwrap();
    let lsn: quarry::types::PgLsn = primary
        .fetch_val("SELECT pg_current_wal_insert_lsn()", &[])
        .await
        .unwrap();
    for _ in 0..3000 {
        let done: bool = replica
            .fetch_val("SELECT pg_last_wal_replay_lsn() >= $1", &[&lsn])
            .await
            .unwrap();
        if done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the replica did not replay {lsn} in 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_spread_over_replicas_and_writes_stay_on_the_primary() {
    let trio = Trio::start().await;
    let (p, r1, r2) = (
        trio.primary.port(),
        trio.replicas[0].port(),
        trio.replicas[1].port(),
    );
    let pool = Pool::builder()
        .replica(&dsn(&trio.replicas[0]))
        .replica(&dsn(&trio.replicas[1]))
        .build(&dsn(&trio.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    for id in 0..5i32 {
        let port: i32 = pool
            .fetch_val(
                "INSERT INTO t VALUES ($1) RETURNING inet_server_port()",
                &[&id],
            )
            .await
            .unwrap();
        assert_eq!(
            port,
            i32::from(p),
            "a write went elsewhere than the primary"
        );
    }
    replayed(&trio.replicas[0], &trio.primary).await;
    replayed(&trio.replicas[1], &trio.primary).await;

    let mut ports = HashSet::new();
    for _ in 0..20 {
        let (port, in_recovery, rows) = read(pool.replica()).await;
        assert!(in_recovery, "a replica read ran on the primary");
        assert_eq!(rows, 5);
        ports.insert(port);
    }
    assert_eq!(ports, HashSet::from([r1, r2]));
    // The pool's own calls are the primary's.
    assert_eq!(read(&pool).await, (p, false, 5));

    // A write sent to a replica fails there (read only) and is not retried on the primary.
    let err = pool
        .replica()
        .execute("INSERT INTO t VALUES (99)", &[])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(SqlState::ReadOnlySqlTransaction), "{err}");
    let on_primary: i64 = pool
        .fetch_val("SELECT count(*) FROM t WHERE id = 99", &[])
        .await
        .unwrap();
    assert_eq!(on_primary, 0);

    let status = pool.replica_status().await;
    assert_eq!(status.len(), 2);
    for (replica, port) in status.iter().zip([r1, r2]) {
        assert_eq!(replica.name, format!("127.0.0.1:{port}"));
        assert!(
            replica.up && replica.lag.is_some() && replica.replayed.is_some(),
            "{replica:?}"
        );
    }
    // Several reads on one replica connection: a snapshot of one server.
    let mut conn = pool.replica().acquire().await.unwrap();
    let (port, in_recovery, _) = read(&mut conn).await;
    assert!(in_recovery && (port == r1 || port == r2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_replica_is_skipped_until_it_returns() {
    let trio = Trio::start().await;
    let (p, r1, r2) = (
        trio.primary.port(),
        trio.replicas[0].port(),
        trio.replicas[1].port(),
    );
    let pool = Pool::builder()
        .replica(&dsn(&trio.replicas[0]))
        .replica(&dsn(&trio.replicas[1]))
        .replica_retry(Duration::from_millis(300))
        .build(&dsn(&trio.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&trio.replicas[0], &trio.primary).await;
    replayed(&trio.replicas[1], &trio.primary).await;
    // Both replicas have idle pooled connections, which the stop breaks.
    for _ in 0..4 {
        read(pool.replica()).await;
    }
    let trio = Arc::new(std::sync::Mutex::new(trio));
    let with = |f: fn(&mut Trio)| {
        let trio = trio.clone();
        blocking(move || f(&mut trio.lock().unwrap()))
    };
    with(|t| t.replicas[0].stop().unwrap()).await;
    for _ in 0..20 {
        let (port, in_recovery, _) = read(pool.replica()).await;
        assert_eq!((port, in_recovery), (r2, true), "with replica 1 stopped");
    }
    let status = pool.replica_status().await;
    assert!(
        !status[0].up && status[0].last_error.is_some(),
        "{status:?}"
    );
    assert!(status[1].up, "{status:?}");

    with(|t| t.replicas[1].stop().unwrap()).await;
    for _ in 0..5 {
        assert_eq!(
            read(pool.replica()).await.0,
            p,
            "no replica: the primary reads"
        );
    }

    with(|t| t.replicas[0].restart().unwrap()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut ports = HashSet::new();
    for _ in 0..6 {
        ports.insert(read(pool.replica()).await.0);
    }
    assert_eq!(
        ports,
        HashSet::from([r1]),
        "replica 1 is used again once back"
    );
    drop(pool);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_over_the_maximum_lag_is_skipped() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let pool = Pool::builder()
        .replica(&dsn(&pair.replica))
        .max_replica_lag(Duration::from_millis(300))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&pair.replica, &pair.primary).await;
    assert_eq!(read(pool.replica()).await, (r, true, 0));

    let pair = Arc::new(pair);
    let psql = |sql: &'static str| {
        let pair = pair.clone();
        blocking(move || pair.replica.psql(sql).unwrap())
    };
    psql("SELECT pg_wal_replay_pause()").await;
    pool.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let lag = pool.replica_status().await[0].lag.unwrap();
    assert!(lag >= Duration::from_millis(300), "lag {lag:?}");
    assert_eq!(
        read(pool.replica()).await,
        (p, false, 1),
        "a lagging replica read"
    );

    psql("SELECT pg_wal_replay_resume()").await;
    replayed(&pair.replica, &pair.primary).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(read(pool.replica()).await, (r, true, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_reads_see_their_writes() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let ryw = Pool::builder()
        .replica(&dsn(&pair.replica))
        .read_your_writes(true)
        .replica_wait(Duration::from_secs(2))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    let plain = Pool::builder()
        .replica(&dsn(&pair.replica))
        .replica_wait(Duration::from_millis(200))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    ryw.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&pair.replica, &pair.primary).await;

    // Caught up: read-your-writes reads come from the replica, and see the write just made.
    ryw.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    assert_eq!(read(ryw.replica()).await, (r, true, 1));

    let pair = Arc::new(pair);
    let psql = |sql: &'static str| {
        let pair = pair.clone();
        blocking(move || pair.replica.psql(sql).unwrap())
    };
    psql("SELECT pg_wal_replay_pause()").await;
    ryw.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    // The replica cannot catch up: the primary serves, so the write is seen.
    assert_eq!(read(ryw.replica()).await, (p, false, 2));
    // Without the mode the replica serves, stale (what the mode is for) ...
    assert_eq!(read(plain.replica()).await, (r, true, 1));
    // ... and `after` asks for a position explicitly.
    let written = plain.primary_lsn().await.unwrap();
    assert_eq!(read(plain.replica().after(written)).await, (p, false, 2));

    psql("SELECT pg_wal_replay_resume()").await;
    assert_eq!(read(ryw.replica()).await, (r, true, 2));
    assert_eq!(read(plain.replica().after(written)).await, (r, true, 2));
}

/// A "replica" that is not in recovery (promoted, or another server altogether) cannot promise a
/// read-your-writes read anything: the read goes to the primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_never_trusts_a_server_that_is_not_a_standby() {
    let pair = Pair::start().await;
    let other = common::fresh_db().await;
    let mut setup = other.connect().await;
    setup
        .execute("CREATE TABLE t (id int4)", &[])
        .await
        .unwrap();
    let ryw = Pool::builder()
        .replica(&other.dsn())
        .read_your_writes(true)
        .replica_wait(Duration::from_millis(200))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    ryw.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    ryw.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    assert_eq!(read(ryw.replica()).await, (pair.primary.port(), false, 1));
    // A batch of writes through the replica route runs on the primary.
    ryw.replica()
        .execute_many("INSERT INTO t VALUES ($1)", [[&2i32 as quarry::Param]])
        .await
        .unwrap();
    let back = ryw
        .replica()
        .fetch_many(
            "INSERT INTO t VALUES ($1) RETURNING inet_server_port()",
            [[&3i32 as quarry::Param]],
        )
        .await
        .unwrap();
    let port: i32 = back[0].get(0).unwrap();
    assert_eq!(port, i32::from(pair.primary.port()));
    assert_eq!(read(ryw.replica()).await, (pair.primary.port(), false, 3));
}

/// A replica promoted while the pool holds connections to it is no replica any more: the route
/// must never hand it a write (its pooled connections were opened while it was a standby), and
/// new connections to it are refused (a pool's replicas default to `target_session_attrs=standby`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_replica_gets_no_more_route_traffic() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let pool = Pool::builder()
        .max_size(2)
        .replica(&dsn(&pair.replica))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&pair.replica, &pair.primary).await;
    assert_eq!(read(pool.replica()).await.0, r);
    // A write through the route fails on the standby (it is read only).
    let err = pool
        .replica()
        .execute("INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(SqlState::ReadOnlySqlTransaction), "{err}");
    let pair = blocking(move || {
        pair.replica.promote().unwrap();
        pair
    })
    .await;
    // The first write through the route may reach the promoted server on a connection opened
    // while it was a standby: the session's transactions are read only, so it fails there.
    let first = pool
        .replica()
        .execute("INSERT INTO t VALUES (0)", &[])
        .await;
    if let Err(e) = &first {
        assert_eq!(e.code(), Some(SqlState::ReadOnlySqlTransaction), "{e}");
    }
    // Its answer carried the promotion (in_hot_standby=off): from now on the route skips it.
    for _ in 0..6 {
        let (port, in_recovery, _) = read(pool.replica()).await;
        assert!(
            port != r || in_recovery,
            "a read went to the promoted replica ({port}) through the replica route"
        );
    }
    for id in 1..4 {
        pool.replica()
            .execute("INSERT INTO t VALUES ($1)", &[&id])
            .await
            .unwrap();
    }
    let mut promoted = quarry::connect(&dsn(&pair.replica)).await.unwrap();
    let written: i64 = promoted
        .fetch_val("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(
        written, 0,
        "a write through the replica route reached the promoted replica"
    );
    // The other writes found no replica and ran on the primary.
    assert_eq!(read(pool.replica()).await, (p, false, 3));
    drop(pool);
}

/// A replica whose WAL receiver stopped (replication broken, primary unreachable) has replayed
/// all it received, yet it falls further behind every moment: its lag must grow, not read 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stopped_receiving_is_lagging() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let pool = Pool::builder()
        .replica(&dsn(&pair.replica))
        .max_replica_lag(Duration::from_millis(300))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&pair.replica, &pair.primary).await;
    assert_eq!(read(pool.replica()).await, (r, true, 0));
    let pair = Arc::new(pair);
    let on_replica = pair.clone();
    blocking(move || {
        on_replica
            .replica
            .psql("ALTER SYSTEM SET primary_conninfo = ''; SELECT pg_reload_conf()")
            .unwrap()
    })
    .await;
    let mut direct = quarry::connect(&dsn(&pair.replica)).await.unwrap();
    for _ in 0..500 {
        let receiving: bool = direct
            .fetch_val("SELECT EXISTS (SELECT FROM pg_stat_wal_receiver)", &[])
            .await
            .unwrap();
        if !receiving {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    pool.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let lag = pool.replica_status().await[0].lag.unwrap();
    assert!(
        lag >= Duration::from_millis(600),
        "lag {lag:?} of a replica receiving nothing"
    );
    assert_eq!(
        read(pool.replica()).await,
        (p, false, 1),
        "a replica receiving nothing read"
    );
}

/// After a WAL segment switch on an idle primary, its insert position lies past the new
/// segment's header, where no record ends: a replica that has replayed everything can never
/// reach it. Read-your-writes must still read from that replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_after_a_segment_switch_reads_the_replica() {
    let pair = Pair::start().await;
    let r = pair.replica.port();
    let ryw = Pool::builder()
        .replica(&dsn(&pair.replica))
        .read_your_writes(true)
        .replica_wait(Duration::from_secs(1))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    ryw.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    ryw.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    let switched: quarry::types::PgLsn =
        ryw.fetch_val("SELECT pg_switch_wal()", &[]).await.unwrap();
    let insert: quarry::types::PgLsn = ryw
        .fetch_val("SELECT pg_current_wal_insert_lsn()", &[])
        .await
        .unwrap();
    assert_eq!(
        insert.0 % (16 << 20),
        40,
        "insert position {insert} after the switch at {switched}"
    );
    // The replica replays the switch: its position is the new segment's start.
    let mut replica = quarry::connect(&dsn(&pair.replica)).await.unwrap();
    let segment_start = quarry::types::PgLsn(insert.0 - 40);
    for _ in 0..3000 {
        let done: bool = replica
            .fetch_val("SELECT pg_last_wal_replay_lsn() >= $1", &[&segment_start])
            .await
            .unwrap();
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = std::time::Instant::now();
    assert_eq!(read(ryw.replica()).await, (r, true, 1));
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "waited {:?}",
        started.elapsed()
    );
}

/// A replica host that stops answering (every packet dropped: a connection opens and then
/// nothing comes back) costs a read `replica_timeout`, once; the read runs on the primary, and
/// the replica is skipped afterwards, as is its status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stops_answering_costs_one_read_replica_timeout() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let proxy = common::fault_proxy::FaultProxy::start_to(pair.replica.host(), r).await;
    let through = format!(
        "host=127.0.0.1 port={} user={} dbname=postgres sslmode=disable",
        proxy.port(),
        pair.replica.superuser()
    );
    let pool = Pool::builder()
        .replica(&through)
        .replica_timeout(Duration::from_millis(500))
        .replica_retry(Duration::from_secs(30))
        .build(&dsn(&pair.primary))
        .await
        .unwrap();
    pool.execute("CREATE TABLE t (id int4)", &[]).await.unwrap();
    replayed(&pair.replica, &pair.primary).await;
    assert_eq!(read(pool.replica()).await, (r, true, 0));
    // The pooled connection breaks; new ones get no answer, ever.
    proxy.freeze_new_connections();
    proxy.cut_now();
    for round in 0..3 {
        let started = std::time::Instant::now();
        assert_eq!(read(pool.replica()).await, (p, false, 0), "round {round}");
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(1500),
            "round {round}: a read took {took:?}"
        );
    }
    let started = std::time::Instant::now();
    let status = pool.replica_status().await;
    assert!(!status[0].up, "{status:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "status took {:?}",
        started.elapsed()
    );
}
