//! `Connection`: one session with a PostgreSQL server, owned by one task.
//!
//! There is no background task: every method takes `&mut self`, writes its messages and reads the
//! answers itself. This module holds the session state and the public surface; `startup` opens a
//! session, `query` runs the simple and extended query flows, `sync` keeps the protocol in step
//! after errors and dropped futures, `statement_cache` decides what stays prepared, `cancel` and
//! `timeout` stop queries that run too long.

mod cancel;
mod copy_flow;
mod hooks;
mod introspect;
mod io;
mod notify;
mod phase;
mod pins;
mod pipeline;
mod pooler;
mod portal;
mod query;
mod reply;
mod startup;
mod statement_cache;
mod sync;
mod timeout;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

pub use cancel::CancelToken;
pub(crate) use copy_flow::{COPY_FLUSH, CopyOutItem, CopyStart};
pub(crate) use pipeline::{Answer, EncodedParams, PipeKind, PipeOutput, Skip, encode_params};
pub use pipeline::{Pipeline, PipelineResults, Queued};
pub use pooler::PoolerSeen;
pub(crate) use pooler::session_feature;
pub(crate) use query::mentions_session_functions;
pub use query::{AsQuery, Param, params};
pub(crate) use startup::describe_target;
pub use timeout::Timed;

use crate::error::{DbError, Result};
use crate::record::Record;
use crate::statement::Statement;
use crate::transaction::{Transaction, TransactionBuilder};
use crate::types::Decode;
use crate::types::registry::TypeRegistry;
use io::MessageIo;
use quarry_protocol::TransactionStatus;
use quarry_protocol::backend::CommandTag;
use statement_cache::StatementCache;

/// A callback that receives the server's NOTICE, WARNING and other non-error messages.
pub type LogListener = Arc<dyn Fn(&DbError) + Send + Sync>;

/// A notification delivered by `NOTIFY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The backend that sent it.
    pub process_id: i32,
    /// The channel.
    pub channel: String,
    /// The payload (empty when none was given).
    pub payload: String,
}

/// Notifications kept while nobody reads them; past this the oldest are dropped with a warning.
const MAX_QUEUED_NOTIFICATIONS: usize = 10_000;

/// A session with a PostgreSQL server.
///
/// ```no_run
/// # async fn demo() -> quarry_driver::Result<()> {
/// let mut conn = quarry_driver::connect("postgresql://postgres@localhost/test").await?;
/// conn.execute("CREATE TABLE t(id int4, name text)", &[]).await?;
/// conn.execute("INSERT INTO t VALUES ($1, $2)", &[&1i32, &"Bob"]).await?;
/// let name: String = conn.fetch_val("SELECT name FROM t WHERE id = $1", &[&1i32]).await?;
/// conn.close().await?;
/// # Ok(()) }
/// ```
pub struct Connection {
    /// Unique in the process: ties prepared statements to the session they live in.
    session_id: u64,
    io: MessageIo,
    parameters: HashMap<String, String>,
    process_id: i32,
    secret_key: i32,
    tx_status: TransactionStatus,
    /// Open `transaction()` levels: 1 is the outer transaction, more are savepoints.
    tx_depth: usize,
    /// Where the connection stands in the protocol: owed answers, an open COPY or stream, a
    /// cancel in flight, broken or not.
    wire: phase::Wire,
    /// SQL to send before the next request: a dropped `Transaction`'s rollback, a pool's reset.
    pending_sql: String,
    /// Requests started on this connection (the pool replaces connections after `max_queries`).
    requests: u64,
    /// Stale plans met (SQLSTATE 0A000 / 26000 on a cached statement).
    stale_plans: u64,
    /// Something ran that may have changed session state (SET, LISTEN, cursors, advisory locks).
    session_dirty: bool,
    /// Server-side statements evicted from the cache, closed with the next request.
    pending_close: Vec<String>,
    /// A pipeline is preparing its statements: `pending_close` waits until its Binds are
    /// written (one of them may use an evicted statement). Cleared by `ready()`.
    closes_held: bool,
    cache: StatementCache,
    /// User types looked up and custom codecs registered on this connection.
    types: TypeRegistry,
    command_timeout: Option<Duration>,
    cancel: CancelToken,
    log_listeners: Vec<LogListener>,
    notifications: VecDeque<Notification>,
    /// Notification callbacks, termination listeners, query loggers.
    hooks: hooks::Hooks,
    /// The `pooler` setting and what detection found.
    pooler: pooler::PoolerState,
    /// Session settings held for the connection's life (ISO DateStyle, read-only replicas).
    pins: pins::Pins,
}

