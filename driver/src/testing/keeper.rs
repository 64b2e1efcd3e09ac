//! The keeper: one background thread per test binary that takes CREATE DATABASE and DROP
//! DATABASE off the tests' path.
//!
//! - **Spares.** For each template in use it keeps [`spares()`] clones ready
//!   (`quarry_spare_<owner>_<n>`), creating up to [`PARALLEL`] at once. A test takes one (it is
//!   renamed to `quarry_test_<test>_<owner>_<n>`, a catalog update) and the next is created
//!   while the test runs. A test waits for a CREATE DATABASE only when the stock is empty.
//! - **Drops.** A passing test's database is dropped here, in the background, after the test's
//!   pool has been closed.
//! - **The owner.** `<owner>` is this process's random id; the keeper holds the session advisory
//!   lock `(OWNER_LOCK, owner)` for as long as the process lives. Databases a process left behind
//!   when it exited (spares, and passing tests' databases not yet dropped) are collected by the
//!   next keeper that starts on the server: those of an owner whose lock is free, except a
//!   failed test's, which carries a comment saying so and is kept until dropped by hand.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::quote_ident;
use crate::{Config, Connection, Error, Pool};

/// The first key of the owners' advisory locks (`'qtst'`); the second is the owner id.
const OWNER_LOCK: i32 = 0x7174_7374;
/// Clones created at once.
const PARALLEL: usize = 2;
/// The comment that marks a failed test's database as kept.
pub(super) const KEPT_MARK: &str = "quarry::test failed";

/// Spare clones kept ready per template: `QUARRY_TEST_SPARES` or 4.
pub(super) fn spares() -> usize {
    std::env::var("QUARRY_TEST_SPARES")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(4)
}

/// The handle tests talk to the keeper through.
pub(super) struct Keeper {
    events: mpsc::UnboundedSender<Event>,
}

enum Event {
    /// A test wants a database cloned from `template`, for the test named `test`.
    Take {
        template: String,
        test: String,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// A passing test's database: drop it.
    Drop { name: String },
    /// A failing test's database: mark it kept.
    Keep {
        name: String,
        path: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A spare clone of `template` was created (or not).
    Created {
        template: String,
        result: Result<String, String>,
    },
}

/// The keeper of the server `base` points at (started on first use; one per process, as the
/// server is).
pub(super) fn get(base: &Config) -> Result<&'static Keeper, String> {
    static KEEPER: OnceLock<Result<Keeper, String>> = OnceLock::new();
    KEEPER
        .get_or_init(|| Keeper::start(base.clone()))
        .as_ref()
        .map_err(Clone::clone)
}

impl Keeper {
    fn start(base: Config) -> Result<Keeper, String> {
        let owner = random_owner();
        let (events, inbox) = mpsc::unbounded_channel();
        let own = events.clone();
        std::thread::Builder::new()
            .name("quarry-test-keeper".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => runtime.block_on(run(base, owner, own, inbox)),
                    Err(e) => eprintln!("quarry::test: the keeper's runtime: {e}"),
                }
            })
            .map_err(|e| format!("starting the test database keeper: {e}"))?;
        Ok(Keeper { events })
    }

    /// A fresh database cloned from `template`, named for `test`.
    pub(super) async fn take(&self, template: &str, test: &str) -> Result<String, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Event::Take {
            template: template.to_owned(),
            test: test.to_owned(),
            reply,
        })?;
        answer.await.map_err(|_| gone())?
    }

    /// Drops `name` in the background.
    pub(super) fn drop_database(&self, name: String) -> Result<(), String> {
        self.send(Event::Drop { name })
    }

    /// Marks `name` as a failed test's database, which no keeper collects.
    pub(super) async fn keep(&self, name: &str, path: &str) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        self.send(Event::Keep {
            name: name.to_owned(),
            path: path.to_owned(),
            reply,
        })?;
        answer.await.map_err(|_| gone())?
    }

    fn send(&self, event: Event) -> Result<(), String> {
        self.events.send(event).map_err(|_| gone())
    }
}

fn gone() -> String {
    "the test database keeper stopped (see its message above)".to_owned()
}

/// A random owner id (std's hasher keys are random per process).
fn random_owner() -> u32 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let bits = hasher.finish();
    u32::try_from(bits >> 32).unwrap_or(0) ^ u32::try_from(bits & 0xffff_ffff).unwrap_or(0)
}

/// The stock of one template.
#[derive(Default)]
struct Stock {
    ready: VecDeque<String>,
    creating: usize,
    waiting: VecDeque<(String, oneshot::Sender<Result<String, String>>)>,
    /// The last creation failed: create only for tests that wait, not ahead.
    failing: bool,
}

