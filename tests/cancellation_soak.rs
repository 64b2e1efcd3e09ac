//! Cancellation soak: thousands of calls to every public async API, each dropped at a random
//! point — after a random number of polls, or after a random time — and each followed by a
//! checked query and a look at the session from a second connection. The session must never be
//! left inside a transaction nobody owns, every write reported committed must be committed, every
//! write reported failed must not be, and no call may get another call's answer.
//!
//! The generator is seeded: a failure prints the seed and the step, and `QUARRY_SOAK_SEED`
//! replays it (`QUARRY_SOAK_STEPS` runs longer).

mod common;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::StreamExt;
use quarry::copy::CopyOptions;
use quarry::{Connection, Pool};

/// A small deterministic generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Polls a future at most `polls` times, then drops it: the drop lands on the `polls`-th
/// await point that actually waited. `None` when it was dropped.
struct DropAfterPolls<F> {
    inner: Pin<Box<F>>,
    polls: u32,
}

impl<F: Future> Future for DropAfterPolls<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls == 0 {
            return Poll::Ready(None);
        }
        self.polls -= 1;
        match self.inner.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Runs `fut` until it completes or the drop the generator picks: after a number of polls
/// (often the first few, where state changes happen), or after a time (mid-network).
async fn run_or_drop<F: Future>(rng: &mut Rng, fut: F) -> Option<F::Output> {
    let outcome = run_or_drop_inner(rng, fut).await;
    COUNTS.with(|c| {
        let (done, dropped) = c.get();
        c.set(if outcome.is_some() {
            (done + 1, dropped)
        } else {
            (done, dropped + 1)
        });
    });
    outcome
}

thread_local! {
    /// (completed, dropped) calls of this test thread.
    static COUNTS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// Checks that the run exercised both outcomes many times (a soak that drops nothing, or
/// completes nothing, proves nothing).
fn assert_both_outcomes(seed: u64) {
    let (done, dropped) = COUNTS.with(std::cell::Cell::get);
    eprintln!("seed {seed}: {done} calls completed, {dropped} dropped");
    assert!(
        done >= 200 && dropped >= 200,
        "seed {seed}: {done} completed, {dropped} dropped"
    );
}

async fn run_or_drop_inner<F: Future>(rng: &mut Rng, fut: F) -> Option<F::Output> {
    if rng.below(2) == 0 {
        let polls = u32::try_from(rng.below(6)).unwrap_or(0);
        DropAfterPolls {
            inner: Box::pin(fut),
            polls,
        }
        .await
    } else {
        let micros = rng.below(4_000);
        tokio::time::timeout(Duration::from_micros(micros), fut)
            .await
            .ok()
    }
}

/// What a step's caller was told about the row it tried to write.
#[derive(Default)]
struct Ledger {
    /// Ids whose write was reported committed.
    committed: BTreeSet<i64>,
    /// Ids whose write was reported failed or rolled back.
    absent: BTreeSet<i64>,
}

/// Checks, from `observer`, that every write reported committed is in the table and no write
/// reported failed or rolled back is.
async fn check_ledger(observer: &mut Connection, ledger: &Ledger, seed: u64) {
    let present: BTreeSet<i64> = observer
        .fetch("SELECT id FROM ledger", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0).unwrap())
        .collect();
    let lost: Vec<_> = ledger.committed.difference(&present).collect();
    assert!(
        lost.is_empty(),
        "seed {seed}: reported committed, missing: {lost:?}"
    );
    let ghosts: Vec<_> = ledger.absent.intersection(&present).collect();
    assert!(
        ghosts.is_empty(),
        "seed {seed}: reported failed, present: {ghosts:?}"
    );
}

