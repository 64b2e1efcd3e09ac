//! The connection pool: a bounded set of connections shared by many tasks.
//!
//! Waiters are served first come, first served (a fair semaphore holds one permit per
//! connection); idle connections are reused last in, first out, so a quiet pool's surplus
//! connections age out. A connection comes back through its guard's `Drop`: broken,
//! mid-request or expired connections are closed there, the rest go back to the idle list and are
//! reset (pipelined with the next user's first query) before they are handed out again.
//! `guard.rs` is the handed-out connection, `options.rs` the settings, `stats.rs` the numbers,
//! `maintenance.rs` the background task that closes idle connections and keeps `min_size` open,
//! `pipeline.rs` the pipelining of shortcut calls (`execute`, `fetch`, `fetch_row`, `fetch_val`)
//! across tasks when every connection is busy, `batch.rs` one such batch run on the public
//! [`Pipeline`](crate::Pipeline).

mod batch;
mod guard;
mod maintenance;
mod options;
mod pipeline;
mod read_only;
mod replicas;
mod stats;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore, TryAcquireError};

pub use guard::PoolConnection;
pub use options::{ConnectHook, ConnectionHook, HookFuture, PoolBuilder};
pub use replicas::{ReplicaRoute, ReplicaStatus};
pub use stats::PoolStats;

use crate::config::Config;
use crate::connection::{
    AsQuery, Connection, Param, PipeKind, PipeOutput, Pipeline, PipelineResults,
};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::transaction::{Transaction, TransactionBuilder};
use crate::types::Decode;
use guard::Meta;
use quarry_protocol::backend::CommandTag;
use stats::{CloseReason, Counters};

/// A pool of connections to one database. Cheap to clone; clones share the pool.
///
/// ```no_run
/// # async fn demo() -> quarry_driver::Result<()> {
/// let pool = quarry_driver::create_pool("postgresql://postgres@localhost/app").await?;
/// let n: i64 = pool.fetch_val("SELECT count(*) FROM users", &[]).await?;
/// let mut conn = pool.acquire().await?;          // derefs to Connection
/// conn.execute("UPDATE users SET seen = now()", &[]).await?;
/// drop(conn);                                    // back to the pool
/// let mut tx = pool.transaction().await?;
/// tx.execute("DELETE FROM sessions", &[]).await?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

/// Creates a pool with default settings (see [`PoolBuilder`]) for a DSN.
///
/// ```no_run
/// # async fn demo() -> quarry_driver::Result<()> {
/// let pool = quarry_driver::create_pool("postgresql://postgres@localhost/app").await?;
/// # Ok(()) }
/// ```
pub async fn create_pool(dsn: &str) -> Result<Pool> {
    PoolBuilder::default().build(dsn).await
}

pub(crate) struct Shared {
    options: PoolBuilder,
    config: Mutex<Config>,
    permits: Arc<Semaphore>,
    idle: Mutex<VecDeque<Idle>>,
    /// Connections open or being opened.
    open: AtomicUsize,
    in_use: AtomicUsize,
    waiting: AtomicUsize,
    /// Bumped by `expire_connections`: older connections are replaced.
    generation: AtomicU64,
    /// Bumped by `reload_schema_state` and by stale plans met on any connection.
    schema_generation: AtomicU64,
    closed: AtomicBool,
    /// Signalled whenever a connection comes back (for `close`).
    returned: Notify,
    counters: Counters,
    /// Learned statements and queued requests of pipelined shortcut calls.
    pipelining: pipeline::Pipelining,
    /// The connections cache statements under names, which pipelined calls need (off through
    /// a transaction pooler): without, shortcut calls skip learning altogether.
    caches_statements: AtomicBool,
    /// The replicas [`Pool::replica`] routes reads to (set once, after the primary pool starts).
    routing: std::sync::OnceLock<replicas::Routing>,
}

/// An idle connection. Boxed so that handing it around moves a pointer, not the connection.
struct Idle {
    conn: Box<Connection>,
    meta: Meta,
}