/// The keeper's loop: connects (holding the owner lock), collects what dead owners left, then
/// serves events until the process exits.
async fn run(
    base: Config,
    owner: u32,
    own: mpsc::UnboundedSender<Event>,
    mut inbox: mpsc::UnboundedReceiver<Event>,
) {
    let mut admin = base.clone();
    admin.dbname("postgres");
    // The owner's session: its lock says "alive" for as long as the process runs.
    let _owner_session = match hold_owner_lock(&admin, owner).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("quarry::test: the keeper could not start: {e}");
            while let Some(event) = inbox.recv().await {
                refuse(
                    event,
                    &format!("the test database keeper could not start: {e}"),
                );
            }
            return;
        }
    };
    let pool = match Pool::builder()
        .max_size(PARALLEL + 2)
        .build_with(admin)
        .await
    {
        Ok(pool) => pool,
        Err(e) => {
            while let Some(event) = inbox.recv().await {
                refuse(
                    event,
                    &format!("the test database keeper's connections: {e}"),
                );
            }
            return;
        }
    };
    // Before the first clone: a test binary then always leaves the server as tidy as it found
    // it, however short it is (and the spares a run leaves are the next one's first work).
    collect(&pool, owner).await;
    let mut stocks: HashMap<String, Stock> = HashMap::new();
    let next = AtomicU64::new(0);
    let name = |prefix: &str| {
        format!(
            "{prefix}_{owner:08x}_{}",
            next.fetch_add(1, Ordering::Relaxed)
        )
    };
    while let Some(event) = inbox.recv().await {
        match event {
            Event::Take {
                template,
                test,
                reply,
            } => {
                let stock = stocks.entry(template.clone()).or_default();
                match stock.ready.pop_front() {
                    Some(spare) => {
                        let fin = name(&format!("quarry_test_{test}"));
                        tokio::spawn(hand_over(pool.clone(), spare, fin, reply));
                    }
                    None => stock.waiting.push_back((test, reply)),
                }
                refill(&pool, &own, &template, stock, &name);
            }
            Event::Created { template, result } => {
                let stock = stocks.entry(template.clone()).or_default();
                stock.creating = stock.creating.saturating_sub(1);
                match result {
                    Ok(spare) => {
                        stock.failing = false;
                        match stock.waiting.pop_front() {
                            Some((test, reply)) => {
                                let fin = name(&format!("quarry_test_{test}"));
                                tokio::spawn(hand_over(pool.clone(), spare, fin, reply));
                            }
                            None => stock.ready.push_back(spare),
                        }
                    }
                    Err(e) => {
                        stock.failing = true;
                        if let Some((_, reply)) = stock.waiting.pop_front() {
                            let _ = reply.send(Err(e));
                        }
                    }
                }
                refill(&pool, &own, &template, stock, &name);
            }
            Event::Drop { name } => {
                tokio::spawn(drop_quietly(pool.clone(), name));
            }
            Event::Keep { name, path, reply } => {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let sql = format!(
                        "COMMENT ON DATABASE {} IS '{KEPT_MARK}: {}'",
                        quote_ident(&name),
                        path.replace('\'', "''")
                    );
                    let done = pool.execute(sql.as_str(), &[]).await;
                    let _ = reply.send(done.map(drop).map_err(|e| e.to_string()));
                });
            }
        }
    }
}

/// Starts creating clones until the stock (ready, being created) covers the waiting tests
/// plus the spares, at most [`PARALLEL`] at once.
fn refill(
    pool: &Pool,
    own: &mpsc::UnboundedSender<Event>,
    template: &str,
    stock: &mut Stock,
    name: &impl Fn(&str) -> String,
) {
    let ahead = if stock.failing { 0 } else { spares() };
    while stock.creating < PARALLEL
        && stock.ready.len() + stock.creating < stock.waiting.len() + ahead
    {
        stock.creating += 1;
        let spare = name("quarry_spare");
        let (pool, own, template) = (pool.clone(), own.clone(), template.to_owned());
        tokio::spawn(async move {
            let sql = format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(&spare),
                quote_ident(&template)
            );
            let result = match pool.execute(sql.as_str(), &[]).await {
                Ok(_) => Ok(spare),
                Err(e) => Err(format!("cloning {template}: {e}")),
            };
            let _ = own.send(Event::Created { template, result });
        });
    }
}

