//! # Quarry
//!
//! A PostgreSQL toolkit for Rust: an async driver with everything asyncpg offers
//! ([`connect`], [`Connection`], [`Pool`], transactions, prepared statements, COPY, LISTEN, a
//! statement cache, ...), compile-time checked queries ([`query!`] and its family), migrations
//! ([`migrate!`], [`mod@migrate`]) and `#[quarry::test]` (feature `testing`).
//!
//! ```no_run
//! # async fn demo() -> quarry::Result<()> {
//! let mut conn = quarry::connect("postgresql://postgres@localhost/test").await?;
//! conn.execute("CREATE TABLE users(id serial PRIMARY KEY, name text)", &[]).await?;
//! conn.execute("INSERT INTO users(name) VALUES ($1)", &[&"Bob"]).await?;
//! let row = conn.fetch_row("SELECT * FROM users WHERE name = $1", &[&"Bob"]).await?;
//! println!("{row:?}"); // Record(id=1, name='Bob')
//! # Ok(()) }
//! ```
//!
//! This crate is the API: a chosen list of what `quarry-driver` (the runtime) and
//! `quarry-macros` (the macros and derives) offer. The wire protocol, authentication, sockets
//! and the macros' support code are internals: they are not re-exported here, and may change
//! in any release.
//!
//! Features: `chrono`, `rust_decimal`, `uuid`, `json` (codecs; all on by default), `macros`
//! (the query macros and derives; on by default), `testing` (`#[quarry::test]`).

// Connecting, running queries, reading rows.
pub use quarry_driver::{
    AsQuery, CancelToken, Column, ColumnIndex, CommandTag, Config, Connection, Cursor, Executor,
    FromRecord, IsolationLevel, Param, PoolerSeen, Record, RetryPolicy, RowStream, Statement,
    Timed, Transaction, TransactionBuilder, TransactionFuture, connect, params,
};
// Several statements in one round trip.
pub use quarry_driver::{Pipeline, PipelineResults, Queued};
// Pools, and reads routed to replicas.
pub use quarry_driver::{
    ConnectHook, ConnectionHook, HookFuture, Pool, PoolBuilder, PoolConnection, PoolStats,
    ReplicaRoute, ReplicaStatus, create_pool,
};
// LISTEN/NOTIFY, server log messages, query logging.
pub use quarry_driver::{
    Listener, ListenerEvent, LogListener, Notification, QueryLog, ReconnectingListener,
};
// Errors.
pub use quarry_driver::{DbError, Error, Result, SqlState};
// Building SQL text safely.
pub use quarry_driver::{quote_ident, quote_literal};

pub use quarry_driver::{config, copy, error, listen, logging, migrate, types};

#[cfg(feature = "testing")]
pub use quarry_driver::testing;

/// What the macros' expansions call. Not public API: it may change in any release.
#[doc(hidden)]
pub use quarry_driver::{from_record, query_macro};

/// What picks one alternative of a `query!` choice fragment (derive it on an enum).
pub use quarry_driver::query_macro::Choice;
#[cfg(feature = "macros")]
pub use quarry_macros::{Choice, CopyRow, FromRecord, Type};
#[cfg(feature = "macros")]
pub use quarry_macros::{
    migrate, query, query_as, query_as_unchecked, query_file, query_file_as,
    query_file_as_unchecked, query_file_scalar, query_file_scalar_unchecked, query_file_unchecked,
    query_scalar, query_scalar_unchecked, query_unchecked, test,
};
