//! The public pipeline: several independent statements — different SQL, each with its own
//! parameters — sent in one write and answered in one round trip, each answer handed back to
//! its statement. [`Pipeline`] is what the caller queues, [`Queued`] the typed ticket of one
//! statement, [`PipelineResults`] the answers. `run.rs` drives the wire (preparing, writing,
//! retrying a stale plan), `read.rs` reads and checks the answers, `encoded.rs` holds
//! parameters encoded ahead of time (the pool's batches, built in `pool/` on this pipeline).

mod encoded;
mod read;
mod results;
mod run;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) use encoded::{EncodedParams, encode_params};
use results::kind_mismatch;
pub use results::{PipelineResults, Queued};
pub(crate) use run::{Answer, Skip};

use super::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::statement::Statement;
use crate::types::{Decode, PgType};
use quarry_protocol::backend::CommandTag;

/// Statements sent together in one round trip, from [`Pipeline::new`] (each statement in its
/// own implicit transaction, each with its own result or error) or [`Pipeline::atomic`] (all in
/// one implicit transaction: the first error fails the whole pipeline and nothing is committed).
///
/// Queue statements with the same verbs as a [`Connection`] — [`execute`](Pipeline::execute),
/// [`fetch`](Pipeline::fetch), [`fetch_row`](Pipeline::fetch_row),
/// [`fetch_val`](Pipeline::fetch_val) — each returns a [`Queued`] ticket; run the pipeline
/// with [`Connection::pipeline`] (also on a [`Transaction`](crate::Transaction), a
/// [`PoolConnection`](crate::PoolConnection) and a [`Pool`](crate::Pool)) and redeem each
/// ticket on the [`PipelineResults`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::Pipeline;
///
/// let mut batch = Pipeline::new();
/// let insert = batch.execute("INSERT INTO t(id, name) VALUES ($1, $2)", &[&1i32, &"a"]);
/// let names = batch.fetch("SELECT name FROM t WHERE id > $1", &[&0i32]);
/// let count = batch.fetch_val::<i64>("SELECT count(*) FROM t", &[]);
/// let mut results = conn.pipeline(batch).await?; // one round trip
/// println!("{} inserted", results.take(insert)?.rows());
/// for row in results.take(names)? {
///     let name: &str = row.get("name")?;
/// }
/// let n: i64 = results.take(count)?;
/// # Ok(()) }
/// ```
///
/// Statements not prepared on the connection yet are prepared first (one round trip each,
/// then cached like every query). Parameters are borrowed until the pipeline runs.
///
/// Cancellation and timeouts are those of every call: a `pipeline` future dropped at any await
/// leaves the connection to finish what was sent before its next request; in the default mode
/// each statement already sent runs (and commits) on its own, in atomic mode the statements
/// run all or none. The connection's command timeout (or [`Connection::timeout`]) bounds the
/// whole pipeline.
pub struct Pipeline<'a> {
    id: u64,
    atomic: bool,
    /// Set by the pool: every statement must leave the session idle, since the statements of
    /// one batch belong to different callers (one left in a transaction breaks the connection
    /// rather than run the others inside it).
    isolated: bool,
    /// Each answer carries the time since the one before (the pool's cost estimates).
    timed: bool,
    entries: Vec<Entry<'a>>,
    /// The parameters of every entry, one after another.
    values: Vec<Param<'a>>,
}

impl std::fmt::Debug for Pipeline<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("atomic", &self.atomic)
            .field("statements", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// One queued statement.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    sql: Sql<'a>,
    /// A statement the caller prepared (used when it belongs to the connection).
    stmt: Option<Statement>,
    args: Args,
    kind: PipeKind,
}

/// The SQL text of an entry: borrowed from the caller, or shared (the pool's requests).
#[derive(Debug)]
enum Sql<'a> {
    Borrowed(&'a str),
    Shared(Arc<str>),
}

impl Sql<'_> {
    fn as_str(&self) -> &str {
        match self {
            Sql::Borrowed(sql) => sql,
            Sql::Shared(sql) => sql,
        }
    }
}

/// An entry's parameters.
#[derive(Debug)]
enum Args {
    /// Values in the pipeline's `values`, encoded when written.
    Values(Range<usize>),
    /// Encoded beforehand for these parameter types: sent only if the statement has exactly
    /// them (otherwise [`Skip::TypesDiffer`]).
    Encoded(Box<EncodedParams>, Arc<[Arc<PgType>]>),
}

