//! One batch of the pool's queued shortcut calls, run on the public pipeline
//! ([`Pipeline::isolated`]): each request its own Bind/Execute/Sync, so each runs in its own
//! implicit transaction and an error in one cannot touch another, and each answer goes back to
//! its caller through a oneshot channel.
//!
//! Callers encode their parameters before they queue (against the parameter types the pool
//! learned from an earlier run of the same SQL); the pipeline sends a request only to a
//! statement with exactly those types, and a request it skips for its types or never sent is
//! answered [`Outcome::Mismatch`] or [`Outcome::Retry`]: its caller runs it the ordinary way.
//! A sent request is never retried by its caller, so nothing runs twice (a stale plan is run
//! again by the pipeline itself, as a lone query would be).
//!
//! The batch runs on a task of its own holding the connection: when the caller leading it is
//! dropped, the batch still completes and every other caller gets its answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::{PoolConnection, Shared};
use crate::connection::{Answer, EncodedParams, PipeKind, PipeOutput, Pipeline, Skip};
use crate::error::Result;
use crate::types::PgType;

/// What a caller hears back about its queued request.
#[derive(Debug)]
pub(super) enum Outcome {
    /// The request ran: this is its answer, and about how long the server took for it (the
    /// time since the answer before it; zero when the connection failed).
    Done(Result<PipeOutput>, Duration),
    /// The request was not sent: run it the ordinary way.
    Retry,
    /// Like `Retry`, and the connection's parameter types differ from those the request was
    /// encoded with: the pool stops pipelining this SQL.
    Mismatch,
}

/// One caller's queued request.
#[derive(Debug)]
pub(super) struct PipeRequest {
    /// The SQL text (a cached statement of it is used, or prepared).
    pub(super) sql: Arc<str>,
    /// The parameter types `params` were encoded for.
    pub(super) types: Arc<[Arc<PgType>]>,
    pub(super) kind: PipeKind,
    pub(super) params: EncodedParams,
    /// The server time the request is expected to take, in nanoseconds (batches are bounded
    /// by their sum).
    pub(super) cost_ns: u64,
    pub(super) reply: oneshot::Sender<Outcome>,
}

/// Runs a batch on `conn` and answers its callers. The batch runs on a spawned task, so that
/// it completes (and the connection goes back in step) even if this future is dropped; with
/// no runtime to spawn on, it runs here.
pub(super) async fn lead(shared: &Arc<Shared>, conn: PoolConnection, requests: Vec<PipeRequest>) {
    let shared = shared.clone();
    // Boxed as `Send` here, where that is provable: left to the caller's future, the proof
    // would meet the compiler's limits on higher-ranked lifetimes (the connection's
    // async-closure calls) wherever a caller is spawned.
    let run: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
        let mut conn = conn;
        let (answered, sent) = run(&mut conn, requests).await;
        // Answered and in step: the connection goes back (or, broken, is discarded).
        drop(conn);
        shared.counters.batch_done(answered, sent);
    });
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            // A panic in the batch is the task's; the callers hear a closed channel.
            let _ = runtime.spawn(run).await;
        }
        Err(_) => run.await,
    }
}

/// Runs the requests as one pipeline; returns how many were answered (with a result or an
/// error, not told to retry) and how many were sent.
async fn run(conn: &mut PoolConnection, requests: Vec<PipeRequest>) -> (usize, usize) {
    if !conn.pipelines_requests() {
        // Loggers or a timeout set on this connection since: each request on its own.
        for request in requests {
            let _ = request.reply.send(Outcome::Retry);
        }
        return (0, 0);
    }
    let mut pipeline = Pipeline::isolated();
    let mut replies = Vec::with_capacity(requests.len());
    for request in requests {
        pipeline.push_encoded(request.sql, request.types, request.params, request.kind);
        replies.push(request.reply);
    }
    let answers = match conn.pipeline_answers(None, &pipeline).await {
        Ok(answers) => answers,
        Err(e) => {
            // Nothing of the batch went out: its callers run their requests the ordinary way.
            tracing::debug!(target: "quarry", "pipeline not sent: {e}");
            for reply in replies {
                let _ = reply.send(Outcome::Retry);
            }
            return (0, 0);
        }
    };
    let (mut answered, mut sent) = (0, 0);
    for (reply, answer) in replies.into_iter().zip(answers) {
        let outcome = match answer {
            Answer::Done(result, elapsed) => {
                answered += 1;
                // `None`: it failed before it went out (its Parse failed, say).
                sent += usize::from(elapsed.is_some());
                Outcome::Done(result, elapsed.unwrap_or_default())
            }
            Answer::Skipped(Skip::TypesDiffer) => Outcome::Mismatch,
            Answer::Skipped(Skip::NotRun) => Outcome::Retry,
        };
        let _ = reply.send(outcome);
    }
    (answered, sent)
}
