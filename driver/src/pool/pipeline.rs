//! Pipelining the pool's shortcut calls across tasks ("group commit").
//!
//! A shortcut call (`Pool::execute` with parameters, `fetch`, `fetch_row`, `fetch_val`) for a
//! read (`read_only.rs`: no row locks, so no request of a batch can wait for a lock held by a
//! transaction of a caller queued behind it) the pool has run before, and measured as quick,
//! may be pipelined ([`Profile`]). With a free
//! connection it leads at once: alone (the ordinary way) when nothing is queued, else its own
//! request and the queued ones as one batch. Without one it encodes its parameters against
//! the learned types, queues its request, then waits both for its answer and for a connection;
//! whoever gets a connection first takes the queue. Whoever gets a connection yields to the
//! scheduler once first, so that callers already woken (by the answers of a batch) can queue.
//! A batch is one public [`Pipeline`](crate::Pipeline) on the leader's connection (`batch.rs`),
//! each request its own Bind/Execute/Sync, so errors and transactions stay per request.
//!
//! Cancellation: a caller dropped while its request is queued takes the request out (it never
//! runs); dropped after a leader took it, the request runs and its answer is dropped. A batch
//! runs on a task of its own, so a leader dropped mid-batch leaves it running: the other
//! callers get their answers.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::batch::{Outcome, PipeRequest, lead};
use super::{Pool, PoolConnection, Shared};
use crate::connection::{AsQuery, Param, PipeKind, PipeOutput, encode_params};
use crate::error::{Error, Result};
use crate::types::PgType;

/// Requests written in one batch, at most.
const MAX_BATCH: usize = 64;
/// Encoded parameter bytes in one batch, at most: the write fits the socket buffers, so the
/// server can never be blocked writing answers while we are blocked writing requests.
const MAX_BATCH_BYTES: usize = 32 * 1024;
/// SQL texts whose parameter types the pool remembers, at most.
const MAX_PROFILES: usize = 1024;
// Statements that take longer than `PoolBuilder::pipeline_max_cost` (on average) are not
// pipelined: a batch runs its requests one after another on one server backend, and what
// pipelining saves (a few system calls per request) is nothing next to the wait it would add to
// the requests queued behind. A batch holds twice that in estimated server time at most (and
// always one request): the last request of a batch waits for the others.

/// The pool's pipelining state: learned statements and the queue of waiting requests.
#[derive(Default)]
pub(super) struct Pipelining {
    /// What each SQL text taught: its profile, or `None` for SQL that is never pipelined (not a
    /// read: decided once, not on every call).
    profiles: Mutex<HashMap<Box<str>, Option<Arc<Profile>>>>,
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
    /// A moving average of the time the server takes to answer it, in nanoseconds.
    cost_ns: AtomicU64,
}

impl Profile {
    /// Whether calls of this statement may queue for a pipelined batch.
    fn pipelinable(&self, max_cost: Duration) -> bool {
        self.usable.load(Ordering::Relaxed)
            && self.cost_ns.load(Ordering::Relaxed) <= duration_ns(max_cost)
    }

    /// Adds one run's time to the moving average (weight 1/8).
    fn observe(&self, elapsed: Duration) {
        let sample = duration_ns(elapsed);
        let old = self.cost_ns.load(Ordering::Relaxed);
        // Races between callers lose a sample at worst.
        self.cost_ns
            .store(old - old / 8 + sample / 8, Ordering::Relaxed);
    }
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

struct Queued {
    id: u64,
    request: PipeRequest,
}

impl Pipelining {
    fn lock_profiles(&self) -> MutexGuard<'_, HashMap<Box<str>, Option<Arc<Profile>>>> {
        // Never held across an await or user code: a poisoned map is still whole.
        self.profiles.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records what `sql` taught (at most [`MAX_PROFILES`] texts: beyond, start afresh).
    fn remember(&self, sql: &str, profile: Option<Arc<Profile>>) {
        let mut profiles = self.lock_profiles();
        if profiles.len() >= MAX_PROFILES {
            profiles.clear();
        }
        profiles.insert(Box::from(sql), profile);
    }

    fn lock_queue(&self) -> MutexGuard<'_, VecDeque<Queued>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_empty(&self) -> bool {
        self.lock_queue().is_empty()
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

