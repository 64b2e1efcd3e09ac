//! Pipelining the pool's shortcut calls across tasks ("group commit").
//!
//! A shortcut call (`Pool::execute` with parameters, `fetch`, `fetch_row`, `fetch_val`) for SQL
//! the pool has run before encodes its parameters against the learned parameter types
//! ([`Profile`]). With a free connection it leads at once: it runs its own request and whatever
//! is queued as one [`Batch`]. Without one it queues its request, then waits both for its answer
//! and for a connection; whoever gets a connection first takes the queue. Each request is its
//! own Bind/Execute/Sync on the connection (`connection/pipeline.rs`), so errors and
//! transactions stay per request.
//!
//! Cancellation: a caller dropped while its request is queued takes the request out (it never
//! runs); dropped after a leader took it, the request runs and its answer is dropped. A leader
//! dropped mid-batch hands the connection and the batch to a spawned task that finishes it, so
//! the other callers get their answers; without a runtime to spawn on, requests not sent yet
//! are retried by their callers and sent ones fail as on a lost connection.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use super::{Pool, PoolConnection, Shared};
use crate::connection::{
    AsQuery, Batch, EncodedParams, Outcome, Param, PipeKind, PipeOutput, PipeRequest, encode_params,
};
use crate::error::{Error, Result};
use crate::types::PgType;

/// Requests written in one batch, at most.
const MAX_BATCH: usize = 64;
/// Encoded parameter bytes in one batch, at most: the write fits the socket buffers, so the
/// server can never be blocked writing answers while we are blocked writing requests.
const MAX_BATCH_BYTES: usize = 32 * 1024;
/// SQL texts whose parameter types the pool remembers, at most.
const MAX_PROFILES: usize = 1024;

/// The pool's pipelining state: learned statements and the queue of waiting requests.
#[derive(Default)]
pub(super) struct Pipelining {
    profiles: Mutex<HashMap<Box<str>, Arc<Profile>>>,
    queue: Mutex<VecDeque<Queued>>,
    next_id: AtomicU64,
}

/// What a successful ordinary run taught the pool about one SQL text.
struct Profile {
    sql: Arc<str>,
    types: Arc<[Arc<PgType>]>,
    /// The pool's schema generation the types are valid for.
    schema_generation: u64,
    /// Cleared when a connection's statement has other parameter types.
    usable: AtomicBool,
}

struct Queued {
    id: u64,
    request: PipeRequest,
}

impl Pipelining {
    fn lock_profiles(&self) -> MutexGuard<'_, HashMap<Box<str>, Arc<Profile>>> {
        // Never held across an await or user code: a poisoned map is still whole.
        self.profiles.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_queue(&self) -> MutexGuard<'_, VecDeque<Queued>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, request: PipeRequest) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock_queue().push_back(Queued { id, request });
        id
    }

    /// Takes a queued request out, if no leader took it yet.
    fn remove(&self, id: u64) -> Option<PipeRequest> {
        let mut queue = self.lock_queue();
        let index = queue.iter().position(|q| q.id == id)?;
        queue.remove(index).map(|q| q.request)
    }

    /// `first` (if any) and queued requests after it, within the batch limits and `budget`.
    /// Requests whose callers are gone are dropped unrun.
    fn take_batch(&self, first: Option<PipeRequest>, budget: usize) -> Vec<PipeRequest> {
        let limit = budget.clamp(1, MAX_BATCH);
        let mut batch = Vec::with_capacity(limit.min(8));
        let mut bytes = 0;
        if let Some(first) = first {
            bytes += first.params.size();
            batch.push(first);
        }
        let mut queue = self.lock_queue();
        while batch.len() < limit {
            let Some(next) = queue.front() else { break };
            let size = next.request.params.size();
            if !batch.is_empty() && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            let Some(Queued { request, .. }) = queue.pop_front() else {
                break;
            };
            if request.reply.is_closed() {
                continue;
            }
            bytes += size;
            batch.push(request);
        }
        batch
    }
}

