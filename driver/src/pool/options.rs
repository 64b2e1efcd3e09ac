//! `PoolBuilder`: the pool's settings and hooks, with defaults and why they are what they are.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::Pool;
use crate::config::Config;
use crate::connection::Connection;
use crate::error::Result;

/// The future a hook returns.
pub type HookFuture<'c> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'c>>;

/// A hook run on a connection (`init`, `setup`, `reset`).
pub type ConnectionHook = Arc<dyn for<'c> Fn(&'c mut Connection) -> HookFuture<'c> + Send + Sync>;

/// A custom way to open connections (for example through a tunnel, or with extra setup).
pub type ConnectHook =
    Arc<dyn Fn(Config) -> Pin<Box<dyn Future<Output = Result<Connection>> + Send>> + Send + Sync>;

/// Settings of a [`Pool`], from [`Pool::builder`].
///
/// ```no_run
/// # async fn demo() -> quarry_driver::Result<()> {
/// use std::time::Duration;
/// let pool = quarry_driver::Pool::builder()
///     .max_size(20)
///     .min_size(2)
///     .acquire_timeout(Duration::from_secs(5))
///     .init(|conn| Box::pin(async move {
///         conn.execute("SET search_path = app, public", &[]).await?;
///         Ok(())
///     }))
///     .build("postgresql://postgres@localhost/app")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a PoolBuilder does nothing until `build` is awaited"]
pub struct PoolBuilder {
    pub(super) min_size: usize,
    pub(super) max_size: usize,
    pub(super) max_queries: u64,
    pub(super) max_inactive_connection_lifetime: Option<Duration>,
    pub(super) max_lifetime: Option<Duration>,
    pub(super) acquire_timeout: Option<Duration>,
    pub(super) connect: Option<ConnectHook>,
    pub(super) init: Option<ConnectionHook>,
    pub(super) setup: Option<ConnectionHook>,
    pub(super) reset: Option<ConnectionHook>,
    pub(super) pipeline: bool,
    pub(super) pipeline_max_cost: Duration,
    pub(super) routing: super::replicas::RoutingOptions,
}

impl Default for PoolBuilder {
    /// The defaults:
    /// - `max_size` 10: asyncpg's default; ten busy connections saturate a small server, and
    ///   PostgreSQL's default `max_connections` (100) leaves room for several application instances.
    /// - `min_size` 0: connections open on demand, so starting many instances does not storm the
    ///   server; raise it to keep warm connections for latency-sensitive services.
    /// - `max_queries` 50,000 (asyncpg's): replacing a connection now and then bounds the memory a
    ///   long-lived backend accumulates in its caches.
    /// - `max_inactive_connection_lifetime` 300 s (asyncpg's): idle connections are given back to the
    ///   server after five quiet minutes.
    /// - `max_lifetime` 30 min: connections are renewed eventually, so a pool follows a failover or a
    ///   configuration reload without a restart.
    /// - `acquire_timeout` 30 s: a pool that cannot serve for that long is failing; the error says so
    ///   instead of hanging the request.
    fn default() -> PoolBuilder {
        PoolBuilder {
            min_size: 0,
            max_size: 10,
            max_queries: 50_000,
            max_inactive_connection_lifetime: Some(Duration::from_secs(300)),
            max_lifetime: Some(Duration::from_secs(30 * 60)),
            acquire_timeout: Some(Duration::from_secs(30)),
            connect: None,
            init: None,
            setup: None,
            reset: None,
            pipeline: true,
            pipeline_max_cost: Duration::from_millis(2),
            routing: super::replicas::RoutingOptions::default(),
        }
    }
}

impl PoolBuilder {
    /// Connections kept open even when idle (opened at `build` and kept topped up).
    pub fn min_size(mut self, n: usize) -> Self {
        self.min_size = n;
        self
    }

    /// The most connections the pool opens (at least 1).
    pub fn max_size(mut self, n: usize) -> Self {
        self.max_size = n.max(1);
        self
    }

    /// Replace a connection after it ran this many queries (0: never).
    pub fn max_queries(mut self, n: u64) -> Self {
        self.max_queries = n;
        self
    }

    /// Close connections idle for longer than this (`None`: never).
    pub fn max_inactive_connection_lifetime(mut self, limit: Option<Duration>) -> Self {
        self.max_inactive_connection_lifetime = limit;
        self
    }

    /// Close connections older than this when they are next released or acquired (`None`: never).
    pub fn max_lifetime(mut self, limit: Option<Duration>) -> Self {
        self.max_lifetime = limit;
        self
    }

    /// How long `acquire` waits for a connection before failing with [`crate::Error::PoolTimeout`].
    pub fn acquire_timeout(mut self, limit: Duration) -> Self {
        self.acquire_timeout = Some(limit);
        self
    }