impl Pool {
    /// Settings for a new pool.
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    pub(crate) async fn start(options: PoolBuilder, config: Config) -> Result<Pool> {
        let max_size = options.max_size;
        let min_size = options.min_size.min(max_size);
        let caches_statements = AtomicBool::new(config.get_statement_cache_size() > 0);
        let pool = Pool {
            shared: Arc::new(Shared {
                options,
                caches_statements,
                config: Mutex::new(config),
                permits: Arc::new(Semaphore::new(max_size)),
                idle: Mutex::new(VecDeque::with_capacity(max_size)),
                open: AtomicUsize::new(0),
                in_use: AtomicUsize::new(0),
                waiting: AtomicUsize::new(0),
                generation: AtomicU64::new(0),
                schema_generation: AtomicU64::new(0),
                closed: AtomicBool::new(false),
                returned: Notify::new(),
                counters: Counters::default(),
                pipelining: pipeline::Pipelining::default(),
                routing: std::sync::OnceLock::new(),
            }),
        };
        for _ in 0..min_size {
            let conn = Box::new(Box::pin(pool.shared.open_connection()).await?);
            let meta = Meta::new(&pool.shared);
            pool.shared.lock_idle().push_back(Idle { conn, meta });
        }
        maintenance::spawn(&pool.shared);
        Ok(pool)
    }

    /// Takes a connection, waiting (first come, first served) up to `acquire_timeout` when all are
    /// in use. The connection goes back to the pool when the guard is dropped.
    ///
    /// Cancelling the returned future at any point leaks nothing: a permit or a half-opened
    /// connection is returned or closed.
    pub async fn acquire(&self) -> Result<PoolConnection> {
        if let Some(conn) = self.acquire_idle_now().await? {
            return Ok(conn);
        }
        // Boxed: waiting, with its timer and perhaps a connect, is the slow path.
        Box::pin(self.acquire_waiting()).await
    }

    async fn acquire_waiting(&self) -> Result<PoolConnection> {
        match self.acquire_waiting_if(|| true).await {
            Ok(Some((conn, waited))) => {
                if let Some(wait) = waited {
                    self.shared.counters.waited_for(wait);
                }
                Ok(conn)
            }
            Ok(None) => Err(Error::PoolClosed),
            Err(e) => {
                if matches!(e, Error::PoolTimeout { .. }) {
                    self.shared.counters.timed_out();
                }
                Err(e)
            }
        }
    }

    /// Waits (up to `acquire_timeout`) for a connection, unless `wanted` says, once a permit is
    /// free, that it is no longer needed: then the permit goes straight back (`Ok(None)`),
    /// without touching a connection. With the connection comes how long it waited for a
    /// permit, if it had to. Counts neither waits nor timeouts: the caller knows whether they
    /// mattered.
    pub(super) async fn acquire_waiting_if(
        &self,
        wanted: impl Fn() -> bool,
    ) -> Result<Option<(PoolConnection, Option<Duration>)>> {
        let started = Instant::now();
        let acquire = self.acquire_inner(started, wanted);
        match self.shared.options.acquire_timeout {
            Some(limit) => match tokio::time::timeout(limit, acquire).await {
                Ok(result) => result,
                Err(_) => Err(Error::PoolTimeout {
                    waited: limit,
                    size: self.shared.open.load(Ordering::Relaxed),
                    max_size: self.shared.options.max_size,
                }),
            },
            None => acquire.await,
        }
    }