/// Takes the caller's request out of the queue if it is dropped while still queued.
struct QueuedGuard<'a> {
    pipelining: &'a Pipelining,
    id: u64,
    armed: bool,
}

impl Drop for QueuedGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.pipelining.remove(self.id);
        }
    }
}

impl Shared {
    /// Whether a call may be pipelined at all (learned or not).
    fn pipelinable(&self, query: &impl AsQuery, params: &[Param<'_>], kind: PipeKind) -> bool {
        self.options.pipeline
            && self.options.setup.is_none()
            && self.options.reset.is_none()
            && query.statement().is_none()
            // Without parameters `execute` uses the simple protocol.
            && !(kind == PipeKind::Execute && params.is_empty())
            && u16::try_from(params.len()).is_ok()
    }

    /// The profile to encode a call's parameters with, when it is known and usable.
    fn profile(
        &self,
        query: &impl AsQuery,
        params: &[Param<'_>],
        kind: PipeKind,
    ) -> Option<Arc<Profile>> {
        if !self.pipelinable(query, params, kind) {
            return None;
        }
        let profile = self.pipelining.lock_profiles().get(query.sql())?.clone();
        let current = self.schema_generation.load(Ordering::Relaxed);
        (profile.schema_generation == current && profile.usable.load(Ordering::Relaxed))
            .then_some(profile)
    }

    /// After a successful ordinary call: remembers the statement's parameter types when it can
    /// be pipelined.
    fn learn(
        &self,
        conn: &mut PoolConnection,
        query: &impl AsQuery,
        params: &[Param<'_>],
        kind: PipeKind,
    ) {
        if !self.pipelinable(query, params, kind) {
            return;
        }
        let sql = query.sql();
        let schema_generation = conn.schema_generation();
        if let Some(known) = self.pipelining.lock_profiles().get(sql)
            && known.schema_generation >= schema_generation
        {
            return;
        }
        let Some(types) = conn.pipeline_profile(sql) else {
            return;
        };
        let profile = Arc::new(Profile {
            sql: Arc::from(sql),
            types,
            schema_generation,
            usable: AtomicBool::new(true),
        });
        let mut profiles = self.pipelining.lock_profiles();
        if profiles.len() >= MAX_PROFILES {
            profiles.clear();
        }
        profiles.insert(Box::from(sql), profile);
    }
}

impl Pool {
    /// The shortcut calls: pipelined with other callers' when possible, else on a checkout of
    /// their own.
    pub(super) async fn shortcut(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
        kind: PipeKind,
    ) -> Result<PipeOutput> {
        if let Some(profile) = self.shared.profile(&query, params, kind) {
            let encoded = encode_params(&profile.sql, &profile.types, params)?;
            if let Some(result) = self.pipelined(&profile, kind, encoded).await {
                return result;
            }
        }
        Box::pin(self.run_alone(query, params, kind)).await
    }

    /// One call on a checkout of its own (and what it teaches the pool).
    async fn run_alone(
        &self,
        query: impl AsQuery,
        params: &[Param<'_>],
        kind: PipeKind,
    ) -> Result<PipeOutput> {
        let mut conn = self.acquire().await?;
        let output = match kind {
            PipeKind::Execute => PipeOutput::Tag(conn.execute(&query, params).await?),
            PipeKind::Fetch => PipeOutput::Rows(conn.fetch(&query, params).await?),
            PipeKind::FetchRow => PipeOutput::Row(conn.fetch_row(&query, params).await?),
        };
        self.shared.learn(&mut conn, &query, params, kind);
        Ok(output)
    }

    /// Runs `request` in a batch; `None` when it must run the ordinary way instead.
    async fn pipelined(
        &self,
        profile: &Profile,
        kind: PipeKind,
        params: EncodedParams,
    ) -> Option<Result<PipeOutput>> {
        let shared = &self.shared;
        let (reply, mut answer) = oneshot::channel();
        let request = PipeRequest {
            sql: profile.sql.clone(),
            types: profile.types.clone(),
            kind,
            params,
            reply,
        };
        // A free connection: lead at once, taking whatever is queued along.
        match self.acquire_idle_now().await {
            Err(e) => return Some(Err(e)),
            Ok(Some(conn)) => {
                let batch = shared
                    .pipelining
                    .take_batch(Some(request), budget(shared, &conn));
                lead(shared, conn, batch).await;
                return outcome(profile, answer.await);
            }
            Ok(None) => {}
        }
        if shared.is_closed() {
            return Some(Err(Error::PoolClosed));
        }
        let mut queued = QueuedGuard {
            pipelining: &shared.pipelining,
            id: shared.pipelining.push(request),
            armed: true,
        };
        loop {
            tokio::select! {
                biased;
                result = &mut answer => {
                    queued.armed = false;
                    return outcome(profile, result);
                }
                conn = self.acquire() => match conn {
                    Ok(conn) => {
                        let mine = shared.pipelining.remove(queued.id);
                        let own = mine.is_some();
                        let batch = shared.pipelining.take_batch(mine, budget(shared, &conn));
                        if batch.is_empty() {
                            // Another leader took our request (and nothing else waits).
                            drop(conn);
                            shared.counters.unused_checkout();
                        } else {
                            lead(shared, conn, batch).await;
                        }
                        if !own {
                            break;
                        }
                        queued.armed = false;
                    }
                    Err(e) => {
                        if shared.pipelining.remove(queued.id).is_some() {
                            queued.armed = false;
                            return Some(Err(e));
                        }
                        break;
                    }
                },
            }
        }
        // A leader has our request: only its answer is left to wait for.
        queued.armed = false;
        outcome(profile, answer.await)
    }
}

/// Requests this checkout may still run before `max_queries` retires its connection.
fn budget(shared: &Shared, conn: &PoolConnection) -> usize {
    match shared.options.max_queries {
        0 => MAX_BATCH,
        max => usize::try_from(max.saturating_sub(conn.requests())).unwrap_or(MAX_BATCH),
    }
}

/// What a caller makes of the answer to its queued request.
fn outcome(
    profile: &Profile,
    answer: std::result::Result<Outcome, oneshot::error::RecvError>,
) -> Option<Result<PipeOutput>> {
    match answer {
        Ok(Outcome::Done(result)) => Some(result),
        Ok(Outcome::Retry) => None,
        Ok(Outcome::Mismatch) => {
            profile.usable.store(false, Ordering::Relaxed);
            None
        }
        // Only when a batch was dropped with no runtime left to finish it.
        Err(_) => Some(Err(Error::Closed)),
    }
}

/// Runs a batch on `conn`; if this future is dropped midway, the batch is finished on a
/// spawned task (see [`Leader`]'s `Drop`).
async fn lead(shared: &Arc<Shared>, conn: PoolConnection, requests: Vec<PipeRequest>) {
    let mut leader = Leader {
        shared: shared.clone(),
        conn: Some(conn),
        batch: Batch::new(requests),
    };
    if let Some(conn) = leader.conn.as_mut() {
        conn.run_batch(&mut leader.batch).await;
    }
    shared.counters.batch_done(leader.batch.answered());
}

/// A connection running a batch. Dropped before the batch is answered, it hands both to a task
/// that finishes the batch and then returns the connection.
struct Leader {
    shared: Arc<Shared>,
    conn: Option<PoolConnection>,
    batch: Batch,
}

impl Drop for Leader {
    fn drop(&mut self) {
        if self.batch.is_finished() {
            return;
        }
        let mut batch = std::mem::take(&mut self.batch);
        let shared = self.shared.clone();
        let Some(mut conn) = self.conn.take() else {
            batch.abandon();
            shared.counters.batch_done(batch.answered());
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    conn.run_batch(&mut batch).await;
                    // Answered: the connection goes back (or, broken, is discarded).
                    drop(conn);
                    shared.counters.batch_done(batch.answered());
                });
            }
            Err(_) => {
                batch.abandon();
                // Mid-request: discarded, not returned.
                drop(conn);
                shared.counters.batch_done(batch.answered());
            }
        }
    }
}
