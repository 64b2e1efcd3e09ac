//! Read routing: one pool over a primary and its streaming replicas. Reads that may see
//! slightly stale data go through [`Pool::replica`] to a replica (round robin), everything else
//! to the primary.
//!
//! Each replica has a pool of its own (the primary pool's settings, opened on demand). A replica
//! that cannot be reached, or whose connection is lost during a read, is skipped for
//! [`PoolBuilder::replica_retry`](super::PoolBuilder::replica_retry) and the read goes to the
//! next one, or to the primary. With a maximum lag, a replica further behind is skipped; in
//! read-your-writes mode a replica is used only once it has replayed the primary's WAL up to
//! where it stood when the read began.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Pool, PoolConnection};
use crate::config::Config;
use crate::connection::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::stream::RowStream;
use crate::types::{Decode, PgLsn};
use quarry_protocol::backend::CommandTag;

/// How long a measured lag is trusted before it is measured again.
const LAG_REFRESH: Duration = Duration::from_millis(200);
/// How often a read-your-writes read looks again at a replica's replay position.
const REPLAY_POLL: Duration = Duration::from_millis(5);

/// The replay lag in seconds and the replay position, on a standby. The lag is 0 when the WAL
/// receiver is streaming and everything received has been replayed (an idle primary makes no
/// lag); otherwise it is the age of the last replayed transaction, infinite when there is none.
/// A stopped receiver (primary gone, replication broken) thus shows a growing lag, never 0.
/// (A role without `pg_read_all_stats` sees no receiver `status`: a running receiver counts as
/// streaming there.)
const LAG_QUERY: &str = "SELECT CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = \
     pg_catalog.pg_last_wal_replay_lsn() AND EXISTS (SELECT FROM pg_catalog.pg_stat_wal_receiver \
     WHERE status IS NULL OR status = 'streaming') THEN 0::float8 ELSE COALESCE(extract(epoch \
     FROM pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp())::float8, \
     'Infinity'::float8) END, pg_catalog.pg_last_wal_replay_lsn()";

/// Where the last WAL record ends, from the insert position. Right after a page (or segment)
/// boundary the insert position points past the new page's header, which no record will ever
/// end at; a standby's replay position is the end of the last record, so waiting for the
/// insert position there would wait for WAL that may never come (an idle primary after a
/// segment switch). The header sizes are PostgreSQL's `SizeOfXLogShortPHD` and
/// `SizeOfXLogLongPHD` (64-bit builds).
fn last_record_end(insert: PgLsn, block: i64, segment: i64) -> PgLsn {
    const SHORT_HEADER: u64 = 24;
    const LONG_HEADER: u64 = 40;
    let (Ok(block), Ok(segment)) = (u64::try_from(block), u64::try_from(segment)) else {
        return insert;
    };
    let at = insert.0;
    let header = if segment > 0 && at % segment == LONG_HEADER {
        LONG_HEADER
    } else if block > 0 && at % block == SHORT_HEADER {
        SHORT_HEADER
    } else {
        0
    };
    PgLsn(at - header)
}

/// The replicas of a pool and what is known of each.
pub(super) struct Routing {
    replicas: Vec<Replica>,
    next: AtomicUsize,
    max_lag: Option<Duration>,
    read_your_writes: bool,
    replica_wait: Duration,
    retry: Duration,
    timeout: Duration,
}

struct Replica {
    /// `host:port` of the replica's first host, for status and errors.
    name: String,
    pool: Pool,
    state: Mutex<ReplicaState>,
}

#[derive(Default)]
struct ReplicaState {
    down_until: Option<Instant>,
    last_error: Option<String>,
    lag: Option<(Duration, Instant)>,
    replayed: Option<PgLsn>,
}

/// What a pool knows about one replica, from [`Pool::replica_status`].
///
/// ```no_run
/// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
/// for replica in pool.replica_status().await {
///     println!("{}: up {}, lag {:?}", replica.name, replica.up, replica.lag);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReplicaStatus {
    /// The replica's address (`host:port` of its DSN's first host).
    pub name: String,
    /// Whether it answered just now.
    pub up: bool,
    /// How far its replay is behind, when up: 0 when it streams and has replayed everything it
    /// received, else the age of its last replayed transaction (`Duration::MAX` when it has
    /// replayed none and does not stream).
    pub lag: Option<Duration>,
    /// The last WAL position it has replayed, when up.
    pub replayed: Option<PgLsn>,
    /// Why it was last skipped, if it was.
    pub last_error: Option<String>,
}

