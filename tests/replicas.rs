//! Multi-host connections against a real primary and its streaming replica (pg_basebackup, both
//! throwaway): each `target_session_attrs` in both host orders, a stopped primary, and a pool
//! that follows a promoted replica without the application doing anything.

mod common;

use std::time::{Duration, Instant};

use common::replica::Pair;
use quarry::{Connection, Error, Pool};

/// Which server a connection reached: its port and whether it is in recovery.
async fn reached(conn: &mut Connection) -> (u16, bool) {
    let row = conn
        .fetch_row("SELECT inet_server_port(), pg_is_in_recovery()", &[])
        .await
        .unwrap()
        .unwrap();
    let port: i32 = row.get(0).unwrap();
    (u16::try_from(port).unwrap(), row.get(1).unwrap())
}

#[tokio::test]
async fn each_target_session_attrs_in_both_host_orders() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    // (attrs, expected server for [primary, replica], expected for [replica, primary]).
    let cases = [
        ("any", p, r),
        ("read-write", p, p),
        ("read-only", r, r),
        ("primary", p, p),
        ("standby", r, r),
        ("prefer-standby", r, r),
    ];
    for (attrs, first_order, second_order) in cases {
        for (order, expected) in [([p, r], first_order), ([r, p], second_order)] {
            let dsn = Pair::dsn(&order, &format!("target_session_attrs={attrs}"));
            let mut conn = quarry::connect(&dsn)
                .await
                .unwrap_or_else(|e| panic!("{attrs} {order:?}: {e}"));
            let (port, in_recovery) = reached(&mut conn).await;
            assert_eq!(
                port, expected,
                "target_session_attrs={attrs}, hosts {order:?}"
            );
            assert_eq!(in_recovery, port == r);
            // PostgreSQL 14+ reports both at startup (a primary's report is taken as it is; a
            // standby's is confirmed with a query, see the pgbouncer test below).
            let hot_standby = conn.parameter("in_hot_standby").map(str::to_owned);
            assert_eq!(
                hot_standby.as_deref(),
                Some(if port == r { "on" } else { "off" })
            );
            assert!(conn.parameter("default_transaction_read_only").is_some());
        }
    }
    // Only the standby listed: read-write and primary fail, saying what the host is.
    for attrs in ["read-write", "primary"] {
        let err = quarry::connect(&Pair::dsn(&[r], &format!("target_session_attrs={attrs}")))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("in hot standby") && text.contains(attrs),
            "{attrs}: {text}"
        );
    }
}