/// The connection's session state as another connection sees it.
async fn state_seen_from(observer: &mut Connection, pid: i32) -> String {
    observer
        .fetch_val::<Option<String>>("SELECT state FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .await
        .unwrap()
        .unwrap_or_default()
}

/// One random operation on `conn` writing row `id`, dropped at a random point.
async fn step(conn: &mut Connection, rng: &mut Rng, id: i64, ledger: &mut Ledger) {
    let kind = rng.below(13);
    match kind {
        0 => {
            let outcome = run_or_drop(
                rng,
                conn.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id]),
            )
            .await;
            match outcome {
                Some(Ok(_)) => ledger.committed.insert(id),
                Some(Err(e)) => panic!("insert {id}: {e}"),
                None => false,
            };
        }
        1 | 2 => {
            // A whole transaction; ends with commit (kind 1) or rollback (kind 2).
            let commit = kind == 1;
            let outcome = run_or_drop(rng, async {
                let mut tx = conn.transaction().await?;
                tx.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id])
                    .await?;
                let _ = tx.fetch("SELECT id FROM ledger WHERE id < 50", &[]).await?;
                if commit {
                    tx.commit().await
                } else {
                    tx.rollback().await
                }
            })
            .await;
            match outcome {
                Some(Ok(())) if commit => ledger.committed.insert(id),
                Some(Ok(())) => ledger.absent.insert(id),
                Some(Err(e)) => panic!("transaction {id}: {e}"),
                None => false,
            };
        }
        3 => {
            // A savepoint inside a transaction that commits: only the inner level is at risk.
            let mut tx = conn.transaction().await.unwrap();
            tx.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id])
                .await
                .unwrap();
            let inner = run_or_drop(rng, async {
                let mut sp = tx.transaction().await?;
                sp.execute("INSERT INTO ledger(id) VALUES ($1)", &[&-id])
                    .await?;
                sp.rollback().await
            })
            .await;
            if let Some(Err(e)) = inner {
                panic!("savepoint {id}: {e}");
            }
            tx.commit().await.unwrap();
            ledger.committed.insert(id);
            if inner.is_some() {
                ledger.absent.insert(-id);
            }
        }
        4 => {
            let outcome = run_or_drop(
                rng,
                conn.fetch("SELECT id, pad FROM filler WHERE id <= $1", &[&2000i32]),
            )
            .await;
            if let Some(rows) = outcome {
                assert_eq!(rows.unwrap().len(), 2000);
            }
        }
        5 => {
            let outcome = run_or_drop(rng, async {
                let mut rows = conn.fetch_stream("SELECT id FROM filler ORDER BY id", &[]);
                let mut n = 0i32;
                while let Some(row) = rows.next().await {
                    n += 1;
                    assert_eq!(row?.get::<i32>(0)?, n);
                    if n == 300 {
                        break;
                    }
                }
                Ok::<i32, quarry::Error>(n)
            })
            .await;
            if let Some(n) = outcome {
                assert_eq!(n.unwrap(), 300);
            }
        }
        6 => {
            let outcome = run_or_drop(rng, async {
                let mut tx = conn.transaction().await?;
                let mut cursor = tx.cursor("SELECT id FROM filler ORDER BY id", &[]).await?;
                let rows = cursor.fetch(100).await?;
                assert_eq!(rows.len(), 100);
                cursor.close().await?;
                tx.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id])
                    .await?;
                tx.commit().await
            })
            .await;
            match outcome {
                Some(Ok(())) => ledger.committed.insert(id),
                Some(Err(e)) => panic!("cursor {id}: {e}"),
                None => false,
            };
        }
        7 => {
            let data = format!("{id}\n");
            let outcome = run_or_drop(
                rng,
                conn.copy_in_raw("COPY ledger(id) FROM STDIN", data.as_bytes()),
            )
            .await;
            match outcome {
                Some(Ok(n)) => {
                    assert_eq!(n, 1);
                    ledger.committed.insert(id)
                }
                Some(Err(e)) => panic!("copy in {id}: {e}"),
                None => false,
            };
        }
        8 => {
            let mut out = Vec::new();
            let outcome = run_or_drop(
                rng,
                conn.copy_from_query(
                    "SELECT id FROM filler WHERE id <= 500",
                    &[],
                    &mut out,
                    &CopyOptions::new(),
                ),
            )
            .await;
            if let Some(n) = outcome {
                assert_eq!(n.unwrap(), 500);
            }
        }
        9 => {
            let rows: Vec<[quarry::Param<'_>; 1]> = vec![[&id]];
            let outcome = run_or_drop(
                rng,
                conn.execute_many("INSERT INTO ledger(id) VALUES ($1)", &rows),
            )
            .await;
            match outcome {
                Some(Ok(())) => ledger.committed.insert(id),
                Some(Err(e)) => panic!("execute_many {id}: {e}"),
                None => false,
            };
        }
        10 => {
            // LISTEN, a NOTIFY heard by the callback, UNLISTEN.
            let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let sink = heard.clone();
            let payload = id.to_string();
            let outcome = run_or_drop(rng, async {
                conn.add_listener("soak", move |n| {
                    if let Ok(mut heard) = sink.lock() {
                        heard.push(n.payload.clone());
                    }
                })
                .await?;
                conn.execute(format!("NOTIFY soak, '{payload}'").as_str(), &[])
                    .await?;
                conn.remove_listener("soak").await
            })
            .await;
            match outcome {
                Some(Ok(())) => {
                    let heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
                    assert_eq!(heard, [id.to_string()], "listener {id}");
                }
                Some(Err(e)) => panic!("listener {id}: {e}"),
                None => {
                    // Whatever was left subscribed is not heard from again after this.
                    let _ = conn.remove_listener("soak").await;
                }
            }
        }
        11 => {
            let outcome = run_or_drop(rng, async {
                let stmt = conn
                    .prepare("SELECT count(*) FROM filler WHERE id <= $1")
                    .await?;
                let n: i64 = conn.fetch_val(&stmt, &[&100i32]).await?;
                let plan = conn.explain(&stmt, &[&100i32], false).await?;
                Ok::<_, quarry::Error>((n, plan))
            })
            .await;
            if let Some(result) = outcome {
                let (n, plan) = result.unwrap();
                assert_eq!(n, 100);
                assert!(plan.starts_with('['), "{plan}");
            }
        }
        _ => {
            // A statement that fails: reported failed, so never committed.
            let outcome = run_or_drop(
                rng,
                conn.execute("INSERT INTO ledger(id) SELECT $1 WHERE 1 / 0 = 1", &[&id]),
            )
            .await;
            if let Some(result) = outcome {
                assert!(result.is_err());
                ledger.absent.insert(id);
            }
        }
    }
}