/// Connects to the server a DSN names, with `PG*` environment variables filling what it leaves out.
///
/// ```no_run
/// # async fn demo() -> quarry_driver::Result<()> {
/// let conn = quarry_driver::connect("postgresql://postgres@localhost/test").await?;
/// # Ok(()) }
/// ```
pub async fn connect(dsn: &str) -> Result<Connection> {
    let config = crate::config::Config::from_dsn(dsn)?;
    Connection::connect(&config).await
}

impl Connection {
    /// Runs a statement and returns its command tag (`INSERT 0 1`, `CREATE TABLE`, ...).
    ///
    /// Without parameters the simple protocol is used and `sql` may hold several statements
    /// separated by `;` (the tag is the last one's). With parameters it is one statement.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let tag = conn.execute("UPDATE t SET n = n + 1 WHERE id = $1", &[&7i32]).await?;
    /// println!("{} rows", tag.rows());
    /// # Ok(()) }
    /// ```
    pub async fn execute(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<CommandTag> {
        self.execute_within(self.command_timeout, query, params)
            .await
    }

    /// Runs a statement once per parameter row, all pipelined before one Sync: outside a
    /// transaction the batch is atomic (one failing row rolls back every row); inside one, a
    /// failing row fails the transaction. For a result per row, each row in its own implicit
    /// transaction, see [`Connection::execute_each`].
    ///
    /// `rows` is any iterator, consumed as the rows are written (never collected): the first
    /// row's parameters are checked before anything is sent; a later row that does not fit
    /// (or whose value cannot be encoded) fails the batch on the server, so nothing of it is
    /// committed. A [`Statement`] from [`Connection::prepare`] is used as is, even with the
    /// statement cache off.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let rows: Vec<[quarry_driver::Param; 2]> = vec![[&1i32, &"a"], [&2i32, &"b"]];
    /// conn.execute_many("INSERT INTO t VALUES ($1, $2)", &rows).await?;
    /// // Any iterator: nothing is collected first.
    /// let ids: Vec<i32> = (10..1000).collect();
    /// conn.execute_many("INSERT INTO t(id) VALUES ($1)", ids.iter().map(|id| [id as quarry_driver::Param])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn execute_many<'p, R>(
        &mut self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<()>
    where
        R: AsRef<[Param<'p>]>,
    {
        let timeout = self.command_timeout;
        self.execute_many_within(timeout, query, rows).await
    }

    /// [`Connection::execute_many`] within `timeout`.
    pub(crate) async fn execute_many_within<'p, R>(
        &mut self,
        timeout: Option<Duration>,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<()>
    where
        R: AsRef<[Param<'p>]>,
    {
        let (rows, params) = count_params(rows);
        timeout::run_query(
            self,
            timeout,
            query.sql(),
            params,
            async |c: &mut Connection| c.run_many(&query, rows, None).await,
        )
        .await
    }

    /// Runs a statement once per parameter row, pipelined in one round trip like
    /// [`Connection::execute_many`], but each row in its own implicit transaction with its own
    /// result: a failing row does not affect the others (inside a transaction every row runs
    /// in it, and a failure fails it). `Err` only when the call as a whole failed (the
    /// connection was lost, the timeout elapsed, the statement could not be prepared).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let rows: Vec<[quarry_driver::Param; 1]> = vec![[&1i32], [&1i32], [&2i32]];
    /// let results = conn.execute_each("INSERT INTO unique_ids VALUES ($1)", &rows).await?;
    /// assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
    /// # Ok(()) }
    /// ```
    pub async fn execute_each<'p, R>(
        &mut self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<Vec<Result<CommandTag>>>
    where
        R: AsRef<[Param<'p>]>,
    {
        let mut batch = Pipeline::new();
        let tickets: Vec<Queued<CommandTag>> = rows
            .into_iter()
            .map(|row| batch.execute(&query, row.as_ref()))
            .collect();
        let mut results = self.pipeline(batch).await?;
        Ok(tickets.into_iter().map(|t| results.take(t)).collect())
    }

    /// Like [`Connection::execute_many`], collecting the rows every execution returns
    /// (for example `INSERT ... RETURNING`).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let rows = [[&1i32 as quarry_driver::Param], [&2i32]];
    /// let ids = conn.fetch_many("INSERT INTO t(id) VALUES ($1) RETURNING id", rows).await?;
    /// assert_eq!(ids.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_many<'p, R>(
        &mut self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<Vec<Record>>
    where
        R: AsRef<[Param<'p>]>,
    {
        let timeout = self.command_timeout;
        self.fetch_many_within(timeout, query, rows).await
    }

    /// [`Connection::fetch_many`] within `timeout`.
    pub(crate) async fn fetch_many_within<'p, R>(
        &mut self,
        timeout: Option<Duration>,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<Vec<Record>>
    where
        R: AsRef<[Param<'p>]>,
    {
        let (rows, params) = count_params(rows);
        timeout::run_query(
            self,
            timeout,
            query.sql(),
            params,
            async |c: &mut Connection| {
                let mut out = Vec::new();
                c.run_many(&query, rows, Some(&mut out)).await?;
                Ok(out)
            },
        )
        .await
    }

    /// Runs a query and returns all its rows.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// for row in conn.fetch("SELECT id, name FROM t WHERE id > $1", &[&0i32]).await? {
    ///     let name: &str = row.get("name")?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Vec<Record>> {
        self.fetch_within(self.command_timeout, query, params).await
    }

    /// Runs a query and returns its first row, if any; the server is asked for one row only.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// if let Some(row) = conn.fetch_row("SELECT * FROM t WHERE id = $1", &[&1i32]).await? {
    ///     println!("{row:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch_row(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        self.fetch_row_within(self.command_timeout, query, params)
            .await
    }

    /// Runs a query and decodes the first column of its first row.
    ///
    /// No row is an error ([`crate::Error::RowNotFound`]); a NULL needs `Option<T>`.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_val<T>(&mut self, query: impl AsQuery, params: &[Param<'_>]) -> Result<T>
    where
        T: for<'r> Decode<'r>,
    {
        self.fetch_val_within(self.command_timeout, query, params)
            .await
    }

    /// Runs a query and reads every row into `T`: a tuple, a `#[derive(FromRecord)]` struct,
    /// anything [`FromRecord`](crate::FromRecord).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let users: Vec<(i32, String)> = conn.fetch_as("SELECT id, name FROM users", &[]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_as<T: crate::FromRecord>(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Vec<T>> {
        self.fetch(query, params)
            .await?
            .iter()
            .map(T::from_record)
            .collect()
    }

    /// Runs a query and reads its first row, if any, into `T` (see [`Connection::fetch_as`]).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let user: Option<(i32, String)> =
    ///     conn.fetch_row_as("SELECT id, name FROM users WHERE id = $1", &[&1i32]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_row_as<T: crate::FromRecord>(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<T>> {
        self.fetch_row(query, params)
            .await?
            .as_ref()
            .map(T::from_record)
            .transpose()
    }

    /// Prepares a statement (cached like every query) and returns its description. With the
    /// statement cache off (`statement_cache_size=0`, as behind pgbouncer in transaction mode)
    /// nothing stays prepared on the server: the statement is parsed again each time it runs,
    /// so it works whichever backend a pooler hands the next transaction to.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let stmt = conn.prepare("SELECT id, name FROM t WHERE id = $1").await?;
    /// for column in stmt.columns() {
    ///     println!("{} {}", column.name(), column.type_oid());
    /// }
    /// let rows = conn.fetch(&stmt, &[&1i32]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn prepare(&mut self, sql: &str) -> Result<Statement> {
        let timeout = self.command_timeout;
        timeout::run(self, timeout, sql, async |c: &mut Connection| {
            c.ready().await?;
            let named = c.cache.is_on();
            c.statement_for(sql, named).await
        })
        .await
    }

    /// Whether `stmt` is a named statement prepared on this session, so it can be bound by
    /// name. An unnamed one (the statement cache off) is parsed again at each use: the unnamed
    /// statement on the server is whatever was parsed last.
    pub(crate) fn holds_prepared(&self, stmt: &Statement) -> bool {
        stmt.0.session == self.session_id && !stmt.0.name.is_empty()
    }

    /// Returns the plan of a query as PostgreSQL's JSON (`EXPLAIN (FORMAT JSON)`); with `analyze`
    /// the query is run and the plan has real timings.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let plan = conn.explain("SELECT * FROM t WHERE id = $1", &[&1i32], false).await?;
    /// assert!(plan.starts_with('['));
    /// # Ok(()) }
    /// ```
    pub async fn explain(
        &mut self,
        query: impl AsQuery,
        params: &[Param<'_>],
        analyze: bool,
    ) -> Result<String> {
        let options = if analyze {
            "ANALYZE, FORMAT JSON"
        } else {
            "FORMAT JSON"
        };
        let sql = format!("EXPLAIN ({options}) {}", query.sql());
        // EXPLAIN's json output column is `json`, received as text.
        self.fetch_val::<String>(sql.as_str(), params).await
    }

    /// Starts a transaction (or a savepoint, when one is already open) with default options.
    ///
    /// Dropping it without `commit` rolls it back.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut tx = conn.transaction().await?;
    /// tx.execute("INSERT INTO t VALUES (1, 'a')", &[]).await?;
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction(&mut self) -> Result<Transaction<&mut Connection>> {
        TransactionBuilder::new(self).start().await
    }

    /// Configures a transaction's isolation level, read-only and deferrable modes before starting it.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use quarry_driver::IsolationLevel;
    /// let tx = conn.build_transaction().isolation(IsolationLevel::Serializable).read_only(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn build_transaction(&mut self) -> TransactionBuilder<&mut Connection> {
        TransactionBuilder::new(self)
    }

    /// Whether the session is inside a transaction block (opened by Quarry or by SQL).
    pub fn is_in_transaction(&self) -> bool {
        self.tx_status != TransactionStatus::Idle
    }

    /// Runs the next call with a timeout that cancels the server's query when it elapses. The
    /// call returns within the limit plus at most 1 s (the time allowed to cancel the query and
    /// read what the server still owes); a connection not back in step by then is closed.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let r = conn.timeout(Duration::from_millis(100)).execute("SELECT pg_sleep(10)", &[]).await;
    /// assert!(matches!(r, Err(quarry_driver::Error::Timeout { .. })));
    /// # Ok(()) }
    /// ```
    pub fn timeout(&mut self, limit: Duration) -> Timed<'_> {
        Timed::new(self, limit)
    }

