//! A pipeline on the wire (its answers are read in `read.rs`). One round: bring the connection back in step, prepare what is not
//! prepared (holding back the Close of any statement evicted meanwhile, since a Bind below may
//! still use it), check every entry's parameters, then write each entry's Bind/Execute — with a
//! Sync after each, or one Sync at the end for an atomic pipeline — and read the answers in
//! order, each checked against its request. Writes go out in chunks, each chunk's answers read
//! before the next is written, so neither side's socket buffer can fill and deadlock the
//! exchange. Entries that met a stale cached plan, in their own implicit transaction outside
//! any transaction, run again once (the whole pipeline, when atomic), as a lone query would.
//!
//! Cancellation: the connection's [`Wire`](super::super::phase::Wire) records every Sync
//! written, so a dropped round leaves owed answers for the next request's `ready()` to read;
//! an atomic round dropped before its Sync is failed on the server, never committed halfway.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::super::Connection;
use super::super::query::{check_params, write_bind_to, write_reparse};
use super::encoded::write_encoded_bind;
use super::read::{Reading, Sent};
use super::{Args, Entry, PipeKind, PipeOutput, Pipeline};
use crate::error::{Error, Result};
use crate::statement::Statement;
use quarry_protocol::{TransactionStatus, frontend};

/// What became of one entry.
#[derive(Debug)]
pub(crate) enum Answer {
    /// Its result, and about how long the server took for it (the time since the answer
    /// before it; zero when the connection was lost) — `None` when it failed before it was
    /// sent (its statement could not be prepared, its parameters do not fit).
    Done(Result<PipeOutput>, Option<Duration>),
    /// It was not run.
    Skipped(Skip),
}

/// Why an entry was not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// Its parameters were encoded for other types than the statement has (or for a
    /// statement that changes the session): not sent.
    TypesDiffer,
    /// Never written (the connection was lost first), or skipped by the server after an
    /// earlier failure of an atomic pipeline.
    NotRun,
}

/// Bytes of requests written before the answers so far are read.
const CHUNK: usize = 64 * 1024;

impl Connection {
    /// Runs `pipeline` within `limit`, logged and traced as one call. `Err` when nothing was
    /// sent (the connection could not be brought back in step, a statement of an atomic
    /// pipeline could not be prepared or given its parameters) or the limit elapsed; else one
    /// answer per entry.
    pub(crate) async fn pipeline_answers(
        &mut self,
        limit: Option<Duration>,
        pipeline: &Pipeline<'_>,
    ) -> Result<Vec<Answer>> {
        // The label costs an allocation: only made when someone reads it.
        let label = if limit.is_some() || self.queries_observed() {
            label(pipeline)
        } else {
            String::new()
        };
        let params = pipeline.values.len();
        super::super::timeout::run_query(self, limit, &label, params, async |c: &mut Connection| {
            c.run_pipeline(pipeline).await
        })
        .await
    }

