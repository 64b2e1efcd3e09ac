//! The keeper: one background thread per test binary that takes CREATE DATABASE and DROP
//! DATABASE off the tests' path.
//!
//! - **Spares.** For each template in use it keeps clones ready (`quarry_spare_<owner>_<n>`),
//!   creating up to [`PARALLEL`] at once: after a template's first test one ahead, after its
//!   second two, and so on up to [`spares()`]. A test takes one (renamed to
//!   `quarry_test_<test>_<owner>_<n>`, a catalog update) and the next is created while the test
//!   runs. A test waits for a CREATE DATABASE only when the stock is empty.
//! - **Drops.** A passing test's database is dropped here, in the background, after the test's
//!   pool has been closed.
//! - **Marks.** Every database the keeper creates carries the comment
//!   `quarry::test owner <owner>`; a failed test's gets `quarry::test failed: <path>` instead.
//! - **The owner.** `<owner>` is this process's random id; the keeper holds the session advisory
//!   lock `(OWNER_LOCK, owner)` for as long as the process lives, and checks that session every
//!   few seconds (taking the lock again on a new session if it was lost). Databases a process
//!   left behind when it exited (spares, passing tests' databases not yet dropped) are
//!   collected by the next keeper on the server: only databases of the current role marked
//!   with an owner whose lock is free, re-read under that lock, dropped without `FORCE`.
//!
//! It needs a direct connection to the server: session advisory locks mean nothing through a
//! transaction-pooling proxy (pgbouncer, Supavisor).

use rand::Rng;
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::{mpsc, oneshot};

use crate::error::SqlState;
use crate::{Config, Connection, Error, Pool, quote_ident, quote_literal};

/// The first key of the owners' advisory locks (`'qtst'`); the second is the owner id.
const OWNER_LOCK: i32 = 0x7174_7374;
/// Clones created at once.
const PARALLEL: usize = 2;
/// The comment on every database the keeper made, before the owner id.
const OWNER_MARK: &str = "quarry::test owner ";
/// The comment that marks a failed test's database as kept.
const KEPT_MARK: &str = "quarry::test failed: ";
/// How often the owner session is checked.
const OWNER_CHECK: Duration = Duration::from_secs(5);