#[tokio::test]
async fn primary_stopped_read_write_fails_naming_every_host_and_why() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let _pair = tokio::task::spawn_blocking(move || {
        let mut pair = pair;
        pair.primary.stop().unwrap();
        pair
    })
    .await
    .unwrap();
    let dsn = Pair::dsn(&[p, r], "target_session_attrs=read-write");
    let err = quarry::connect(&dsn).await.unwrap_err();
    let Error::Connect { attempts } = &err else {
        panic!("expected Error::Connect, got {err:?}");
    };
    assert_eq!(attempts.len(), 2, "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{p}")), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{r}")), "{text}");
    assert!(
        text.contains("in hot standby, but target_session_attrs=read-write"),
        "{text}"
    );
    // The primary's reason is the refused connection, not a server's answer.
    assert!(
        !matches!(attempts[0].1, Error::Db(_)),
        "{:?}",
        attempts[0].1
    );
    // Any server will do: the standby answers reads.
    let mut conn = quarry::connect(&Pair::dsn(&[p, r], "target_session_attrs=any"))
        .await
        .unwrap();
    assert_eq!(reached(&mut conn).await, (r, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_write_pool_follows_a_promoted_replica_and_never_writes_elsewhere() {
    let pair = Pair::start().await;
    let (p, r) = (pair.primary.port(), pair.replica.port());
    let dsn = Pair::dsn(&[p, r], "target_session_attrs=read-write");
    let pool = Pool::builder().max_size(4).build(&dsn).await.unwrap();
    pool.execute("CREATE TABLE writes (n int4, port int4)", &[])
        .await
        .unwrap();
    let write = async |n: i32| -> quarry::Result<(u16, bool)> {
        let row = pool
            .fetch_row(
                "INSERT INTO writes VALUES ($1, inet_server_port()) \
                 RETURNING inet_server_port(), pg_is_in_recovery()",
                &[&n],
            )
            .await?
            .ok_or(Error::Closed)?;
        let port: i32 = row.get(0)?;
        Ok((u16::try_from(port).unwrap_or(0), row.get(1)?))
    };
    for n in 0..8 {
        assert_eq!(write(n).await.unwrap(), (p, false));
    }
    let pair = tokio::task::spawn_blocking(move || {
        let mut pair = pair;
        pair.replica.wait_replayed(&pair.primary).unwrap();
        pair.primary.stop().unwrap();
        pair
    })
    .await
    .unwrap();
    // With the primary gone and the replica not yet promoted, no write succeeds anywhere.
    for n in 100..104 {
        let result = write(n).await;
        assert!(
            result.is_err(),
            "a write succeeded with no primary: {result:?}"
        );
    }
    let promoted = Instant::now();
    let pair = tokio::task::spawn_blocking(move || {
        pair.replica.promote().unwrap();
        pair
    })
    .await
    .unwrap();
    let promotion = promoted.elapsed();
    // The application keeps writing; the pool finds the new primary on its own.
    let mut n = 1000;
    let first_ok = loop {
        match write(n).await {
            Ok(reached) => {
                assert_eq!(reached, (r, false), "write {n} ran on the wrong server");
                break promoted.elapsed();
            }
            Err(e) => {
                assert!(
                    promoted.elapsed() < Duration::from_secs(20),
                    "no write succeeded 20 s after the promotion: {e}"
                );
            }
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The goal: the first write within 2 s of the server's own promotion.
    assert!(
        first_ok < promotion + Duration::from_secs(2),
        "first write {first_ok:?} after a promotion of {promotion:?}"
    );
    for n in 2000..2010 {
        assert_eq!(write(n).await.unwrap(), (r, false));
    }
    // Every write that succeeded is on the new primary, the old ones replicated before the stop.
    let mut direct = quarry::connect(&Pair::dsn(&[r], "")).await.unwrap();
    let on_replica: i64 = direct
        .fetch_val(
            "SELECT count(*) FROM writes WHERE port = $1",
            &[&i32::from(r)],
        )
        .await
        .unwrap();
    let on_primary: i64 = direct
        .fetch_val(
            "SELECT count(*) FROM writes WHERE port = $1",
            &[&i32::from(p)],
        )
        .await
        .unwrap();
    assert_eq!((on_primary, on_replica), (8, 11));
    println!(
        "failover: promotion took {promotion:?}; first successful write through the pool \
         {first_ok:?} after the promotion began"
    );
    drop(pair);
}

/// A pgbouncer in front of each server: the decision is the same through the poolers.
#[tokio::test]
async fn target_session_attrs_through_pgbouncer() {
    let pair = Pair::start().await;
    let (bouncer_p, bouncer_r) = {
        use quarry_driver::ephemeral::{PgBouncer, PoolMode};
        let start = |server| {
            PgBouncer::builder(server, PoolMode::Session)
                .pool_size(2)
                .start()
                .unwrap()
        };
        (start(&pair.primary), start(&pair.replica))
    };
    let (p, r) = (bouncer_p.port(), bouncer_r.port());
    for (attrs, expected) in [
        ("read-write", p),
        ("primary", p),
        ("read-only", r),
        ("standby", r),
        ("prefer-standby", r),
    ] {
        for order in [[p, r], [r, p]] {
            let dsn = Pair::dsn(&order, &format!("target_session_attrs={attrs}"));
            let mut conn = quarry::connect(&dsn)
                .await
                .unwrap_or_else(|e| panic!("{attrs} {order:?}: {e}"));
            let (port, in_recovery) = reached(&mut conn).await;
            let server = if expected == r {
                &pair.replica
            } else {
                &pair.primary
            };
            assert_eq!(port, server.port(), "{attrs} {order:?}");
            assert_eq!(in_recovery, expected == r, "{attrs} {order:?}");
        }
    }
}

/// pgbouncer hands every client the parameters it saw when it first logged in to the server:
/// after a promotion it may still report `in_hot_standby=on`. A report that would skip the host
/// is confirmed with a query, so a read-write connection through the pooler reaches the new
/// primary.
#[tokio::test]
async fn a_stale_hot_standby_report_from_a_pooler_is_checked() {
    use quarry_driver::ephemeral::{PgBouncer, PoolMode};
    let pair = Pair::start().await;
    let bouncer = PgBouncer::builder(&pair.replica, PoolMode::Transaction)
        .pool_size(2)
        .start()
        .unwrap();
    let through = Pair::dsn(&[bouncer.port()], "pooler=transaction");
    let mut before = quarry::connect(&through).await.unwrap();
    assert_eq!(before.parameter("in_hot_standby"), Some("on"));
    assert!(reached(&mut before).await.1);
    let pair = tokio::task::spawn_blocking(move || {
        pair.replica.promote().unwrap();
        pair
    })
    .await
    .unwrap();
    for _ in 0..5 {
        let read_write = format!("{through} target_session_attrs=read-write");
        let mut conn = quarry::connect(&read_write)
            .await
            .unwrap_or_else(|e| panic!("read-write through pgbouncer after the promotion: {e}"));
        assert_eq!(reached(&mut conn).await, (pair.replica.port(), false));
    }
    // Still a standby for nobody: standby is refused after asking.
    let err = quarry::connect(&format!("{through} target_session_attrs=standby"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-write primary"), "{err}");
}

/// The opposite staleness: a primary that comes back as a standby on the same address. pgbouncer
/// may still hand out the `in_hot_standby=off` it saw first; a read-write connection through it
/// must not trust that report and land on the standby.
#[tokio::test]
async fn a_stale_primary_report_from_a_pooler_is_not_trusted() {
    use quarry_driver::ephemeral::{EphemeralServer, PgBouncer, PoolMode};
    let mut server = common::replica::blocking(|| EphemeralServer::start().unwrap()).await;
    let bouncer = PgBouncer::builder(&server, PoolMode::Session)
        .pool_size(2)
        .start()
        .unwrap();
    let read_write = Pair::dsn(&[bouncer.port()], "target_session_attrs=read-write");
    let mut before = quarry::connect(&read_write).await.unwrap();
    assert_eq!(before.parameter("in_hot_standby"), Some("off"));
    assert_eq!(reached(&mut before).await, (server.port(), false));
    drop(before);
    // The same data directory restarted in recovery: a hot standby on the same port.
    let server = common::replica::blocking(move || {
        server.stop().unwrap();
        std::fs::write(server.data_dir().join("standby.signal"), b"").unwrap();
        server.restart().unwrap();
        server
    })
    .await;
    let any = Pair::dsn(&[bouncer.port()], "");
    let mut conn = quarry::connect(&any).await.unwrap();
    assert_eq!(reached(&mut conn).await, (server.port(), true));
    for _ in 0..3 {
        match quarry::connect(&read_write).await {
            Ok(mut conn) => panic!(
                "read-write accepted a standby through pgbouncer (reported in_hot_standby={:?}); it reached {:?}",
                conn.parameter("in_hot_standby").map(str::to_owned),
                reached(&mut conn).await
            ),
            Err(e) => assert!(e.to_string().contains("hot standby"), "{e}"),
        }
    }
}
