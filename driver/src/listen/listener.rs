//! [`Listener`]: a connection dedicated to notifications, read as a `Stream`.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

use futures_core::Stream;

use super::Notification;
use crate::config::Config;
use crate::connection::Connection;
use crate::error::Result;
use crate::quote_ident;

/// A connection that waits for notifications. It is a `Stream` of `Result<Notification>`: it
/// reads the socket while polled, so nothing else needs to run. Notifications that arrived while
/// the connection ran queries are delivered first, in order. After an error that lost the
/// connection the stream ends.
///
/// ```no_run
/// # async fn demo(config: &quarry_driver::Config) -> quarry_driver::Result<()> {
/// use futures_util::StreamExt;
/// let mut listener = quarry_driver::Listener::connect(config).await?;
/// listener.listen("jobs").await?;
/// while let Some(notification) = listener.next().await {
///     let notification = notification?;
///     println!("{}: {}", notification.channel, notification.payload);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Listener {
    conn: Connection,
    channels: BTreeSet<String>,
    ended: bool,
}

impl Listener {
    /// Connects a new session for listening.
    pub async fn connect(config: &Config) -> Result<Listener> {
        Ok(Connection::connect(config).await?.into_listener())
    }

    pub(crate) fn new(conn: Connection) -> Listener {
        Listener {
            conn,
            channels: BTreeSet::new(),
            ended: false,
        }
    }

    /// Subscribes to `channel` (`LISTEN "channel"`: case-sensitive, any characters). Through a
    /// transaction-mode connection pooler it fails with
    /// [`Error::SessionFeatureThroughPooler`](crate::Error::SessionFeatureThroughPooler) (see
    /// [`Pooler`](crate::config::Pooler)).
    pub async fn listen(&mut self, channel: &str) -> Result<()> {
        self.conn.require_own_session("LISTEN").await?;
        let sql = format!("LISTEN {}", quote_ident(channel));
        self.conn.execute(sql, &[]).await?;
        self.channels.insert(channel.to_owned());
        Ok(())
    }

    /// Subscribes to several channels in one round trip.
    pub async fn listen_all<'a>(
        &mut self,
        channels: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let channels: Vec<&str> = channels.into_iter().collect();
        if channels.is_empty() {
            return Ok(());
        }
        self.conn.require_own_session("LISTEN").await?;
        let sql: Vec<String> = channels
            .iter()
            .map(|c| format!("LISTEN {}", quote_ident(c)))
            .collect();
        self.conn.execute(sql.join("; "), &[]).await?;
        self.channels
            .extend(channels.into_iter().map(str::to_owned));
        Ok(())
    }

    /// Unsubscribes from `channel`.
    pub async fn unlisten(&mut self, channel: &str) -> Result<()> {
        let sql = format!("UNLISTEN {}", quote_ident(channel));
        self.conn.execute(sql, &[]).await?;
        self.channels.remove(channel);
        Ok(())
    }

    /// Unsubscribes from every channel (`UNLISTEN *`).
    pub async fn unlisten_all(&mut self) -> Result<()> {
        self.conn.execute("UNLISTEN *", &[]).await?;
        self.channels.clear();
        Ok(())
    }

    /// The channels subscribed to through this listener.
    pub fn channels(&self) -> impl Iterator<Item = &str> {
        self.channels.iter().map(String::as_str)
    }

    /// Waits for the next notification (what the `Stream` yields, as an async method).
    pub async fn recv(&mut self) -> Result<Notification> {
        let result = self.conn.next_notification().await;
        if let Err(e) = &result {
            self.conn.check_terminated(Some(e));
        }
        result
    }

    /// A notification already received, without waiting.
    pub fn try_recv(&mut self) -> Option<Notification> {
        self.conn.take_one_notification()
    }

    /// The connection, to run queries on (its notifications still come out of the listener).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Gives the connection back (still subscribed to its channels).
    pub fn into_connection(self) -> Connection {
        self.conn
    }
}

impl Connection {
    /// Turns this connection into a [`Listener`]; channels it already listens to keep
    /// delivering, and notifications it queued come out first.
    ///
    /// ```no_run
    /// # async fn demo(conn: quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// let mut listener = conn.into_listener();
    /// listener.listen("jobs").await?;
    /// let first = listener.recv().await?;
    /// # Ok(()) }
    /// ```
    pub fn into_listener(self) -> Listener {
        Listener::new(self)
    }
}

impl Stream for Listener {
    type Item = Result<Notification>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        // `next_notification` is cancel safe at every await (state changes only once a whole
        // message is read), so a fresh future polled once per call is exact; the socket keeps
        // the waker it registered.
        let result = {
            let future = pin!(this.conn.next_notification());
            future.poll(cx)
        };
        match result {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(notification)) => Poll::Ready(Some(Ok(notification))),
            Poll::Ready(Err(e)) => {
                if this.conn.is_closed() {
                    this.conn.check_terminated(Some(&e));
                    this.ended = true;
                }
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}
