//! Keeping client and server in step: every request is answered up to ReadyForQuery, and a
//! request abandoned halfway (an error, a timeout, a dropped future) is finished before the next
//! one starts — or the connection is broken. Also the receive loop that handles messages
//! the server may send at any time (ParameterStatus, notices, notifications).

use super::phase::Phase;
use super::{Connection, Notification};
use crate::error::{DbError, Error, Result, Severity};
use quarry_protocol::backend::{ErrorFields, Message};
use quarry_protocol::{TransactionStatus, frontend};

impl Connection {
    /// Brings the connection to a clean, idle protocol state before a new request: aborts an
    /// abandoned COPY FROM STDIN, finishes an abandoned row stream, waits for a cancel request in
    /// flight to be settled, flushes unsent bytes, sends a missing Sync, reads every answer still
    /// owed, rolls back a transaction whose start was abandoned, and checks that the server sent
    /// nothing unasked. Then queued SQL (a dropped transaction's rollback, a pool's reset) is
    /// written ahead of the request. Any failure here breaks the connection.
    pub(crate) async fn ready(&mut self) -> Result<()> {
        if self.wire.is_broken() {
            return Err(Error::Closed);
        }
        // A pipeline dropped while it prepared its statements held back their Closes.
        self.closes_held = false;
        if (self.wire.phase() != Phase::Idle || !self.io.write_buf.is_empty())
            && let Err(e) = Box::pin(self.settle()).await
        {
            self.wire.set_broken();
            return Err(e);
        }
        if let Some((rollback, when)) = self.wire.take_abandoned_undo()
            && when.applies(self.tx_status)
        {
            // A BEGIN or SAVEPOINT went out but its caller dropped out before seeing the answer:
            // nobody owns that transaction, so it is rolled back before anything else runs in it.
            // Whatever was queued since (a dropped outer level's rollback) was queued after it
            // went out, so it runs after this rollback: innermost level first.
            let queued_since = std::mem::take(&mut self.pending_sql);
            self.queue_sql(&rollback);
            if !queued_since.is_empty() {
                self.queue_sql(&queued_since);
            }
        }
        self.take_buffered_async_messages()?;
        self.requests += 1;
        self.restore_pins();
        if !self.pending_sql.is_empty() {
            // Queued SQL goes out in the same write as the request that follows, and `recv`
            // skips its answers: no extra round trip.
            let sql = std::mem::take(&mut self.pending_sql);
            frontend::query(&sql, &mut self.io.write_buf)?;
            self.wire.wrote_queued_query();
        }
        Ok(())
    }

    /// Finishes what an abandoned request left on the wire (see [`Connection::ready`]). Cancel
    /// safe: dropped at any await, what is left stays recorded in `wire` for the next call.
    pub(super) async fn settle(&mut self) -> Result<()> {
        match self.wire.phase() {
            Phase::Broken => return Err(Error::Closed),
            Phase::CopyIn => {
                // A COPY FROM STDIN abandoned midway (its future dropped): abort it on the server.
                self.wire.leave_copy_in();
                frontend::copy_fail("COPY abandoned by the client", &mut self.io.write_buf)?;
            }
            Phase::Streaming => self.finish_abandoned_stream().await?,
            Phase::Idle | Phase::Busy => {}
        }
        self.settle_cancel().await;
        self.resync().await
    }

