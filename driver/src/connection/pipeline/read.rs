//! Reading a pipeline's answers: each entry's messages in order, checked against its request
//! (`reply.rs`), handed back as the entry's result. What is already in the read buffer is taken
//! without an await; the connection lost midway fails the entries in flight.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::super::Connection;
use super::super::query::changes_session;
use super::super::reply::ExecuteReply;
use super::run::{Answer, Skip};
use super::{Entry, PipeKind, PipeOutput, Pipeline};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::statement::Statement;
use quarry_protocol::TransactionStatus;
use quarry_protocol::backend::{CommandTag, Message};

/// A written entry whose answer is not read yet.
pub(super) struct Sent {
    pub(super) index: usize,
    /// Its statement, in the round's distinct statements.
    pub(super) stmt: usize,
    /// Whether a Describe of the portal follows its Bind (a statement reparsed from a
    /// remembered description): its rows are read with the description that arrives.
    pub(super) describe: bool,
}

/// What has been read of the first sent entry's answer.
pub(super) struct Reading {
    reply: ExecuteReply,
    rows: Vec<Record>,
    first: Option<Record>,
    tag: Option<CommandTag>,
    error: Option<Error>,
    /// The portal's description, when the entry asked for one and it differs or not.
    described: Option<Statement>,
    /// When the previous answer was complete (or the requests were sent), when the pipeline
    /// is timed.
    pub(super) last: Option<Instant>,
}

impl Reading {
    pub(super) fn new() -> Reading {
        Reading {
            reply: ExecuteReply::new(),
            rows: Vec::new(),
            first: None,
            tag: None,
            error: None,
            described: None,
            last: None,
        }
    }
}

impl Connection {
    /// Reads the answers of the sent entries in order, each checked against its request. `Err`
    /// when the connection is lost (or the answers do not fit their requests, which breaks
    /// it).
    pub(super) async fn read_answers(
        &mut self,
        pipeline: &Pipeline<'_>,
        distinct: &[Statement],
        sent: &mut VecDeque<Sent>,
        answers: &mut [Option<Answer>],
        reading: &mut Reading,
        rows: &mut u64,
    ) -> Result<()> {
        let atomic = pipeline.atomic;
        while let Some(current) = sent.front() {
            // What is already buffered is taken straight off the buffer, without an await:
            // the fast path for the many small answers of a pipeline.
            let message = match self.buffered_answer()? {
                Some(message) => message,
                None => self.recv().await?,
            };
            let (Some(entry), Some(stmt)) = (
                pipeline.entries.get(current.index),
                distinct.get(current.stmt),
            ) else {
                return Err(self.unexpected("no answer (the pipeline is answered)", &message));
            };
            let describe = current.describe;
            let complete = match message {
                Message::RowDescription { fields } if describe && reading.described.is_none() => {
                    reading.described = Some(self.redescribe(stmt, fields));
                    false
                }
                Message::NoData if describe && reading.described.is_none() => {
                    reading.described = Some(self.redescribe(stmt, Vec::new()));
                    false
                }
                Message::DataRow(_) if describe && reading.described.is_none() => {
                    return Err(self.lost(Error::UnexpectedMessage {
                        expected: "the statement's description",
                        found: "DataRow",
                    }));
                }
                Message::DataRow(row) => {
                    reading.reply.on_row().map_err(|e| self.lost(e))?;
                    if reading.error.is_none() {
                        let record =
                            self.record(reading.described.as_ref().unwrap_or(stmt), row)?;
                        match entry.kind {
                            PipeKind::Execute => {}
                            PipeKind::Fetch => reading.rows.push(record),
                            PipeKind::FetchRow | PipeKind::FetchVal => {
                                reading.first.get_or_insert(record);
                            }
                        }
                    }
                    false
                }
                Message::BindComplete => {
                    reading.reply.on_bind_complete().map_err(|e| self.lost(e))?;
                    false
                }
                Message::ParseComplete | Message::CloseComplete => false,
                Message::PortalSuspended | Message::EmptyQueryResponse => {
                    reading
                        .reply
                        .on_end(None, false)
                        .map_err(|e| self.lost(e))?;
                    atomic
                }
                Message::CommandComplete { tag } => {
                    let columns = &reading.described.as_ref().unwrap_or(stmt).0.columns;
                    let returns_rows = matches!(entry.kind, PipeKind::Execute | PipeKind::Fetch)
                        && !columns.is_empty();
                    reading
                        .reply
                        .on_end(Some(&tag), returns_rows)
                        .map_err(|e| self.lost(e))?;
                    self.session_dirty |= changes_session(&tag);
                    reading.tag = Some(tag);
                    atomic
                }
                Message::ErrorResponse(fields) => {
                    reading.reply.on_error();
                    reading.error = Some(self.db_error(&fields, Some(entry.sql.as_str())));
                    atomic
                }
                Message::ReadyForQuery { status } if !atomic => {
                    reading.reply.on_ready().map_err(|e| self.lost(e))?;
                    self.on_ready(status)?;
                    true
                }
                other => return Err(self.unexpected("pipelined statement results", &other)),
            };
            if !complete {
                continue;
            }
            let Some(done) = sent.pop_front() else {
                break;
            };
            let failed = reading.error.is_some();
            let result = finish(reading, entry, stmt, rows);
            answers[done.index] = Some(Answer::Done(result.0, Some(result.1)));
            if atomic && failed {
                // The server skips everything up to the Sync.
                for skipped in sent.drain(..) {
                    answers[skipped.index] = Some(Answer::Skipped(Skip::NotRun));
                }
            }
            if pipeline.isolated && !atomic && self.tx_status != TransactionStatus::Idle {
                // A statement of a batch left a transaction open (never by a Bind/Execute/Sync
                // of a read): the statements sent after it would run inside it. Closed, the
                // connection takes that transaction down with it; they fail.
                self.wire.set_broken();
                return Err(Error::UnexpectedMessage {
                    expected: "an idle ReadyForQuery after a pipelined request",
                    found: "ReadyForQuery (in a transaction)",
                });
            }
        }
        Ok(())
    }