/// Routing settings collected by the builder.
#[derive(Clone)]
pub(super) struct RoutingOptions {
    /// Each replica's DSN (parsed by `build`) or config.
    pub(super) replicas: Vec<ReplicaSource>,
    pub(super) max_lag: Option<Duration>,
    pub(super) read_your_writes: bool,
    pub(super) replica_wait: Duration,
    pub(super) retry: Duration,
    pub(super) timeout: Duration,
}

/// Where a replica is, as given to the builder.
#[derive(Clone)]
pub(super) enum ReplicaSource {
    Dsn(String),
    Config(Box<Config>),
}

impl std::fmt::Debug for RoutingOptions {
    /// Without the DSNs, which may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingOptions")
            .field("replicas", &self.replicas.len())
            .field("max_lag", &self.max_lag)
            .field("read_your_writes", &self.read_your_writes)
            .field("replica_wait", &self.replica_wait)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Default for RoutingOptions {
    fn default() -> RoutingOptions {
        RoutingOptions {
            replicas: Vec::new(),
            max_lag: None,
            read_your_writes: false,
            replica_wait: Duration::from_millis(100),
            retry: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
        }
    }
}

impl Routing {
    /// Each replica's config (a DSN that does not parse fails here, before any pool starts).
    pub(super) fn configs(routing: &RoutingOptions) -> Result<Vec<Config>> {
        let mut configs = Vec::with_capacity(routing.replicas.len());
        for source in &routing.replicas {
            configs.push(match source {
                ReplicaSource::Dsn(dsn) => Config::from_dsn(dsn)?,
                ReplicaSource::Config(config) => Config::clone(config),
            });
        }
        Ok(configs)
    }

    pub(super) async fn start(
        options: &super::PoolBuilder,
        configs: Vec<Config>,
        routing: &RoutingOptions,
    ) -> Result<Routing> {
        let mut replicas = Vec::with_capacity(configs.len());
        for mut config in configs {
            // Only a server in recovery serves as a replica: a promoted one (or any other
            // primary) would take a write sent through the route. An explicit setting is kept.
            config.default_target_session_attrs(crate::config::TargetSessionAttrs::Standby);
            config.set_read_only_session();
            // Opened on demand: a replica that is down when the pool starts is skipped, not fatal.
            let mut own = options.clone();
            own.min_size = 0;
            own.routing = RoutingOptions::default();
            let name = config
                .targets()
                .first()
                .map(crate::connection::describe_target)
                .unwrap_or_default();
            replicas.push(Replica {
                name,
                pool: Box::pin(Pool::start(own, config)).await?,
                state: Mutex::new(ReplicaState::default()),
            });
        }
        Ok(Routing {
            replicas,
            next: AtomicUsize::new(0),
            max_lag: routing.max_lag,
            read_your_writes: routing.read_your_writes,
            replica_wait: routing.replica_wait,
            retry: routing.retry,
            timeout: routing.timeout,
        })
    }

    pub(super) async fn close(&self) {
        for replica in &self.replicas {
            replica.pool.close().await;
        }
    }
}

impl Replica {
    fn lock(&self) -> std::sync::MutexGuard<'_, ReplicaState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_down(&self, now: Instant) -> bool {
        self.lock().down_until.is_some_and(|until| until > now)
    }

    fn mark_down(&self, retry: Duration, error: &dyn std::fmt::Display) {
        tracing::debug!(target: "quarry::pool", replica = %self.name, "replica skipped: {error}");
        let mut state = self.lock();
        state.down_until = Some(Instant::now() + retry);
        state.last_error = Some(error.to_string());
        state.lag = None;
    }

    fn skip(&self, why: String) {
        self.lock().last_error = Some(why);
    }

    /// Measures the lag on `conn` and remembers it.
    async fn measure(&self, conn: &mut Connection) -> Result<(Duration, PgLsn)> {
        let row = conn
            .fetch_row(LAG_QUERY, &[])
            .await?
            .ok_or_else(|| Error::RowNotFound {
                query: LAG_QUERY.to_owned(),
            })?;
        let seconds: f64 = row.get(0)?;
        let replayed: Option<PgLsn> = row.get(1)?;
        let lag = Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX);
        let mut state = self.lock();
        state.lag = Some((lag, Instant::now()));
        state.replayed = replayed;
        Ok((lag, replayed.unwrap_or_default()))
    }
}