    /// Sets the timeout applied to every call on this connection (`None` for no limit), with the
    /// same bound as [`Connection::timeout`]; for a row stream or a cursor it bounds each wait
    /// for the server.
    pub fn set_command_timeout(&mut self, limit: Option<Duration>) {
        self.command_timeout = limit;
    }

    /// A token that cancels this connection's running query from anywhere.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let token = conn.cancel_token();
    /// tokio::spawn(async move { token.cancel().await });
    /// # Ok(()) }
    /// ```
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// The server's version string (`server_version`), e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    pub fn server_version(&self) -> Option<&str> {
        self.parameter("server_version")
    }

    /// The server version as a number like libpq's (`150018` for 15.18).
    pub fn server_version_num(&self) -> Option<u32> {
        let version = self.server_version()?;
        let numeric: String = version
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut parts = numeric.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next().flatten().unwrap_or(0);
        Some(if major >= 10 {
            major * 10_000 + minor
        } else {
            major * 10_000 + minor * 100
        })
    }

    /// The process id of the server backend serving this connection.
    pub fn server_pid(&self) -> i32 {
        self.process_id
    }

    /// The current value of a server parameter reported to clients (`ParameterStatus`):
    /// `server_version`, `client_encoding`, `TimeZone`, `in_hot_standby`, ...
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// Whether the connection can no longer be used (closed, or lost).
    pub fn is_closed(&self) -> bool {
        self.wire.is_broken()
    }

    /// Calls `listener` with every NOTICE, WARNING, INFO or LOG message the server sends.
    ///
    /// ```no_run
    /// # fn demo(conn: &mut quarry_driver::Connection) {
    /// conn.add_log_listener(|notice| eprintln!("server says: {}", notice.message()));
    /// # }
    /// ```
    pub fn add_log_listener(&mut self, listener: impl Fn(&DbError) + Send + Sync + 'static) {
        self.log_listeners.push(Arc::new(listener));
    }

    /// Removes every log listener.
    pub fn clear_log_listeners(&mut self) {
        self.log_listeners.clear();
    }

    /// Takes the notifications (`NOTIFY`) that arrived so far.
    pub fn take_notifications(&mut self) -> Vec<Notification> {
        self.notifications.drain(..).collect()
    }

    /// Closes the session: sends Terminate and closes the socket, within the recovery limit
    /// (1 s). Answers still owed to abandoned requests are not waited for: the server finishes
    /// what it already received (a COMMIT sent completes) and rolls back a transaction left open
    /// when the session ends.
    ///
    /// ```no_run
    /// # async fn demo(conn: quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.close().await?;
    /// # Ok(()) }
    /// ```
    pub async fn close(mut self) -> Result<()> {
        if self.wire.is_broken() {
            return Ok(());
        }
        quarry_protocol::frontend::terminate(&mut self.io.write_buf);
        let io = &mut self.io;
        let closed = tokio::time::timeout(timeout::RECOVERY_LIMIT, async {
            io.flush().await?;
            io.shutdown().await
        })
        .await;
        self.wire.set_broken();
        match closed {
            Ok(result) => result,
            Err(_) => Err(crate::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the server did not take the Terminate message in time",
            ))),
        }
    }

    /// Closes the socket at once, without telling the server (it notices the closed socket).
    pub fn terminate(self) {
        drop(self);
    }

    /// Statements currently in the statement cache.
    pub fn cached_statements(&self) -> usize {
        self.cache.len()
    }

    fn on_notice(&self, error: &DbError) {
        tracing::info!(target: "quarry::notice", severity = %error.severity(), code = %error.code(), "{}", error.message());
        for listener in &self.log_listeners {
            listener(error);
        }
    }

    fn queue_notification(&mut self, notification: Notification) {
        if self.notifications.len() >= MAX_QUEUED_NOTIFICATIONS {
            tracing::warn!(target: "quarry::notify", "notification queue full: dropping the oldest");
            self.notifications.pop_front();
        }
        self.notifications.push_back(notification);
    }
}