    /// The fast path: a free permit and a usable idle connection, and no hook that could wait.
    /// No timer is armed (most acquires of a busy pool take this path).
    pub(super) async fn acquire_idle_now(&self) -> Result<Option<PoolConnection>> {
        let shared = &self.shared;
        if shared.options.setup.is_some() || shared.options.reset.is_some() || shared.is_closed() {
            return Ok(None);
        }
        let Ok(permit) = shared.permits.clone().try_acquire_owned() else {
            return Ok(None);
        };
        loop {
            let Some(Idle { mut conn, meta }) = shared.lock_idle().pop_back() else {
                return Ok(None);
            };
            if let Some(reason) = shared.unusable(&mut conn, &meta) {
                shared.discard(conn, reason);
                continue;
            }
            let mut guard = PoolConnection::new(conn, meta, permit, shared.clone());
            guard.prepare_for_use().await?;
            shared.counters.acquired.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(guard));
        }
    }

    async fn acquire_inner(
        &self,
        started: Instant,
        wanted: impl Fn() -> bool,
    ) -> Result<Option<(PoolConnection, Option<Duration>)>> {
        let shared = &self.shared;
        if shared.is_closed() {
            return Err(Error::PoolClosed);
        }
        let (permit, waited) = match shared.permits.clone().try_acquire_owned() {
            Ok(permit) => (permit, None),
            Err(TryAcquireError::NoPermits) => {
                let waiting = CountGuard::new(&shared.waiting);
                let permit = shared
                    .permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| Error::PoolClosed)?;
                drop(waiting);
                (permit, Some(started.elapsed()))
            }
            Err(TryAcquireError::Closed) => return Err(Error::PoolClosed),
        };
        if !wanted() {
            return Ok(None);
        }
        loop {
            let idle = shared.lock_idle().pop_back();
            let (conn, meta) = match idle {
                Some(Idle { mut conn, meta }) => {
                    if let Some(reason) = shared.unusable(&mut conn, &meta) {
                        shared.discard(conn, reason);
                        continue;
                    }
                    (conn, meta)
                }
                None => {
                    // Boxed: connecting is the cold path, and its future is large.
                    let conn = Box::new(Box::pin(shared.open_connection()).await?);
                    (conn, Meta::new(shared))
                }
            };
            let mut guard = PoolConnection::new(conn, meta, permit, shared.clone());
            guard.prepare_for_use().await?;
            shared.counters.acquired.fetch_add(1, Ordering::Relaxed);
            return Ok(Some((guard, waited)));
        }
    }

    /// Starts a transaction on a pooled connection (the same name as
    /// [`Connection::transaction`]); the transaction owns the connection and returns it to the
    /// pool when it ends.
    ///
    /// ```no_run
    /// # async fn demo(pool: &quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let mut tx = pool.transaction().await?;
    /// tx.execute("INSERT INTO t VALUES (1)", &[]).await?;
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction(&self) -> Result<Transaction<PoolConnection>> {
        TransactionBuilder::new(self.acquire().await?).start().await
    }

    /// [`Connection::execute`] on a pooled connection, pipelined with other tasks' calls when
    /// every connection is busy (see [`PoolBuilder::pipeline`]).
    pub async fn execute(&self, query: impl AsQuery, params: &[Param<'_>]) -> Result<CommandTag> {
        match self.shortcut(query, params, PipeKind::Execute).await? {
            PipeOutput::Tag(tag) => Ok(tag),
            _ => Ok(CommandTag::empty()),
        }
    }

    /// [`Connection::execute_many`] on a pooled connection.
    pub async fn execute_many<'p, R>(
        &self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<()>
    where
        R: AsRef<[Param<'p>]>,
    {
        self.acquire().await?.execute_many(query, rows).await
    }

    /// [`Connection::fetch_many`] on a pooled connection.
    ///
    /// ```no_run
    /// # async fn demo(pool: &quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let rows = [[&1i32 as quarry_driver::Param], [&2i32]];
    /// let ids = pool.fetch_many("INSERT INTO t(id) VALUES ($1) RETURNING id", rows).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_many<'p, R>(
        &self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<Vec<Record>>
    where
        R: AsRef<[Param<'p>]>,
    {
        self.acquire().await?.fetch_many(query, rows).await
    }

    /// [`Connection::execute_each`] on a pooled connection: each row in its own implicit
    /// transaction, with its own result.
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let rows = [[&1i32 as quarry_driver::Param], [&2i32]];
    /// for result in pool.execute_each("INSERT INTO t(id) VALUES ($1)", rows).await? {
    ///     println!("{:?}", result.map(|tag| tag.rows()));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn execute_each<'p, R>(
        &self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<Vec<Result<CommandTag>>>
    where
        R: AsRef<[Param<'p>]>,
    {
        self.acquire().await?.execute_each(query, rows).await
    }

    /// [`Connection::pipeline`] on one pooled connection: every statement of `pipeline` in one
    /// round trip.
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let users = batch.fetch_val::<i64>("SELECT count(*) FROM users", &[]);
    /// let orders = batch.fetch_val::<i64>("SELECT count(*) FROM orders", &[]);
    /// let mut results = pool.pipeline(batch).await?;
    /// println!("{} users, {} orders", results.take(users)?, results.take(orders)?);
    /// # Ok(()) }
    /// ```
    pub async fn pipeline(&self, pipeline: Pipeline<'_>) -> Result<PipelineResults> {
        self.acquire().await?.pipeline(pipeline).await
    }

    /// [`Connection::fetch`] on a pooled connection, pipelined with other tasks' calls when
    /// every connection is busy (see [`PoolBuilder::pipeline`]).
    pub async fn fetch(&self, query: impl AsQuery, params: &[Param<'_>]) -> Result<Vec<Record>> {
        match self.shortcut(query, params, PipeKind::Fetch).await? {
            PipeOutput::Rows(rows) => Ok(rows),
            PipeOutput::Row(row) => Ok(row.into_iter().collect()),
            PipeOutput::Tag(_) => Ok(Vec::new()),
        }
    }

    /// [`Connection::fetch_row`] on a pooled connection, pipelined with other tasks' calls when
    /// every connection is busy (see [`PoolBuilder::pipeline`]).
    pub async fn fetch_row(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        match self.shortcut(query, params, PipeKind::FetchRow).await? {
            PipeOutput::Row(row) => Ok(row),
            PipeOutput::Rows(rows) => Ok(rows.into_iter().next()),
            PipeOutput::Tag(_) => Ok(None),
        }
    }

    /// [`Connection::fetch_val`] on a pooled connection, pipelined with other tasks' calls when
    /// every connection is busy (see [`PoolBuilder::pipeline`]).
    pub async fn fetch_val<T>(&self, query: impl AsQuery, params: &[Param<'_>]) -> Result<T>
    where
        T: for<'r> Decode<'r>,
    {
        match self.fetch_row(&query, params).await? {
            Some(row) => row.get(0),
            None => Err(Error::RowNotFound {
                query: query.sql().to_owned(),
            }),
        }
    }

    /// [`Connection::fetch_as`] on a pooled connection: every row read into `T`.
    ///
    /// ```no_run
    /// # async fn demo(pool: &quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let users: Vec<(i32, String)> = pool.fetch_as("SELECT id, name FROM users", &[]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_as<T: crate::FromRecord>(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Vec<T>> {
        self.fetch(query, params)
            .await?
            .iter()
            .map(T::from_record)
            .collect()
    }

    /// [`Connection::fetch_row_as`] on a pooled connection: the first row, if any, read into `T`.
    ///
    /// ```no_run
    /// # async fn demo(pool: &quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let user: Option<(i32, String)> =
    ///     pool.fetch_row_as("SELECT id, name FROM users WHERE id = $1", &[&1i32]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_row_as<T: crate::FromRecord>(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<T>> {
        self.fetch_row(query, params)
            .await?
            .as_ref()
            .map(T::from_record)
            .transpose()
    }

    /// A LISTEN/NOTIFY listener on a connection of this pool's: it is taken out of the pool for
    /// good (it holds no slot), and after a loss the listener reconnects through the pool, with
    /// its settings and hooks, re-LISTENs and reports the gap ([`crate::ListenerEvent`]).
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let mut listener = pool.listener().await?;
    /// listener.listen("jobs").await?;
    /// # Ok(()) }
    /// ```
    pub async fn listener(&self) -> Result<crate::listen::ReconnectingListener> {
        let pool = self.clone();
        crate::listen::ReconnectingListener::with_connector(move || {
            let pool = pool.clone();
            async move { Ok(pool.acquire().await?.detach()) }
        })
        .await
    }

    /// Replaces every connection: idle ones at their next use, busy ones when they come back.
    pub fn expire_connections(&self) {
        self.shared.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Uses new connection settings for connections opened from now on, and replaces the
    /// existing ones (as [`Pool::expire_connections`]).
    pub fn set_connect_args(&self, config: Config) {
        self.shared
            .caches_statements
            .store(config.get_statement_cache_size() > 0, Ordering::Relaxed);
        *self.shared.config.lock().unwrap_or_else(|p| p.into_inner()) = config;
        self.expire_connections();
    }

    /// Makes every pooled connection forget its cached statements and looked-up types before
    /// its next use (after a schema change).
    pub fn reload_schema_state(&self) {
        self.shared
            .schema_generation
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Closes the pool gracefully: new acquires fail at once, busy connections are waited for and
    /// then every connection is closed with a Terminate.
    pub async fn close(&self) {
        if let Some(routing) = self.shared.routing.get() {
            Box::pin(routing.close()).await;
        }
        let shared = &self.shared;
        shared.closed.store(true, Ordering::SeqCst);
        shared.permits.close();
        loop {
            let notified = shared.returned.notified();
            if shared.in_use.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
        let idle: Vec<Idle> = shared.lock_idle().drain(..).collect();
        for Idle { conn, .. } in idle {
            shared.forget(CloseReason::Other);
            let _ = conn.close().await;
        }
    }

    /// Closes the pool at once: idle connections are dropped now, busy ones when they come back.
    pub fn terminate(&self) {
        let shared = &self.shared;
        shared.closed.store(true, Ordering::SeqCst);
        shared.permits.close();
        let idle: Vec<Idle> = shared.lock_idle().drain(..).collect();
        for Idle { conn, .. } in idle {
            shared.forget(CloseReason::Other);
            drop(conn);
        }
    }

    /// Whether `close` or `terminate` was called.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Sizes and counters.
    pub fn stats(&self) -> PoolStats {
        let shared = &self.shared;
        let mut stats = PoolStats {
            size: shared.open.load(Ordering::Relaxed),
            idle: shared.lock_idle().len(),
            in_use: shared.in_use.load(Ordering::Relaxed),
            waiting: shared.waiting.load(Ordering::Relaxed),
            max_size: shared.options.max_size,
            ..PoolStats::default()
        };
        shared.counters.fill(&mut stats);
        stats
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Shared {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn lock_idle(&self) -> MutexGuard<'_, VecDeque<Idle>> {
        // The lock is never held across an await or user code, so poisoning cannot leave the
        // list half-updated: take it back.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a connection and runs `init` on it. Counted in `open` from the start, so a
    /// cancelled or failed open gives its place back.
    async fn open_connection(&self) -> Result<Connection> {
        let opening = CountGuard::new(&self.open);
        let config = self
            .config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut conn = match &self.options.connect {
            Some(connect) => connect(config).await?,
            None => Connection::connect(&config).await?,
        };
        if let Some(init) = &self.options.init {
            init(&mut conn).await?;
            // What init sets up is the connection's baseline, not something to reset.
            conn.take_session_dirty();
        }
        opening.keep();
        self.counters.created.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    /// Why an idle connection must not be handed out, if it must not.
    fn unusable(&self, conn: &mut Connection, meta: &Meta) -> Option<CloseReason> {
        if !conn.check_idle() {
            return Some(CloseReason::Broken);
        }
        if self.expired(meta) {
            return Some(CloseReason::Expired);
        }
        match self.options.max_inactive_connection_lifetime {
            Some(limit) if meta.idle_since.elapsed() > limit => Some(CloseReason::Expired),
            _ => None,
        }
    }

    /// Whether the connection outlived `max_lifetime` or an `expire_connections`.
    fn expired(&self, meta: &Meta) -> bool {
        meta.generation != self.generation.load(Ordering::Relaxed)
            || self
                .options
                .max_lifetime
                .is_some_and(|limit| meta.created.elapsed() > limit)
    }

    /// Closes a connection that leaves the pool.
    fn discard(&self, conn: Box<Connection>, reason: CloseReason) {
        self.forget(reason);
        if conn.is_closed() || conn.is_mid_request() {
            return;
        }
        // Say goodbye properly when a runtime is at hand; dropping closes the socket anyway.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(5), conn.close()).await;
            });
        }
    }

    /// Wakes a `close` waiting for connections in use (only it listens, so only then).
    fn wake_closer(&self) {
        if self.is_closed() {
            self.returned.notify_waiters();
        }
    }

    fn forget(&self, reason: CloseReason) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        self.counters.closed(reason);
    }
}

/// Adds one to a counter for as long as it lives (unless kept).
struct CountGuard<'a> {
    counter: &'a AtomicUsize,
    keep: bool,
}

impl<'a> CountGuard<'a> {
    fn new(counter: &'a AtomicUsize) -> CountGuard<'a> {
        counter.fetch_add(1, Ordering::Relaxed);
        CountGuard {
            counter,
            keep: false,
        }
    }

    /// Leaves the count incremented.
    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for CountGuard<'_> {
    fn drop(&mut self) {
        if !self.keep {
            self.counter.fetch_sub(1, Ordering::Relaxed);
        }
    }
}
