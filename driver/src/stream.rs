//! `fetch_stream`: a query's rows as a `Stream`, read off the socket one by one instead of
//! collected, so any result size fits in bounded memory. Dropping the stream midway is safe: the
//! request is still owed its ReadyForQuery, and the connection's next request reads (and drops)
//! the rest first.

use std::future::Future;
use std::ops::DerefMut;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;

use crate::connection::{AsQuery, Connection, Param};
use crate::error::Result;
use crate::record::Record;
use crate::statement::Statement;

/// The rows of a query, as they arrive. From [`Connection::fetch_stream`],
/// [`Executor::fetch_stream`](crate::Executor::fetch_stream) or
/// [`Cursor::into_stream`](crate::Cursor::into_stream).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use futures_util::StreamExt;
/// let mut rows = conn.fetch_stream("SELECT * FROM generate_series(1, 10000000) AS n", &[]);
/// while let Some(row) = rows.next().await {
///     let n: i32 = row?.get(0)?;
///     if n == 10 {
///         break; // the rest is drained by the connection's next request
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct RowStream<'a> {
    inner: Pin<Box<dyn Stream<Item = Result<Record>> + Send + 'a>>,
}

enum State<C, Q, F> {
    Connecting(F, Q),
    Start(C, Q),
    Rows(C, Statement, Q, Instant),
    Done,
}

impl<'a> RowStream<'a> {
    pub(crate) fn from_stream(stream: impl Stream<Item = Result<Record>> + Send + 'a) -> Self {
        RowStream {
            inner: Box::pin(stream),
        }
    }

    /// Streams `query` on a connection (a `&mut Connection`, or an owned pooled connection).
    pub fn new<C, Q>(conn: C, query: Q, params: &'a [Param<'a>]) -> RowStream<'a>
    where
        C: DerefMut<Target = Connection> + Send + 'a,
        Q: AsQuery + Send + 'a,
    {
        Self::within(conn, query, params, None)
    }

    /// [`RowStream::new`] with each wait for the server bounded by `limit` instead of the
    /// connection's command timeout.
    pub(crate) fn within<C, Q>(
        conn: C,
        query: Q,
        params: &'a [Param<'a>],
        limit: Option<Duration>,
    ) -> RowStream<'a>
    where
        C: DerefMut<Target = Connection> + Send + 'a,
        Q: AsQuery + Send + 'a,
    {
        Self::build::<C, Q, std::future::Ready<Result<C>>>(State::Start(conn, query), params, limit)
    }

    /// Streams `query` on the connection `connect` resolves to (for example a pool's `acquire()`;
    /// the connection is held until the stream is dropped).
    pub fn acquiring<C, Q, F>(connect: F, query: Q, params: &'a [Param<'a>]) -> RowStream<'a>
    where
        C: DerefMut<Target = Connection> + Send + 'a,
        Q: AsQuery + Send + 'a,
        F: Future<Output = Result<C>> + Send + 'a,
    {
        Self::build(State::Connecting(connect, query), params, None)
    }

    fn build<C, Q, F>(
        state: State<C, Q, F>,
        params: &'a [Param<'a>],
        limit: Option<Duration>,
    ) -> RowStream<'a>
    where
        C: DerefMut<Target = Connection> + Send + 'a,
        Q: AsQuery + Send + 'a,
        F: Future<Output = Result<C>> + Send + 'a,
    {
        let stream = futures_util::stream::unfold(state, move |state| async move {
            let (mut conn, stmt, query, start) = match state {
                State::Done => return None,
                State::Connecting(connect, query) => match connect.await {
                    Ok(conn) => match start(conn, query, params, limit).await {
                        Ok(started) => started,
                        Err(e) => return Some((Err(e), State::Done)),
                    },
                    Err(e) => return Some((Err(e), State::Done)),
                },
                State::Start(conn, query) => match start(conn, query, params, limit).await {
                    Ok(started) => started,
                    Err(e) => return Some((Err(e), State::Done)),
                },
                State::Rows(conn, stmt, query, start) => (conn, stmt, query, start),
            };
            match conn.next_streamed(&stmt, limit).await {
                Ok(Some(row)) => Some((Ok(row), State::Rows(conn, stmt, query, start))),
                Ok(None) => {
                    if conn.queries_observed() {
                        conn.log_query(query.sql(), params.len(), start, None);
                    }
                    None
                }
                Err(e) => {
                    if conn.queries_observed() {
                        conn.log_query(query.sql(), params.len(), start, Some(&e));
                    }
                    conn.check_terminated(Some(&e));
                    Some((Err(e), State::Done))
                }
            }
        });
        Self::from_stream(stream)
    }
}

/// Sends the query; on failure reports it to loggers and termination listeners.
async fn start<C, Q>(
    mut conn: C,
    query: Q,
    params: &[Param<'_>],
    limit: Option<Duration>,
) -> Result<(C, Statement, Q, Instant)>
where
    C: DerefMut<Target = Connection>,
    Q: AsQuery,
{
    let begun = Instant::now();
    match conn.start_stream(&query, params, limit).await {
        Ok(stmt) => Ok((conn, stmt, query, begun)),
        Err(e) => {
            if conn.queries_observed() {
                conn.log_query(query.sql(), params.len(), begun, Some(&e));
            }
            conn.check_terminated(Some(&e));
            Err(e)
        }
    }
}

impl Stream for RowStream<'_> {
    type Item = Result<Record>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for RowStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream").finish_non_exhaustive()
    }
}

impl Connection {
    /// Runs a query and returns its rows as a `Stream`, read from the socket as they are
    /// consumed (nothing is collected). See [`RowStream`].
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut rows = conn.fetch_stream("SELECT id FROM t WHERE id > $1", &[&10i32]);
    /// while let Some(row) = rows.try_next().await? {
    ///     let id: i32 = row.get("id")?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fetch_stream<'a>(
        &'a mut self,
        query: impl AsQuery + Send + 'a,
        params: &'a [Param<'a>],
    ) -> RowStream<'a> {
        RowStream::new(self, query, params)
    }
}