    /// A reply that does not fit its request: the connection is broken.
    fn lost(&mut self, error: Error) -> Error {
        self.wire.set_broken();
        error
    }

    /// The connection broke with entries in flight: they fail, the first with the server's
    /// own error for it when there is one (a FATAL before it closed the session says more than
    /// the lost socket), else with `error`.
    pub(super) fn lose_pipeline(
        &mut self,
        error: Error,
        sent: &mut VecDeque<Sent>,
        answers: &mut [Option<Answer>],
        reading: &mut Reading,
    ) {
        self.wire.set_broken();
        let mut error = Some(reading.error.take().unwrap_or(error));
        for lost in sent.drain(..) {
            let e = error.take().unwrap_or(Error::Closed);
            answers[lost.index] = Some(Answer::Done(Err(e), Some(Duration::ZERO)));
        }
        *reading = Reading::new();
    }
}

/// The complete answer of one entry, and the time since the previous one; `reading` is reset
/// for the next.
fn finish(
    reading: &mut Reading,
    entry: &Entry<'_>,
    stmt: &Statement,
    rows: &mut u64,
) -> (Result<PipeOutput>, Duration) {
    let elapsed = match reading.last {
        Some(last) => {
            let now = Instant::now();
            reading.last = Some(now);
            now.saturating_duration_since(last)
        }
        None => Duration::ZERO,
    };
    let delivered = reading.reply.rows();
    reading.reply = ExecuteReply::new();
    let tag = reading.tag.take();
    let result = match reading.error.take() {
        Some(e) => Err(e),
        None => {
            stmt.set_rows_hint(usize::try_from(delivered).unwrap_or(usize::MAX));
            *rows += tag.as_ref().map_or(0, CommandTag::rows).max(delivered);
            match entry.kind {
                PipeKind::Execute => Ok(PipeOutput::Tag(tag.unwrap_or_else(CommandTag::empty))),
                PipeKind::Fetch => Ok(PipeOutput::Rows(std::mem::take(&mut reading.rows))),
                PipeKind::FetchRow => Ok(PipeOutput::Row(reading.first.take())),
                PipeKind::FetchVal => match reading.first.take() {
                    Some(row) => Ok(PipeOutput::Row(Some(row))),
                    None => Err(Error::RowNotFound {
                        query: entry.sql.as_str().to_owned(),
                    }),
                },
            }
        }
    };
    reading.rows.clear();
    reading.first = None;
    reading.described = None;
    (result, elapsed)
}
