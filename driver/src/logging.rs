//! Query logging: the [`QueryLog`] record handed to loggers registered with
//! [`Connection::add_query_logger`](crate::Connection::add_query_logger), and the `tracing` events
//! every query emits at DEBUG level (target `quarry::query`).
//!
//! Nothing here costs anything per query when no logger is set and DEBUG tracing is off for
//! `quarry::query`: the connection checks one flag and `tracing::enabled!` before timing anything.

use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

/// What a query logger is told about one finished call.
///
/// ```no_run
/// # fn demo(conn: &mut quarry_driver::Connection) {
/// conn.add_query_logger(|log: &quarry_driver::QueryLog<'_>| {
///     println!("{} ({} params) took {:?}, rows {:?}", log.sql, log.params, log.elapsed, log.rows);
///     if let Some(e) = log.error {
///         println!("  failed: {e}");
///     }
/// });
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct QueryLog<'a> {
    /// The statement text.
    pub sql: &'a str,
    /// How many parameter values were sent (for batches: over all rows).
    pub params: usize,
    /// Wall-clock time of the whole call, round trips included.
    pub elapsed: Duration,
    /// Rows returned or affected, when known.
    pub rows: Option<u64>,
    /// The error the call returned, if it failed.
    pub error: Option<&'a Error>,
}

/// A callback receiving a [`QueryLog`] after every query.
pub type QueryLogger = Arc<dyn Fn(&QueryLog<'_>) + Send + Sync>;

/// A callback called once when the connection is lost: closed by the server, a socket failure or
/// a fatal error (not by [`Connection::close`](crate::Connection::close)). It receives the error
/// that ended the session.
pub type TerminationListener = Arc<dyn Fn(&Error) + Send + Sync>;

/// Whether DEBUG tracing of queries is on (target `quarry::query`).
pub(crate) fn tracing_enabled() -> bool {
    tracing::enabled!(target: "quarry::query", tracing::Level::DEBUG)
}

/// Emits the DEBUG event that closes a query's span.
pub(crate) fn trace_query(log: &QueryLog<'_>) {
    let elapsed_us = u64::try_from(log.elapsed.as_micros()).unwrap_or(u64::MAX);
    match log.error {
        None => tracing::debug!(
            target: "quarry::query",
            sql = log.sql,
            params = log.params,
            rows = log.rows,
            elapsed_us,
            "query done"
        ),
        Some(error) => tracing::debug!(
            target: "quarry::query",
            sql = log.sql,
            params = log.params,
            elapsed_us,
            error = %error,
            "query failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracing_is_off_without_a_subscriber() {
        assert!(!tracing_enabled());
    }

    #[test]
    fn trace_query_without_subscriber_is_harmless() {
        let e = Error::Closed;
        trace_query(&QueryLog {
            sql: "SELECT 1",
            params: 0,
            elapsed: Duration::from_millis(1),
            rows: Some(1),
            error: Some(&e),
        });
    }
}
