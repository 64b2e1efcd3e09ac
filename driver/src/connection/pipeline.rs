//! Requests of several callers pipelined on one connection: the pool's shortcut calls
//! (`Pool::execute`, `fetch`, `fetch_row`, `fetch_val`) that queue while every connection is
//! busy are written together in one write, each as its own Bind/Execute/Sync — so each runs in
//! its own implicit transaction and an error in one cannot touch another — and each answer goes
//! back to its caller through a oneshot channel.
//!
//! Callers encode their parameters before they queue ([`encode_params`], against the parameter
//! types the pool learned from an earlier run of the same SQL). Before anything is sent the
//! connection checks those types against its own statement; a request whose types differ, whose
//! statement could not be prepared or went stale, or that was never sent is answered
//! [`Outcome::Retry`], and its caller runs it the ordinary way. A sent request is never retried,
//! so nothing runs twice.
//!
//! A [`Batch`] is an owned value and every await in [`Connection::run_batch`] leaves it
//! consistent, so when the task driving it is dropped the pool finishes it on another task.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::sync::oneshot;

use super::query::{changes_session, check_param_types, param_formats};
use super::reply::ExecuteReply;
use super::{Connection, Param};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::statement::Statement;
use crate::types::PgType;
use quarry_protocol::backend::{CommandTag, Message};
use quarry_protocol::{Format, IsNull, TransactionStatus, frontend};

/// What a pipelined request returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PipeKind {
    /// The command tag (`execute`).
    Execute,
    /// Every row (`fetch`).
    Fetch,
    /// The first row; the server is asked for one (`fetch_row`, `fetch_val`).
    FetchRow,
}

/// A pipelined request's answer.
#[derive(Debug)]
pub(crate) enum PipeOutput {
    /// From [`PipeKind::Execute`].
    Tag(CommandTag),
    /// From [`PipeKind::Fetch`].
    Rows(Vec<Record>),
    /// From [`PipeKind::FetchRow`].
    Row(Option<Record>),
}

/// What a caller hears back about its queued request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The request ran: this is its answer, and about how long the server took for it (the
    /// time since the answer before it; zero when the connection failed).
    Done(Result<PipeOutput>, Duration),
    /// The request was not sent (or met a stale statement, which the ordinary path retries):
    /// run it the ordinary way.
    Retry,
    /// Like `Retry`, and the connection's parameter types differ from those the request was
    /// encoded with: the pool stops pipelining this SQL.
    Mismatch,
}

/// Parameter values encoded by the caller before it queues.
#[derive(Debug)]
pub(crate) struct EncodedParams {
    formats: Vec<Format>,
    /// Each value's bytes in `data`; `None` for NULL.
    values: Vec<Option<Range<usize>>>,
    data: BytesMut,
}

impl EncodedParams {
    /// Bytes this request adds to a write, roughly.
    pub(crate) fn size(&self) -> usize {
        self.data.len() + 4 * self.values.len() + 64
    }
}

