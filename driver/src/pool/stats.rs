//! Pool statistics: gauges (size, idle, waiting) and counters since the pool was created.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of a pool's state and history, from [`super::Pool::stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// Open connections (idle, in use or being opened).
    pub size: usize,
    /// Idle connections.
    pub idle: usize,
    /// Connections handed out and not yet returned.
    pub in_use: usize,
    /// Tasks waiting in `acquire`.
    pub waiting: usize,
    /// The configured maximum.
    pub max_size: usize,
    /// Successful acquires. A shortcut call answered in a pipelined batch counts as one, like
    /// the call that led the batch: a batch of n calls is one checkout and n acquires.
    pub acquired: u64,
    /// Shortcut calls answered in pipelined batches ([`super::PoolBuilder::pipeline`]).
    pub pipelined: u64,
    /// Pipelined batches that sent requests (`pipelined / batches` is about the mean batch
    /// size).
    pub batches: u64,
    /// Stale cached plans met (a schema change under a cached statement): each makes every
    /// connection forget its cached statements and types before its next use.
    pub stale_plans: u64,
    /// Acquires that had to wait for a connection to come back.
    pub waited: u64,
    /// Acquires that failed with a timeout.
    pub timed_out: u64,
    /// Connections opened.
    pub created: u64,
    /// Connections closed because they were broken, killed or left mid-request.
    pub closed_broken: u64,
    /// Connections closed after `max_lifetime`, idle timeout, `max_queries` or `expire_connections`.
    pub closed_expired: u64,
    /// Connections closed by `close`/`terminate` or because the pool shrank.
    pub closed_other: u64,
    /// Total time spent waiting in `acquire`.
    pub acquire_wait: Duration,
    /// The longest single wait in `acquire`.
    pub max_acquire_wait: Duration,
}

/// Why a connection left the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CloseReason {
    Broken,
    Expired,
    Other,
}

#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) acquired: AtomicU64,
    pub(super) waited: AtomicU64,
    pub(super) timed_out: AtomicU64,
    pub(super) created: AtomicU64,
    pipelined: AtomicU64,
    batches: AtomicU64,
    pub(super) stale_plans: AtomicU64,
    closed_broken: AtomicU64,
    closed_expired: AtomicU64,
    closed_other: AtomicU64,
    wait_ns: AtomicU64,
    max_wait_ns: AtomicU64,
}

impl Counters {
    pub(super) fn closed(&self, reason: CloseReason) {
        let counter = match reason {
            CloseReason::Broken => &self.closed_broken,
            CloseReason::Expired => &self.closed_expired,
            CloseReason::Other => &self.closed_other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A batch answered `answered` calls (`sent` of them sent to the server) on one checkout,
    /// which counted one acquire.
    pub(super) fn batch_done(&self, answered: usize, sent: usize) {
        let answered = u64::try_from(answered).unwrap_or(u64::MAX);
        match answered {
            0 => {
                self.acquired.fetch_sub(1, Ordering::Relaxed);
            }
            n => {
                self.acquired.fetch_add(n - 1, Ordering::Relaxed);
            }
        }
        self.pipelined.fetch_add(answered, Ordering::Relaxed);
        if sent > 0 {
            self.batches.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A checkout taken to lead a batch found nothing to run.
    pub(super) fn unused_checkout(&self) {
        self.acquired.fetch_sub(1, Ordering::Relaxed);
    }

    /// An acquire failed with a timeout, and its caller hears of it.
    pub(super) fn timed_out(&self) {
        self.timed_out.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn waited_for(&self, wait: Duration) {
        let ns = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
        self.waited.fetch_add(1, Ordering::Relaxed);
        self.wait_ns.fetch_add(ns, Ordering::Relaxed);
        self.max_wait_ns.fetch_max(ns, Ordering::Relaxed);
    }

    pub(super) fn fill(&self, stats: &mut PoolStats) {
        stats.acquired = self.acquired.load(Ordering::Relaxed);
        stats.waited = self.waited.load(Ordering::Relaxed);
        stats.timed_out = self.timed_out.load(Ordering::Relaxed);
        stats.created = self.created.load(Ordering::Relaxed);
        stats.pipelined = self.pipelined.load(Ordering::Relaxed);
        stats.batches = self.batches.load(Ordering::Relaxed);
        stats.stale_plans = self.stale_plans.load(Ordering::Relaxed);
        stats.closed_broken = self.closed_broken.load(Ordering::Relaxed);
        stats.closed_expired = self.closed_expired.load(Ordering::Relaxed);
        stats.closed_other = self.closed_other.load(Ordering::Relaxed);
        stats.acquire_wait = Duration::from_nanos(self.wait_ns.load(Ordering::Relaxed));
        stats.max_acquire_wait = Duration::from_nanos(self.max_wait_ns.load(Ordering::Relaxed));
    }
}
