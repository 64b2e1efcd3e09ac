//! Keeping client and server in step: every request is answered up to ReadyForQuery, and a
//! request abandoned halfway (an error, a timeout, a dropped future) is finished before the next
//! one starts — or the connection is marked closed. Also the receive loop that handles messages
//! the server may send at any time (ParameterStatus, notices, notifications).

use super::{Connection, Notification};
use crate::error::{DbError, Error, Result, Severity};
use crate::protocol::backend::{ErrorFields, Message};
use crate::protocol::{TransactionStatus, frontend};

impl Connection {
    /// Brings the connection to a clean, idle protocol state before a new request: flushes
    /// unsent bytes, sends a missing Sync, reads every answer still owed, and runs the rollback
    /// a dropped transaction left behind. Any failure here closes the connection.
    pub(crate) async fn ready(&mut self) -> Result<()> {
        if self.closed {
            return Err(Error::Closed);
        }
        if self.in_copy_in {
            // A COPY FROM STDIN abandoned midway (its future dropped): abort it on the server.
            self.in_copy_in = false;
            if let Err(e) =
                frontend::copy_fail("COPY abandoned by the client", &mut self.io.write_buf)
            {
                self.closed = true;
                return Err(e.into());
            }
        }
        if self.stream_open
            && let Err(e) = Box::pin(self.finish_abandoned_stream()).await
        {
            self.closed = true;
            return Err(e);
        }
        if (self.needs_sync || self.pending_ready > 0 || !self.io.write_buf.is_empty())
            && let Err(e) = Box::pin(self.resync()).await
        {
            self.closed = true;
            return Err(e);
        }
        self.requests += 1;
        if !self.pending_sql.is_empty() {
            // Queued SQL (a dropped transaction's rollback, a pool's reset) goes out in the same
            // write as the request that follows, and `recv` skips its answers: no extra round trip.
            let sql = std::mem::take(&mut self.pending_sql);
            frontend::query(&sql, &mut self.io.write_buf)?;
            self.pending_ready += 1;
            self.queued_answers += 1;
        }
        Ok(())
    }

    pub(super) async fn resync(&mut self) -> Result<()> {
        if self.needs_sync {
            frontend::sync(&mut self.io.write_buf);
            self.needs_sync = false;
            self.pending_ready += 1;
        }
        self.send().await?;
        self.drain_to_ready().await
    }

    /// Checks, without waiting, that an idle connection is still usable: reads whatever the
    /// server sent since (notices, notifications, parameter changes are handled; a FATAL error or
    /// the end of the stream closes the connection). Returns whether it is usable.
    pub(crate) fn check_idle(&mut self) -> bool {
        if self.closed || self.pending_ready > 0 || self.needs_sync {
            return !self.closed;
        }
        loop {
            match self.io.read_now() {
                Ok(None) => break,
                Ok(Some(0)) | Err(_) => {
                    self.closed = true;
                    return false;
                }
                Ok(Some(_)) => {}
            }
        }
        loop {
            match self.io.buffered_message() {
                Ok(None) => return true,
                Ok(Some(Message::ParameterStatus { name, value })) => {
                    self.parameters.insert(name, value);
                }
                Ok(Some(Message::NoticeResponse(fields))) => {
                    if let Ok(notice) = parse_db_error(&fields) {
                        self.on_notice(&notice);
                    }
                }
                Ok(Some(Message::NotificationResponse {
                    process_id,
                    channel,
                    payload,
                })) => self.on_notification(Notification {
                    process_id,
                    channel,
                    payload,
                }),
                // An idle session only gets an ErrorResponse when the server ends it
                // (pg_terminate_backend, shutdown, idle_session_timeout); anything else is a
                // protocol violation. Either way the connection is done.
                Ok(Some(_)) | Err(_) => {
                    self.closed = true;
                    return false;
                }
            }
        }
    }

    /// Sends Sync now and waits for its ReadyForQuery (after an error in a Flush-terminated step).
    pub(super) async fn sync_now(&mut self) -> Result<()> {
        frontend::sync(&mut self.io.write_buf);
        self.needs_sync = false;
        self.pending_ready += 1;
        self.send().await?;
        self.drain_to_ready().await
    }

