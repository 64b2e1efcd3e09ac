//! [`ReconnectingListener`]: a listener that reconnects and re-subscribes when its connection is
//! lost, and tells its reader that notifications may have been missed in between.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;
use futures_util::StreamExt;

use super::{Listener, Notification};
use crate::config::Config;
use crate::connection::Connection;
use crate::error::{Error, Result};

type ConnectFuture = Pin<Box<dyn Future<Output = Result<Connection>> + Send>>;
type Connector = Arc<dyn Fn() -> ConnectFuture + Send + Sync>;
type Channels = Arc<Mutex<BTreeSet<String>>>;

/// What a [`ReconnectingListener`] yields.
#[derive(Debug)]
#[non_exhaustive]
pub enum ListenerEvent {
    /// A notification.
    Notification(Notification),
    /// The connection was lost: notifications sent from now until [`ListenerEvent::Reconnected`]
    /// are missed. Reconnection has started.
    Disconnected {
        /// Why the connection was lost.
        error: Error,
    },
    /// A new connection listens to every channel again. Notifications sent during `downtime`
    /// were missed: re-read whatever state they announce.
    Reconnected {
        /// Time from the loss to the new subscriptions.
        downtime: Duration,
        /// Connection attempts it took.
        attempts: u32,
    },
}

enum State {
    Connected(Box<Listener>),
    Reconnecting {
        since: Instant,
        attempts: u32,
        future: Pin<Box<dyn Future<Output = Result<Listener>> + Send>>,
    },
}

/// A listener that survives lost connections: it reconnects (with backoff), LISTENs to its
/// channels again and yields [`ListenerEvent::Disconnected`] / [`ListenerEvent::Reconnected`] so
/// the reader knows a gap happened. It is a `Stream` of [`ListenerEvent`] that never ends.
///
/// ```no_run
/// # async fn demo(config: quarry_driver::Config) -> quarry_driver::Result<()> {
/// use quarry_driver::{ListenerEvent, ReconnectingListener};
/// let mut listener = ReconnectingListener::connect(config).await?;
/// listener.listen("jobs").await?;
/// loop {
///     match listener.recv().await {
///         ListenerEvent::Notification(n) => println!("{}", n.payload),
///         ListenerEvent::Disconnected { error } => eprintln!("lost: {error}"),
///         ListenerEvent::Reconnected { downtime, .. } => eprintln!("gap of {downtime:?}: resync"),
///         _ => {}
///     }
/// }
/// # }
/// ```
pub struct ReconnectingListener {
    connector: Connector,
    channels: Channels,
    state: State,
    min_backoff: Duration,
    max_backoff: Duration,
}

impl ReconnectingListener {
    /// Connects with `config` (and reconnects with it later).
    pub async fn connect(config: Config) -> Result<ReconnectingListener> {
        let config = Arc::new(config);
        Self::with_connector(move || {
            let config = Arc::clone(&config);
            async move { Connection::connect(&config).await }
        })
        .await
    }

    /// Connects with `connect`, called again for every reconnection (a pool's
    /// `acquire`-and-detach, a custom setup).
    pub async fn with_connector<F, Fut>(connect: F) -> Result<ReconnectingListener>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Connection>> + Send + 'static,
    {
        let connector: Connector = Arc::new(move || Box::pin(connect()) as ConnectFuture);
        let conn = connector().await?;
        Ok(ReconnectingListener {
            connector,
            channels: Arc::default(),
            state: State::Connected(Box::new(conn.into_listener())),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
        })
    }

    /// Sets the wait between failed reconnection attempts: `min` doubling up to `max`
    /// (defaults 100 ms and 10 s). The first attempt after a loss is immediate.
    pub fn backoff(&mut self, min: Duration, max: Duration) -> &mut Self {
        self.min_backoff = min;
        self.max_backoff = max.max(min);
        self
    }