/// What a pipelined statement returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PipeKind {
    /// The command tag (`execute`).
    Execute,
    /// Every row (`fetch`).
    Fetch,
    /// The first row; the server is asked for one (`fetch_row`).
    FetchRow,
    /// Like `FetchRow`, and no row is an error (`fetch_val`).
    FetchVal,
}

/// A pipelined statement's answer.
#[derive(Debug)]
pub(crate) enum PipeOutput {
    /// From [`PipeKind::Execute`].
    Tag(CommandTag),
    /// From [`PipeKind::Fetch`].
    Rows(Vec<Record>),
    /// From [`PipeKind::FetchRow`] and [`PipeKind::FetchVal`].
    Row(Option<Record>),
}

/// Distinguishes pipelines, so a ticket cannot be redeemed on another pipeline's results.
static NEXT_PIPELINE: AtomicU64 = AtomicU64::new(1);

impl Default for Pipeline<'_> {
    fn default() -> Self {
        Pipeline::new()
    }
}

impl<'a> Pipeline<'a> {
    /// An empty pipeline whose statements each run in their own implicit transaction (a Sync
    /// after each): one that fails does not affect the others, and each has its own result.
    /// Inside a [`Transaction`](crate::Transaction) every statement runs in it, so a failure
    /// fails the transaction and the statements after it.
    ///
    /// ```
    /// let batch = quarry_driver::Pipeline::new();
    /// assert!(batch.is_empty());
    /// ```
    pub fn new() -> Pipeline<'a> {
        Pipeline {
            id: NEXT_PIPELINE.fetch_add(1, Ordering::Relaxed),
            atomic: false,
            isolated: false,
            timed: false,
            entries: Vec::new(),
            values: Vec::new(),
        }
    }

    /// An empty pipeline whose statements all run in one implicit transaction (one Sync at the
    /// end): the first error skips the rest, nothing is committed, and
    /// [`Connection::pipeline`] returns that error. Inside a
    /// [`Transaction`](crate::Transaction) they run in it (a failure fails it).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::atomic();
    /// batch.execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2", &[&10i64, &1i32]);
    /// batch.execute("UPDATE accounts SET balance = balance + $1 WHERE id = $2", &[&10i64, &2i32]);
    /// conn.pipeline(batch).await?; // both or neither
    /// # Ok(()) }
    /// ```
    pub fn atomic() -> Pipeline<'a> {
        Pipeline {
            atomic: true,
            ..Pipeline::new()
        }
    }

    /// Whether this pipeline runs its statements in one implicit transaction.
    ///
    /// ```
    /// assert!(quarry_driver::Pipeline::atomic().is_atomic());
    /// assert!(!quarry_driver::Pipeline::new().is_atomic());
    /// ```
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// Statements queued.
    ///
    /// ```
    /// let mut batch = quarry_driver::Pipeline::new();
    /// batch.execute("SELECT 1", &[]);
    /// assert_eq!(batch.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no statement is queued.
    ///
    /// ```
    /// assert!(quarry_driver::Pipeline::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Queues a statement whose result is its command tag, as [`Connection::execute`] returns
    /// (always through the extended protocol: one statement, no `;`-separated list).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let deleted = batch.execute("DELETE FROM t WHERE id = $1", &[&7i32]);
    /// let mut results = conn.pipeline(batch).await?;
    /// println!("{} deleted", results.take(deleted)?.rows());
    /// # Ok(()) }
    /// ```
    pub fn execute(
        &mut self,
        query: &'a (impl AsQuery + ?Sized),
        params: &[Param<'a>],
    ) -> Queued<CommandTag> {
        self.queue(query, params, PipeKind::Execute, |output| match output {
            PipeOutput::Tag(tag) => Ok(tag),
            _ => Err(kind_mismatch()),
        })
    }

    /// Queues a query whose result is all its rows, as [`Connection::fetch`] returns.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let rows = batch.fetch("SELECT id FROM t WHERE id > $1", &[&0i32]);
    /// let mut results = conn.pipeline(batch).await?;
    /// for row in results.take(rows)? {
    ///     let id: i32 = row.get(0)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch(
        &mut self,
        query: &'a (impl AsQuery + ?Sized),
        params: &[Param<'a>],
    ) -> Queued<Vec<Record>> {
        self.queue(query, params, PipeKind::Fetch, |output| match output {
            PipeOutput::Rows(rows) => Ok(rows),
            _ => Err(kind_mismatch()),
        })
    }

    /// Queues a query whose result is its first row, if any, as [`Connection::fetch_row`]
    /// returns (the server is asked for one row only).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let row = batch.fetch_row("SELECT * FROM t WHERE id = $1", &[&1i32]);
    /// let mut results = conn.pipeline(batch).await?;
    /// if let Some(row) = results.take(row)? {
    ///     println!("{row:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch_row(
        &mut self,
        query: &'a (impl AsQuery + ?Sized),
        params: &[Param<'a>],
    ) -> Queued<Option<Record>> {
        self.queue(query, params, PipeKind::FetchRow, |output| match output {
            PipeOutput::Row(row) => Ok(row),
            _ => Err(kind_mismatch()),
        })
    }

    /// Queues a query whose result is the first column of its first row, decoded as `T`, as
    /// [`Connection::fetch_val`] returns (no row is [`Error::RowNotFound`]; a NULL needs
    /// `Option<T>`). The value is decoded when the ticket is redeemed.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let doubled: Vec<_> = (1..=3).map(|_| batch.fetch_val::<i32>("SELECT 2 * 21", &[])).collect();
    /// let mut results = conn.pipeline(batch).await?;
    /// for value in doubled {
    ///     assert_eq!(results.take(value)?, 42);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch_val<T>(
        &mut self,
        query: &'a (impl AsQuery + ?Sized),
        params: &[Param<'a>],
    ) -> Queued<T>
    where
        T: for<'r> Decode<'r>,
    {
        self.queue(query, params, PipeKind::FetchVal, |output| match output {
            PipeOutput::Row(Some(row)) => row.get(0),
            // Answered as an error when it ran (the error names the query).
            PipeOutput::Row(None) => Err(Error::RowNotFound {
                query: String::new(),
            }),
            _ => Err(kind_mismatch()),
        })
    }

    fn queue<T>(
        &mut self,
        query: &'a (impl AsQuery + ?Sized),
        params: &[Param<'a>],
        kind: PipeKind,
        convert: fn(PipeOutput) -> Result<T>,
    ) -> Queued<T> {
        let start = self.values.len();
        self.values.extend_from_slice(params);
        let index = self.entries.len();
        self.entries.push(Entry {
            sql: Sql::Borrowed(query.sql()),
            stmt: query.statement().cloned(),
            args: Args::Values(start..self.values.len()),
            kind,
        });
        Queued::new(self.id, index, convert)
    }
}

impl Pipeline<'static> {
    /// A pipeline for the pool's batches: statements of different callers, each of which must
    /// leave the session idle.
    pub(crate) fn isolated() -> Pipeline<'static> {
        Pipeline {
            isolated: true,
            timed: true,
            ..Pipeline::new()
        }
    }

    /// Queues `sql` with parameters encoded beforehand for `types`.
    pub(crate) fn push_encoded(
        &mut self,
        sql: Arc<str>,
        types: Arc<[Arc<PgType>]>,
        params: EncodedParams,
        kind: PipeKind,
    ) {
        self.entries.push(Entry {
            sql: Sql::Shared(sql),
            stmt: None,
            args: Args::Encoded(Box::new(params), types),
            kind,
        });
    }
}