    async fn run_pipeline(&mut self, pipeline: &Pipeline<'_>) -> Result<Vec<Answer>> {
        let mut answers: Vec<Option<Answer>> = Vec::new();
        answers.resize_with(pipeline.entries.len(), || None);
        let mut round: Vec<usize> = (0..pipeline.entries.len()).collect();
        let mut retry = false;
        let mut rows = 0u64;
        while !round.is_empty() {
            let stale = match self
                .pipeline_round(pipeline, &round, &mut answers, retry, &mut rows)
                .await
            {
                Ok(stale) => stale,
                Err(e) if !retry => return Err(e),
                // The retry could not be sent: the stale plans' errors stand.
                Err(_) => break,
            };
            if retry {
                break;
            }
            retry = true;
            round = stale;
        }
        self.set_last_rows(rows);
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or(Answer::Skipped(Skip::NotRun)))
            .collect())
    }

    /// One round over the entries `round` (see the module documentation). Returns the entries
    /// to run again for a stale plan (none when `fresh`: this is the retry, and statements are
    /// prepared afresh).
    async fn pipeline_round(
        &mut self,
        pipeline: &Pipeline<'_>,
        round: &[usize],
        answers: &mut [Option<Answer>],
        fresh: bool,
        rows: &mut u64,
    ) -> Result<Vec<usize>> {
        self.ready().await?;
        let (distinct, stmts, remembered) = match self
            .pipeline_statements(pipeline, round, answers, fresh)
            .await
        {
            Ok(prepared) => prepared,
            Err(e) => {
                self.closes_held = false;
                return Err(e);
            }
        };
        self.closes_held = false;
        // Before anything is written: whether SQL that outlives its transaction may run here.
        let session_sql = distinct.iter().any(|stmt| stmt.0.session_feature.is_some());
        self.detect_pooler_if(session_sql).await?;
        let atomic = pipeline.atomic;
        let mut sent: VecDeque<Sent> = VecDeque::new();
        let mut reading = Reading::new();
        let mut stale = Vec::new();
        let mut written = 0u64;
        let mut aborted = false;
        if atomic {
            // Dropped before the Sync below is written, the pipeline is failed on the server.
            self.wire.wrote_unsynced_batch();
        }
        for (&index, &stmt) in round.iter().zip(&stmts) {
            let Some((k, stmt)) = stmt.and_then(|k| Some((k, distinct.get(k)?))) else {
                continue;
            };
            if aborted {
                answers[index] = Some(Answer::Skipped(Skip::NotRun));
                continue;
            }
            let Some(entry) = pipeline.entries.get(index) else {
                continue;
            };
            // A statement from a remembered description (cache off): each of its entries has
            // its portal described, and its rows are read with what arrives.
            let describe = remembered.get(k).copied().unwrap_or(false);
            if let Err(e) = self.write_entry(pipeline, entry, stmt, describe) {
                answers[index] = Some(Answer::Done(Err(e), None));
                if atomic {
                    // An encoder failed midway: make the server fail the pipeline too, so
                    // the statements already sent are rolled back with it.
                    self.abort_atomic();
                    aborted = true;
                }
                continue;
            }
            self.session_dirty |= stmt.0.changes_session;
            if !atomic {
                frontend::sync(&mut self.io.write_buf);
                self.wire.wrote_sync();
            }
            written += 1;
            sent.push_back(Sent {
                index,
                stmt: k,
                describe,
            });
            if self.io.write_buf.len() >= CHUNK {
                if atomic {
                    frontend::flush(&mut self.io.write_buf);
                }
                let read = match self.send().await {
                    Ok(()) => {
                        self.read_answers(
                            pipeline,
                            &distinct,
                            &mut sent,
                            answers,
                            &mut reading,
                            rows,
                        )
                        .await
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = read {
                    self.lose_pipeline(e, &mut sent, answers, &mut reading);
                    return Ok(Vec::new());
                }
                if atomic && failed(answers, round) {
                    aborted = true;
                }
            }
        }
        if atomic {
            frontend::sync(&mut self.io.write_buf);
            self.wire.wrote_sync();
        }
        if !self.pending_close.is_empty() {
            // Statements evicted while the others were prepared, closed after the Binds that
            // may use them, with a Sync of their own so that a failing statement cannot skip
            // them.
            let closes = self.write_pending_closes();
            frontend::sync(&mut self.io.write_buf);
            self.wire.wrote_sync();
            if let Err(e) = closes {
                self.lose_pipeline(e, &mut sent, answers, &mut reading);
                return Ok(Vec::new());
            }
        }
        // `ready` counted one request; every statement sent counts (for `max_queries`).
        self.requests += written.saturating_sub(1);
        let read = match self.send().await {
            Ok(()) => {
                if pipeline.timed {
                    reading.last = Some(Instant::now());
                }
                self.read_answers(pipeline, &distinct, &mut sent, answers, &mut reading, rows)
                    .await
            }
            Err(e) => Err(e),
        };
        // What is left: the atomic Sync's answer, the Closes', a prepare's missing Sync when no
        // entry was written.
        let read = match read {
            Ok(()) if self.wire.needs_sync() || self.wire.owed() > 0 => {
                Box::pin(self.resync()).await
            }
            other => other,
        };
        if let Err(e) = read {
            if atomic && sent.is_empty() {
                // Every statement answered, but not the Sync: whether the pipeline committed
                // is unknown, so none of it may report success.
                let mut error = Some(e);
                for &i in round {
                    if let Some(Answer::Done(result @ Ok(_), _)) = &mut answers[i] {
                        *result = Err(error.take().unwrap_or(Error::Closed));
                    }
                }
                self.wire.set_broken();
                return Ok(Vec::new());
            }
            self.lose_pipeline(e, &mut sent, answers, &mut reading);
            return Ok(Vec::new());
        }
        // As for one statement: a remembered description whose statement failed is not trusted
        // again (its pinned parameter types may be what failed); the next run describes afresh.
        for (&i, &k) in round.iter().zip(&stmts) {
            if k.is_some_and(|k| remembered.get(k).copied().unwrap_or(false))
                && matches!(answers[i], Some(Answer::Done(Err(_), _)))
                && let Some(entry) = pipeline.entries.get(i)
            {
                self.cache.remove(entry.sql.as_str());
            }
        }
        if fresh || self.tx_status != TransactionStatus::Idle {
            // A stale plan inside a transaction failed it: not retried (as a lone query).
            return Ok(Vec::new());
        }
        if atomic {
            let stale_sql = round.iter().find_map(|&i| match &answers[i] {
                Some(Answer::Done(Err(e), _)) if self.is_stale_statement(e) => pipeline
                    .entries
                    .get(i)
                    .map(|entry| entry.sql.as_str().to_owned()),
                _ => None,
            });
            if let Some(sql) = stale_sql {
                if self.forget_statement(&sql) {
                    self.stale_plans += 1;
                }
                stale.extend_from_slice(round);
            }
        } else {
            for &i in round {
                if let Some(Answer::Done(Err(e), _)) = &answers[i]
                    && self.is_stale_statement(e)
                    && let Some(entry) = pipeline.entries.get(i)
                {
                    // Several entries may meet the same stale statement: it counts once.
                    if self.forget_statement(entry.sql.as_str()) {
                        self.stale_plans += 1;
                    }
                    stale.push(i);
                }
            }
        }
        Ok(stale)
    }

    /// The statement of each entry of `round` (`None` for an entry answered already: its
    /// statement could not be prepared, or its parameters do not fit), and for each distinct
    /// statement whether it comes from a remembered description (cache off, see
    /// [`Connection::bindable`]), so that its portals are described. `Err` when nothing can
    /// be sent: the connection broke, or an atomic pipeline cannot run whole.
    async fn pipeline_statements(
        &mut self,
        pipeline: &Pipeline<'_>,
        round: &[usize],
        answers: &mut [Option<Answer>],
        fresh: bool,
    ) -> Result<(Vec<Statement>, Vec<Option<usize>>, Vec<bool>)> {
        // Statements evicted from the cache while the others are prepared stay open on the
        // server until the Binds that may use them are written.
        self.closes_held = true;
        // Each distinct statement once (no reference count touched per entry), and each
        // entry's position in it.
        let mut distinct: Vec<Statement> = Vec::new();
        let mut remembered: Vec<bool> = Vec::new();
        let mut stmts: Vec<Option<usize>> = Vec::with_capacity(round.len());
        // Statements prepared in this round by SQL text (an uncached statement is unnamed:
        // preparing it again for each entry would cost a round trip each).
        let mut known: HashMap<&str, usize> = HashMap::new();
        let mut previous: Option<(&str, usize)> = None;
        // SQL whose Parse failed in this round: prepared again only for an entry that needs
        // an error of its own (not for the pool's requests, which retry the ordinary way).
        let mut unprepared: Vec<&str> = Vec::new();
        for &index in round {
            let Some(entry) = pipeline.entries.get(index) else {
                stmts.push(None);
                continue;
            };
            let sql = entry.sql.as_str();
            let found = match &entry.stmt {
                Some(stmt) if !fresh && stmt.0.session == self.session_id => {
                    distinct.push(stmt.clone());
                    remembered.push(false);
                    Some(distinct.len() - 1)
                }
                _ => match previous {
                    // Entries of one statement usually follow each other: no lookup for them.
                    Some((last, k)) if last == sql => Some(k),
                    _ => known.get(sql).copied(),
                },
            };
            if found.is_none()
                && matches!(entry.args, Args::Encoded(..))
                && unprepared.contains(&sql)
            {
                answers[index] = Some(Answer::Skipped(Skip::NotRun));
                stmts.push(None);
                continue;
            }
            let k = match found {
                Some(k) => k,
                // A remembered description (cache off) saves the round trip of a prepare;
                // not on the retry of a stale plan, which describes afresh.
                None => match self.bindable(sql, None, !fresh).await {
                    Ok(bindable) => {
                        distinct.push(bindable.stmt);
                        remembered.push(bindable.reparse);
                        known.insert(sql, distinct.len() - 1);
                        distinct.len() - 1
                    }
                    Err(e) if self.wire.is_broken() || pipeline.atomic => return Err(e),
                    // The pool's requests: their callers run them the ordinary way, which
                    // reports the server's error.
                    Err(_) if matches!(entry.args, Args::Encoded(..)) => {
                        unprepared.push(sql);
                        answers[index] = Some(Answer::Skipped(Skip::NotRun));
                        stmts.push(None);
                        continue;
                    }
                    Err(e) => {
                        unprepared.push(sql);
                        answers[index] = Some(Answer::Done(Err(e), None));
                        stmts.push(None);
                        continue;
                    }
                },
            };
            let Some(stmt) = distinct.get(k) else {
                stmts.push(None);
                continue;
            };
            let verdict = match &entry.args {
                Args::Values(range) => match pipeline.values.get(range.clone()) {
                    Some(values) => check_params(stmt, values).map_err(Some),
                    None => Err(None),
                },
                Args::Encoded(_, types) => {
                    let same = stmt.0.param_types.len() == types.len()
                        && stmt
                            .0
                            .param_types
                            .iter()
                            .zip(types.iter())
                            .all(|(a, b)| std::sync::Arc::ptr_eq(a, b) || a == b);
                    if same && !stmt.0.changes_session {
                        Ok(())
                    } else {
                        Err(None)
                    }
                }
            };
            if verdict.is_err() && remembered.get(k).copied().unwrap_or(false) {
                // The remembered description's pinned types may be what does not fit.
                self.cache.remove(sql);
            }
            match verdict {
                Ok(()) => {
                    previous = Some((sql, k));
                    stmts.push(Some(k));
                }
                Err(Some(e)) if pipeline.atomic => return Err(e),
                Err(Some(e)) => {
                    answers[index] = Some(Answer::Done(Err(e), None));
                    stmts.push(None);
                }
                Err(None) => {
                    answers[index] = Some(Answer::Skipped(Skip::TypesDiffer));
                    stmts.push(None);
                }
            }
        }
        Ok((distinct, stmts, remembered))
    }

    /// Appends one entry's (Parse,) Bind, (Describe of the portal,) and Execute; on an error
    /// nothing of it is left.
    fn write_entry(
        &mut self,
        pipeline: &Pipeline<'_>,
        entry: &Entry<'_>,
        stmt: &Statement,
        describe: bool,
    ) -> Result<()> {
        self.check_session_feature_known(stmt.0.session_feature)?;
        let buf = &mut self.io.write_buf;
        let start = buf.len();
        let written = (|| {
            if stmt.name().is_empty() {
                // Not cached: the unnamed statement, parsed again right before each Bind
                // whatever `bindable` said (another entry's may have replaced it in between).
                write_reparse(stmt, buf)?;
            }
            match &entry.args {
                Args::Values(range) => {
                    let values = pipeline.values.get(range.clone()).unwrap_or(&[]);
                    write_bind_to("", stmt, values, buf)?;
                }
                Args::Encoded(params, _) => write_encoded_bind(stmt, params, buf)?,
            }
            if describe {
                frontend::describe_portal("", buf)?;
            }
            let max_rows = match entry.kind {
                PipeKind::Execute | PipeKind::Fetch => 0,
                PipeKind::FetchRow | PipeKind::FetchVal => 1,
            };
            frontend::execute("", max_rows, buf)?;
            Ok(())
        })();
        if written.is_err() {
            buf.truncate(start);
        }
        written
    }

    /// Fails an atomic pipeline on the server: an Execute of a portal that does not exist.
    fn abort_atomic(&mut self) {
        if frontend::execute("quarry: pipeline aborted", 0, &mut self.io.write_buf).is_err() {
            // Cannot happen (the name is short); were it to, no Sync may commit the pipeline.
            self.wire.set_broken();
        }
    }
}

/// Whether an entry of `round` failed (an atomic pipeline stops writing then).
fn failed(answers: &[Option<Answer>], round: &[usize]) -> bool {
    round
        .iter()
        .any(|&i| matches!(answers.get(i), Some(Some(Answer::Done(Err(_), _)))))
}

/// How a pipeline appears in query logs, traces and timeout errors.
fn label(pipeline: &Pipeline<'_>) -> String {
    let mut sql = pipeline.entries.iter().map(|entry| entry.sql.as_str());
    match (sql.next(), pipeline.entries.len()) {
        (None, _) => String::from("an empty pipeline"),
        (Some(first), 1) => first.to_owned(),
        (Some(first), n) => format!("a pipeline of {n} statements: {first}; ..."),
    }
}