    /// Reads and discards messages until every owed ReadyForQuery has arrived.
    pub(super) async fn drain_to_ready(&mut self) -> Result<()> {
        while self.pending_ready > 0 {
            match self.recv_any().await? {
                Message::ReadyForQuery { status } => self.on_ready(status),
                Message::CopyInResponse(_) => {
                    frontend::copy_fail("request abandoned", &mut self.io.write_buf)?;
                    self.send().await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records a ReadyForQuery: one owed answer less, and the session's transaction status.
    pub(super) fn on_ready(&mut self, status: TransactionStatus) {
        self.pending_ready = self.pending_ready.saturating_sub(1);
        self.queued_answers = self.queued_answers.min(self.pending_ready);
        self.tx_status = status;
        if status == TransactionStatus::Idle {
            // A transaction ended by SQL (or by the server) ends every level Quarry tracked.
            self.tx_depth = 0;
        }
    }

    /// Writes everything buffered. A socket failure closes the connection.
    pub(super) async fn send(&mut self) -> Result<()> {
        let result = self.io.flush().await;
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    /// The next message that answers the current request: answers to queued SQL that went out
    /// before it are read and dropped first (their errors only logged).
    pub(super) async fn recv(&mut self) -> Result<Message> {
        while self.queued_answers > 0 {
            match self.recv_any().await? {
                Message::ReadyForQuery { status } => {
                    self.queued_answers -= 1;
                    self.on_ready(status);
                }
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, None);
                    tracing::debug!(target: "quarry", "queued statement failed: {error}");
                }
                _ => {}
            }
        }
        self.recv_any().await
    }

    /// The next message of any request; asynchronous messages are handled on the way.
    /// A socket or protocol failure closes the connection.
    pub(super) async fn recv_any(&mut self) -> Result<Message> {
        loop {
            match self.recv_raw().await? {
                Message::NotificationResponse {
                    process_id,
                    channel,
                    payload,
                } => self.on_notification(Notification {
                    process_id,
                    channel,
                    payload,
                }),
                other => return Ok(other),
            }
        }
    }

    /// Like [`Connection::recv_any`], but notifications are returned, not dispatched (for
    /// listeners, which hand them out one by one). Cancel safe.
    pub(super) async fn recv_raw(&mut self) -> Result<Message> {
        loop {
            let message = match self.io.recv().await {
                Ok(message) => message,
                Err(e) => {
                    self.closed = true;
                    return Err(e);
                }
            };
            match message {
                Message::ParameterStatus { name, value } => {
                    self.parameters.insert(name, value);
                }
                Message::NoticeResponse(fields) => match parse_db_error(&fields) {
                    Ok(notice) => self.on_notice(&notice),
                    Err(e) => tracing::warn!(target: "quarry", "malformed notice: {e}"),
                },
                other => return Ok(other),
            }
        }
    }

    /// Converts an ErrorResponse into an [`Error`], with the query it answers.
    pub(super) fn db_error(&mut self, fields: &ErrorFields, query: Option<&str>) -> Error {
        match parse_db_error(fields) {
            Ok(error) => {
                // After FATAL or PANIC the server closes the session.
                if matches!(error.severity(), Severity::Fatal | Severity::Panic) {
                    self.closed = true;
                }
                Error::db(error, query)
            }
            Err(e) => {
                self.closed = true;
                e
            }
        }
    }

    /// A message that makes no sense where it arrived: the conversation is lost.
    pub(super) fn unexpected(&mut self, expected: &'static str, found: &Message) -> Error {
        self.closed = true;
        Error::UnexpectedMessage {
            expected,
            found: found.name(),
        }
    }
}

fn parse_db_error(fields: &ErrorFields) -> Result<DbError> {
    DbError::parse(fields.iter().filter_map(|field| field.ok()))
        .map_err(|e| Error::MalformedServerError(e.to_string()))
}