/// The rows of an `execute_many`, and the parameters they hold for the query loggers: the
/// first row's count times the rows the iterator says it has at least (exact for slices and
/// vectors), so nothing is collected to count them.
///
/// The iterator is boxed as a `Send` trait object: it lives across the awaits of the call, and
/// left as its own type (often a `map` whose closure returns borrowed parameters) the proof
/// that the call's future is `Send` would meet the compiler's limits on higher-ranked
/// lifetimes wherever a caller is spawned.
#[allow(clippy::type_complexity)]
fn count_params<'i, 'p, R, I>(
    rows: I,
) -> (
    std::iter::Peekable<Box<dyn Iterator<Item = R> + Send + 'i>>,
    usize,
)
where
    R: AsRef<[Param<'p>]>,
    I: IntoIterator<Item = R>,
    I::IntoIter: Send + 'i,
{
    let rows: Box<dyn Iterator<Item = R> + Send + 'i> = Box::new(rows.into_iter());
    let mut rows = rows.peekable();
    let per_row = rows.peek().map_or(0, |row| row.as_ref().len());
    let params = per_row.saturating_mul(rows.size_hint().0);
    (rows, params)
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("server_pid", &self.process_id)
            .field("transaction_status", &self.tx_status)
            .field("phase", &self.wire.phase())
            .field("cached_statements", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn tx_depth(&self) -> usize {
        self.tx_depth
    }

    pub(crate) fn set_tx_depth(&mut self, depth: usize) {
        self.tx_depth = depth;
    }

    /// Requests started on this connection so far.
    pub(crate) fn requests(&self) -> u64 {
        self.requests
    }

    /// Whether a request was left unfinished (a dropped future): the connection would have to
    /// drain it before its next use.
    pub(crate) fn is_mid_request(&self) -> bool {
        matches!(
            self.wire.phase(),
            phase::Phase::Busy | phase::Phase::CopyIn | phase::Phase::Streaming
        ) || !self.io.write_buf.is_empty()
    }

    /// Whether the server prints dates in ISO form (its `DateStyle` report starts with `ISO`).
    pub(crate) fn iso_datestyle(&self) -> bool {
        self.parameter("DateStyle")
            .is_some_and(|style| style.trim_start().starts_with("ISO"))
    }

    /// Whether session state may have changed since the last call, and clears the flag.
    pub(crate) fn take_session_dirty(&mut self) -> bool {
        std::mem::take(&mut self.session_dirty)
    }

    /// Stale cached plans this connection met (the pool spreads the news to its other connections).
    pub(crate) fn stale_plans(&self) -> u64 {
        self.stale_plans
    }

    /// Runs a transaction-control statement (`COMMIT`, `RELEASE SAVEPOINT`, ...) on a connection
    /// `ready()` was just called on. It is written before the first await: once this future is
    /// polled, the statement goes out even if the caller drops out (the next request reads its
    /// answer).
    pub(crate) async fn control(&mut self, sql: &str) -> Result<CommandTag> {
        self.simple_query_ready(sql).await
    }

    /// Runs BEGIN or SAVEPOINT on a connection `ready()` was just called on. If the caller drops
    /// out before the answer, the next request rolls back with `rollback` (when a transaction
    /// is open), so no transaction is left that nobody owns. A BEGIN inside a transaction opened
    /// by SQL opens nothing (the server only warns): that transaction is the user's, and is left
    /// alone.
    pub(crate) async fn begin(&mut self, sql: &str, rollback: String) -> Result<()> {
        if self.tx_depth > 0 || self.tx_status == TransactionStatus::Idle {
            self.wire
                .undo_if_abandoned(rollback, phase::UndoWhen::InTransaction);
        }
        let result = self.simple_query_ready(sql).await;
        self.wire.answer_seen();
        result.map(drop)
    }

    /// Queues SQL to run (simple protocol) before the next request.
    pub(crate) fn queue_sql(&mut self, sql: &str) {
        if !self.pending_sql.is_empty() {
            self.pending_sql.push_str("; ");
        }
        self.pending_sql.push_str(sql);
    }
}
