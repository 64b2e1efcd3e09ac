//! `PoolConnection`: a connection lent by the pool. It derefs to [`Connection`]; dropping it
//! gives the connection back (or closes it, when it is broken, mid-request or expired).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::OwnedSemaphorePermit;

use super::stats::CloseReason;
use super::{Idle, Shared};
use crate::connection::Connection;
use crate::error::Result;

/// What the pool remembers about each connection.
pub(super) struct Meta {
    pub(super) created: Instant,
    pub(super) idle_since: Instant,
    pub(super) generation: u64,
    schema_generation: u64,
    stale_at_checkout: u64,
    /// It ran queries since its last reset.
    needs_reset: bool,
}

impl Meta {
    pub(super) fn new(shared: &Shared) -> Meta {
        let now = Instant::now();
        Meta {
            created: now,
            idle_since: now,
            generation: shared.generation.load(Ordering::Relaxed),
            schema_generation: shared.schema_generation.load(Ordering::Relaxed),
            stale_at_checkout: 0,
            needs_reset: false,
        }
    }
}

/// A connection borrowed from a [`super::Pool`]; derefs to [`Connection`].
///
/// ```no_run
/// # async fn demo(pool: quarry_driver::Pool) -> quarry_driver::Result<()> {
/// let mut conn = pool.acquire().await?;
/// let v: i32 = conn.fetch_val("SELECT 1", &[]).await?;
/// // Returned to the pool here.
/// # Ok(()) }
/// ```
pub struct PoolConnection {
    /// `None` only during `Drop`. Boxed so the guard stays small to move.
    conn: Option<Box<Connection>>,
    meta: Meta,
    shared: Arc<Shared>,
    /// Released after the connection is back in the idle list (field order: dropped last).
    _permit: OwnedSemaphorePermit,
}

impl PoolConnection {
    pub(super) fn new(
        conn: Box<Connection>,
        meta: Meta,
        permit: OwnedSemaphorePermit,
        shared: Arc<Shared>,
    ) -> PoolConnection {
        shared.in_use.fetch_add(1, Ordering::Relaxed);
        PoolConnection {
            conn: Some(conn),
            meta,
            shared,
            _permit: permit,
        }
    }

    /// Brings a connection up to date before it is handed out: forgets stale schema state,
    /// resets what the previous user left behind, and runs the `setup` hook.
    pub(super) async fn prepare_for_use(&mut self) -> Result<()> {
        let schema_generation = self.shared.schema_generation.load(Ordering::Relaxed);
        let stale_schema = self.meta.schema_generation != schema_generation;
        let needs_reset = self.meta.needs_reset;
        let shared = self.shared.clone();
        let conn = self.connection_mut();
        if stale_schema {
            conn.reload_schema_state();
        }
        if needs_reset {
            match &shared.options.reset {
                Some(reset) => reset(conn).await?,
                None => {
                    let sql = default_reset_sql(conn);
                    conn.queue_sql(&sql);
                }
            }
        }
        if let Some(setup) = &shared.options.setup {
            setup(conn).await?;
            // Setup runs before every hand-out: its own changes need no reset.
            conn.take_session_dirty();
        }
        self.meta.schema_generation = schema_generation;
        self.meta.needs_reset = false;
        let stale = self.stale_plans();
        self.meta.stale_at_checkout = stale;
        Ok(())
    }

    /// The schema generation the connection's caches are up to date with.
    pub(super) fn schema_generation(&self) -> u64 {
        self.meta.schema_generation
    }

    fn connection_mut(&mut self) -> &mut Connection {
        // `conn` is only taken in `Drop`: it is always there while the guard is usable.
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("a pooled connection used after release"))
    }

    /// Keeps the connection out of the pool: the pool opens another in its place.
    pub fn detach(mut self) -> Connection {
        let conn = self
            .conn
            .take()
            .unwrap_or_else(|| unreachable!("a pooled connection used after release"));
        self.shared.in_use.fetch_sub(1, Ordering::SeqCst);
        self.shared.forget(CloseReason::Other);
        self.shared.wake_closer();
        *conn
    }
}

/// asyncpg's reset, sent in front of the next user's first query.
fn default_reset_sql(conn: &Connection) -> String {
    let mut sql = String::new();
    if conn.is_in_transaction() {
        sql.push_str("ROLLBACK; ");
    }
    sql.push_str("SELECT pg_advisory_unlock_all(); CLOSE ALL; ");
    // A hot standby refuses UNLISTEN (it cannot LISTEN either, so there is nothing to undo).
    if conn.parameter("in_hot_standby") != Some("on") {
        sql.push_str("UNLISTEN *; ");
    }
    sql.push_str("RESET ALL");
    if let Some(pinned) = conn.pinned_sql() {
        // RESET ALL brought back the server's defaults of the settings the connection holds.
        sql.push_str("; ");
        sql.push_str(&pinned);
    }
    sql
}

impl Deref for PoolConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a pooled connection used after release"))
    }
}

impl DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection_mut()
    }
}

impl Drop for PoolConnection {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let shared = &self.shared;
        shared.in_use.fetch_sub(1, Ordering::SeqCst);
        if conn.stale_plans() > self.meta.stale_at_checkout {
            // One connection met a stale plan: the others will too. They reload before their next use.
            shared.schema_generation.fetch_add(1, Ordering::Relaxed);
            let met = conn.stale_plans() - self.meta.stale_at_checkout;
            shared
                .counters
                .stale_plans
                .fetch_add(met, Ordering::Relaxed);
        }
        let max_queries = shared.options.max_queries;
        let reason = if shared.is_closed() {
            Some(CloseReason::Other)
        } else if conn.is_closed() || conn.is_mid_request() {
            Some(CloseReason::Broken)
        } else if shared.expired(&self.meta) || (max_queries > 0 && conn.requests() >= max_queries)
        {
            Some(CloseReason::Expired)
        } else {
            None
        };
        match reason {
            Some(reason) => shared.discard(conn, reason),
            None => {
                let mut conn = conn;
                let mut meta = std::mem::replace(&mut self.meta, Meta::new(shared));
                // Reset only what may need it: an open transaction, or session state that a
                // command or function of this checkout may have changed.
                meta.needs_reset |= conn.take_session_dirty() || conn.is_in_transaction();
                meta.idle_since = Instant::now();
                shared.lock_idle().push_back(Idle { conn, meta });
            }
        }
        shared.wake_closer();
    }
}

impl std::fmt::Debug for PoolConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PoolConnection").field(&self.conn).finish()
    }
}