/// Runs `$replica` on a replica's connection; a lost connection skips that replica and the next
/// is tried; with none left, `$primary` runs on the primary pool. (A macro, not a function
/// taking closures: the futures stay plain `async` code, `Send` when their parts are.)
macro_rules! route {
    ($route:expr, |$c:ident| $replica:expr, |$p:ident| $primary:expr) => {{
        let route = $route;
        let mut tried = Vec::new();
        loop {
            match route.replica_connection(&mut tried).await {
                Some((mut conn, index)) => {
                    let $c: &mut Connection = &mut conn;
                    match $replica.await {
                        Err(e) if e.is_fatal() => route.lost(index, &e),
                        other => break other,
                    }
                }
                None => {
                    let $p: &Pool = route.pool;
                    break $primary.await;
                }
            }
        }
    }};
}

/// Reads routed to a replica: from [`Pool::replica`]. It has the pool's read methods and is an
/// [`Executor`](crate::Executor), so `query!` code runs on it too.
///
/// ```no_run
/// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
/// let n: i64 = pool.replica().fetch_val("SELECT count(*) FROM orders", &[]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct ReplicaRoute<'p> {
    pool: &'p Pool,
    after: Option<PgLsn>,
}

impl Pool {
    /// Routes reads to a replica (see [`PoolBuilder::replica`](super::PoolBuilder::replica)):
    /// one in turn among those up and, with a maximum lag, close enough; the primary when none
    /// is, or when the pool has no replicas. Writes sent this way fail on a replica (it is read
    /// only) and are not retried elsewhere.
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let pool = quarry_driver::Pool::builder()
    ///     .replica("postgresql://replica-1/app")
    ///     .replica("postgresql://replica-2/app")
    ///     .max_replica_lag(Duration::from_secs(2))
    ///     .build("postgresql://primary/app")
    ///     .await?;
    /// pool.execute("INSERT INTO visits VALUES (now())", &[]).await?; // the primary
    /// let rows = pool.replica().fetch("SELECT * FROM visits", &[]).await?; // a replica
    /// # Ok(()) }
    /// ```
    pub fn replica(&self) -> ReplicaRoute<'_> {
        ReplicaRoute {
            pool: self,
            after: None,
        }
    }

    /// The primary's WAL insert position now: every transaction committed so far lies before
    /// it. Pass it to [`ReplicaRoute::after`] to read one's own writes from a replica.
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// pool.execute("UPDATE users SET name = 'Bob' WHERE id = 1", &[]).await?;
    /// let written = pool.primary_lsn().await?;
    /// let name: String = pool.replica().after(written)
    ///     .fetch_val("SELECT name FROM users WHERE id = 1", &[]).await?; // "Bob"
    /// # Ok(()) }
    /// ```
    pub async fn primary_lsn(&self) -> Result<PgLsn> {
        let (insert, block, segment): (PgLsn, i64, i64) = self
            .fetch_row_as(
                "SELECT pg_catalog.pg_current_wal_insert_lsn(), \
                 pg_catalog.current_setting('wal_block_size')::int8, \
                 pg_catalog.pg_size_bytes(pg_catalog.current_setting('wal_segment_size'))",
                &[],
            )
            .await?
            .ok_or_else(|| Error::RowNotFound {
                query: "pg_current_wal_insert_lsn()".to_owned(),
            })?;
        Ok(last_record_end(insert, block, segment))
    }

    /// Each replica's state, measured now (a connection and one query per replica).
    pub async fn replica_status(&self) -> Vec<ReplicaStatus> {
        let Some(routing) = self.shared.routing.get() else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(routing.replicas.len());
        for replica in &routing.replicas {
            let measure = async {
                let mut conn = replica.pool.acquire().await?;
                replica.measure(&mut conn).await
            };
            let (up, lag, replayed) = match tokio::time::timeout(routing.timeout, measure).await {
                Ok(Ok((lag, replayed))) => {
                    replica.lock().down_until = None;
                    (true, Some(lag), Some(replayed))
                }
                Ok(Err(e)) => {
                    replica.mark_down(routing.retry, &e);
                    (false, None, None)
                }
                Err(_) => {
                    let why = format!("no answer within {:?}", routing.timeout);
                    replica.mark_down(routing.retry, &why);
                    (false, None, None)
                }
            };
            out.push(ReplicaStatus {
                name: replica.name.clone(),
                up,
                lag,
                replayed,
                last_error: replica.lock().last_error.clone(),
            });
        }
        out
    }
}

