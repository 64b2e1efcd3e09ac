//! The pool's background task: closes connections idle past their lifetime, drops dead ones,
//! and keeps `min_size` connections open. It holds only a weak reference and ends with the pool.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::guard::Meta;
use super::{Idle, Shared};

/// How often the task wakes at most.
const MAX_PERIOD: Duration = Duration::from_secs(10);

pub(super) fn spawn(shared: &Arc<Shared>) {
    let idle_limit = shared.options.max_inactive_connection_lifetime;
    if shared.options.min_size == 0 && idle_limit.is_none() {
        return;
    }
    let period = idle_limit.map_or(MAX_PERIOD, |limit| {
        (limit / 2).clamp(Duration::from_millis(50), MAX_PERIOD)
    });
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(shared);
    runtime.spawn(run(weak, period));
}

async fn run(weak: Weak<Shared>, period: Duration) {
    loop {
        tokio::time::sleep(period).await;
        let Some(shared) = weak.upgrade() else {
            return;
        };
        if shared.is_closed() {
            return;
        }
        prune(&shared);
        top_up(&shared).await;
    }
}

/// Closes idle connections that died, expired or sat idle too long.
fn prune(shared: &Shared) {
    let idle: Vec<Idle> = shared.lock_idle().drain(..).collect();
    let mut keep = Vec::with_capacity(idle.len());
    for Idle { mut conn, meta } in idle {
        match shared.unusable(&mut conn, &meta) {
            Some(reason) => shared.discard(conn, reason),
            None => keep.push(Idle { conn, meta }),
        }
    }
    let mut list = shared.lock_idle();
    // Connections returned meanwhile are newer: keep them at the back (used first).
    for (i, entry) in keep.into_iter().enumerate() {
        list.insert(i, entry);
    }
}

/// Opens connections until `min_size` are open, using free permits only.
async fn top_up(shared: &Shared) {
    while shared.open.load(Ordering::Relaxed) < shared.options.min_size.min(shared.options.max_size)
    {
        let Ok(permit) = shared.permits.clone().try_acquire_owned() else {
            return;
        };
        match Box::pin(shared.open_connection()).await {
            Ok(conn) => {
                let meta = Meta::new(shared);
                shared.lock_idle().push_back(Idle {
                    conn: Box::new(conn),
                    meta,
                });
            }
            Err(e) => {
                tracing::warn!(target: "quarry::pool", "could not open a connection to keep min_size: {e}");
                return;
            }
        }
        drop(permit);
    }
}