/// Checks `params` against `types` (the same errors as running the query) and encodes them.
pub(crate) fn encode_params(
    sql: &str,
    types: &[Arc<PgType>],
    params: &[Param<'_>],
) -> Result<EncodedParams> {
    check_param_types(sql, types, params)?;
    let formats = param_formats(types, params);
    let mut data = BytesMut::new();
    let mut values = Vec::with_capacity(params.len());
    for (i, (param, ty)) in params.iter().zip(types).enumerate() {
        let start = data.len();
        let encode_error = |source| Error::Encode {
            position: i + 1,
            rust_type: param.rust_type(),
            pg_type: ty.to_string(),
            source,
        };
        match param.encode(ty, &mut data).map_err(encode_error)? {
            IsNull::Yes => {
                data.truncate(start);
                values.push(None);
            }
            IsNull::No => {
                if data.len() < start {
                    return Err(encode_error(
                        "the parameter encoder removed bytes it did not write".into(),
                    ));
                }
                values.push(Some(start..data.len()));
            }
        }
    }
    Ok(EncodedParams {
        formats,
        values,
        data,
    })
}

/// Appends a Bind of the unnamed portal to `stmt` with parameters encoded beforehand: the
/// same bytes [`super::query::write_bind_to`] writes from the values.
fn write_encoded_bind(
    stmt: &Statement,
    params: &EncodedParams,
    buf: &mut BytesMut,
) -> std::result::Result<(), quarry_protocol::ProtocolError> {
    frontend::bind(
        "",
        stmt.name(),
        &params.formats,
        params.values.len(),
        |i, buf| match params.values.get(i) {
            Some(Some(range)) => match params.data.get(range.clone()) {
                Some(bytes) => {
                    buf.extend_from_slice(bytes);
                    Ok(IsNull::No)
                }
                None => Err("a pre-encoded parameter is out of range".into()),
            },
            _ => Ok(IsNull::Yes),
        },
        &stmt.0.result_formats,
        buf,
    )
}

/// One caller's queued request.
#[derive(Debug)]
pub(crate) struct PipeRequest {
    /// The SQL text (a cached statement of it is used, or prepared).
    pub(crate) sql: Arc<str>,
    /// The parameter types `params` were encoded for.
    pub(crate) types: Arc<[Arc<PgType>]>,
    pub(crate) kind: PipeKind,
    pub(crate) params: EncodedParams,
    /// The server time the request is expected to take, in nanoseconds (batches are bounded
    /// by their sum).
    pub(crate) cost_ns: u64,
    pub(crate) reply: oneshot::Sender<Outcome>,
}

/// A request written to the server whose answer is not read yet.
struct InFlight {
    stmt: Statement,
    kind: PipeKind,
    reply: oneshot::Sender<Outcome>,
}

/// Requests run together on one connection: those not sent yet, those sent, and what has been
/// read of the first sent one's answer.
#[derive(Default)]
pub(crate) struct Batch {
    queued: Vec<PipeRequest>,
    in_flight: VecDeque<InFlight>,
    /// Bytes of the sent requests may still sit in the write buffer.
    unsent: bool,
    rows: Vec<Record>,
    first: Option<Record>,
    delivered: usize,
    tag: Option<CommandTag>,
    error: Option<Error>,
    /// The first sent request's answer so far, checked against the request.
    reply: ExecuteReply,
    /// Requests answered so far (with a result or an error, not with a retry).
    answered: usize,
    /// Requests written to the server.
    sent: usize,
    /// When the requests were sent or the last answer was complete.
    last_answer: Option<Instant>,
}

impl Batch {
    pub(crate) fn new(requests: Vec<PipeRequest>) -> Batch {
        Batch {
            queued: requests,
            ..Batch::default()
        }
    }

    /// Requests answered so far with a result or an error (not told to retry).
    pub(crate) fn answered(&self) -> usize {
        self.answered
    }

    /// Requests written to the server (a batch that sent none ran nothing).
    pub(crate) fn sent(&self) -> usize {
        self.sent
    }

    /// Answers what is left when the batch cannot go on (no runtime to finish it on): requests
    /// not sent are retried by their callers, sent ones fail as on a lost connection.
    pub(crate) fn abandon(&mut self) {
        for request in self.queued.drain(..) {
            let _ = request.reply.send(Outcome::Retry);
        }
        for sent in self.in_flight.drain(..) {
            self.answered += 1;
            let _ = sent
                .reply
                .send(Outcome::Done(Err(Error::Closed), Duration::ZERO));
        }
    }

    /// Fails every sent request after the connection broke; `error` goes to the first.
    fn fail_in_flight(&mut self, error: Error) {
        let mut error = Some(error);
        for sent in self.in_flight.drain(..) {
            let e = error.take().unwrap_or(Error::Closed);
            self.answered += 1;
            let _ = sent.reply.send(Outcome::Done(Err(e), Duration::ZERO));
        }
        self.reset_answer();
    }

    fn reset_answer(&mut self) {
        self.rows = Vec::new();
        self.first = None;
        self.delivered = 0;
        self.tag = None;
        self.error = None;
        self.reply = ExecuteReply::new();
    }
}

impl Connection {
    /// Whether requests on this connection may be pipelined for other callers: nothing observes
    /// single queries (loggers, DEBUG tracing) and no command timeout applies, since neither can
    /// be honoured per request inside a pipeline.
    pub(crate) fn pipelines_requests(&self) -> bool {
        self.command_timeout.is_none() && !self.queries_observed()
    }

    /// After a successful ordinary run of `sql`: the parameter types callers may encode for,
    /// when the statement can be pipelined (cached under a name, no session side effects, and
    /// the session is idle, outside a transaction and unchanged).
    pub(crate) fn pipeline_profile(&mut self, sql: &str) -> Option<Arc<[Arc<PgType>]>> {
        if !self.pipelines_requests()
            || self.wire.is_broken()
            || self.session_dirty
            || self.tx_status != TransactionStatus::Idle
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

    /// Runs a batch until every request in it is answered. Cancel safe: dropped at any await,
    /// the batch holds what is left and another call finishes it.
    pub(crate) async fn run_batch(&mut self, batch: &mut Batch) {
        if !batch.queued.is_empty() {
            self.write_batch(batch).await;
            if self.wire.is_broken() {
                self.check_terminated(None);
            }
        }
        if batch.unsent {
            if let Err(e) = self.send().await {
                self.lose(batch, e);
                return;
            }
            batch.unsent = false;
            batch.last_answer = Some(Instant::now());
        }
        self.read_batch_answers(batch).await;
        if !self.wire.is_broken() && self.is_mid_request() {
            // Every request is answered, but not everything that went with them: a prepare's
            // missing Sync, a queued reset or Closes, when no request was sent after them (or
            // a previous call was dropped while bringing the connection back in step).
            if let Err(e) = Box::pin(self.resync()).await {
                self.wire.set_broken();
                tracing::debug!(target: "quarry", "connection lost after a pipeline: {e}");
                self.check_terminated(Some(&e));
            }
        }
    }

    /// Prepares what is not prepared, then writes every request that can go, in one write.
    async fn write_batch(&mut self, batch: &mut Batch) {
        if !self.pipelines_requests() {
            // Loggers or a timeout set on this connection since: each request on its own.
            batch.abandon();
            return;
        }
        if self.ready().await.is_err() {
            // Nothing of the batch went out: its callers run their requests the ordinary way.
            batch.abandon();
            return;
        }
        let mut stmts: Vec<Option<Statement>> = Vec::with_capacity(batch.queued.len());
        // SQL whose Parse failed in this batch: not prepared again (a round trip each).
        let mut failed: Vec<&str> = Vec::new();
        for (i, request) in batch.queued.iter().enumerate() {
            // Requests of one statement usually follow each other: one cache lookup for them.
            if let Some(previous) = i.checked_sub(1).and_then(|p| batch.queued.get(p))
                && Arc::ptr_eq(&previous.sql, &request.sql)
                && let Some(last) = stmts.last()
            {
                stmts.push(last.clone());
                continue;
            }
            if failed.contains(&&*request.sql) {
                stmts.push(None);
                continue;
            }
            match self.statement_for(&request.sql, false).await {
                Ok(stmt) => stmts.push(Some(stmt)),
                Err(_) if self.wire.is_broken() => break,
                // The ordinary path reports the error (the server's answer to Parse).
                Err(_) => {
                    failed.push(&request.sql);
                    stmts.push(None);
                }
            }
        }
        if self.wire.is_broken() {
            batch.abandon();
            return;
        }
        // Statements evicted while preparing the others are closed ahead of the Binds (and
        // some were closed already, by a later request's prepare): `write_request` only binds
        // statements the cache still holds.
        let closes_written = !self.pending_close.is_empty();
        if let Err(e) = self.write_pending_closes() {
            self.wire.set_broken();
            tracing::debug!(target: "quarry", "pipeline not sent: {e}");
            batch.abandon();
            return;
        }
        let mut stmts = stmts.into_iter();
        let mut written = 0u64;
        for request in batch.queued.drain(..) {
            let outcome = match stmts.next() {
                Some(Some(stmt)) => self.write_request(&stmt, &request),
                _ => Err(Outcome::Retry),
            };
            match outcome {
                Ok(stmt) => {
                    written += 1;
                    batch.in_flight.push_back(InFlight {
                        stmt,
                        kind: request.kind,
                        reply: request.reply,
                    });
                }
                Err(outcome) => {
                    if matches!(outcome, Outcome::Done(..)) {
                        batch.answered += 1;
                    }
                    let _ = request.reply.send(outcome);
                }
            }
        }
        // `ready` counted one request; every request sent counts (for `max_queries`).
        self.requests += written.saturating_sub(1);
        batch.sent += usize::try_from(written).unwrap_or(usize::MAX);
        if written > 0 {
            // A statement prepared above (Parse/Describe/Flush) awaited a Sync: the requests'
            // Syncs follow it.
            batch.unsent = true;
        } else if closes_written {
            // Closes with no request after them: they need a Sync of their own, or their
            // CloseComplete would arrive ahead of the next request's answers.
            self.wire.wrote_unsynced();
        }
        // Else a prepare's Sync, a queued reset or Closes may be owed or unsent: `run_batch`
        // brings the connection back in step once nothing of the batch is left.
    }

    /// Appends Bind/Execute/Sync for one request, or says why it cannot go.
    fn write_request(
        &mut self,
        stmt: &Statement,
        request: &PipeRequest,
    ) -> std::result::Result<Statement, Outcome> {
        // An unnamed statement is replaced by the next Parse; one the cache no longer holds
        // (evicted or expired while others were prepared) is closed, or about to be.
        if stmt.name().is_empty() || !self.cache.holds(stmt) {
            return Err(Outcome::Retry);
        }
        let same_types = stmt.0.param_types.len() == request.types.len()
            && stmt
                .0
                .param_types
                .iter()
                .zip(request.types.iter())
                .all(|(a, b)| Arc::ptr_eq(a, b) || a == b);
        if !same_types || stmt.0.changes_session {
            return Err(Outcome::Mismatch);
        }
        let buf = &mut self.io.write_buf;
        let start = buf.len();
        let written = write_encoded_bind(stmt, &request.params, buf).and_then(|()| {
            let max_rows = if request.kind == PipeKind::FetchRow {
                1
            } else {
                0
            };
            frontend::execute("", max_rows, buf)
        });
        if let Err(e) = written {
            buf.truncate(start);
            return Err(Outcome::Done(Err(e.into()), Duration::ZERO));
        }
        frontend::sync(buf);
        self.wire.wrote_sync();
        Ok(stmt.clone())
    }

    /// Reads the answers of the sent requests in order and hands each to its caller. Each
    /// answer is checked against its request: a mismatch fails the requests in flight and
    /// breaks the connection.
    async fn read_batch_answers(&mut self, batch: &mut Batch) {
        while let Some(current) = batch.in_flight.front() {
            let message = match self.recv().await {
                Ok(message) => message,
                Err(e) => {
                    self.lose(batch, e);
                    return;
                }
            };
            let verdict = match message {
                Message::DataRow(row) => match batch.reply.on_row() {
                    Ok(()) if batch.error.is_none() => {
                        let stmt = current.stmt.clone();
                        match self.record(&stmt, row) {
                            Ok(record) => {
                                batch.delivered += 1;
                                match current.kind {
                                    PipeKind::Execute => {}
                                    PipeKind::Fetch => batch.rows.push(record),
                                    PipeKind::FetchRow => {
                                        batch.first.get_or_insert(record);
                                    }
                                }
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                    other => other,
                },
                Message::BindComplete => batch.reply.on_bind_complete(),
                Message::CloseComplete | Message::ParseComplete => Ok(()),
                Message::PortalSuspended | Message::EmptyQueryResponse => {
                    batch.reply.on_end(None, false)
                }
                Message::CommandComplete { tag } => {
                    let returns_rows =
                        current.kind != PipeKind::FetchRow && !current.stmt.0.columns.is_empty();
                    let verdict = batch.reply.on_end(Some(&tag), returns_rows);
                    self.session_dirty |= changes_session(&tag);
                    batch.tag = Some(tag);
                    verdict
                }
                Message::ErrorResponse(fields) => {
                    batch.reply.on_error();
                    let sql = current.stmt.clone();
                    batch.error = Some(self.db_error(&fields, Some(sql.sql())));
                    Ok(())
                }
                Message::ReadyForQuery { status } => {
                    let verdict = batch.reply.on_ready().and_then(|()| self.on_ready(status));
                    if let Err(e) = verdict {
                        self.wire.set_broken();
                        self.lose(batch, e);
                        return;
                    }
                    self.answer_first(batch);
                    if status != TransactionStatus::Idle {
                        // A request left a transaction open (never by a Bind/Execute/Sync of
                        // a read): the requests sent after it would run inside it. Closed, the
                        // connection takes that transaction down with it; they fail.
                        let e = self.unexpected_status();
                        batch.fail_in_flight(e);
                        return;
                    }
                    Ok(())
                }
                other => Err(self.unexpected("pipelined query results", &other)),
            };
            if let Err(e) = verdict {
                self.wire.set_broken();
                // A broken reply is the server's fault, not the request's: it is what they hear.
                batch.error = None;
                self.lose(batch, e);
                return;
            }
        }
    }

    /// The connection broke with requests in flight: they fail, the first with `error`, and
    /// the termination listeners hear of it (as after an ordinary request).
    fn lose(&mut self, batch: &mut Batch, error: Error) {
        self.check_terminated(Some(&error));
        // The server's own error for the current request (a FATAL before it closed the
        // session, say) says more than the lost socket.
        let error = batch.error.take().unwrap_or(error);
        batch.fail_in_flight(error);
    }

    /// A pipelined request ended inside a transaction: the connection is closed, and this is
    /// what the requests after it hear.
    fn unexpected_status(&mut self) -> Error {
        self.wire.set_broken();
        Error::UnexpectedMessage {
            expected: "an idle ReadyForQuery after a pipelined request",
            found: "ReadyForQuery (in a transaction)",
        }
    }

    /// The first sent request's answer is complete: hand it over.
    fn answer_first(&mut self, batch: &mut Batch) {
        let Some(done) = batch.in_flight.pop_front() else {
            return;
        };
        let delivered = std::mem::take(&mut batch.delivered);
        batch.reply = ExecuteReply::new();
        let tag = batch.tag.take();
        let rows = std::mem::take(&mut batch.rows);
        let first = batch.first.take();
        let now = Instant::now();
        let elapsed = batch
            .last_answer
            .replace(now)
            .map_or(Duration::ZERO, |since| now.saturating_duration_since(since));
        let outcome = match batch.error.take() {
            Some(e)
                if delivered == 0
                    && self.tx_status == TransactionStatus::Idle
                    && self.is_stale_statement(&e) =>
            {
                // As the ordinary path does: forget the statement; the caller's ordinary run
                // prepares it again (outside a transaction, so retrying is safe).
                // Several requests of the batch may meet the same stale statement: it counts
                // once.
                if self.forget_statement(done.stmt.sql()) {
                    self.stale_plans += 1;
                }
                Outcome::Retry
            }
            Some(e) => Outcome::Done(Err(e), elapsed),
            None => {
                done.stmt.set_rows_hint(delivered);
                let output = match done.kind {
                    PipeKind::Execute => PipeOutput::Tag(tag.unwrap_or_else(CommandTag::empty)),
                    PipeKind::Fetch => PipeOutput::Rows(rows),
                    PipeKind::FetchRow => PipeOutput::Row(first),
                };
                Outcome::Done(Ok(output), elapsed)
            }
        };
        if matches!(outcome, Outcome::Done(..)) {
            batch.answered += 1;
        }
        let _ = done.reply.send(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{PgType, oid};

    fn statement() -> Statement {
        Statement::new(
            1,
            "quarry_s7".to_owned(),
            "SELECT $1::int4, $2::text, $3::int8".to_owned(),
            vec![oid::INT4, oid::TEXT, oid::INT8],
            vec![
                PgType::resolve(oid::INT4),
                PgType::resolve(oid::TEXT),
                PgType::resolve(oid::INT8),
            ],
            Vec::new(),
            Vec::new(),
        )
    }

    #[test]
    fn pre_encoded_parameters_give_the_same_bind_as_the_values() {
        let stmt = statement();
        let none: Option<i64> = None;
        let rows: [[Param<'_>; 3]; 2] = [[&7i32, &"abc", &none], [&-1i32, &"", &Some(5i64)]];
        for params in &rows {
            let mut direct = BytesMut::new();
            super::super::query::write_bind_to("", &stmt, params, &mut direct).unwrap();
            let encoded = encode_params(stmt.sql(), stmt.param_types(), params).unwrap();
            let mut pipelined = BytesMut::new();
            write_encoded_bind(&stmt, &encoded, &mut pipelined).unwrap();
            assert_eq!(direct, pipelined);
        }
    }

    #[test]
    fn parameter_errors_are_those_of_an_ordinary_run() {
        let stmt = statement();
        let short: [Param<'_>; 1] = [&1i32];
        let err = encode_params(stmt.sql(), stmt.param_types(), &short).unwrap_err();
        assert!(
            matches!(
                err,
                Error::ParamCount {
                    expected: 3,
                    found: 1,
                    ..
                }
            ),
            "{err}"
        );
        let wrong: [Param<'_>; 3] = [&"x", &"abc", &1i64];
        let err = encode_params(stmt.sql(), stmt.param_types(), &wrong).unwrap_err();
        let ordinary = super::super::query::check_params(&stmt, &wrong).unwrap_err();
        assert_eq!(err.to_string(), ordinary.to_string());
        assert!(matches!(err, Error::ParamType { position: 1, .. }), "{err}");
    }
}