    /// Opens connections with `connect` instead of [`Connection::connect`].
    pub fn connect(
        mut self,
        connect: impl Fn(Config) -> Pin<Box<dyn Future<Output = Result<Connection>> + Send>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.connect = Some(Arc::new(connect));
        self
    }

    /// Runs once on every new connection (register type codecs, set session state).
    pub fn init(
        mut self,
        hook: impl for<'c> Fn(&'c mut Connection) -> HookFuture<'c> + Send + Sync + 'static,
    ) -> Self {
        self.init = Some(Arc::new(hook));
        self
    }

    /// Runs every time before `acquire` hands a connection out.
    pub fn setup(
        mut self,
        hook: impl for<'c> Fn(&'c mut Connection) -> HookFuture<'c> + Send + Sync + 'static,
    ) -> Self {
        self.setup = Some(Arc::new(hook));
        self
    }

    /// Replaces the default reset, run before a used connection is handed out again. The default
    /// rolls back an open transaction, then runs `SELECT pg_advisory_unlock_all(); CLOSE ALL;
    /// UNLISTEN *; RESET ALL` (UNLISTEN is skipped on a hot standby, which refuses it), sent in
    /// the same round trip as the next user's first query.
    pub fn reset(
        mut self,
        hook: impl for<'c> Fn(&'c mut Connection) -> HookFuture<'c> + Send + Sync + 'static,
    ) -> Self {
        self.reset = Some(Arc::new(hook));
        self
    }

    /// Whether the pool's shortcut calls (`execute` with parameters, `fetch`, `fetch_row`,
    /// `fetch_val`, and the same through `&Pool` as an [`crate::Executor`]) may be pipelined
    /// (default `true`).
    ///
    /// When every connection is busy, calls queue, and the next task to get a connection
    /// writes its own request and the queued ones in one write, each as its own
    /// Bind/Execute/Sync: each request still runs in its own implicit transaction, its error
    /// is its own, and its answer goes to its caller. Fewer writes, reads and wake-ups per
    /// query: more throughput for less CPU under load. A call that finds a connection free and
    /// nothing queued runs alone, as always.
    ///
    /// Only reads are pipelined: SQL whose first keyword is `SELECT`, `VALUES`, `TABLE` or
    /// `WITH`, with no `INSERT`, `UPDATE`, `DELETE`, `MERGE` or `INTO` keyword and no locking
    /// clause (`FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`) — a
    /// conservative lexical check (outside comments and quotes; a backslash in a string or
    /// anything else unclear counts as a write). Writes always run on their own checkout.
    /// Among reads, only SQL the pool has run before (to learn its parameter types) is
    /// pipelined, and only when the pool has no `setup` or `reset` hook, queries are not logged
    /// or traced, no command timeout is set, the statement is cached and changes no session
    /// state, and it took under [`PoolBuilder::pipeline_max_cost`] (2 ms) on average.
    /// Everything else runs on its own checkout, as with `false`.
    ///
    /// What differs from a checkout per call: a batch is one checkout (the `init` hook is
    /// unaffected; `setup`/`reset` hooks turn pipelining off), counted as one acquire per call
    /// it answers ([`super::PoolStats::pipelined`], [`super::PoolStats::batches`]); and a
    /// request waits for the requests before it in its batch. Row locks cannot make it wait
    /// forever (a read takes none, so none of the requests ahead of it waits for a row lock
    /// held by its caller's own open transaction on another connection). What remains: a read
    /// that waits for a *table* lock (say the caller's transaction ran `LOCK TABLE` or
    /// `ALTER TABLE` and another task's pipelined read of that table is ahead of the caller's
    /// in the batch), or that calls a function taking locks the caller's open transaction
    /// holds (or, under `SERIALIZABLE READ ONLY DEFERRABLE` session defaults, waits for a safe
    /// snapshot behind the caller's own serializable transaction), waits until a lock or
    /// statement timeout. Turn pipelining off for such code, or
    /// give it its own connection with [`super::Pool::acquire`].
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// let pool = quarry_driver::Pool::builder().pipeline(false).build("postgresql://localhost/app").await?;
    /// # Ok(()) }
    /// ```
    pub fn pipeline(mut self, on: bool) -> Self {
        self.pipeline = on;
        self
    }

    /// Statements that took longer than this on average are not pipelined, and a batch holds
    /// about twice this in expected server time at most (default 2 ms). A batch runs its
    /// requests one after another on one server backend: what pipelining saves (a few system
    /// calls per request) is nothing next to the wait a slow request adds to those behind it.
    pub fn pipeline_max_cost(mut self, limit: Duration) -> Self {
        self.pipeline_max_cost = limit;
        self
    }

    /// Adds a streaming replica that [`Pool::replica`] routes reads to (its DSN, with `PG*`
    /// environment variables filling gaps; an invalid one fails `build`). The replica gets a
    /// pool of its own with these settings, whose connections open on demand: a replica down
    /// when the pool starts is skipped until it answers.
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// let pool = quarry_driver::Pool::builder()
    ///     .replica("postgresql://replica-1/app")
    ///     .build("postgresql://primary/app")
    ///     .await?;
    /// let n: i64 = pool.replica().fetch_val("SELECT count(*) FROM t", &[]).await?;
    /// # Ok(()) }
    /// ```
    pub fn replica(mut self, dsn: &str) -> Self {
        let source = super::replicas::ReplicaSource::Dsn(dsn.to_owned());
        self.routing.replicas.push(source);
        self
    }

    /// Adds a replica from a [`Config`] (see [`PoolBuilder::replica`]).
    pub fn replica_config(mut self, config: Config) -> Self {
        let source = super::replicas::ReplicaSource::Config(Box::new(config));
        self.routing.replicas.push(source);
        self
    }

    /// Replicas whose replay is further behind than this are skipped (the primary serves when
    /// every replica is); default: no limit. The lag is measured on the replica at most every
    /// 200 ms: 0 when its WAL receiver streams and it has replayed all it received, else the
    /// age of the last transaction it replayed.
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let pool = quarry_driver::Pool::builder()
    ///     .replica("postgresql://replica-1/app")
    ///     .max_replica_lag(Duration::from_secs(1))
    ///     .build("postgresql://primary/app")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn max_replica_lag(mut self, limit: Duration) -> Self {
        self.routing.max_lag = Some(limit);
        self
    }

    /// Read-your-writes: every read through [`Pool::replica`] first asks the primary for its
    /// WAL position, and a replica serves it only once it has replayed that far (waiting up to
    /// [`PoolBuilder::replica_wait`]); otherwise the primary does. Reads then see every write
    /// committed before they began, at the cost of a round trip to the primary. Default off;
    /// [`ReplicaRoute::after`](super::ReplicaRoute::after) does the same for chosen reads.
    pub fn read_your_writes(mut self, on: bool) -> Self {
        self.routing.read_your_writes = on;
        self
    }

    /// How long a read that needs a replica to catch up waits for it before going to the
    /// primary (default 100 ms).
    pub fn replica_wait(mut self, limit: Duration) -> Self {
        self.routing.replica_wait = limit;
        self
    }

    /// How long a read waits for a replica — for its connection (opening one included) and for
    /// each check it runs there (lag, replay position) — before it skips that replica for
    /// [`PoolBuilder::replica_retry`] and goes to the next one or the primary (default 2 s). A
    /// replica host that stops answering (dropping packets) then costs one read this long,
    /// not the pool's `acquire_timeout`. A read already running on a replica is bounded only by
    /// the command timeout, as on the primary.
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let pool = quarry_driver::Pool::builder()
    ///     .replica("postgresql://replica-1/app")
    ///     .replica_timeout(Duration::from_millis(500))
    ///     .build("postgresql://primary/app")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn replica_timeout(mut self, limit: Duration) -> Self {
        self.routing.timeout = limit;
        self
    }

    /// How long a replica that could not be reached (or whose connection was lost) is skipped
    /// before it is tried again (default 1 s).
    pub fn replica_retry(mut self, after: Duration) -> Self {
        self.routing.retry = after;
        self
    }

    /// Creates the pool for `dsn` (with `PG*` environment variables filling gaps) and opens
    /// `min_size` connections.
    pub async fn build(self, dsn: &str) -> Result<Pool> {
        let config = Config::from_dsn(dsn)?;
        self.build_with(config).await
    }

    /// Creates the pool for `config` and opens `min_size` connections.
    pub async fn build_with(mut self, config: Config) -> Result<Pool> {
        let routing = std::mem::take(&mut self.routing);
        let replicas = super::replicas::Routing::configs(&routing)?;
        let options = self.clone();
        let pool = Pool::start(self, config).await?;
        if !replicas.is_empty() {
            let started = super::replicas::Routing::start(&options, replicas, &routing).await?;
            // Set once, right after the pool was made: nobody else can have set it.
            let _ = pool.shared.routing.set(started);
        }
        Ok(pool)
    }
}

impl std::fmt::Debug for PoolBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("min_size", &self.min_size)
            .field("max_size", &self.max_size)
            .field("max_queries", &self.max_queries)
            .field(
                "max_inactive_connection_lifetime",
                &self.max_inactive_connection_lifetime,
            )
            .field("max_lifetime", &self.max_lifetime)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("pipeline", &self.pipeline)
            .field("pipeline_max_cost", &self.pipeline_max_cost)
            .field("routing", &self.routing)
            .finish_non_exhaustive()
    }
}
