//! Callbacks a connection calls on its own: per-channel notification listeners
//! (`add_listener`), termination listeners and query loggers, and the bookkeeping around each
//! request that feeds them (timing, rows, the termination check).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument;

use super::{Connection, Notification};
use crate::error::{Error, Result};
use crate::listen::NotificationCallback;
use crate::logging::{self, QueryLog, QueryLogger, TerminationListener};
use crate::quote_ident;

/// The callbacks registered on one connection.
#[derive(Default)]
pub(super) struct Hooks {
    channels: HashMap<String, Vec<NotificationCallback>>,
    termination: Vec<TerminationListener>,
    loggers: Vec<QueryLogger>,
    /// The termination listeners were called already (they fire once).
    terminated: bool,
    /// Rows the last request returned or affected, when it tells.
    pub(super) last_rows: Option<u64>,
}

impl Hooks {
    /// Calls the channel's callbacks; false when it has none (the notification is queued).
    pub(super) fn dispatch(&self, notification: &Notification) -> bool {
        match self.channels.get(&notification.channel) {
            Some(callbacks) if !callbacks.is_empty() => {
                for callback in callbacks {
                    callback(notification);
                }
                true
            }
            _ => false,
        }
    }
}

impl Connection {
    /// Subscribes to `channel` (`LISTEN`, with the name quoted as an identifier, so it is
    /// case-sensitive) and calls `callback` with each notification on it. Callbacks run whenever
    /// the connection reads a notification: during any query, or while a
    /// [`Listener`](crate::Listener) waits. Notifications of channels without callbacks are queued
    /// for [`Connection::take_notifications`] and listeners.
    ///
    /// Through a connection pooler in transaction mode, LISTEN cannot work (the session that
    /// listens is handed to other clients): it fails with
    /// [`Error::SessionFeatureThroughPooler`] instead (see [`crate::config::Pooler`]).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.add_listener("jobs", |n| println!("job {} from {}", n.payload, n.process_id)).await?;
    /// conn.execute("NOTIFY jobs, '42'", &[]).await?; // the callback runs while this reads
    /// # Ok(()) }
    /// ```
    pub async fn add_listener(
        &mut self,
        channel: &str,
        callback: impl Fn(&Notification) + Send + Sync + 'static,
    ) -> Result<()> {
        let first = self.hooks.channels.get(channel).is_none_or(Vec::is_empty);
        if first {
            self.require_own_session("LISTEN").await?;
            self.execute(format!("LISTEN {}", quote_ident(channel)), &[])
                .await?;
        }
        self.hooks
            .channels
            .entry(channel.to_owned())
            .or_default()
            .push(Arc::new(callback));
        Ok(())
    }

    /// Removes every callback of `channel` and unsubscribes (`UNLISTEN`).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
    /// conn.remove_listener("jobs").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_listener(&mut self, channel: &str) -> Result<()> {
        self.hooks.channels.remove(channel);
        self.execute(format!("UNLISTEN {}", quote_ident(channel)), &[])
            .await
            .map(drop)
    }

    /// Calls `listener` once when the session ends other than by [`Connection::close`]: the
    /// server closed it (`pg_terminate_backend`, shutdown), the socket failed or a FATAL error
    /// arrived. It receives the error that ended the session.
    ///
    /// ```no_run
    /// # fn demo(conn: &mut quarry_driver::Connection) {
    /// conn.add_termination_listener(|error| eprintln!("connection lost: {error}"));
    /// # }
    /// ```
    pub fn add_termination_listener(&mut self, listener: impl Fn(&Error) + Send + Sync + 'static) {
        self.hooks.termination.push(Arc::new(listener));
    }

    /// Calls `logger` after every query with its text, parameter count, elapsed time, rows and
    /// error (see [`QueryLog`]).
    ///
    /// ```no_run
    /// # fn demo(conn: &mut quarry_driver::Connection) {
    /// conn.add_query_logger(|log| eprintln!("{:?} {}", log.elapsed, log.sql));
    /// # }
    /// ```
    pub fn add_query_logger(&mut self, logger: impl Fn(&QueryLog<'_>) + Send + Sync + 'static) {
        self.hooks.loggers.push(Arc::new(logger));
    }

    /// Removes every query logger.
    pub fn clear_query_loggers(&mut self) {
        self.hooks.loggers.clear();
    }

    /// Hands a notification to its channel's callbacks, or queues it.
    pub(super) fn on_notification(&mut self, notification: Notification) {
        if self.hooks.dispatch(&notification) {
            return;
        }
        self.queue_notification(notification);
    }

    /// Calls the termination listeners (once) when the connection is closed.
    pub(crate) fn check_terminated(&mut self, error: Option<&Error>) {
        if !self.wire.is_broken() || self.hooks.terminated {
            return;
        }
        self.hooks.terminated = true;
        let fallback = Error::Closed;
        let error = error.unwrap_or(&fallback);
        tracing::debug!(target: "quarry", "connection terminated: {error}");
        for listener in &self.hooks.termination {
            listener(error);
        }
    }

    /// Records a finished query for loggers and tracing; rows come from `last_rows`.
    pub(crate) fn log_query(
        &self,
        sql: &str,
        params: usize,
        start: Instant,
        error: Option<&Error>,
    ) {
        let log = QueryLog {
            sql,
            params,
            elapsed: start.elapsed(),
            rows: self.hooks.last_rows,
            error,
        };
        logging::trace_query(&log);
        for logger in &self.hooks.loggers {
            logger(&log);
        }
    }

    /// Whether queries are observed (a logger set, or DEBUG tracing on for `quarry::query`).
    pub(crate) fn queries_observed(&self) -> bool {
        !self.hooks.loggers.is_empty() || logging::tracing_enabled()
    }

    /// Sets the rows count the loggers report for the current request.
    pub(crate) fn set_last_rows(&mut self, rows: u64) {
        self.hooks.last_rows = Some(rows);
    }
}

/// Runs one request with logging and tracing when observed; otherwise just runs it. Either way
/// the termination listeners are called if the request lost the connection.
pub(super) async fn observe<T>(
    conn: &mut Connection,
    sql: &str,
    params: usize,
    op: impl AsyncFnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    if !conn.queries_observed() {
        let result = op(conn).await;
        if conn.wire.is_broken() {
            conn.check_terminated(result.as_ref().err());
        }
        return result;
    }
    conn.hooks.last_rows = None;
    let start = Instant::now();
    let span = tracing::debug_span!(target: "quarry::query", "query", sql, params);
    let result = op(conn).instrument(span).await;
    conn.log_query(sql, params, start, result.as_ref().err());
    if conn.wire.is_broken() {
        conn.check_terminated(result.as_ref().err());
    }
    result
}