    /// Asks the server to cancel what runs on this session now. The request goes out on its own
    /// task, so it completes even when the caller is dropped, and it is recorded: nothing new is
    /// sent on the connection until it is settled (see [`Connection::settle_cancel`]).
    pub(super) fn start_cancel(&mut self) {
        if self.wire.cancelling() {
            return;
        }
        let token = self.cancel.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = token.cancel_within(super::CancelToken::DEFAULT_LIMIT).await {
                tracing::warn!(target: "quarry", "could not send a cancel request: {e}");
            }
        });
        self.wire.cancel_started(task);
    }

    /// Waits until a cancel request in flight has been taken by the server (it closed the cancel
    /// connection) or given up: from then on it cannot hit a request sent after it.
    async fn settle_cancel(&mut self) {
        if let Some(task) = self.wire.cancel_in_flight() {
            // Awaited in place: if this future is dropped, the task stays recorded.
            let _ = task.await;
            self.wire.take_cancel();
        }
    }

    pub(super) async fn resync(&mut self) -> Result<()> {
        if self.wire.needs_sync() {
            if self.wire.unsynced_batch() {
                // An `execute_many` dropped before its Sync: a Sync now would commit the rows
                // sent so far. An Execute of a portal that does not exist fails the batch
                // instead, and the server rolls all of it back (it is all or nothing).
                frontend::execute("quarry: batch abandoned", 0, &mut self.io.write_buf)?;
            }
            frontend::sync(&mut self.io.write_buf);
            self.wire.wrote_sync();
        }
        self.send().await?;
        self.drain_to_ready().await
    }

    /// Handles messages already buffered while no request is in flight. Only asynchronous
    /// messages (notices, parameter changes, notifications) may be there; anything else — a
    /// duplicated ReadyForQuery, rows nobody asked for — means client and server disagree on
    /// where the conversation is, and the connection is broken. A FATAL error is returned as such.
    fn take_buffered_async_messages(&mut self) -> Result<()> {
        loop {
            let message = match self.io.buffered_message() {
                Ok(None) => return Ok(()),
                Ok(Some(message)) => message,
                Err(e) => {
                    self.wire.set_broken();
                    return Err(e);
                }
            };
            self.on_async_message(message)?;
        }
    }

    /// Handles one message that arrived while no request was in flight; see
    /// [`Connection::take_buffered_async_messages`].
    fn on_async_message(&mut self, message: Message) -> Result<()> {
        match message {
            Message::ParameterStatus { name, value } => self.on_parameter_status(name, value),
            Message::NoticeResponse(fields) => {
                if let Ok(notice) = parse_db_error(&fields) {
                    self.on_notice(&notice);
                }
                Ok(())
            }
            Message::NotificationResponse {
                process_id,
                channel,
                payload,
            } => {
                self.on_notification(Notification {
                    process_id,
                    channel,
                    payload,
                });
                Ok(())
            }
            Message::ErrorResponse(fields) => {
                // An idle session only gets an ErrorResponse when the server ends it
                // (pg_terminate_backend, shutdown, idle_session_timeout).
                let error = self.db_error(&fields, None);
                self.wire.set_broken();
                Err(error)
            }
            other => Err(self.unexpected("nothing (every request was answered)", &other)),
        }
    }

    /// Checks, without waiting, that an idle connection is still usable: reads whatever the
    /// server sent since (notices, notifications, parameter changes are handled; a FATAL error,
    /// an unasked message or the end of the stream breaks the connection). Returns whether it is
    /// usable.
    pub(crate) fn check_idle(&mut self) -> bool {
        if self.wire.phase() != Phase::Idle {
            return !self.wire.is_broken();
        }
        loop {
            match self.io.read_now() {
                Ok(None) => break,
                Ok(Some(0)) | Err(_) => {
                    self.wire.set_broken();
                    return false;
                }
                Ok(Some(_)) => {}
            }
        }
        self.take_buffered_async_messages().is_ok()
    }

    /// Sends Sync now and waits for its ReadyForQuery (after an error in a Flush-terminated step).
    pub(super) async fn sync_now(&mut self) -> Result<()> {
        frontend::sync(&mut self.io.write_buf);
        self.wire.wrote_sync();
        self.send().await?;
        self.drain_to_ready().await
    }

    /// Reads and discards messages until every owed ReadyForQuery has arrived.
    pub(super) async fn drain_to_ready(&mut self) -> Result<()> {
        while self.wire.owed() > 0 {
            match self.recv_any().await? {
                Message::ReadyForQuery { status } => self.on_ready(status)?,
                Message::CopyInResponse(_) => {
                    frontend::copy_fail("request abandoned", &mut self.io.write_buf)?;
                    self.send().await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records a ReadyForQuery: one owed answer less, and the session's transaction status. One
    /// that nobody owed breaks the connection.
    pub(super) fn on_ready(&mut self, status: TransactionStatus) -> Result<()> {
        if self.wire.received_ready().is_err() {
            return Err(Error::UnexpectedMessage {
                expected: "nothing (every request was answered)",
                found: "ReadyForQuery",
            });
        }
        self.tx_status = status;
        if status == TransactionStatus::Idle {
            // A transaction ended by SQL (or by the server) ends every level Quarry tracked.
            self.tx_depth = 0;
        }
        Ok(())
    }

    /// Writes everything buffered. A socket failure closes the connection.
    pub(super) async fn send(&mut self) -> Result<()> {
        let result = self.io.flush().await;
        if result.is_err() {
            self.wire.set_broken();
        }
        result
    }

    /// The next message that answers the current request: answers to queued SQL that went out
    /// before it are read and dropped first (their errors only logged).
    pub(super) async fn recv(&mut self) -> Result<Message> {
        while self.wire.answers_queued() {
            match self.recv_any().await? {
                Message::ReadyForQuery { status } => self.on_ready(status)?,
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
    /// listeners, which hand them out one by one). A FATAL or PANIC error is returned as the
    /// error (the server ends the session after it). Cancel safe.
    pub(super) async fn recv_raw(&mut self) -> Result<Message> {
        loop {
            let message = match self.io.recv().await {
                Ok(message) => message,
                Err(e) => {
                    self.wire.set_broken();
                    return Err(e);
                }
            };
            match message {
                Message::ParameterStatus { name, value } => {
                    self.on_parameter_status(name, value)?;
                }
                Message::NoticeResponse(fields) => self.on_notice_fields(&fields),
                Message::ErrorResponse(fields) if is_session_ending(&fields) => {
                    let error = self.db_error(&fields, None);
                    self.wire.set_broken();
                    return Err(error);
                }
                other => return Ok(other),
            }
        }
    }

    /// The next message of the current request if a whole one is already in the read buffer,
    /// handled as [`Connection::recv`] would; `None` when reading would have to wait (or
    /// answers to queued SQL come first). No I/O and no await: the fast path of readers that
    /// go through many small answers (a pipeline's).
    pub(super) fn buffered_answer(&mut self) -> Result<Option<Message>> {
        if self.wire.answers_queued() {
            return Ok(None);
        }
        loop {
            let message = match self.io.buffered_message() {
                Ok(Some(message)) => message,
                Ok(None) => return Ok(None),
                Err(e) => {
                    self.wire.set_broken();
                    return Err(e);
                }
            };
            // As `recv_raw` and `recv_any` handle them (kept inline there: the hot path of
            // every query).
            match message {
                Message::ParameterStatus { name, value } => {
                    self.on_parameter_status(name, value)?;
                }
                Message::NoticeResponse(fields) => self.on_notice_fields(&fields),
                Message::ErrorResponse(fields) if is_session_ending(&fields) => {
                    let error = self.db_error(&fields, None);
                    self.wire.set_broken();
                    return Err(error);
                }
                Message::NotificationResponse {
                    process_id,
                    channel,
                    payload,
                } => self.on_notification(Notification {
                    process_id,
                    channel,
                    payload,
                }),
                other => return Ok(Some(other)),
            }
        }
    }

    /// Passes a NoticeResponse to the log listeners.
    fn on_notice_fields(&self, fields: &ErrorFields) {
        match parse_db_error(fields) {
            Ok(notice) => self.on_notice(&notice),
            Err(e) => tracing::warn!(target: "quarry", "malformed notice: {e}"),
        }
    }

    /// Records a server parameter. Text is decoded as UTF-8 everywhere: a session whose
    /// `client_encoding` changes to anything else (`SET client_encoding`) would be read wrongly,
    /// so it is broken with an error instead.
    fn on_parameter_status(&mut self, name: String, value: String) -> Result<()> {
        if name == "client_encoding" && !is_utf8_encoding(&value) {
            self.wire.set_broken();
            return Err(Error::ClientEncoding { encoding: value });
        }
        self.pins.on_report(&name, &value);
        self.parameters.insert(name, value);
        Ok(())
    }

    /// Converts an ErrorResponse into an [`Error`], with the query it answers.
    pub(super) fn db_error(&mut self, fields: &ErrorFields, query: Option<&str>) -> Error {
        match parse_db_error(fields) {
            Ok(error) => {
                // After FATAL or PANIC the server closes the session.
                if matches!(error.severity(), Severity::Fatal | Severity::Panic) {
                    self.wire.set_broken();
                }
                Error::db(error, query)
            }
            Err(e) => {
                self.wire.set_broken();
                e
            }
        }
    }

    /// A message that makes no sense where it arrived: the conversation is lost.
    pub(super) fn unexpected(&mut self, expected: &'static str, found: &Message) -> Error {
        self.wire.set_broken();
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

/// Whether an ErrorResponse ends the session (severity FATAL or PANIC).
fn is_session_ending(fields: &ErrorFields) -> bool {
    matches!(
        fields.get(b'V').or_else(|| fields.get(b'S')),
        Some("FATAL" | "PANIC")
    )
}

/// Whether a `client_encoding` value names UTF-8 (PostgreSQL reports `UTF8`; aliases are accepted
/// when set, but reported canonically).
fn is_utf8_encoding(value: &str) -> bool {
    value.eq_ignore_ascii_case("UTF8") || value.eq_ignore_ascii_case("UTF-8")
}