    /// `first` (if any) and queued requests after it, within the batch limits, `budget`
    /// requests and `max_cost` of estimated server time. Requests whose callers are gone are
    /// dropped unrun.
    fn take_batch(
        &self,
        first: Option<PipeRequest>,
        budget: usize,
        max_cost: Duration,
    ) -> Vec<PipeRequest> {
        let limit = budget.clamp(1, MAX_BATCH);
        let max_cost = duration_ns(max_cost);
        let mut batch = Vec::with_capacity(limit.min(8));
        let mut bytes = 0;
        let mut cost = 0;
        if let Some(first) = first {
            bytes += first.params.size();
            cost += first.cost_ns;
            batch.push(first);
        }
        let mut queue = self.lock_queue();
        while batch.len() < limit {
            let Some(next) = queue.front() else { break };
            let size = next.request.params.size();
            let next_cost = next.request.cost_ns;
            if !batch.is_empty()
                && (bytes + size > MAX_BATCH_BYTES || cost.saturating_add(next_cost) > max_cost)
            {
                break;
            }
            let Some(Queued { request, .. }) = queue.pop_front() else {
                break;
            };
            if request.reply.is_closed() {
                continue;
            }
            bytes += size;
            cost = cost.saturating_add(next_cost);
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
            && self.caches_statements.load(Ordering::Relaxed)
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
        let profile = self.pipelining.lock_profiles().get(query.sql())?.clone()?;
        let current = self.schema_generation.load(Ordering::Relaxed);
        (profile.schema_generation == current
            && profile.pipelinable(self.options.pipeline_max_cost))
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
        elapsed: Duration,
    ) {
        if !self.pipelinable(query, params, kind) {
            return;
        }
        let sql = query.sql();
        let schema_generation = conn.schema_generation();
        match self.pipelining.lock_profiles().get(sql) {
            Some(Some(known)) if known.schema_generation >= schema_generation => {
                known.observe(elapsed);
                return;
            }
            Some(None) => return,
            _ => {}
        }
        // Only reads that take no row locks: a pipelined write could wait for a lock held by
        // the transaction of a caller queued behind it (see `read_only.rs`).
        if !super::read_only::is_read_only(sql) {
            self.pipelining.remember(sql, None);
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
            // The first run of a statement on a connection also prepared it (a second round
            // trip, and planning): count half.
            cost_ns: AtomicU64::new(duration_ns(elapsed) / 2),
        });
        self.pipelining.remember(sql, Some(profile));
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
        let Some(profile) = self.shared.profile(&query, params, kind) else {
            return Box::pin(self.run_alone(query, params, kind)).await;
        };
        // A free connection: lead at once, taking along whatever is queued.
        if let Some(conn) = self.acquire_idle_now().await? {
            // As a waiter that gets a connection does: let callers the scheduler already woke
            // queue first (at no cost when nothing else is ready to run).
            tokio::task::yield_now().await;
            if self.shared.pipelining.is_empty() {
                return run_on(conn, &profile, &query, params, kind).await;
            }
            let (reply, answer) = oneshot::channel();
            let own = request(&profile, kind, params, reply)?;
            let batch = take_batch(&self.shared, Some(own), &conn);
            lead(&self.shared, conn, batch).await;
            if let Some(result) = outcome(&profile, answer.await) {
                return result;
            }
        } else if let Some(result) = self.queue_and_wait(&profile, &query, params, kind).await {
            return result;
        }
        // Not pipelined after all (see `Outcome::Retry`).
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
        let started = Instant::now();
        let output = run_on_ref(&mut conn, &query, params, kind).await?;
        let elapsed = started.elapsed();
        self.shared.learn(&mut conn, &query, params, kind, elapsed);
        Ok(output)
    }

