//! Timeouts: a limit on one call (`conn.timeout(d)`) or on every call (`command_timeout`). When it
//! elapses the server is asked to cancel the query and the connection is brought back in step
//! before the Timeout error is returned, so the next query gets its own answer.

use std::time::Duration;

use super::query::Rows;
use super::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::stream::RowStream;
use crate::types::Decode;
use quarry_protocol::backend::CommandTag;

/// How long a timed-out call may take, after its timeout, to cancel the server's query and read
/// the answers it still owes. A call with a timeout of T returns within T + `RECOVERY_LIMIT`;
/// when the connection cannot be brought back in step within it, it is closed, not waited on.
pub(super) const RECOVERY_LIMIT: Duration = Duration::from_secs(1);

/// Runs `op` on `conn` within `limit` (no limit when `None`), logged and traced as `query`.
pub(super) async fn run<T>(
    conn: &mut Connection,
    limit: Option<Duration>,
    query: &str,
    op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    run_query(conn, limit, query, 0, op).await
}

/// [`run`] for a query sent with `params` parameter values (what query loggers report).
pub(super) async fn run_query<T>(
    conn: &mut Connection,
    limit: Option<Duration>,
    query: &str,
    params: usize,
    op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    super::hooks::observe(conn, query, params, async move |c: &mut Connection| {
        limited(c, limit, query, op).await
    })
    .await
}

async fn limited<T>(
    conn: &mut Connection,
    limit: Option<Duration>,
    query: &str,
    op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    let Some(limit) = limit else {
        return op(conn).await;
    };
    match tokio::time::timeout(limit, op(conn)).await {
        Ok(result) => result,
        Err(_) => {
            Box::pin(conn.recover_after_timeout()).await;
            Err(Error::Timeout {
                timeout: limit,
                query: query.to_owned(),
            })
        }
    }
}

impl Connection {
    /// Runs `op` within `limit` (or the connection's `command_timeout` when `None`), logged
    /// and traced as `query`: for requests built outside this module (COPY).
    pub(crate) async fn limited_call<T>(
        &mut self,
        limit: Option<Duration>,
        query: &str,
        op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let limit = limit.or(self.command_timeout);
        run(self, limit, query, op).await
    }

    /// Runs `op` within the connection's command timeout, without logging it as a query (the
    /// steps of a row stream, which is logged once, at its end).
    pub(crate) async fn within_command_timeout<T>(
        &mut self,
        query: &str,
        op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        self.within_limit(None, query, op).await
    }

    /// [`Connection::within_command_timeout`] within `limit` instead, when it is given.
    pub(crate) async fn within_limit<T>(
        &mut self,
        limit: Option<Duration>,
        query: &str,
        op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let limit = limit.or(self.command_timeout);
        limited(self, limit, query, op).await
    }

    /// The abandoned request may still run on the server: cancel it, then read its answers,
    /// all within [`RECOVERY_LIMIT`]; past that the connection is broken. If this future is
    /// itself dropped, the cancel in flight stays recorded and the next request settles it first.
    async fn recover_after_timeout(&mut self) {
        if self.wire.is_broken() {
            return;
        }
        if self.wire.phase() != super::phase::Phase::Idle || !self.io.write_buf.is_empty() {
            self.start_cancel();
        }
        match tokio::time::timeout(RECOVERY_LIMIT, self.settle()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                self.wire.set_broken();
                tracing::warn!(target: "quarry", "connection lost after a timeout: {e}");
            }
            Err(_) => {
                tracing::warn!(target: "quarry", "the server did not answer a cancelled query in time; closing the connection");
                self.wire.set_broken();
            }
        }
    }
}