/// Spare clones kept ready per template: `QUARRY_TEST_SPARES` or 4.
fn spares() -> usize {
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
    /// A passing test's database (or one a test never used): drop it.
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
        let (events, inbox) = mpsc::unbounded_channel();
        let own = events.clone();
        std::thread::Builder::new()
            .name("quarry-test-keeper".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => runtime.block_on(run(base, own, inbox)),
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
    "the test database keeper stopped (its reason is printed above)".to_owned()
}

/// The stock of one template.
#[derive(Default)]
struct Stock {
    ready: VecDeque<String>,
    creating: usize,
    waiting: VecDeque<(String, oneshot::Sender<Result<String, String>>)>,
    /// Tests that took a clone so far: spares are created ahead only for templates in use.
    takes: usize,
    /// The last creation failed: create only for tests that wait, not ahead.
    failing: bool,
}

/// The keeper's state on its thread.
struct KeeperState {
    pool: Pool,
    own: mpsc::UnboundedSender<Event>,
    owner: u32,
    next: AtomicU64,
    /// Done once what dead owners left is collected: the first hand-over waits for it, so a
    /// test binary always leaves the server as tidy as it found it, however short it is.
    collected: Shared<BoxFuture<'static, ()>>,
}

/// The keeper's loop: connects (holding the owner lock), collects what dead owners left, then
/// serves events until the process exits.
async fn run(
    base: Config,
    own: mpsc::UnboundedSender<Event>,
    mut inbox: mpsc::UnboundedReceiver<Event>,
) {
    let admin = base.dbname("postgres");
    let started = async {
        let (owner, session) = hold_owner_lock(&admin).await?;
        let pool = Pool::builder()
            .max_size(PARALLEL + 2)
            .acquire_timeout(Duration::from_secs(600))
            .build_with(admin.clone())
            .await?;
        Ok::<_, Error>((owner, session, pool))
    }
    .await;
    let (owner, session, pool) = match started {
        Ok(started) => started,
        Err(e) => {
            let why = format!("the test database keeper could not start: {}", hint(&e));
            eprintln!("quarry::test: {why}");
            while let Some(event) = inbox.recv().await {
                refuse(event, &why);
            }
            return;
        }
    };
    tokio::spawn(watch_owner(admin, owner, session));
    let collected = tokio::spawn(collect(pool.clone(), owner))
        .map(drop)
        .boxed()
        .shared();
    let keep = KeeperState {
        pool,
        own,
        owner,
        next: AtomicU64::new(0),
        collected,
    };
    let mut stocks: HashMap<String, Stock> = HashMap::new();
    while let Some(event) = inbox.recv().await {
        match event {
            Event::Take {
                template,
                test,
                reply,
            } => {
                let stock = stocks.entry(template.clone()).or_default();
                stock.takes += 1;
                match stock.ready.pop_front() {
                    Some(spare) => keep.hand_over(spare, &test, reply),
                    None => stock.waiting.push_back((test, reply)),
                }
                keep.refill(&template, stock);
            }
            Event::Created { template, result } => {
                let stock = stocks.entry(template.clone()).or_default();
                stock.creating = stock.creating.saturating_sub(1);
                match result {
                    Ok(spare) => {
                        stock.failing = false;
                        match stock.waiting.pop_front() {
                            Some((test, reply)) => keep.hand_over(spare, &test, reply),
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
                keep.refill(&template, stock);
            }
            Event::Drop { name } => {
                tokio::spawn(drop_quietly(keep.pool.clone(), name));
            }
            Event::Keep { name, path, reply } => {
                let pool = keep.pool.clone();
                tokio::spawn(async move {
                    let done = comment(&pool, &name, &format!("{KEPT_MARK}{path}")).await;
                    let _ = reply.send(done.map_err(|e| e.to_string()));
                });
            }
        }
    }
}

impl KeeperState {
    fn name(&self, prefix: &str) -> String {
        format!(
            "{prefix}_{:08x}_{}",
            self.owner,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Starts creating clones until the stock (ready, being created) covers the waiting tests
    /// plus the spares this template has earned, at most [`PARALLEL`] at once.
    fn refill(&self, template: &str, stock: &mut Stock) {
        let ahead = if stock.failing {
            0
        } else {
            spares().min(stock.takes)
        };
        while stock.creating < PARALLEL
            && stock.ready.len() + stock.creating < stock.waiting.len() + ahead
        {
            stock.creating += 1;
            let spare = self.name("quarry_spare");
            let (pool, own, template) = (self.pool.clone(), self.own.clone(), template.to_owned());
            let mark = format!("{OWNER_MARK}{:08x}", self.owner);
            tokio::spawn(async move {
                let result = create(&pool, &spare, &template, &mark).await;
                let _ = own.send(Event::Created { template, result });
            });
        }
    }

    /// Renames a spare to the test's name and hands it over (or drops it, when the test is
    /// gone), once what dead owners left is collected.
    fn hand_over(&self, spare: String, test: &str, reply: oneshot::Sender<Result<String, String>>) {
        let name = self.name(&format!("quarry_test_{test}"));
        let (pool, collected) = (self.pool.clone(), self.collected.clone());
        tokio::spawn(async move {
            collected.await;
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
        });
    }
}

/// `CREATE DATABASE spare TEMPLATE template`, marked with its owner.
async fn create(pool: &Pool, spare: &str, template: &str, mark: &str) -> Result<String, String> {
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(spare),
        quote_ident(template)
    );
    if let Err(e) = pool.execute(sql.as_str(), &[]).await {
        return Err(format!("cloning {template}: {}", hint(&e)));
    }
    if let Err(e) = comment(pool, spare, mark).await {
        drop_quietly(pool.clone(), spare.to_owned()).await;
        return Err(format!("marking {spare}: {e}"));
    }
    Ok(spare.to_owned())
}

async fn comment(pool: &Pool, name: &str, text: &str) -> Result<(), Error> {
    let sql = format!(
        "COMMENT ON DATABASE {} IS {}",
        quote_ident(name),
        quote_literal(text)
    );
    pool.execute(sql.as_str(), &[]).await.map(drop)
}

async fn drop_quietly(pool: Pool, name: String) {
    let sql = format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote_ident(&name)
    );
    if let Err(e) = pool.execute(sql.as_str(), &[]).await {
        eprintln!("quarry::test: could not drop {name}: {e}");
    }
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

/// The error, with what to do about the usual causes.
pub(super) fn hint(e: &Error) -> String {
    match e.code() {
        Some(SqlState::InsufficientPrivilege) => format!(
            "{e} (#[quarry::test] creates a database per test: the role of DATABASE_URL needs \
             CREATEDB, e.g. ALTER ROLE ... CREATEDB)"
        ),
        _ => e.to_string(),
    }
}

/// Whether connecting may work when tried again: the server refused or is starting up or
/// full.
fn transient(e: &Error) -> bool {
    matches!(e, Error::Io(_) | Error::Net(_) | Error::Connect { .. })
        || e.code()
            .is_some_and(|c| matches!(c, SqlState::CannotConnectNow | SqlState::TooManyConnections))
}

/// Connects to the maintenance database, retrying transient failures for up to ~10 s.
async fn connect(admin: &Config) -> Result<Connection, Error> {
    let mut delay = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    loop {
        match Connection::connect(admin).await {
            Ok(conn) => return Ok(conn),
            Err(e) if transient(&e) && waited < Duration::from_secs(10) => {
                tokio::time::sleep(delay).await;
                waited += delay;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A session holding a fresh owner id's lock (an id already taken is replaced by another).
async fn hold_owner_lock(admin: &Config) -> Result<(u32, Connection), Error> {
    let mut conn = connect(admin).await?;
    // The session only holds a lock: a server-side idle limit must not end it.
    let _ = conn.execute("SET idle_session_timeout = 0", &[]).await;
    loop {
        let owner: u32 = rand::TryRngCore::unwrap_err(rand::rngs::OsRng).random();
        if take_lock(&mut conn, owner).await? {
            return Ok((owner, conn));
        }
    }
}

async fn take_lock(conn: &mut Connection, owner: u32) -> Result<bool, Error> {
    conn.fetch_val(
        "SELECT pg_try_advisory_lock($1, $2)",
        &[&OWNER_LOCK, &owner_key(owner)],
    )
    .await
}

/// Checks the owner session every [`OWNER_CHECK`]; when it is gone (the server ended it, the
/// network dropped it), takes the lock again on a new one, so that other binaries never see
/// this live owner as dead for longer than that.
async fn watch_owner(admin: Config, owner: u32, mut session: Connection) {
    loop {
        tokio::time::sleep(OWNER_CHECK).await;
        if session.execute("SELECT 1", &[]).await.is_ok() {
            continue;
        }
        match connect(&admin).await {
            Ok(mut conn) => {
                let _ = conn.execute("SET idle_session_timeout = 0", &[]).await;
                match take_lock(&mut conn, owner).await {
                    Ok(true) => session = conn,
                    Ok(false) | Err(_) => eprintln!(
                        "quarry::test: the keeper lost its owner lock {owner:08x}; another test \
                         binary may collect this one's databases"
                    ),
                }
            }
            Err(e) => eprintln!("quarry::test: the keeper's owner session is gone: {e}"),
        }
    }
}

fn owner_key(owner: u32) -> i32 {
    i32::from_ne_bytes(owner.to_ne_bytes())
}

/// Drops what owners that are gone left behind: the current role's databases marked with an
/// owner whose lock is free (spares, passing tests' databases), never a kept one.
async fn collect(pool: Pool, me: u32) {
    if let Err(e) = try_collect(&pool, me).await {
        eprintln!("quarry::test: collecting databases of finished test runs: {e}");
    }
}

/// The current role's databases marked with an owner, and the owners.
const MARKED: &str = "SELECT d.datname::text, substr(shobj_description(d.oid, 'pg_database'), $1) \
     FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba AND r.rolname = current_user \
     WHERE shobj_description(d.oid, 'pg_database') LIKE $2";

async fn try_collect(pool: &Pool, me: u32) -> Result<(), Error> {
    let skip = i32::try_from(OWNER_MARK.len() + 1).unwrap_or(i32::MAX);
    let pattern = format!("{OWNER_MARK}%");
    let mut owners: Vec<u32> = Vec::new();
    for row in pool.fetch(MARKED, &[&skip, &pattern]).await? {
        let owner: String = row.get(1)?;
        if let Ok(owner) = u32::from_str_radix(&owner, 16)
            && owner != me
            && !owners.contains(&owner)
        {
            owners.push(owner);
        }
    }
    for owner in owners {
        let mut conn = pool.acquire().await?;
        if !take_lock(&mut conn, owner).await? {
            continue;
        }
        // Under the dead owner's lock its databases cannot change: read them again (one may
        // have been marked kept since the first read) and drop only those still marked.
        let mark = format!("{OWNER_MARK}{owner:08x}");
        let names: Result<Vec<String>, Error> = async {
            let rows = conn
                .fetch(
                    "SELECT d.datname::text FROM pg_database d \
                     JOIN pg_roles r ON r.oid = d.datdba AND r.rolname = current_user \
                     WHERE shobj_description(d.oid, 'pg_database') = $1",
                    &[&mark],
                )
                .await?;
            rows.iter().map(|r| r.get(0)).collect()
        }
        .await;
        if let Ok(names) = &names {
            for name in names {
                // Without FORCE: a database of a dead owner that still has sessions is in use.
                let sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(name));
                if let Err(e) = conn.execute(sql.as_str(), &[]).await {
                    eprintln!("quarry::test: could not collect {name}: {e}");
                }
            }
        }
        conn.execute(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&OWNER_LOCK, &owner_key(owner)],
        )
        .await?;
        names?;
    }
    Ok(())
}