impl<'p> ReplicaRoute<'p> {
    /// Only replicas that have replayed the WAL up to `lsn` serve these reads (each waits up
    /// to [`PoolBuilder::replica_wait`](super::PoolBuilder::replica_wait) for it); otherwise
    /// the primary does.
    pub fn after(mut self, lsn: PgLsn) -> Self {
        self.after = Some(self.after.map_or(lsn, |a| a.max(lsn)));
        self
    }

    /// [`Connection::fetch`] on a replica.
    pub async fn fetch(&self, query: impl AsQuery, params: &[Param<'_>]) -> Result<Vec<Record>> {
        route!(self, |c| c.fetch(&query, params), |p| p
            .fetch(&query, params))
    }

    /// [`Connection::fetch_row`] on a replica.
    pub async fn fetch_row(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        route!(self, |c| c.fetch_row(&query, params), |p| p
            .fetch_row(&query, params))
    }

    /// [`Connection::fetch_val`] on a replica.
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

    /// [`Connection::execute`] on a replica (for statements that only read, such as a `SELECT`
    /// run for its side effects on the session; a write fails there).
    pub async fn execute(&self, query: impl AsQuery, params: &[Param<'_>]) -> Result<CommandTag> {
        route!(self, |c| c.execute(&query, params), |p| p
            .execute(&query, params))
    }

    /// A connection for several reads: a replica's, or the primary's when no replica serves.
    ///
    /// ```no_run
    /// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
    /// let mut conn = pool.replica().acquire().await?;
    /// let mut tx = conn.transaction().await?; // a consistent snapshot of the replica
    /// # Ok(()) }
    /// ```
    pub async fn acquire(&self) -> Result<PoolConnection> {
        match self.replica_connection(&mut Vec::new()).await {
            Some((conn, _)) => Ok(conn),
            None => self.pool.acquire().await,
        }
    }

    /// A replica's connection was lost during a read: skip that replica for a while.
    fn lost(&self, index: usize, error: &Error) {
        if let Some(routing) = self.pool.shared.routing.get()
            && let Some(replica) = routing.replicas.get(index)
        {
            replica.mark_down(routing.retry, error);
        }
    }

    /// A connection of the next replica (round robin) that is up, close enough and, with
    /// `after` or read-your-writes, far enough; `None` when no replica is.
    async fn replica_connection(&self, tried: &mut Vec<usize>) -> Option<(PoolConnection, usize)> {
        let routing = self.pool.shared.routing.get()?;
        let count = routing.replicas.len();
        if count == 0 || tried.len() >= count {
            return None;
        }
        let mut after = self.after;
        if routing.read_your_writes && after.is_none() {
            // Everything committed before this read began lies before the insert position.
            match self.pool.primary_lsn().await {
                Ok(lsn) => after = Some(lsn),
                Err(e) => {
                    tracing::debug!(target: "quarry::pool", "read-your-writes: no primary position ({e}); reading from the primary");
                    return None;
                }
            }
        }
        let start = routing.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..count {
            let index = (start + k) % count;
            let replica = &routing.replicas[index];
            if tried.contains(&index) || replica.is_down(Instant::now()) {
                continue;
            }
            tried.push(index);
            let mut conn = match tokio::time::timeout(routing.timeout, replica.pool.acquire()).await
            {
                Ok(Ok(conn)) => conn,
                Ok(Err(e)) => {
                    replica.mark_down(routing.retry, &e);
                    continue;
                }
                Err(_) => {
                    let why = format!("no connection within {:?}", routing.timeout);
                    replica.mark_down(routing.retry, &why);
                    continue;
                }
            };
            if conn.parameter("in_hot_standby") == Some("off") {
                // The server reported its promotion (PostgreSQL 14+) since this connection
                // opened: it is no replica any more. New connections to it are refused
                // (`target_session_attrs=standby`) until it is one again.
                drop(conn.detach());
                let promoted = Error::from(crate::net::NetError::SessionAttrsMismatch {
                    wanted: "standby",
                    found: "a primary (promoted since the pool connected)",
                });
                replica.mark_down(routing.retry, &promoted);
                continue;
            }
            // The checks' queries are bounded; waiting for the replay is `replica_wait`'s.
            let limit = routing.timeout
                + if after.is_some() {
                    routing.replica_wait
                } else {
                    Duration::ZERO
                };
            match tokio::time::timeout(limit, self.suits(routing, replica, &mut conn, after)).await
            {
                Ok(Ok(true)) => return Some((conn, index)),
                Ok(Ok(false)) => {}
                Ok(Err(e)) if e.is_fatal() => replica.mark_down(routing.retry, &e),
                Ok(Err(e)) => replica.skip(e.to_string()),
                // The connection is dropped mid-request: the replica pool discards it.
                Err(_) => {
                    let why = format!("no answer to its checks within {limit:?}");
                    replica.mark_down(routing.retry, &why);
                }
            }
        }
        None
    }

    /// Whether the replica behind `conn` is close enough to serve this read.
    async fn suits(
        &self,
        routing: &Routing,
        replica: &Replica,
        conn: &mut Connection,
        after: Option<PgLsn>,
    ) -> Result<bool> {
        if let Some(max_lag) = routing.max_lag {
            let known = replica
                .lock()
                .lag
                .filter(|(_, at)| at.elapsed() < LAG_REFRESH)
                .map(|(lag, _)| lag);
            let lag = match known {
                Some(lag) => lag,
                None => replica.measure(conn).await?.0,
            };
            if lag > max_lag {
                replica.skip(format!("replay lag {lag:?} over the maximum {max_lag:?}"));
                return Ok(false);
            }
        }
        let Some(after) = after else {
            return Ok(true);
        };
        let waited = Instant::now();
        loop {
            let (standby, replayed): (bool, Option<PgLsn>) = conn
                .fetch_row_as(
                    "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_wal_replay_lsn()",
                    &[],
                )
                .await?
                .unwrap_or((false, None));
            // Not a standby (promoted, or not a replica of this primary at all): its data is
            // not the primary's, so it cannot promise to have the write.
            if !standby {
                replica.skip("not in recovery: not a standby of the primary".to_owned());
                return Ok(false);
            }
            if replayed.is_some_and(|r| r >= after) {
                return Ok(true);
            }
            if waited.elapsed() >= routing.replica_wait {
                replica.skip(format!(
                    "replayed up to {} after {:?}, not yet {after}",
                    replayed.unwrap_or_default(),
                    routing.replica_wait
                ));
                return Ok(false);
            }
            tokio::time::sleep(REPLAY_POLL).await;
        }
    }
}

crate::executor::delegate_executor! {
    /// Reads go to a replica (or the primary, as routing decides); batches of writes
    /// (`execute_many`, `fetch_many`, `INSERT ... RETURNING`) to the primary, which a replica
    /// would refuse.
    impl for ReplicaRoute<'_>, this {
        queries: ReplicaRoute(&this) async,
        batches: Pool(this.pool),
        stream: |query, params| {
            RowStream::acquiring(async move { this.acquire().await }, query, params)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_record_ends_before_a_new_page_header() {
        let (block, segment) = (8192, 16 << 20);
        // Mid-page: the insert position is the end of the last record.
        assert_eq!(
            last_record_end(PgLsn(0x1_0000_2a10), block, segment).0,
            0x1_0000_2a10
        );
        // After a page header (24 bytes) and after a segment's long header (40 bytes).
        assert_eq!(
            last_record_end(PgLsn(0x1_0000_4018), block, segment).0,
            0x1_0000_4000
        );
        assert_eq!(
            last_record_end(PgLsn(0x1_0300_0028), block, segment).0,
            0x1_0300_0000
        );
        // Offset 40 in a page that does not start a segment is a record's end.
        assert_eq!(
            last_record_end(PgLsn(0x1_0000_4028), block, segment).0,
            0x1_0000_4028
        );
        // Settings that make no sense leave the position alone.
        assert_eq!(last_record_end(PgLsn(0x4018), -1, 0).0, 0x4018);
    }
}
