//! What a caller gets back from a pipeline: a [`Queued`] ticket per statement and the
//! [`PipelineResults`] it is redeemed on, and [`Connection::pipeline`], which turns the
//! answers of a run into them (the whole call fails when an atomic pipeline failed or the
//! connection was lost before every answer).

use std::marker::PhantomData;
use std::time::Duration;

use super::super::Connection;
use super::run::{Answer, Skip};
use super::{PipeOutput, Pipeline};
use crate::error::{Error, Result};

/// The ticket of one statement queued in a [`Pipeline`]: redeem it with
/// [`PipelineResults::take`] for the statement's result, typed as the verb that queued it
/// returns ([`CommandTag`](crate::CommandTag) for `execute`, `Vec<Record>` for `fetch`, `Option<Record>` for
/// `fetch_row`, `T` for `fetch_val::<T>`).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let mut batch = quarry_driver::Pipeline::new();
/// let one: quarry_driver::Queued<i32> = batch.fetch_val("SELECT 1", &[]);
/// let mut results = conn.pipeline(batch).await?;
/// assert_eq!(results.take(one)?, 1);
/// # Ok(()) }
/// ```
pub struct Queued<T> {
    pipeline: u64,
    index: usize,
    convert: fn(PipeOutput) -> Result<T>,
    _result: PhantomData<fn() -> T>,
}

impl<T> Clone for Queued<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Queued<T> {}

impl<T> std::fmt::Debug for Queued<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queued")
            .field("statement", &self.index)
            .finish_non_exhaustive()
    }
}

impl<T> Queued<T> {
    /// The ticket of statement `index` of pipeline `pipeline`, its answer turned into a `T`
    /// by `convert`.
    pub(super) fn new(pipeline: u64, index: usize, convert: fn(PipeOutput) -> Result<T>) -> Self {
        Queued {
            pipeline,
            index,
            convert,
            _result: PhantomData,
        }
    }

    /// The statement's position in its pipeline, from 0.
    ///
    /// ```
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let first = batch.execute("SELECT 1", &[]);
    /// let second = batch.execute("SELECT 2", &[]);
    /// assert_eq!((first.index(), second.index()), (0, 1));
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }
}

/// The answers of a pipeline that ran, from [`Connection::pipeline`]: one per statement, read
/// with the statement's [`Queued`] ticket.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let mut batch = quarry_driver::Pipeline::new();
/// let ok = batch.fetch_val::<i32>("SELECT 1", &[]);
/// let bad = batch.fetch_val::<i32>("SELECT 1 / 0", &[]);
/// let mut results = conn.pipeline(batch).await?;
/// assert_eq!(results.take(ok)?, 1);
/// assert!(results.take(bad).is_err()); // division by zero: only this statement failed
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PipelineResults {
    pipeline: u64,
    answers: Vec<Option<Result<PipeOutput>>>,
}

impl PipelineResults {
    /// The result of the statement `queued` stands for: its value, or the error it alone met
    /// (a server error names the statement's SQL). Each result can be taken once.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let rows = batch.fetch("SELECT generate_series(1, $1)", &[&3i32]);
    /// let mut results = conn.pipeline(batch).await?;
    /// assert_eq!(results.take(rows)?.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn take<T>(&mut self, queued: Queued<T>) -> Result<T> {
        if queued.pipeline != self.pipeline {
            return Err(Error::PipelineResult {
                statement: queued.index,
                problem: "the ticket belongs to another pipeline",
            });
        }
        match self.answers.get_mut(queued.index).and_then(Option::take) {
            Some(answer) => answer.and_then(queued.convert),
            None => Err(Error::PipelineResult {
                statement: queued.index,
                problem: "its result was taken already",
            }),
        }
    }

    /// Statements the pipeline ran (results taken or not).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// batch.execute("SELECT 1", &[]);
    /// assert_eq!(conn.pipeline(batch).await?.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether the pipeline had no statement.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// assert!(conn.pipeline(quarry_driver::Pipeline::new()).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// An output of another kind than the ticket's (impossible: the ticket's kind chose the
/// statement's answer).
pub(super) fn kind_mismatch() -> Error {
    Error::PipelineResult {
        statement: 0,
        problem: "the statement was answered as another kind of call",
    }
}

impl Connection {
    /// Runs every statement of `pipeline` in one round trip and returns their results (see
    /// [`Pipeline`] for the two modes). Bounded by the command timeout.
    ///
    /// `Err` means the pipeline as a whole failed: the connection was lost or the timeout
    /// elapsed before every answer arrived (statements already sent may have run, as with any
    /// call), or, for an [atomic](Pipeline::atomic) pipeline, a statement failed (its error;
    /// nothing was committed). Otherwise each statement's own error, if any, is in its result.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut batch = quarry_driver::Pipeline::new();
    /// let ids: Vec<_> = (0..100).map(|_| batch.fetch_val::<i32>("SELECT $1::int4", &[&7i32])).collect();
    /// let mut results = conn.pipeline(batch).await?;
    /// for id in ids {
    ///     assert_eq!(results.take(id)?, 7);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pipeline(&mut self, pipeline: Pipeline<'_>) -> Result<PipelineResults> {
        self.pipeline_within(self.command_timeout, pipeline).await
    }

    /// [`Connection::pipeline`] within `limit`.
    pub(in crate::connection) async fn pipeline_within(
        &mut self,
        limit: Option<Duration>,
        pipeline: Pipeline<'_>,
    ) -> Result<PipelineResults> {
        let answers = self.pipeline_answers(limit, &pipeline).await?;
        // The whole call fails when an atomic pipeline failed, or when the connection was
        // lost before every statement was answered.
        let whole = |a: &Answer| match a {
            Answer::Done(Err(e), _) => pipeline.atomic || e.is_fatal(),
            Answer::Skipped(Skip::NotRun) => true,
            Answer::Done(Ok(_), _) | Answer::Skipped(Skip::TypesDiffer) => false,
        };
        if answers.iter().any(whole) {
            let first = answers.into_iter().find_map(|a| match a {
                Answer::Done(Err(e), _) if pipeline.atomic || e.is_fatal() => Some(e),
                _ => None,
            });
            return Err(first.unwrap_or(Error::Closed));
        }
        let results = answers
            .into_iter()
            .enumerate()
            .map(|(statement, answer)| {
                Some(match answer {
                    Answer::Done(result, _) => result,
                    // Only parameters encoded ahead (the pool's) are checked against types.
                    Answer::Skipped(_) => Err(Error::PipelineResult {
                        statement,
                        problem: "its parameters were encoded for other types",
                    }),
                })
            })
            .collect();
        Ok(PipelineResults {
            pipeline: pipeline.id,
            answers: results,
        })
    }
}