impl Connection {
    /// `execute` within `limit`: the one implementation behind [`Connection::execute`] and
    /// [`Timed::execute`].
    pub(super) async fn execute_within(
        &mut self,
        limit: Option<Duration>,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<CommandTag> {
        let sql = query.sql();
        run_query(
            self,
            limit,
            sql,
            params.len(),
            async |c: &mut Connection| c.execute_now(&query, params).await,
        )
        .await
    }

    /// `fetch` within `limit`.
    pub(super) async fn fetch_within(
        &mut self,
        limit: Option<Duration>,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Vec<Record>> {
        let sql = query.sql();
        run_query(
            self,
            limit,
            sql,
            params.len(),
            async |c: &mut Connection| {
                let mut rows = Vec::new();
                c.run_extended(&query, params, 0, &mut Rows::All(&mut rows))
                    .await?;
                Ok(rows)
            },
        )
        .await
    }

    /// `fetch_row` within `limit`: the server is asked for one row only.
    pub(super) async fn fetch_row_within(
        &mut self,
        limit: Option<Duration>,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        let sql = query.sql();
        run_query(
            self,
            limit,
            sql,
            params.len(),
            async |c: &mut Connection| {
                let mut first = None;
                c.run_extended(&query, params, 1, &mut Rows::First(&mut first))
                    .await?;
                Ok(first)
            },
        )
        .await
    }

    /// `fetch_val` within `limit`.
    pub(super) async fn fetch_val_within<T>(
        &mut self,
        limit: Option<Duration>,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<T>
    where
        T: for<'r> Decode<'r>,
    {
        match self.fetch_row_within(limit, &query, params).await? {
            Some(row) => row.get(0),
            None => Err(Error::RowNotFound {
                query: query.sql().to_owned(),
            }),
        }
    }
}

/// A connection with a timeout for the next call, from [`Connection::timeout`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use std::time::Duration;
/// let rows = conn.timeout(Duration::from_secs(2)).fetch("SELECT * FROM t", &[]).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Timed<'c> {
    conn: &'c mut Connection,
    limit: Duration,
}

impl<'c> Timed<'c> {
    pub(super) fn new(conn: &'c mut Connection, limit: Duration) -> Timed<'c> {
        Timed { conn, limit }
    }

    /// The connection and the limit, for timed calls defined outside this module (COPY).
    pub(crate) fn into_parts(self) -> (&'c mut Connection, Duration) {
        (self.conn, self.limit)
    }

    /// [`Connection::execute`] within the timeout.
    pub async fn execute(self, query: impl AsQuery, params: &[Param<'_>]) -> Result<CommandTag> {
        self.conn
            .execute_within(Some(self.limit), query, params)
            .await
    }

    /// [`Connection::fetch`] within the timeout.
    pub async fn fetch(self, query: impl AsQuery, params: &[Param<'_>]) -> Result<Vec<Record>> {
        self.conn
            .fetch_within(Some(self.limit), query, params)
            .await
    }

    /// [`Connection::fetch_row`] within the timeout.
    pub async fn fetch_row(
        self,
        query: impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Option<Record>> {
        self.conn
            .fetch_row_within(Some(self.limit), query, params)
            .await
    }

    /// [`Connection::pipeline`] within the timeout (it bounds the whole pipeline).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use std::time::Duration;
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let one = batch.fetch_val::<i32>("SELECT 1", &[]);
    /// let mut results = conn.timeout(Duration::from_secs(2)).pipeline(batch).await?;
    /// # Ok(()) }
    /// ```
    pub async fn pipeline(self, pipeline: super::Pipeline<'_>) -> Result<super::PipelineResults> {
        self.conn.pipeline_within(Some(self.limit), pipeline).await
    }

    /// [`Connection::fetch_val`] within the timeout.
    pub async fn fetch_val<T>(self, query: impl AsQuery, params: &[Param<'_>]) -> Result<T>
    where
        T: for<'r> Decode<'r>,
    {
        self.conn
            .fetch_val_within(Some(self.limit), query, params)
            .await
    }

    /// [`Connection::execute_many`] within the timeout.
    pub async fn execute_many<'p, R>(
        self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<()>
    where
        R: AsRef<[Param<'p>]>,
    {
        self.conn
            .execute_many_within(Some(self.limit), query, rows)
            .await
    }

    /// [`Connection::fetch_many`] within the timeout.
    pub async fn fetch_many<'p, R>(
        self,
        query: impl AsQuery,
        rows: impl IntoIterator<Item = R, IntoIter: Send>,
    ) -> Result<Vec<Record>>
    where
        R: AsRef<[Param<'p>]>,
    {
        self.conn
            .fetch_many_within(Some(self.limit), query, rows)
            .await
    }

    /// [`Connection::fetch_stream`] with each wait for the server within the timeout.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use std::time::Duration;
    /// let mut rows = conn.timeout(Duration::from_secs(1)).fetch_stream("SELECT * FROM t", &[]);
    /// while let Some(row) = rows.try_next().await? {}
    /// # Ok(()) }
    /// ```
    pub fn fetch_stream<'a>(
        self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> RowStream<'a>
    where
        'c: 'a,
    {
        RowStream::within(self.conn, query, params, Some(self.limit))
    }
}