    /// Subscribes to `channel`, now and after every reconnection. While reconnecting it is
    /// only recorded (the reconnection subscribes to it).
    pub async fn listen(&mut self, channel: &str) -> Result<()> {
        let added = self.lock_channels().insert(channel.to_owned());
        if let State::Connected(listener) = &mut self.state {
            match listener.listen(channel).await {
                Ok(()) => {}
                Err(e) if listener.connection().is_closed() => {
                    // The reconnection (started by the stream) subscribes to it.
                    tracing::debug!(target: "quarry::notify", "LISTEN on a lost connection: {e}");
                }
                Err(e) => {
                    if added {
                        self.lock_channels().remove(channel);
                    }
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Unsubscribes from `channel`.
    pub async fn unlisten(&mut self, channel: &str) -> Result<()> {
        self.lock_channels().remove(channel);
        if let State::Connected(listener) = &mut self.state {
            match listener.unlisten(channel).await {
                Err(e) if !listener.connection().is_closed() => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// The next event (the `Stream`'s next item, as an async method).
    pub async fn recv(&mut self) -> ListenerEvent {
        match self.next().await {
            Some(event) => event,
            // The stream never ends; this arm is unreachable in practice.
            None => ListenerEvent::Disconnected {
                error: Error::Closed,
            },
        }
    }

    fn lock_channels(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A future that waits `delay`, connects and LISTENs to every channel (also those added while it
/// runs).
fn reconnect(
    connector: &Connector,
    channels: &Channels,
    delay: Duration,
) -> Pin<Box<dyn Future<Output = Result<Listener>> + Send>> {
    let connector = Arc::clone(connector);
    let channels = Arc::clone(channels);
    Box::pin(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut listener = connector().await?.into_listener();
        let mut done = BTreeSet::new();
        loop {
            let todo: Vec<String> = channels
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .difference(&done)
                .cloned()
                .collect();
            if todo.is_empty() {
                return Ok(listener);
            }
            listener.listen_all(todo.iter().map(String::as_str)).await?;
            done.extend(todo);
        }
    })
}

/// The wait before reconnection attempt `attempts + 1`: none before the first, then `min`
/// doubling up to `max`.
fn backoff_for(min: Duration, max: Duration, attempts: u32) -> Duration {
    if attempts == 0 {
        return Duration::ZERO;
    }
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    min.saturating_mul(factor).min(max)
}

impl Stream for ReconnectingListener {
    type Item = ListenerEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ListenerEvent>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Connected(listener) => match listener.poll_next_unpin(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(n))) => {
                        return Poll::Ready(Some(ListenerEvent::Notification(n)));
                    }
                    Poll::Ready(Some(Err(error))) if !listener.connection().is_closed() => {
                        // Not fatal (a protocol hiccup would have closed it): report and go on.
                        tracing::warn!(target: "quarry::notify", "listener error: {error}");
                    }
                    Poll::Ready(item) => {
                        let error = match item {
                            Some(Err(error)) => error,
                            _ => Error::Closed,
                        };
                        tracing::warn!(target: "quarry::notify", "listener connection lost: {error}; reconnecting");
                        this.state = State::Reconnecting {
                            since: Instant::now(),
                            attempts: 1,
                            future: reconnect(&this.connector, &this.channels, Duration::ZERO),
                        };
                        return Poll::Ready(Some(ListenerEvent::Disconnected { error }));
                    }
                },
                State::Reconnecting {
                    since,
                    attempts,
                    future,
                } => match future.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(listener)) => {
                        let event = ListenerEvent::Reconnected {
                            downtime: since.elapsed(),
                            attempts: *attempts,
                        };
                        this.state = State::Connected(Box::new(listener));
                        return Poll::Ready(Some(event));
                    }
                    Poll::Ready(Err(e)) => {
                        let delay = backoff_for(this.min_backoff, this.max_backoff, *attempts);
                        tracing::warn!(target: "quarry::notify", "reconnection attempt {attempts} failed: {e}; retrying in {delay:?}");
                        *attempts += 1;
                        *future = reconnect(&this.connector, &this.channels, delay);
                    }
                },
            }
        }
    }
}

impl std::fmt::Debug for ReconnectingListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReconnectingListener")
            .field("channels", &*self.lock_channels())
            .field("connected", &matches!(self.state, State::Connected(_)))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_max() {
        let min = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        let delays: Vec<Duration> = (0..6).map(|a| backoff_for(min, max, a)).collect();
        assert_eq!(delays[0], Duration::ZERO);
        assert_eq!(delays[1], min);
        assert_eq!(delays[2], min * 2);
        assert_eq!(delays[5], max);
    }
}
