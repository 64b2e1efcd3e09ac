//! Rows a little at a time: named portals for cursors (Bind once, then Execute with a row limit
//! per fetch, each answered up to ReadyForQuery so an abandoned fetch is finished by the next
//! `ready()`), and the unnamed portal read row by row for `fetch_stream`.

use std::collections::VecDeque;
use std::time::Duration;

use super::query::{check_params, write_bind_to};
use super::{AsQuery, Connection, Param};
use crate::error::{Error, Result};
use crate::protocol::backend::Message;
use crate::protocol::{TransactionStatus, frontend};
use crate::record::Record;
use crate::statement::Statement;

/// How long a dropped `fetch_stream`'s rest may take to arrive before the server is asked to
/// cancel it (a cancel costs a new connection to the server: not worth it for a small rest).
const STREAM_GRACE: Duration = Duration::from_millis(20);

impl Connection {
    /// The statement to run `query` with: its own when prepared on this session, else cached.
    async fn statement_of(&mut self, query: &impl AsQuery) -> Result<Statement> {
        match query.statement() {
            Some(stmt) if stmt.0.session == self.session_id => Ok(stmt.clone()),
            _ => self.statement_for(query.sql(), false).await,
        }
    }

    /// Binds `query` to the named `portal`. Needs an open transaction (the portal lives until
    /// it ends): anything queued (a dropped savepoint's rollback) runs first so the check is true.
    pub(crate) async fn open_portal(
        &mut self,
        portal: &str,
        query: &impl AsQuery,
        params: &[Param<'_>],
    ) -> Result<Statement> {
        self.ready().await?;
        if self.pending_ready > 0 {
            self.send().await?;
            self.drain_to_ready().await?;
        }
        if self.tx_status == TransactionStatus::Idle {
            return Err(Error::NoTransaction("a cursor"));
        }
        let stmt = self.statement_of(query).await?;
        check_params(&stmt, params)?;
        self.write_pending_closes()?;
        write_bind_to(portal, &stmt, params, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.needs_sync = false;
        self.pending_ready += 1;
        self.send().await?;
        let mut error = None;
        loop {
            match self.recv().await? {
                Message::BindComplete | Message::CloseComplete | Message::ParseComplete => {}
                Message::ErrorResponse(fields) => {
                    error = Some(self.db_error(&fields, Some(stmt.sql())));
                }
                Message::ReadyForQuery { status } => {
                    self.on_ready(status);
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
        self.ready().await?;
        frontend::execute(portal, max_rows, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.pending_ready += 1;
        self.send().await?;
        let mut more = false;
        let mut error = None;
        let before = out.len();
        loop {
            while self.queued_answers == 0
                && let Some(row) = self.io.buffered_data_row()
            {
                if error.is_none() {
                    out.push_back(self.record(stmt, row)?);
                }
            }
            match self.recv().await? {
                Message::DataRow(row) => {
                    if error.is_none() {
                        out.push_back(self.record(stmt, row)?);
                    }
                }
                Message::PortalSuspended => more = true,
                Message::CommandComplete { .. } | Message::EmptyQueryResponse => more = false,
                Message::ErrorResponse(fields) => {
                    error = Some(self.db_error(&fields, Some(stmt.sql())));
                }
                Message::ReadyForQuery { status } => {
                    self.on_ready(status);
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
        self.ready().await?;
        frontend::close_portal(portal, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.pending_ready += 1;
        self.send().await?;
        let mut error = None;
        loop {
            match self.recv().await? {
                Message::CloseComplete => {}
                Message::ErrorResponse(fields) => error = Some(self.db_error(&fields, None)),
                Message::ReadyForQuery { status } => {
                    self.on_ready(status);
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
    ) -> Result<Statement> {
        self.ready().await?;
        let stmt = self.statement_of(query).await?;
        check_params(&stmt, params)?;
        self.write_pending_closes()?;
        write_bind_to("", &stmt, params, &mut self.io.write_buf)?;
        frontend::execute("", 0, &mut self.io.write_buf)?;
        frontend::sync(&mut self.io.write_buf);
        self.needs_sync = false;
        self.pending_ready += 1;
        self.stream_open = true;
        self.send().await?;
        Ok(stmt)
    }

    /// Finishes a `fetch_stream` dropped before its end (called by `ready()`): the rest of the
    /// result is read and dropped, and when it has not all arrived within [`STREAM_GRACE`] the
    /// server is asked to cancel the query, so a dropped stream over millions of rows does not
    /// hold up the next request. A cancel that arrives after the query ended is ignored by the
    /// server (it is idle, reading the next command, until `ready()` returns).
    pub(super) async fn finish_abandoned_stream(&mut self) -> Result<()> {
        self.stream_open = false;
        if self.pending_ready == 0 {
            return Ok(());
        }
        self.send().await?;
        if let Ok(drained) = tokio::time::timeout(STREAM_GRACE, self.drain_to_ready()).await {
            return drained;
        }
        tracing::debug!(target: "quarry", "cancelling the rest of a dropped row stream");
        if let Err(e) = self.cancel.cancel().await {
            tracing::warn!(target: "quarry", "could not send a cancel request: {e}");
        }
        self.drain_to_ready().await
    }

    /// The next row of a query started by [`Connection::start_stream`]; `None` once its
    /// ReadyForQuery has arrived (do not call again after that). Cancel safe.
    pub(crate) async fn next_streamed(&mut self, stmt: &Statement) -> Result<Option<Record>> {
        loop {
            if self.queued_answers == 0
                && let Some(row) = self.io.buffered_data_row()
            {
                return self.record(stmt, row).map(Some);
            }
            match self.recv().await? {
                Message::DataRow(row) => return self.record(stmt, row).map(Some),
                Message::CommandComplete { tag } => self.set_last_rows(tag.rows()),
                Message::BindComplete
                | Message::CloseComplete
                | Message::ParseComplete
                | Message::PortalSuspended
                | Message::EmptyQueryResponse => {}
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, Some(stmt.sql()));
                    self.drain_to_ready().await?;
                    self.stream_open = false;
                    return Err(error);
                }
                Message::ReadyForQuery { status } => {
                    self.on_ready(status);
                    self.stream_open = false;
                    return Ok(None);
                }
                other => return Err(self.unexpected("streamed rows", &other)),
            }
        }
    }
}
