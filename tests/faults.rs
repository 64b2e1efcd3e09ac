//! A misbehaving server at every protocol state, through the fault proxy (`common/fault_proxy.rs`):
//! connections cut, stalled, frozen or trickling; messages duplicated, dropped or corrupted —
//! during startup and authentication, the simple query, each step of the extended query, COPY in
//! and out, notifications, `fetch_stream`, cursors and the pool's pipelined batches.
//!
//! Every call returns within its bound with a typed error or its right answer, and afterwards the
//! connection is either closed (and says so) or answers every next call exactly: never a panic,
//! never a wrong answer, never a hang. The bounds come from DESIGN.md: a timeout of T returns
//! within T plus a small stated bound ([`SLACK`] here), a reply that breaks the framing fails at
//! once ([`LOST_SYNC`]), and no test may hang ([`HANG`]).

mod common;

use std::future::Future;
use std::time::Duration;

use common::TestDb;
use common::fault_proxy::{Action, Fault, FaultProxy};
use futures_util::{StreamExt, TryStreamExt};
use quarry::{Connection, Error, Pool, PoolStats, Record};

/// A whole test, whatever the driver does: a hang fails the test instead of stalling CI.
const HANG: Duration = Duration::from_secs(30);
/// An ordinary call that should just answer (generous: the machine may be loaded).
const ANSWER: Duration = Duration::from_secs(5);
/// A reply that breaks the framing (a corrupt length) is a lost conversation, known at once.
const LOST_SYNC: Duration = Duration::from_secs(1);
/// The timeout the timed calls use, and the bound on how late past it they may return.
const TIMEOUT: Duration = Duration::from_millis(500);
const SLACK: Duration = Duration::from_millis(1500);
/// A length no server message has: a client that believes it waits for a GiB that never comes.
const HUGE: u32 = 0x3fff_ffff;

/// Runs a test body within [`HANG`].
async fn bounded(body: impl Future<Output = ()>) {
    tokio::time::timeout(HANG, body)
        .await
        .expect("the test hung: some call never returned");
}

/// `call`'s output, or a panic naming `what` when it takes longer than `bound`.
async fn within<T>(bound: Duration, what: &str, call: impl Future<Output = T>) -> T {
    match tokio::time::timeout(bound, call).await {
        Ok(out) => out,
        Err(_) => panic!("{what}: no answer within {bound:?}"),
    }
}

/// A fresh database, and a fresh proxy in front of its server.
async fn setup() -> (TestDb, FaultProxy) {
    (common::fresh_db().await, FaultProxy::start().await)
}

/// [`setup`], and a superuser connection through the proxy.
async fn proxied() -> (TestDb, FaultProxy, Connection) {
    let (db, proxy) = setup().await;
    let conn = within(ANSWER, "connecting through the proxy", async {
        quarry::connect(&proxy.dsn(&db)).await.unwrap()
    })
    .await;
    (db, proxy, conn)
}

fn ints(rows: &[Record]) -> Vec<i32> {
    rows.iter().map(|r| r.get::<i32>(0).unwrap()).collect()
}

fn is_timeout(result: &quarry::Result<impl std::fmt::Debug>) -> bool {
    matches!(result, Err(Error::Timeout { .. }))
}

/// The first `n` integers, as `generate_series(1, n)` returns them.
fn series(n: i32) -> Vec<i32> {
    (1..=n).collect()
}

const SERIES: &str = "SELECT generate_series(1, $1::int4)";

/// After a fault the connection is closed and says so, or it answers every call exactly. The
/// first call may be the one that meets what the fault left behind (a stray message): it may
/// fail, never answer wrongly, and after it the same holds.
async fn closed_or_correct(conn: &mut Connection) {
    if !conn.is_closed() {
        let first = within(
            ANSWER,
            "the first call after the fault",
            conn.fetch_val::<i32>("SELECT 42", &[]),
        )
        .await;
        match first {
            Ok(v) => assert_eq!(v, 42, "the first call after the fault answered wrongly"),
            Err(e) => eprintln!("the first call after the fault failed: {e}"),
        }
    }
    if conn.is_closed() {
        let again = within(
            ANSWER,
            "a call on the closed connection",
            conn.fetch_val::<i32>("SELECT 1", &[]),
        )
        .await;
        assert!(
            matches!(again, Err(Error::Closed)),
            "a closed connection answers {again:?}"
        );
        return;
    }
    answers_exactly(conn).await;
}