    /// Queues the call and waits for its answer, or for a connection to lead the queue with;
    /// `None` when it must run the ordinary way instead.
    async fn queue_and_wait(
        &self,
        profile: &Profile,
        query: &impl AsQuery,
        params: &[Param<'_>],
        kind: PipeKind,
    ) -> Option<Result<PipeOutput>> {
        let shared = &self.shared;
        if shared.is_closed() {
            return Some(Err(Error::PoolClosed));
        }
        let (reply, mut answer) = oneshot::channel();
        let own = match request(profile, kind, params, reply) {
            Ok(own) => own,
            Err(e) => return Some(Err(e)),
        };
        let mut queued = QueuedGuard {
            pipelining: &shared.pipelining,
            id: shared.pipelining.push(own),
            armed: true,
        };
        loop {
            // A permit freed once the queue is empty goes straight back: a leader has our
            // request, and nothing else waits.
            let acquire = self.acquire_waiting_if(|| !shared.pipelining.is_empty());
            tokio::select! {
                biased;
                result = &mut answer => {
                    queued.armed = false;
                    return outcome(profile, result);
                }
                conn = acquire => match conn {
                    Ok(Some((conn, waited))) => {
                        // Let callers the scheduler already woke (answers of batches just
                        // read) queue their next requests: one write carries them all.
                        tokio::task::yield_now().await;
                        let Some(mine) = shared.pipelining.remove(queued.id) else {
                            // Another leader has our request: lead the others.
                            let batch = take_batch(shared, None, &conn);
                            if batch.is_empty() {
                                drop(conn);
                                shared.counters.unused_checkout();
                            } else {
                                count_wait(shared, waited);
                                lead(shared, conn, batch).await;
                            }
                            break;
                        };
                        queued.armed = false;
                        count_wait(shared, waited);
                        if shared.pipelining.is_empty() {
                            // Alone after all: the ordinary way, on this connection.
                            drop(mine);
                            return Some(run_on(conn, profile, query, params, kind).await);
                        }
                        let batch = take_batch(shared, Some(mine), &conn);
                        lead(shared, conn, batch).await;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        if shared.pipelining.remove(queued.id).is_some() {
                            // Nobody took the request: the caller hears of the timeout.
                            queued.armed = false;
                            if matches!(e, Error::PoolTimeout { .. }) {
                                shared.counters.timed_out();
                            }
                            return Some(Err(e));
                        }
                        // A leader has the request: its answer is the call's.
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

/// The caller's request, its parameters encoded for the learned types.
fn request(
    profile: &Profile,
    kind: PipeKind,
    params: &[Param<'_>],
    reply: oneshot::Sender<Outcome>,
) -> Result<PipeRequest> {
    Ok(PipeRequest {
        sql: profile.sql.clone(),
        types: profile.types.clone(),
        kind,
        params: encode_params(&profile.sql, &profile.types, params)?,
        cost_ns: profile.cost_ns.load(Ordering::Relaxed),
        reply,
    })
}

/// A call run the ordinary way on a connection of its own.
async fn run_on(
    mut conn: PoolConnection,
    profile: &Profile,
    query: &impl AsQuery,
    params: &[Param<'_>],
    kind: PipeKind,
) -> Result<PipeOutput> {
    let started = Instant::now();
    let output = run_on_ref(&mut conn, query, params, kind).await;
    if output.is_ok() {
        profile.observe(started.elapsed());
    }
    output
}

async fn run_on_ref(
    conn: &mut PoolConnection,
    query: &impl AsQuery,
    params: &[Param<'_>],
    kind: PipeKind,
) -> Result<PipeOutput> {
    Ok(match kind {
        PipeKind::Execute => PipeOutput::Tag(conn.execute(query, params).await?),
        PipeKind::Fetch => PipeOutput::Rows(conn.fetch(query, params).await?),
        PipeKind::FetchRow | PipeKind::FetchVal => {
            PipeOutput::Row(conn.fetch_row(query, params).await?)
        }
    })
}

/// The next batch for `conn`, `first` (if any) ahead of the queued requests.
fn take_batch(
    shared: &Shared,
    first: Option<PipeRequest>,
    conn: &PoolConnection,
) -> Vec<PipeRequest> {
    let max_cost = shared.options.pipeline_max_cost.saturating_mul(2);
    shared
        .pipelining
        .take_batch(first, budget(shared, conn), max_cost)
}

/// A queued caller waited for the connection it uses (a wait that ended in another leader's
/// answer, or in a connection put straight back, is not an acquire's wait).
fn count_wait(shared: &Shared, waited: Option<Duration>) {
    if let Some(wait) = waited {
        shared.counters.waited_for(wait);
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
        Ok(Outcome::Done(result, elapsed)) => {
            if result.is_ok() {
                profile.observe(elapsed);
            }
            Some(result)
        }
        Ok(Outcome::Retry) => None,
        Ok(Outcome::Mismatch) => {
            profile.usable.store(false, Ordering::Relaxed);
            None
        }
        // Only when a batch was dropped with no runtime left to finish it.
        Err(_) => Some(Err(Error::Closed)),
    }
}
