//! `Map::fetch`: the typed rows of a macro query as a row-by-row `Stream` over
//! [`Executor::fetch_stream`], mapped one at a time.
//!
//! The `Map` owns its parameters while the executor's stream borrows them, so the stream runs
//! inside one async block (which may hold that borrow across awaits) and hands each mapped row
//! out through a one-slot mailbox: the block parks after filling the slot, and `poll_next`
//! returns the row. Dropping the stream drops the executor's stream, which leaves the
//! connection to drain the rest on its next request (see [`crate::stream`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;

use crate::connection::Param;
use crate::error::Result;
use crate::executor::Executor;
use crate::record::Record;

type Slot<O> = Arc<Mutex<Option<Result<O>>>>;

/// The typed rows of a `query!` macro, read off the connection one by one.
#[must_use = "a stream does nothing unless polled"]
pub struct TypedRows<'q, O> {
    driver: Pin<Box<dyn Future<Output = ()> + Send + 'q>>,
    slot: Slot<O>,
    /// The driver future has completed.
    finished: bool,
    done: bool,
}

impl<'q, O: Send + 'q> TypedRows<'q, O> {
    pub(crate) fn new<E, F, P>(executor: E, sql: &'static str, params: P, mapper: F) -> Self
    where
        E: Executor + 'q,
        F: Fn(&Record) -> Result<O> + Send + Sync + 'q,
        P: AsRef<[Param<'q>]> + Send + 'q,
    {
        let slot: Slot<O> = Arc::new(Mutex::new(None));
        let out = Arc::clone(&slot);
        let driver = async move {
            let params = params;
            let mut rows = executor.fetch_stream(sql, params.as_ref());
            while let Some(row) = rows.next().await {
                let item = row.and_then(|r| mapper(&r));
                let failed = item.is_err();
                put(&out, item);
                Handoff { slot: &out }.await;
                if failed {
                    return;
                }
            }
        };
        TypedRows {
            driver: Box::pin(driver),
            slot,
            finished: false,
            done: false,
        }
    }
}

impl<'q, O: Send + 'q> TypedRows<'q, O> {
    /// A stream whose only item is `error`.
    pub(crate) fn failed(error: crate::Error) -> Self {
        TypedRows {
            driver: Box::pin(std::future::ready(())),
            slot: Arc::new(Mutex::new(Some(Err(error)))),
            finished: true,
            done: false,
        }
    }
}

fn put<O>(slot: &Slot<O>, item: Result<O>) {
    if let Ok(mut guard) = slot.lock() {
        *guard = Some(item);
    }
}

fn take<O>(slot: &Slot<O>) -> Option<Result<O>> {
    slot.lock().ok().and_then(|mut guard| guard.take())
}

/// Pending while the slot holds a row `poll_next` has not taken yet. No waker is needed: the
/// consumer, having received the row, polls again for the next one.
struct Handoff<'s, O> {
    slot: &'s Slot<O>,
}

impl<O> Future for Handoff<'_, O> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let full = self.slot.lock().map(|g| g.is_some()).unwrap_or(false);
        if full { Poll::Pending } else { Poll::Ready(()) }
    }
}

impl<O> Stream for TypedRows<'_, O> {
    type Item = Result<O>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<O>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let finished = self.finished || self.driver.as_mut().poll(cx).is_ready();
        // A finished future is never polled again.
        self.finished = finished;
        if let Some(item) = take(&self.slot) {
            return Poll::Ready(Some(item));
        }
        if finished {
            self.done = true;
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}