/// Cached and new statements, the extended and the simple protocol: each call its own answer.
async fn answers_exactly(conn: &mut Connection) {
    for i in 0..3i32 {
        let what = format!("follow-up call {i}");
        let v: i32 = within(ANSWER, &what, conn.fetch_val("SELECT 42 + $1::int4", &[&i]))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(v, 42 + i, "{what}");
        let rows = within(ANSWER, &what, conn.fetch(SERIES, &[&(i + 2)]))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(ints(&rows), series(i + 2), "{what}");
        let tag = within(
            ANSWER,
            &what,
            conn.execute("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3", &[]),
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(tag.rows(), 3, "{what}");
        let distinct = format!("distinct {i}");
        let s: String = within(
            ANSWER,
            &what,
            conn.fetch_val(&format!("SELECT '{distinct}'::text"), &[]),
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(s, distinct, "{what}");
    }
}

/// The proxy fired `n` faults: the test broke what it meant to break.
fn assert_fired(proxy: &FaultProxy, n: usize) {
    assert_eq!(proxy.fired(), n, "the armed faults did not all fire");
}

/// A timed call met a server that will never answer again (frozen): it must be closed.
fn assert_closed_after(conn: &Connection, what: &str) {
    assert!(
        conn.is_closed(),
        "{what}: the server will never answer again, yet the connection is not closed"
    );
}

// ---------------------------------------------------------------------------------------------
// Startup and authentication

#[tokio::test]
async fn startup_a_cut_during_scram_fails_the_connect() {
    bounded(async {
        let (db, proxy) = setup().await;
        let (user, password) = common::SCRAM_USER;
        let dsn = proxy.through(&db.dsn_for(user, Some(password)));
        // The 2nd Authentication message: SASLContinue, the server's first challenge.
        proxy.arm(Fault::on(b'R', Action::Cut).nth(2));
        let result = within(ANSWER, "connect cut mid-SCRAM", quarry::connect(&dsn)).await;
        assert!(result.is_err(), "connected through a cut exchange");
        assert_fired(&proxy, 1);
        // The proxy, the server and the driver are fine for the next session.
        let mut conn = within(ANSWER, "connect again", quarry::connect(&dsn))
            .await
            .unwrap();
        answers_exactly(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn startup_a_corrupt_length_fails_at_once() {
    bounded(async {
        let (db, proxy) = setup().await;
        let (user, password) = common::SCRAM_USER;
        let scram = proxy.through(&db.dsn_for(user, Some(password)));
        // SASLContinue (SCRAM), then BackendKeyData (trust), each claiming ~1 GiB.
        for (dsn, tag, nth) in [(scram, b'R', 2), (proxy.dsn(&db), b'K', 1)] {
            proxy.arm(Fault::on(tag, Action::SetLength(HUGE)).nth(nth));
            let what = format!("connect with a corrupt {} length", tag as char);
            let result = within(LOST_SYNC, &what, quarry::connect(&dsn)).await;
            assert!(result.is_err(), "{what}: connected");
        }
        assert_fired(&proxy, 2);
    })
    .await;
}

#[tokio::test]
async fn startup_a_frozen_server_is_bounded_by_connect_timeout() {
    bounded(async {
        let (db, proxy) = setup().await;
        proxy.arm(Fault::next(Action::Freeze));
        let dsn = format!("{}&connect_timeout=1", proxy.dsn(&db));
        let result = within(
            Duration::from_secs(1) + SLACK,
            "connect to a frozen server",
            quarry::connect(&dsn),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(
            matches!(result, Err(Error::ConnectTimeout(_))),
            "{:?}",
            result.map(|_| ())
        );
    })
    .await;
}

#[tokio::test]
async fn startup_a_stray_ready_for_query_never_answers_a_query() {
    bounded(async {
        let (db, proxy) = setup().await;
        proxy.arm(Fault::on(b'Z', Action::Duplicate));
        match within(ANSWER, "connect", quarry::connect(&proxy.dsn(&db))).await {
            Ok(mut conn) => closed_or_correct(&mut conn).await,
            Err(e) => eprintln!("connect failed on the stray ReadyForQuery: {e}"),
        }
        assert_fired(&proxy, 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Simple query

#[tokio::test]
async fn simple_query_cut_mid_data_row_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::CutMidway).nth(50));
        let result = within(
            ANSWER,
            "a simple query cut mid-row",
            conn.execute(
                "SELECT g, repeat('x', 200) FROM generate_series(1, 100) g",
                &[],
            ),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn simple_query_answers_trickled_byte_by_byte_are_whole() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::next(Action::Trickle(Duration::from_millis(1))));
        let tag = within(
            ANSWER,
            "a trickled simple query",
            conn.execute("SELECT 1; SELECT 2 UNION ALL SELECT 3", &[]),
        )
        .await
        .unwrap();
        assert_fired(&proxy, 1);
        assert_eq!(tag.rows(), 2);
        let v: i32 = within(
            ANSWER,
            "a trickled extended query",
            conn.fetch_val("SELECT $1::int4 * 3", &[&5i32]),
        )
        .await
        .unwrap();
        assert_eq!(v, 15);
        proxy.release();
        answers_exactly(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn simple_query_a_lost_ready_for_query_times_out_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        proxy.arm(Fault::on(b'Z', Action::Drop));
        let result = within(
            TIMEOUT + SLACK,
            "a simple query whose ReadyForQuery is lost",
            conn.execute("SELECT 1", &[]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        conn.set_command_timeout(None);
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn simple_query_against_a_frozen_server_times_out_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::next(Action::Freeze));
        let result = within(
            TIMEOUT + SLACK,
            "conn.timeout() against a frozen server",
            conn.timeout(TIMEOUT).execute("SELECT 1", &[]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        assert_closed_after(&conn, "a frozen server");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Extended query: Parse/Describe

#[tokio::test]
async fn parse_describe_cut_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b't', Action::Cut));
        let result = within(
            ANSWER,
            "a prepare cut at ParameterDescription",
            conn.fetch_val::<i32>("SELECT $1::int4 * 3", &[&5i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn parse_describe_a_lost_parameter_description_is_never_cached() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        const SQL: &str = "SELECT $1::int4 * 3";
        proxy.arm(Fault::on(b't', Action::Drop));
        match within(ANSWER, "a prepare", conn.fetch_val::<i32>(SQL, &[&5i32])).await {
            Ok(v) => assert_eq!(v, 15),
            Err(e) => eprintln!("the prepare without ParameterDescription failed: {e}"),
        }
        assert_fired(&proxy, 1);
        // The same SQL again: a description the server never gave must not stick.
        if !conn.is_closed() {
            let again = within(
                ANSWER,
                "the same SQL again",
                conn.fetch_val::<i32>(SQL, &[&7i32]),
            )
            .await;
            match again {
                Ok(v) => assert_eq!(v, 21),
                Err(e) => assert!(
                    conn.is_closed(),
                    "the same SQL fails on an open connection: {e}"
                ),
            }
        }
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn parse_describe_a_corrupt_row_description_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        // The low byte of the field count: 1 field becomes 254.
        proxy.arm(Fault::on(b'T', Action::FlipByte(6)));
        let result = within(
            ANSWER,
            "a prepare with a corrupt RowDescription",
            conn.fetch_val::<i32>("SELECT $1::int4 * 3", &[&5i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Extended query: Bind

#[tokio::test]
async fn bind_complete_duplicated_or_dropped_is_never_a_wrong_answer() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        for (fired, action) in [(1, Action::Duplicate), (2, Action::Drop)] {
            if conn.is_closed() {
                break;
            }
            proxy.arm(Fault::on(b'2', action));
            let what = format!("a query whose BindComplete is {action:?}");
            match within(ANSWER, &what, conn.fetch(SERIES, &[&3i32])).await {
                Ok(rows) => assert_eq!(ints(&rows), series(3), "{what}"),
                Err(e) => eprintln!("{what}: {e}"),
            }
            assert_fired(&proxy, fired);
            closed_or_correct(&mut conn).await;
        }
    })
    .await;
}

#[tokio::test]
async fn bind_complete_with_a_huge_length_fails_at_once() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'2', Action::SetLength(HUGE)));
        let result = within(
            LOST_SYNC,
            "a BindComplete claiming 1 GiB",
            conn.fetch_val::<i32>("SELECT $1::int4", &[&1i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Extended query: Execute with rows

#[tokio::test]
async fn execute_cut_mid_data_row_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::CutMidway).nth(500));
        let result = within(
            ANSWER,
            "a fetch cut mid-row",
            conn.fetch(SERIES, &[&1000i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{:?}", result.map(|r| r.len()));
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_a_duplicated_data_row_is_not_an_answer() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::Duplicate).nth(2));
        let result = within(
            ANSWER,
            "a fetch with a row twice",
            conn.fetch(SERIES, &[&3i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        if let Ok(rows) = &result {
            assert_eq!(
                ints(rows),
                series(3),
                "a row the server sent once came twice"
            );
        }
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_a_dropped_data_row_is_not_an_answer() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::Drop).nth(2));
        let result = within(
            ANSWER,
            "a fetch missing a row",
            conn.fetch(SERIES, &[&3i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        if let Ok(rows) = &result {
            assert_eq!(ints(rows), series(3), "a fetch missing a row answered Ok");
        }
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_a_data_row_with_a_corrupt_value_length_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        // One int4 column: type, length, column count (2), value length (4) at 7..11: its low
        // byte flipped, the value claims 251 bytes of a 4-byte message.
        proxy.arm(Fault::on(b'D', Action::FlipByte(10)));
        let result = within(
            ANSWER,
            "a row that does not fit its message",
            conn.fetch_val::<i32>("SELECT $1::int4", &[&1i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_timeout_against_a_stalled_server_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        // Cached first, so the stall hits the execution itself.
        let v: i32 = within(
            ANSWER,
            "warm-up",
            conn.fetch_val("SELECT $1::int4", &[&1i32]),
        )
        .await
        .unwrap();
        assert_eq!(v, 1);
        proxy.arm(Fault::next(Action::Stall));
        let result = within(
            TIMEOUT + SLACK,
            "command_timeout against a stalled server",
            conn.fetch_val::<i32>("SELECT $1::int4", &[&2i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        // The held answers now arrive: they must answer nothing else.
        proxy.release();
        conn.set_command_timeout(None);
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_timeout_against_a_trickling_server_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::next(Action::Trickle(Duration::from_millis(100))));
        let result = within(
            TIMEOUT + SLACK,
            "conn.timeout() against a trickling server",
            conn.timeout(TIMEOUT).fetch("SELECT repeat('x', 100)", &[]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{:?}", result.map(|r| r.len()));
        proxy.release();
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn execute_timeout_when_the_cancel_request_is_never_answered() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        // The cancel request goes to the proxy too (the connection's host and port), where new
        // connections are now accepted and never answered.
        proxy.freeze_new_connections();
        let result = within(
            TIMEOUT + SLACK,
            "a timeout whose cancel request hangs",
            conn.timeout(TIMEOUT).execute("SELECT pg_sleep(3)", &[]),
        )
        .await;
        assert!(is_timeout(&result), "{result:?}");
        assert!(proxy.accepted() >= 2, "no cancel request was sent");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Extended query: CommandComplete

#[tokio::test]
async fn command_complete_lost_or_duplicated_is_never_a_wrong_count() {
    bounded(async {
        let (db, proxy, mut conn) = proxied().await;
        conn.execute("CREATE TABLE t (n int4)", &[]).await.unwrap();
        let mut direct = db.connect().await;
        for (n, action) in [(1i32, Action::Drop), (2, Action::Duplicate)] {
            if conn.is_closed() {
                break;
            }
            proxy.arm(Fault::on(b'C', action));
            let what = format!("an INSERT whose CommandComplete is {action:?}");
            let result = within(
                ANSWER,
                &what,
                conn.execute("INSERT INTO t VALUES ($1)", &[&n]),
            )
            .await;
            assert_fired(&proxy, usize::try_from(n).unwrap());
            match result {
                Ok(tag) => {
                    assert_eq!(tag.rows(), 1, "{what}: {tag}");
                    // Never Ok for a write that is not committed.
                    let there: i64 = direct
                        .fetch_val("SELECT count(*) FROM t WHERE n = $1", &[&n])
                        .await
                        .unwrap();
                    assert_eq!(there, 1, "{what}");
                }
                Err(e) => eprintln!("{what}: {e}"),
            }
            closed_or_correct(&mut conn).await;
        }
    })
    .await;
}

#[tokio::test]
async fn command_complete_with_a_huge_length_fails_at_once() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        // All rows (`fetch`): a one-row fetch ends its portal with PortalSuspended instead.
        proxy.arm(Fault::on(b'C', Action::SetLength(HUGE)));
        let result = within(
            LOST_SYNC,
            "a CommandComplete claiming 1 GiB",
            conn.fetch(SERIES, &[&2i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{:?}", result.map(|r| ints(&r)));
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Extended query: ReadyForQuery

#[tokio::test]
async fn ready_for_query_duplicated_on_a_cached_statement_is_never_off_by_one() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        for n in 1..=2 {
            let rows = conn.fetch(SERIES, &[&n]).await.unwrap();
            assert_eq!(ints(&rows), series(n));
        }
        proxy.arm(Fault::on(b'Z', Action::Duplicate));
        // Its own ReadyForQuery comes first; the stray one waits for the next call.
        for n in 3..=8 {
            let what = format!("call {n} after a stray ReadyForQuery");
            match within(ANSWER, &what, conn.fetch(SERIES, &[&n])).await {
                Ok(rows) => assert_eq!(ints(&rows), series(n), "{what}"),
                Err(e) => eprintln!("{what}: {e}"),
            }
        }
        assert_fired(&proxy, 1);
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn ready_for_query_with_a_huge_length_fails_at_once() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'Z', Action::SetLength(HUGE)));
        let result = within(
            LOST_SYNC,
            "a ReadyForQuery claiming 1 GiB",
            conn.fetch_val::<i32>("SELECT $1::int4", &[&1i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn ready_for_query_a_byte_too_long_or_too_short_fails_at_once() {
    bounded(async {
        let (db, proxy) = setup().await;
        // 6: the status byte and one byte of whatever comes next (nothing, until the next call).
        // 4: no status byte at all.
        for len in [6, 4] {
            let mut conn = quarry::connect(&proxy.dsn(&db)).await.unwrap();
            proxy.arm(Fault::on(b'Z', Action::SetLength(len)));
            let what = format!("a ReadyForQuery of length {len}");
            let result = within(
                LOST_SYNC,
                &what,
                conn.fetch_val::<i32>("SELECT $1::int4", &[&1i32]),
            )
            .await;
            assert!(result.is_err(), "{what}: {result:?}");
            assert!(conn.is_closed(), "{what}");
            assert_fired(&proxy, if len == 6 { 1 } else { 2 });
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// COPY

async fn copy_table(conn: &mut Connection) {
    conn.execute("CREATE TABLE t (n int4, pad text)", &[])
        .await
        .unwrap();
}

#[tokio::test]
async fn copy_out_cut_mid_copy_data_closes_the_connection() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'd', Action::CutMidway).nth(1000));
        let mut out = Vec::new();
        let result = within(
            ANSWER,
            "a COPY out cut mid-CopyData",
            conn.copy_out_raw(
                "COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g) TO STDOUT",
                &mut out,
            ),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn copy_out_a_copy_done_with_a_huge_length_fails_at_once() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'c', Action::SetLength(HUGE)));
        let mut out = Vec::new();
        let result = within(
            LOST_SYNC,
            "a CopyDone claiming 1 GiB",
            conn.copy_out_raw("COPY (SELECT generate_series(1, 10)) TO STDOUT", &mut out),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn copy_in_cut_midway_fails_and_commits_nothing() {
    bounded(async {
        let (db, proxy, mut conn) = proxied().await;
        copy_table(&mut conn).await;
        let proxy = &proxy;
        // 4 MiB in 4 KiB chunks; the connection is cut after the first MiB went out.
        let line = format!("1\t{}\n", "x".repeat(4093));
        let chunks = futures_util::stream::iter(0..1024).map(move |i| {
            if i == 256 {
                proxy.cut_now();
            }
            Ok::<_, std::io::Error>(line.clone())
        });
        let result = within(
            ANSWER,
            "a COPY in cut midway",
            conn.copy_in_raw("COPY t FROM STDIN", quarry::copy::from_stream(chunks)),
        )
        .await;
        assert!(result.is_err(), "{result:?}");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
        let mut direct = db.connect().await;
        let n: i64 = direct
            .fetch_val("SELECT count(*) FROM t", &[])
            .await
            .unwrap();
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn copy_in_timeout_against_a_stalled_completion_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        copy_table(&mut conn).await;
        proxy.arm(Fault::on(b'C', Action::Stall));
        let result = within(
            TIMEOUT + SLACK,
            "a COPY in whose CommandComplete stalls",
            conn.timeout(TIMEOUT)
                .copy_in_raw("COPY t FROM STDIN", &b"1\ta\n2\tb\n"[..]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        proxy.release();
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Notifications

async fn listener(proxy: &FaultProxy, db: &TestDb) -> quarry::Listener {
    let config = quarry::Config::from_dsn(&proxy.dsn(db)).unwrap();
    let mut listener = within(ANSWER, "a listener", quarry::Listener::connect(&config))
        .await
        .unwrap();
    listener.listen("events").await.unwrap();
    listener
}

#[tokio::test]
async fn listen_a_notification_trickled_byte_by_byte_arrives_whole() {
    bounded(async {
        let (db, proxy) = setup().await;
        let mut listener = listener(&proxy, &db).await;
        let mut notifier = db.connect().await;
        proxy.arm(Fault::next(Action::Trickle(Duration::from_millis(1))));
        notifier
            .execute("NOTIFY events, 'the payload'", &[])
            .await
            .unwrap();
        let n = within(ANSWER, "a trickled notification", listener.recv())
            .await
            .unwrap();
        assert_fired(&proxy, 1);
        assert_eq!(
            (n.channel.as_str(), n.payload.as_str()),
            ("events", "the payload")
        );
        proxy.release();
        answers_exactly(listener.connection()).await;
    })
    .await;
}

#[tokio::test]
async fn listen_a_cut_while_waiting_ends_recv_with_an_error() {
    bounded(async {
        let (db, proxy) = setup().await;
        let mut listener = listener(&proxy, &db).await;
        let cut = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            proxy.cut_now();
        };
        let (result, ()) = within(ANSWER, "a listener cut while waiting", async {
            tokio::join!(listener.recv(), cut)
        })
        .await;
        assert!(result.is_err(), "{result:?}");
        assert!(listener.connection().is_closed());
        closed_or_correct(listener.connection()).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// fetch_stream

#[tokio::test]
async fn fetch_stream_honours_command_timeout_against_a_frozen_server() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        proxy.arm(Fault::next(Action::Freeze));
        let mut rows = conn.fetch_stream(SERIES, &[&10i32]);
        let first = within(
            TIMEOUT + SLACK,
            "fetch_stream against a frozen server",
            rows.next(),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(
            matches!(first, Some(Err(Error::Timeout { .. }))),
            "{first:?}"
        );
        drop(rows);
        assert_closed_after(&conn, "fetch_stream against a frozen server");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn fetch_stream_frozen_midway_times_out_within_the_bound() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        proxy.arm(Fault::on(b'D', Action::Freeze).nth(3));
        let mut rows = conn.fetch_stream(SERIES, &[&10i32]);
        for expected in 1..=2 {
            let row = within(ANSWER, "a streamed row", rows.next())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.get::<i32>(0).unwrap(), expected);
        }
        let third = within(TIMEOUT + SLACK, "the frozen third row", rows.next()).await;
        assert_fired(&proxy, 1);
        assert!(
            matches!(third, Some(Err(Error::Timeout { .. }))),
            "{third:?}"
        );
        drop(rows);
        assert_closed_after(&conn, "fetch_stream frozen midway");
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn fetch_stream_cut_mid_row_ends_with_an_error() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::CutMidway).nth(5));
        let mut rows = conn.fetch_stream(SERIES, &[&10i32]);
        let mut seen = Vec::new();
        let end = within(ANSWER, "a stream cut mid-row", async {
            loop {
                match rows.next().await {
                    Some(Ok(row)) => seen.push(row.get::<i32>(0).unwrap()),
                    other => return other,
                }
            }
        })
        .await;
        assert_fired(&proxy, 1);
        assert!(matches!(end, Some(Err(_))), "{end:?}");
        assert_eq!(seen, series(4));
        drop(rows);
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn fetch_stream_a_duplicated_row_does_not_end_well() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        proxy.arm(Fault::on(b'D', Action::Duplicate).nth(2));
        let rows: quarry::Result<Vec<Record>> = within(
            ANSWER,
            "a stream with a row twice",
            conn.fetch_stream(SERIES, &[&5i32]).try_collect(),
        )
        .await;
        assert_fired(&proxy, 1);
        if let Ok(rows) = &rows {
            assert_eq!(
                ints(rows),
                series(5),
                "a streamed row came twice and the stream ended Ok"
            );
        }
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Cursors inside a transaction

#[tokio::test]
async fn cursor_after_a_stray_ready_for_query_is_never_short() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        let mut tx = conn.transaction().await.unwrap();
        // The cursor's Bind is answered up to ReadyForQuery: its duplicate is stray.
        proxy.arm(Fault::on(b'Z', Action::Duplicate));
        let opened = within(ANSWER, "a cursor", tx.cursor(SERIES, &[&10i32])).await;
        let mut failed = opened.is_err();
        if let Ok(mut cursor) = opened {
            for batch in 0..3 {
                let what = format!("cursor batch {batch} after a stray ReadyForQuery");
                match within(ANSWER, &what, cursor.fetch(3)).await {
                    Ok(rows) => {
                        let expected: Vec<i32> = (batch * 3 + 1..=batch * 3 + 3).collect();
                        assert_eq!(ints(&rows), expected, "{what}");
                    }
                    Err(e) => {
                        eprintln!("{what}: {e}");
                        failed = true;
                        break;
                    }
                }
            }
        }
        assert_fired(&proxy, 1);
        let end = within(ANSWER, "the transaction's end", tx.rollback()).await;
        if failed {
            eprintln!("rollback after the failure: {end:?}");
        } else {
            end.unwrap();
        }
        closed_or_correct(&mut conn).await;
    })
    .await;
}

#[tokio::test]
async fn cursor_cut_mid_fetch_commits_nothing() {
    bounded(async {
        let (db, proxy, mut conn) = proxied().await;
        conn.execute("CREATE TABLE t (n int4)", &[]).await.unwrap();
        let mut tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES ($1)", &[&1i32])
            .await
            .unwrap();
        let mut cursor = tx.cursor(SERIES, &[&100i32]).await.unwrap();
        assert_eq!(ints(&cursor.fetch(2).await.unwrap()), [1, 2]);
        proxy.arm(Fault::on(b'D', Action::CutMidway).nth(3));
        let result = within(ANSWER, "a cursor fetch cut mid-row", cursor.fetch(10)).await;
        assert_fired(&proxy, 1);
        assert!(result.is_err(), "{:?}", result.map(|r| ints(&r)));
        drop(cursor);
        let commit = within(ANSWER, "the commit after the cut", tx.commit()).await;
        assert!(commit.is_err(), "a commit on a lost connection answered Ok");
        assert!(conn.is_closed());
        closed_or_correct(&mut conn).await;
        let mut direct = db.connect().await;
        let n: i64 = direct
            .fetch_val("SELECT count(*) FROM t", &[])
            .await
            .unwrap();
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn cursor_fetch_honours_command_timeout_against_a_stalled_server() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        let mut tx = conn.transaction().await.unwrap();
        let mut cursor = tx.cursor(SERIES, &[&100i32]).await.unwrap();
        assert_eq!(ints(&cursor.fetch(2).await.unwrap()), [1, 2]);
        proxy.arm(Fault::next(Action::Stall));
        let result = within(
            TIMEOUT + SLACK,
            "a cursor fetch against a stalled server",
            cursor.fetch(2),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{:?}", result.map(|r| ints(&r)));
        drop(cursor);
        proxy.release();
        let end = within(ANSWER, "the rollback after the timeout", tx.rollback()).await;
        eprintln!("rollback after the timeout: {end:?}");
        conn.set_command_timeout(None);
        closed_or_correct(&mut conn).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// The pool and its pipelined batches

/// A pool through the proxy; it pipelines whatever a statement's measured cost.
async fn pool(proxy: &FaultProxy, db: &TestDb, max_size: usize, dsn_extra: &str) -> Pool {
    let dsn = format!("{}{dsn_extra}", proxy.dsn(db));
    Pool::builder()
        .max_size(max_size)
        .pipeline_max_cost(Duration::from_secs(3600))
        .build(&dsn)
        .await
        .unwrap()
}

/// Waits (up to [`ANSWER`]) until the pool's stats satisfy `done`.
async fn wait_for(pool: &Pool, what: &str, done: impl Fn(&PoolStats) -> bool) {
    within(ANSWER, what, async {
        while !done(&pool.stats()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

type Call<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;
type SeriesAnswer = quarry::Result<Vec<Record>>;

/// Queues `calls` behind every held connection, arms `fault`, then lets one connection go: its
/// taker leads one batch of the queued calls (as in `pool_pipeline.rs`). The answers, in order,
/// all within `bound` of the release.
async fn batch<T: Send + 'static>(
    pool: &Pool,
    proxy: &FaultProxy,
    fault: Option<Fault>,
    bound: Duration,
    calls: Vec<Call<T>>,
) -> Vec<T> {
    let mut held = Vec::new();
    for _ in 0..pool.stats().max_size {
        held.push(within(ANSWER, "acquire", pool.acquire()).await.unwrap());
    }
    let n = calls.len();
    let tasks: Vec<_> = calls.into_iter().map(tokio::spawn).collect();
    wait_for(pool, "the calls do not queue", |s| s.waiting == n).await;
    if let Some(fault) = fault {
        proxy.arm(fault);
    }
    held.pop();
    let answers = within(bound, "a batch's answers", async {
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    })
    .await;
    drop(held);
    answers
}

/// The pool answers every call exactly, one by one and in a batch.
async fn pool_answers_exactly(pool: &Pool, proxy: &FaultProxy) {
    for i in 0..10i32 {
        let v: i32 = within(
            ANSWER,
            "a pool call",
            pool.fetch_val("SELECT 42 + $1::int4", &[&i]),
        )
        .await
        .unwrap();
        assert_eq!(v, 42 + i);
    }
    let answers = batch(pool, proxy, None, ANSWER, series_calls(pool)).await;
    for (x, answer) in (0..8i32).zip(answers) {
        let rows = answer.unwrap_or_else(|e| panic!("batched call {x}: {e}"));
        assert_eq!(ints(&rows), series(x + 1), "batched call {x}");
    }
}

/// Eight calls of [`SERIES`]: call `x` answers `1..=x+1`.
fn series_calls(pool: &Pool) -> Vec<Call<SeriesAnswer>> {
    (0..8i32)
        .map(|x| {
            let pool = pool.clone();
            Box::pin(async move { pool.fetch(SERIES, &[&(x + 1)]).await }) as Call<SeriesAnswer>
        })
        .collect()
}

/// Every answer of a faulted batch of `series_calls` is right or an error.
fn right_or_error(answers: Vec<SeriesAnswer>) {
    for (x, answer) in (0..8i32).zip(answers) {
        match answer {
            Ok(rows) => assert_eq!(ints(&rows), series(x + 1), "batched call {x}"),
            Err(e) => eprintln!("batched call {x}: {e}"),
        }
    }
}

#[tokio::test]
async fn pool_a_connection_cut_mid_row_is_replaced() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 2, "").await;
        proxy.arm(Fault::on(b'D', Action::CutMidway).nth(2));
        let result = within(
            ANSWER,
            "a pool call cut mid-row",
            pool.fetch(SERIES, &[&3i32]),
        )
        .await;
        match result {
            Ok(rows) => assert_eq!(ints(&rows), series(3), "a pool call cut mid-row"),
            Err(e) => eprintln!("a pool call cut mid-row: {e}"),
        }
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn pool_command_timeout_against_a_stalled_server_within_the_bound() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 1, "&command_timeout=0.5").await;
        let v: i32 = pool.fetch_val("SELECT $1::int4", &[&1i32]).await.unwrap();
        assert_eq!(v, 1);
        proxy.arm(Fault::next(Action::Stall));
        let result = within(
            TIMEOUT + SLACK,
            "a pool call against a stalled server",
            pool.fetch_val::<i32>("SELECT $1::int4", &[&2i32]),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        proxy.release();
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn pool_batch_against_a_stalled_server_times_out_within_the_bound() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 1, "&command_timeout=0.5").await;
        for _ in 0..3 {
            pool.fetch(SERIES, &[&1i32]).await.unwrap();
        }
        // Each call's command_timeout bounds it, queued or batched: a request sent in the
        // stalled batch times out; one never sent may be run elsewhere and answered.
        let answers = batch(
            &pool,
            &proxy,
            Some(Fault::next(Action::Stall)),
            TIMEOUT + SLACK,
            series_calls(&pool),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(answers.iter().any(is_timeout), "no batched call timed out");
        for (x, answer) in (0..8i32).zip(answers) {
            match answer {
                Ok(rows) => assert_eq!(ints(&rows), series(x + 1), "batched call {x}"),
                Err(e) => assert!(matches!(e, Error::Timeout { .. }), "batched call {x}: {e}"),
            }
        }
        proxy.release();
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn pool_batch_with_a_stray_ready_for_query_is_never_off_by_one() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 1, "").await;
        for _ in 0..3 {
            pool.fetch(SERIES, &[&1i32]).await.unwrap();
        }
        let answers = batch(
            &pool,
            &proxy,
            Some(Fault::on(b'Z', Action::Duplicate).nth(3)),
            ANSWER,
            series_calls(&pool),
        )
        .await;
        assert_fired(&proxy, 1);
        right_or_error(answers);
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn pool_batch_with_a_dropped_data_row_is_never_short() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 1, "").await;
        for _ in 0..3 {
            pool.fetch(SERIES, &[&1i32]).await.unwrap();
        }
        // Rows 1, 1 2, 1 2 3, ...: the 5th DataRow is the 3rd call's 2nd row.
        let answers = batch(
            &pool,
            &proxy,
            Some(Fault::on(b'D', Action::Drop).nth(5)),
            ANSWER,
            series_calls(&pool),
        )
        .await;
        assert_fired(&proxy, 1);
        right_or_error(answers);
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn pool_batch_cut_midway_fails_its_calls_and_the_pool_recovers() {
    bounded(async {
        let (db, proxy) = setup().await;
        let pool = pool(&proxy, &db, 1, "").await;
        for _ in 0..3 {
            pool.fetch(SERIES, &[&1i32]).await.unwrap();
        }
        let answers = batch(
            &pool,
            &proxy,
            Some(Fault::on(b'D', Action::CutMidway).nth(8)),
            ANSWER,
            series_calls(&pool),
        )
        .await;
        assert_fired(&proxy, 1);
        assert!(
            answers.iter().any(Result::is_err),
            "a cut batch answered every call"
        );
        right_or_error(answers);
        pool_answers_exactly(&pool, &proxy).await;
        pool.close().await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Transaction control

#[tokio::test]
async fn transaction_start_honours_command_timeout_against_a_frozen_server() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        proxy.arm(Fault::next(Action::Freeze));
        let result = within(
            TIMEOUT + SLACK,
            "transaction() against a frozen server",
            conn.transaction(),
        )
        .await
        .map(drop);
        assert_fired(&proxy, 1);
        assert!(is_timeout(&result), "{result:?}");
        assert_closed_after(&conn, "a frozen server");
    })
    .await;
}

#[tokio::test]
async fn commit_and_rollback_honour_command_timeout_against_a_frozen_server() {
    bounded(async {
        for commit in [true, false] {
            let (_db, proxy, mut conn) = proxied().await;
            conn.set_command_timeout(Some(TIMEOUT));
            let tx = conn.transaction().await.unwrap();
            proxy.arm(Fault::next(Action::Freeze));
            let what = if commit { "commit()" } else { "rollback()" };
            let call = async {
                if commit {
                    tx.commit().await
                } else {
                    tx.rollback().await
                }
            };
            let result = within(TIMEOUT + SLACK, what, call).await;
            assert!(is_timeout(&result), "{what}: {result:?}");
            assert_closed_after(&conn, "a frozen server");
        }
    })
    .await;
}

#[tokio::test]
async fn cursor_forward_honours_command_timeout_against_a_frozen_server() {
    bounded(async {
        let (_db, proxy, mut conn) = proxied().await;
        conn.set_command_timeout(Some(TIMEOUT));
        let mut tx = conn.transaction().await.unwrap();
        let mut cursor = tx.cursor(SERIES, &[&100i32]).await.unwrap();
        proxy.arm(Fault::next(Action::Freeze));
        let result = within(TIMEOUT + SLACK, "Cursor::forward", cursor.forward(10)).await;
        assert!(is_timeout(&result), "{result:?}");
    })
    .await;
}
