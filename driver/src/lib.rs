//! quarry-driver: Quarry's run-time PostgreSQL client.
//!
//! Everything that runs when a program talks to PostgreSQL lives here: connection settings
//! ([`config`]), sockets and TLS ([`net`]), the [`Connection`] and its query paths, value codecs
//! ([`types`]), rows ([`Record`]), transactions and errors. The wire messages and the
//! authentication exchanges it drives come from the pure `quarry-protocol` crate; query
//! description for the macros lives in `quarry-describe`, which programs never link. Most users
//! reach the driver through the `quarry` facade crate.
//!
//! ```no_run
//! # async fn demo() -> quarry_driver::Result<()> {
//! let mut conn = quarry_driver::connect("postgresql://postgres@localhost/test").await?;
//! let row = conn.fetch_row("SELECT 1 AS id", &[]).await?;
//! println!("{row:?}");
//! # Ok(()) }
//! ```

pub mod config;
mod connection;
pub mod copy;
pub mod cursor;
pub mod error;
mod executor;
pub mod from_record;
#[doc(hidden)]
pub mod fuzz;
pub mod listen;
pub mod logging;
pub mod migrate;
pub mod net;
mod pool;
pub mod query_macro;
mod quote;
mod record;
mod retry;
mod statement;
mod stream;
mod transaction;
pub mod types;

#[cfg(feature = "ephemeral")]
pub mod ephemeral;
#[cfg(feature = "testing")]
pub mod testing;

/// The wire protocol: the `quarry-protocol` crate, re-exported for code that frames messages
/// itself (fuzz targets, tests). Not part of the stable API.
#[doc(hidden)]
pub use quarry_protocol as protocol;
/// Authentication exchanges (SCRAM, md5): the `quarry-protocol` crate's `auth` module,
/// re-exported because [`Error::Auth`] carries its [`AuthError`](auth::AuthError).
pub use quarry_protocol::auth;

pub use config::Config;
pub use connection::{
    AsQuery, CancelToken, Connection, LogListener, Notification, Param, Pipeline, PipelineResults,
    PoolerSeen, Queued, Timed, connect, params,
};
pub use cursor::Cursor;
pub use error::{DbError, Error, Result, SqlState};
pub use executor::Executor;
pub use from_record::FromRecord;
pub use listen::{Listener, ListenerEvent, ReconnectingListener};
pub use logging::QueryLog;
pub use pool::{
    ConnectHook, ConnectionHook, HookFuture, Pool, PoolBuilder, PoolConnection, PoolStats,
    ReplicaRoute, ReplicaStatus, create_pool,
};
pub use quarry_protocol::backend::CommandTag;
pub use quote::{quote_ident, quote_literal};
pub use record::{ColumnIndex, Record};
pub use retry::{RetryPolicy, TransactionFuture};
pub use statement::{Column, Statement};
pub use stream::RowStream;
pub use transaction::{IsolationLevel, Transaction, TransactionBuilder};