fn seed() -> u64 {
    std::env::var("QUARRY_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005e_ed0f_50a6)
}

fn steps(default: i64) -> i64 {
    std::env::var("QUARRY_SOAK_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

async fn prepare_tables(conn: &mut Connection) {
    conn.execute(
        "CREATE TABLE ledger(id int8 PRIMARY KEY); \
         CREATE TABLE filler AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 5000) g",
        &[],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn connection_calls_dropped_anywhere_leave_a_correct_session() {
    let seed = seed();
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut observer = db.connect().await;
    prepare_tables(&mut conn).await;
    let pid = conn.server_pid();
    let mut rng = Rng(seed);
    let mut ledger = Ledger::default();
    for id in 1..=steps(1500) {
        step(&mut conn, &mut rng, id, &mut ledger).await;
        // The next call gets its own answer...
        let echoed: i64 = conn
            .fetch_val("SELECT $1::int8", &[&id])
            .await
            .unwrap_or_else(|e| panic!("seed {seed} step {id}: {e}"));
        assert_eq!(echoed, id, "seed {seed} step {id}");
        // ...and nobody's transaction is left open.
        assert!(!conn.is_in_transaction(), "seed {seed} step {id}");
        let state = state_seen_from(&mut observer, pid).await;
        assert_eq!(state, "idle", "seed {seed} step {id}");
    }
    check_ledger(&mut observer, &ledger, seed).await;
    assert!(
        ledger.committed.len() >= 100,
        "seed {seed}: too few writes reported"
    );
    assert_both_outcomes(seed);
}

#[tokio::test]
async fn pool_calls_dropped_anywhere_leave_correct_connections() {
    let seed = seed() ^ 0xabcd;
    let db = common::fresh_db().await;
    let mut setup = db.connect().await;
    prepare_tables(&mut setup).await;
    let pool = Pool::builder().max_size(3).build(&db.dsn()).await.unwrap();
    let mut rng = Rng(seed);
    let mut ledger = Ledger::default();
    for id in 1..=steps(800) {
        match rng.below(4) {
            0 => {
                let outcome = run_or_drop(
                    &mut rng,
                    pool.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id]),
                )
                .await;
                match outcome {
                    Some(Ok(_)) => ledger.committed.insert(id),
                    Some(Err(e)) => panic!("seed {seed} step {id}: {e}"),
                    None => false,
                };
            }
            1 => {
                let outcome = run_or_drop(&mut rng, async {
                    let mut tx = pool.transaction().await?;
                    tx.execute("INSERT INTO ledger(id) VALUES ($1)", &[&id])
                        .await?;
                    tx.commit().await
                })
                .await;
                match outcome {
                    Some(Ok(())) => ledger.committed.insert(id),
                    Some(Err(e)) => panic!("seed {seed} step {id}: {e}"),
                    None => false,
                };
            }
            2 => {
                let outcome = run_or_drop(&mut rng, pool.acquire()).await;
                if let Some(conn) = outcome {
                    let mut conn = conn.unwrap();
                    let mut inner_rng = Rng(id.unsigned_abs() ^ seed);
                    let _ = run_or_drop(&mut rng, step(&mut conn, &mut inner_rng, id, &mut ledger))
                        .await;
                }
            }
            _ => {
                let outcome = run_or_drop(
                    &mut rng,
                    pool.fetch_val::<i64>(
                        "SELECT count(*) FROM filler WHERE id <= $1::int8",
                        &[&id],
                    ),
                )
                .await;
                if let Some(n) = outcome {
                    assert_eq!(n.unwrap(), id.min(5000), "seed {seed} step {id}");
                }
            }
        }
        let echoed: i64 = pool
            .fetch_val("SELECT $1::int8", &[&id])
            .await
            .unwrap_or_else(|e| panic!("seed {seed} step {id}: {e}"));
        assert_eq!(echoed, id, "seed {seed} step {id}");
    }
    // Every pooled session is idle: none holds a transaction nobody owns.
    let open: i64 = setup
        .fetch_val(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(open, 0, "seed {seed}");
    check_ledger(&mut setup, &ledger, seed).await;
    assert!(
        ledger.committed.len() >= 100,
        "seed {seed}: too few writes reported"
    );
    assert_both_outcomes(seed);
}