/// Renames a spare to the test's name and hands it over (or drops it, when the test is gone).
async fn hand_over(
    pool: Pool,
    spare: String,
    name: String,
    reply: oneshot::Sender<Result<String, String>>,
) {
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(&spare),
        quote_ident(&name)
    );
    match pool.execute(sql.as_str(), &[]).await {
        Ok(_) => {
            if let Err(Ok(name)) = reply.send(Ok(name)) {
                drop_quietly(pool, name).await;
            }
        }
        Err(e) => {
            let _ = reply.send(Err(format!("renaming {spare} to {name}: {e}")));
            drop_quietly(pool, spare).await;
        }
    }
}

async fn drop_quietly(pool: Pool, name: String) {
    if let Err(e) = drop_database(&pool, &name).await {
        eprintln!("quarry::test: could not drop {name}: {e}");
    }
}

async fn drop_database(pool: &Pool, name: &str) -> Result<(), Error> {
    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
    pool.execute(sql.as_str(), &[]).await.map(drop)
}

fn refuse(event: Event, why: &str) {
    match event {
        Event::Take { reply, .. } => {
            let _ = reply.send(Err(why.to_owned()));
        }
        Event::Keep { reply, .. } => {
            let _ = reply.send(Err(why.to_owned()));
        }
        Event::Drop { .. } | Event::Created { .. } => {}
    }
}

/// A session holding this owner's lock (and retrying the connection a few times: the first
/// tests of a binary start it while the throwaway server may still be warming up).
async fn hold_owner_lock(admin: &Config, owner: u32) -> Result<Connection, Error> {
    let mut attempt = 0;
    let mut conn = loop {
        match Connection::connect(admin).await {
            Ok(conn) => break conn,
            Err(e) if attempt >= 3 || e.is_fatal() => return Err(e),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    conn.execute(
        "SELECT pg_advisory_lock($1, $2)",
        &[&OWNER_LOCK, &owner_key(owner)],
    )
    .await?;
    Ok(conn)
}

fn owner_key(owner: u32) -> i32 {
    i32::from_ne_bytes(owner.to_ne_bytes())
}

/// Drops what owners that are gone left behind: their spares, and their tests' databases
/// except those marked kept (failed tests').
async fn collect(pool: &Pool, me: u32) {
    if let Err(e) = try_collect(pool, me).await {
        eprintln!("quarry::test: collecting databases of finished test runs: {e}");
    }
}

async fn try_collect(pool: &Pool, me: u32) -> Result<(), Error> {
    let rows = pool
        .fetch(
            "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), '') \
             FROM pg_database \
             WHERE datname LIKE 'quarry\\_spare\\_%' OR datname LIKE 'quarry\\_test\\_%'",
            &[],
        )
        .await?;
    let mut by_owner: HashMap<u32, Vec<String>> = HashMap::new();
    for row in &rows {
        let name: String = row.get(0)?;
        let comment: String = row.get(1)?;
        if comment.starts_with(KEPT_MARK) {
            continue;
        }
        if let Some(owner) = owner_of(&name)
            && owner != me
        {
            by_owner.entry(owner).or_default().push(name);
        }
    }
    for (owner, names) in by_owner {
        let mut conn = pool.acquire().await?;
        let free: bool = conn
            .fetch_val(
                "SELECT pg_try_advisory_lock($1, $2)",
                &[&OWNER_LOCK, &owner_key(owner)],
            )
            .await?;
        if !free {
            continue;
        }
        for name in &names {
            // A test of a dead owner that failed after this listing was made cannot exist.
            drop_database(pool, name).await?;
        }
        conn.execute(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&OWNER_LOCK, &owner_key(owner)],
        )
        .await?;
    }
    Ok(())
}

/// The owner id in `quarry_spare_<owner>_<n>` or `quarry_test_<test>_<owner>_<n>`.
fn owner_of(name: &str) -> Option<u32> {
    let mut parts = name.rsplitn(3, '_');
    let n = parts.next()?;
    let owner = parts.next()?;
    if owner.len() != 8 || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    u32::from_str_radix(owner, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::owner_of;

    #[test]
    fn reads_the_owner_from_names() {
        assert_eq!(owner_of("quarry_spare_0000abcd_12"), Some(0xabcd));
        assert_eq!(
            owner_of("quarry_test_my_case_deadbeef_0"),
            Some(0xdead_beef)
        );
        // Databases of older runs (a process id, not an 8-digit owner) are left alone.
        assert_eq!(owner_of("quarry_test_my_case_12345_0"), None);
        assert_eq!(owner_of("quarry_test_my_case_deadbeef_x"), None);
        assert_eq!(owner_of("quarry_test_zzzzzzzz_1"), None);
    }
}
