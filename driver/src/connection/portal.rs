//! Rows a little at a time: named portals for cursors (Bind once, then Execute with a row limit
//! per fetch, each answered up to ReadyForQuery so an abandoned fetch is finished by the next
//! `ready()`), and the unnamed portal read row by row for `fetch_stream`.

use std::collections::VecDeque;
use std::time::Duration;

use super::query::{check_param_limit, check_params, write_bind_to};
use super::reply::ExecuteReply;
use super::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::statement::Statement;
use quarry_protocol::backend::Message;
use quarry_protocol::{TransactionStatus, frontend};

/// How long a dropped `fetch_stream`'s rest may take to arrive before the server is asked to
/// cancel it (a cancel costs a new connection to the server: not worth it for a small rest).
const STREAM_GRACE: Duration = Duration::from_millis(20);

impl Connection {
    /// The statement to run `query` with: its own when prepared on this session, else cached.
    async fn statement_of(&mut self, query: &impl AsQuery) -> Result<Statement> {
        match query.statement() {
            Some(stmt) if self.holds_prepared(stmt) => Ok(stmt.clone()),
            _ => self.statement_for(query.sql(), false).await,
        }
    }

    /// Binds `query` to the named `portal`. Needs an open transaction (the portal lives until
    /// it ends): anything queued (a dropped savepoint's rollback) runs first so the check is true.
    /// Each step of a cursor is bounded by the command timeout.
    pub(crate) async fn open_portal(
        &mut self,
        portal: &str,
        query: &impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Statement> {
        self.within_command_timeout(query.sql(), async |c: &mut Connection| {
            c.open_portal_now(portal, query, params).await
        })
        .await
    }

    async fn open_portal_now(
        &mut self,
        portal: &str,
        query: &impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Statement> {
        check_param_limit(query.sql(), params.len())?;
        self.ready().await?;
        if self.wire.owed() > 0 {
            self.send().await?;
            self.drain_to_ready().await?;
        }
        if self.tx_status == TransactionStatus::Idle {
            return Err(Error::NoTransaction("a cursor"));
        }
        self.check_session_sql(query).await?;
        let stmt = self.statement_of(query).await?;
        check_params(&stmt, params)?;
        self.write_pending_closes()?;
        write_bind_to(portal, &stmt, params, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.send().await?;
        let mut error = None;
        let mut bound = false;
        loop {
            match self.recv().await? {
                Message::BindComplete if !bound => bound = true,
                Message::CloseComplete | Message::ParseComplete => {}
                Message::ErrorResponse(fields) => {
                    error = Some(self.db_error(&fields, Some(stmt.sql())));
                }
                Message::ReadyForQuery { status } if bound || error.is_some() => {
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("a cursor's Bind", &other)),
            }
        }
        error.map_or(Ok(stmt), Err)
    }

    /// Executes `portal` for up to `max_rows` rows (0: all), appending them to `out`. Returns
    /// whether the portal has more rows.
    pub(crate) async fn fetch_portal(
        &mut self,
        portal: &str,
        stmt: &Statement,
        max_rows: i32,
        out: &mut VecDeque<Record>,
    ) -> Result<bool> {
        self.within_command_timeout(stmt.sql(), async |c: &mut Connection| {
            c.fetch_portal_now(portal, stmt, max_rows, out).await
        })
        .await
    }

    async fn fetch_portal_now(
        &mut self,
        portal: &str,
        stmt: &Statement,
        max_rows: i32,
        out: &mut VecDeque<Record>,
    ) -> Result<bool> {
        self.ready().await?;
        frontend::execute(portal, max_rows, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.send().await?;
        let mut more = false;
        let mut error = None;
        let mut reply = ExecuteReply::bound();
        let before = out.len();
        loop {
            while !self.wire.answers_queued()
                && let Some(row) = self.io.buffered_data_row()
            {
                self.check_reply(reply.on_row())?;
                if error.is_none() {
                    out.push_back(self.record(stmt, row)?);
                }
            }
            match self.recv().await? {
                Message::DataRow(row) => {
                    self.check_reply(reply.on_row())?;
                    if error.is_none() {
                        out.push_back(self.record(stmt, row)?);
                    }
                }
                Message::PortalSuspended => {
                    self.check_reply(reply.on_end(None, false))?;
                    more = true;
                }
                Message::CommandComplete { .. } | Message::EmptyQueryResponse => {
                    self.check_reply(reply.on_end(None, false))?;
                    more = false;
                }
                Message::ErrorResponse(fields) => {
                    reply.on_error();
                    error = Some(self.db_error(&fields, Some(stmt.sql())));
                }
                Message::ReadyForQuery { status } => {
                    self.check_reply(reply.on_ready())?;
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("cursor rows", &other)),
            }
        }
        self.set_last_rows(u64::try_from(out.len() - before).unwrap_or(u64::MAX));
        error.map_or(Ok(more), Err)
    }

    /// Closes a named portal (Close + Sync).
    pub(crate) async fn close_portal(&mut self, portal: &str) -> Result<()> {
        self.within_command_timeout(portal, async |c: &mut Connection| {
            c.close_portal_now(portal).await
        })
        .await
    }

    async fn close_portal_now(&mut self, portal: &str) -> Result<()> {
        self.ready().await?;
        frontend::close_portal(portal, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.send().await?;
        let mut error = None;
        let mut closed = false;
        loop {
            match self.recv().await? {
                Message::CloseComplete if !closed => closed = true,
                Message::ErrorResponse(fields) => error = Some(self.db_error(&fields, None)),
                Message::ReadyForQuery { status } if closed || error.is_some() => {
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("a portal's CloseComplete", &other)),
            }
        }
        error.map_or(Ok(()), Err)
    }

    /// Starts `query` on the unnamed portal with no row limit; its rows are then read one by one
    /// with [`Connection::next_streamed`]. Until the last one is read the request is owed its
    /// ReadyForQuery, so dropping the stream leaves the rest for the next `ready()` to drain.
    pub(crate) async fn start_stream(
        &mut self,
        query: &impl AsQuery,
        params: &[Param<'_>],
        limit: Option<Duration>,
    ) -> Result<Statement> {
        self.within_limit(limit, query.sql(), async |c: &mut Connection| {
            c.start_stream_now(query, params).await
        })
        .await
    }

    async fn start_stream_now(
        &mut self,
        query: &impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Statement> {
        check_param_limit(query.sql(), params.len())?;
        self.ready().await?;
        self.check_session_sql(query).await?;
        let stmt = self.statement_of(query).await?;
        check_params(&stmt, params)?;
        self.write_pending_closes()?;
        write_bind_to("", &stmt, params, &mut self.io.write_buf)?;
        frontend::execute("", 0, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.wire.open_stream();
        self.send().await?;
        Ok(stmt)
    }

    /// Finishes a `fetch_stream` dropped before its end (called by `ready()`): the rest of the
    /// result is read and dropped, and when it has not all arrived within [`STREAM_GRACE`] the
    /// server is asked to cancel the query (settled by `ready()` before anything new is sent), so
    /// a dropped stream over millions of rows does not hold up the next request.
    ///
    /// The stream stays marked open until its ReadyForQuery arrives (which closes it), so when
    /// this is dropped during the grace period the next `ready()` gives the rest a grace period
    /// again, and cancels it after that, rather than waiting for the whole result.
    pub(super) async fn finish_abandoned_stream(&mut self) -> Result<()> {
        if self.wire.owed() == 0 {
            self.wire.close_stream();
            return Ok(());
        }
        self.send().await?;
        if let Ok(drained) = tokio::time::timeout(STREAM_GRACE, self.drain_to_ready()).await {
            self.wire.close_stream();
            return drained;
        }
        tracing::debug!(target: "quarry", "cancelling the rest of a dropped row stream");
        self.start_cancel();
        Ok(())
    }

    /// The next row of a query started by [`Connection::start_stream`]; `None` once its
    /// ReadyForQuery has arrived (do not call again after that). Each wait for the server is
    /// bounded by `limit` (the command timeout when `None`). Cancel safe.
    pub(crate) async fn next_streamed(
        &mut self,
        stmt: &Statement,
        limit: Option<Duration>,
    ) -> Result<Option<Record>> {
        self.within_limit(limit, stmt.sql(), async |c: &mut Connection| {
            c.next_streamed_now(stmt).await
        })
        .await
    }

    async fn next_streamed_now(&mut self, stmt: &Statement) -> Result<Option<Record>> {
        let returns_rows = !stmt.0.columns.is_empty();
        loop {
            if !self.wire.answers_queued()
                && let Some(row) = self.io.buffered_data_row()
            {
                let verdict = self.wire.stream_reply().on_row();
                self.check_reply(verdict)?;
                return self.record(stmt, row).map(Some);
            }
            match self.recv().await? {
                Message::DataRow(row) => {
                    let verdict = self.wire.stream_reply().on_row();
                    self.check_reply(verdict)?;
                    return self.record(stmt, row).map(Some);
                }
                Message::CommandComplete { tag } => {
                    let verdict = self.wire.stream_reply().on_end(Some(&tag), returns_rows);
                    self.check_reply(verdict)?;
                    self.set_last_rows(tag.rows());
                }
                Message::BindComplete => {
                    let verdict = self.wire.stream_reply().on_bind_complete();
                    self.check_reply(verdict)?;
                }
                Message::PortalSuspended | Message::EmptyQueryResponse => {
                    let verdict = self.wire.stream_reply().on_end(None, false);
                    self.check_reply(verdict)?;
                }
                Message::CloseComplete | Message::ParseComplete => {}
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, Some(stmt.sql()));
                    self.wire.close_stream();
                    self.drain_to_ready().await?;
                    return Err(error);
                }
                Message::ReadyForQuery { status } => {
                    let verdict = self.wire.stream_reply().on_ready();
                    self.check_reply(verdict)?;
                    self.on_ready(status)?;
                    self.wire.close_stream();
                    return Ok(None);
                }
                other => return Err(self.unexpected("streamed rows", &other)),
            }
        }
    }
}