impl Connection {
    /// Whether requests of other callers may be pipelined on this connection (the pool's
    /// batches): nothing observes single queries (loggers, DEBUG tracing) and no command
    /// timeout applies, since neither can be honoured per request inside a pipeline.
    pub(crate) fn pipelines_requests(&self) -> bool {
        self.command_timeout.is_none() && !self.queries_observed()
    }

    /// After a successful ordinary run of `sql`: the parameter types callers may encode for
    /// ahead of time (the pool's batches), when the statement can be shared that way — cached
    /// under a name, no session side effects, and the session idle, outside a transaction and
    /// unchanged.
    pub(crate) fn pipeline_profile(&mut self, sql: &str) -> Option<Arc<[Arc<PgType>]>> {
        if !self.pipelines_requests()
            || self.wire.is_broken()
            || self.session_dirty
            || self.tx_status != quarry_protocol::TransactionStatus::Idle
            || self.is_mid_request()
        {
            return None;
        }
        let (stmt, expired) = self.cache.get(sql);
        if let Some(expired) = expired {
            self.pending_close.push(expired.name().to_owned());
        }
        let stmt = stmt?;
        if stmt.name().is_empty() || stmt.0.changes_session {
            return None;
        }
        Some(stmt.0.param_types.clone().into())
    }
}
