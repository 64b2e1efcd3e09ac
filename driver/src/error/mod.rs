//! The one error type of Quarry, [`Error`], and its parts: server errors ([`DbError`] with a typed
//! [`SqlState`]) and the context that makes a message actionable (the query, the parameter or
//! column, the Rust and PostgreSQL types).

mod db;
mod sqlstate;

pub use db::{DbError, ErrorPosition, MissingField, Severity};
pub use sqlstate::SqlState;

// What the variants of `Error` carry, nameable from here (where the `quarry` facade exposes
// them) without reaching into the modules that produce them.
pub use crate::config::ConfigError;
pub use crate::copy::CopyError;
pub use crate::net::NetError;
pub use quarry_protocol::ProtocolError;
pub use quarry_protocol::auth::AuthError;

use std::time::Duration;

use crate::types::BoxError;

/// Everything that can go wrong in Quarry.
///
/// ```
/// # async fn demo(conn: &mut quarry_driver::Connection) {
/// match conn.execute("INSERT INTO users(id) VALUES (1)", &[]).await {
///     Err(e) if e.code().is_some_and(|c| c.is_unique_violation()) => println!("already there"),
///     Err(e) => println!("failed: {e}"),
///     Ok(tag) => println!("{tag}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection settings are invalid.
    #[error("invalid connection settings: {0}")]
    Config(#[from] ConfigError),
    /// No host in the list could be reached; one entry per host tried.
    #[error("could not connect to any host: {}", join_attempts(.attempts))]
    Connect {
        /// What happened at each host, in the order tried.
        attempts: Vec<(String, Error)>,
    },
    /// A socket or TLS failure.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Authentication failed on the client side (the server's own refusals are [`Error::Db`]).
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// The server asked for an authentication method Quarry does not implement.
    #[error("the server asks for {method} authentication, which Quarry does not support")]
    UnsupportedAuthentication {
        /// The method's name.
        method: &'static str,
    },
    /// The server asked for a password and none was configured (DSN, `PGPASSWORD` or `.pgpass`).
    #[error(
        "the server asks for a password for user {user:?} and none was given (set it in the DSN, PGPASSWORD or ~/.pgpass)"
    )]
    PasswordRequired {
        /// The user that needs one.
        user: String,
    },
    /// The server's ErrorResponse lacks a required field; the connection is closed.
    #[error("malformed error message from the server: {0}")]
    MalformedServerError(String),
    /// The server sent bytes that break the protocol; the connection is closed.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// The server sent a valid message at a point where it makes no sense; the connection is closed.
    #[error("unexpected {found} message from the server while waiting for {expected}")]
    UnexpectedMessage {
        /// What the connection was waiting for.
        expected: &'static str,
        /// The message that arrived.
        found: &'static str,
    },
    /// The server reported an error.
    #[error("{}", .0)]
    Db(Box<ServerError>),
    /// The socket failed or closed; the connection is closed.
    #[error("connection lost: {0}")]
    Io(#[from] std::io::Error),
    /// The connection was closed (by [`crate::Connection::close`], a fatal error or the server).
    #[error("the connection is closed")]
    Closed,
    /// The server's answer does not match what was asked (a ReadyForQuery nobody owed, rows
    /// before their BindComplete, a row count that differs from the rows delivered): client and
    /// server no longer agree on where the conversation is, and the connection is closed.
    #[error("lost sync with the server: {detail}; the connection is closed")]
    LostSync {
        /// What did not match.
        detail: String,
    },
    /// The session's `client_encoding` changed to something other than UTF8 (for example by
    /// `SET client_encoding`): text would be decoded wrongly, so the connection is closed.
    #[error(
        "the server changed client_encoding to {encoding:?}; Quarry reads and writes UTF8 only, so the connection is closed"
    )]
    ClientEncoding {
        /// The encoding the server reported.
        encoding: String,
    },
    /// `commit()` found its transaction failed (a statement in it failed, perhaps in a call whose
    /// future was dropped before its error was seen): the server rolled it back instead, so
    /// nothing the transaction wrote is committed.
    #[error(
        "the transaction was rolled back, not committed: a statement in it failed earlier, so nothing it wrote is committed"
    )]
    TransactionRolledBack,
    /// A query was given more parameters than the protocol can carry.
    #[error(
        "{found} parameters given, but PostgreSQL accepts at most 65535 per statement: {query}"
    )]
    TooManyParameters {
        /// The number of parameters given.
        found: usize,
        /// The query.
        query: String,
    },
    /// The query took longer than its timeout; the server was asked to cancel it.
    #[error("query timed out after {timeout:?}: {query}")]
    Timeout {
        /// The timeout that elapsed.
        timeout: Duration,
        /// The query that was cancelled.
        query: String,
    },
    /// Connecting took longer than `connect_timeout`.
    #[error("connecting timed out after {0:?}")]
    ConnectTimeout(Duration),
    /// The number of parameters given differs from the number in the query.
    #[error("query expects {expected} parameter(s) but {found} were given: {query}")]
    ParamCount {
        /// `$n` placeholders in the query.
        expected: usize,
        /// Values given.
        found: usize,
        /// The query.
        query: String,
    },
    /// A parameter's Rust type cannot be sent as the PostgreSQL type the server expects.
    #[error(
        "parameter ${position} has PostgreSQL type {pg_type}, which a Rust {rust_type} cannot be sent as: {query}"
    )]
    ParamType {
        /// 1-based position (`$1` is 1).
        position: usize,
        /// The Rust type given.
        rust_type: &'static str,
        /// The PostgreSQL type the server expects.
        pg_type: String,
        /// The query.
        query: String,
    },
    /// A parameter's value failed to encode.
    #[error("parameter ${position} ({rust_type} as {pg_type}) could not be encoded: {source}")]
    Encode {
        /// 1-based position.
        position: usize,
        /// The Rust type given.
        rust_type: &'static str,
        /// The PostgreSQL type.
        pg_type: String,
        /// The codec's error.
        source: BoxError,
    },
    /// No column has this name.
    #[error("no column named {name:?} (columns: {available})")]
    ColumnNotFound {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        available: String,
    },
    /// The column index is out of range.
    #[error("column index {index} is out of range: the row has {len} column(s)")]
    ColumnIndex {
        /// The index asked for.
        index: usize,
        /// Columns in the row.
        len: usize,
    },
    /// A row was read into a type with a different number of fields (a tuple).
    #[error("the row has {found} column(s), but {target} takes {expected}")]
    ColumnCount {
        /// The Rust type being built.
        target: &'static str,
        /// The fields it has.
        expected: usize,
        /// The columns the row has.
        found: usize,
    },
    /// A column's PostgreSQL type cannot be decoded into the requested Rust type.
    #[error(
        "column {column:?} has PostgreSQL type {pg_type}, which cannot be decoded into {rust_type}"
    )]
    ColumnType {
        /// The column's name.
        column: String,
        /// The column's type.
        pg_type: String,
        /// The Rust type asked for.
        rust_type: &'static str,
    },
    /// A column value failed to decode (including NULL into a non-`Option` type).
    #[error("column {column:?} ({pg_type}) could not be decoded into {rust_type}: {source}")]
    Decode {
        /// The column's name.
        column: String,
        /// The column's type.
        pg_type: String,
        /// The Rust type asked for.
        rust_type: &'static str,
        /// The codec's error.
        source: BoxError,
    },
    /// `fetch_val` or `fetch_one` found no row.
    #[error("the query returned no rows: {query}")]
    RowNotFound {
        /// The query.
        query: String,
    },
    /// No pooled connection became free within the acquire timeout.
    #[error(
        "timed out after {waited:?} waiting for a pooled connection ({size} of {max_size} open, all in use)"
    )]
    PoolTimeout {
        /// How long `acquire` waited.
        waited: Duration,
        /// Connections open at the time.
        size: usize,
        /// The pool's maximum.
        max_size: usize,
    },
    /// The pool was closed.
    #[error("the pool is closed")]
    PoolClosed,
    /// A method that needs a transaction was called outside one.
    #[error("{0} needs an open transaction")]
    NoTransaction(&'static str),

    /// A cursor's fetch was abandoned midway (its future dropped, a timeout): the rows in
    /// flight were lost, so the cursor's position is unknown. Open a new cursor.
    #[error("cursor {cursor} was interrupted during a fetch; its position is lost")]
    CursorInterrupted {
        /// The cursor's portal name.
        cursor: String,
    },

    /// A [`Queued`](crate::Queued) ticket could not be redeemed on these
    /// [`PipelineResults`](crate::PipelineResults).
    #[error("no result for statement {statement} of the pipeline: {problem}")]
    PipelineResult {
        /// The statement's position in its pipeline, from 0.
        statement: usize,
        /// Why: taken already, a ticket of another pipeline.
        problem: &'static str,
    },

    /// A type named in `set_type_codec` (or similar) does not exist in the database.
    #[error("type {name:?} does not exist")]
    TypeNotFound {
        /// The name as given.
        name: String,
    },

    /// A COPY failed on the client side (its source, its output, or a row that does not fit).
    #[error("COPY failed: {0}")]
    Copy(Box<crate::copy::CopyError>),

    /// A feature that needs a server session of its own (LISTEN) was asked for through a
    /// connection pooler that hands each transaction to any backend: it would seem to work and
    /// then never deliver.
    #[error(
        "{feature} needs a server session of its own, and this connection goes through {pooler}; \
         connect to the server directly for it (or, if the pooler runs in session mode, say \
         pooler=session in the DSN)"
    )]
    SessionFeatureThroughPooler {
        /// What was asked for (`LISTEN`).
        feature: &'static str,
        /// Why the connection is believed to go through a pooler.
        pooler: crate::connection::PoolerSeen,
    },
    /// The server's answer to the type introspection query could not be read.
    #[error("could not read the description of user types: {reason}")]
    TypeIntrospection {
        /// What was wrong.
        reason: String,
    },
}

/// A server error with the query it answered.
#[derive(Debug)]
pub struct ServerError {
    /// Every field the server sent.
    pub error: DbError,
    /// The query that failed, when there was one.
    pub query: Option<String>,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(query) = &self.query {
            write!(f, "\nQUERY: {query}")?;
        }
        Ok(())
    }
}

impl Error {
    /// The server error, if this is one.
    pub fn as_db_error(&self) -> Option<&DbError> {
        match self {
            Error::Db(e) => Some(&e.error),
            _ => None,
        }
    }

    /// The SQLSTATE of a server error.
    ///
    /// ```
    /// # fn check(e: quarry_driver::Error) -> bool {
    /// e.code().is_some_and(|c| c.is_unique_violation())
    /// # }
    /// ```
    pub fn code(&self) -> Option<SqlState> {
        self.as_db_error().map(DbError::code)
    }

    /// Whether the connection is unusable after this error: the conversation broke (a protocol
    /// violation, an unexpected or malformed message, a socket failure), the connection was
    /// already closed, or the server ended the session with a FATAL or PANIC error (such as
    /// SQLSTATE 57P01 when the backend is terminated or the server shuts down).
    ///
    /// ```
    /// # async fn demo(conn: &mut quarry_driver::Connection) {
    /// if let Err(e) = conn.execute("SELECT 1", &[]).await {
    ///     if e.is_fatal() {
    ///         // Open a new connection; this one is closed.
    ///     }
    /// }
    /// # }
    /// ```
    pub fn is_fatal(&self) -> bool {
        match self {
            Error::Protocol(_)
            | Error::UnexpectedMessage { .. }
            | Error::MalformedServerError(_)
            | Error::LostSync { .. }
            | Error::ClientEncoding { .. }
            | Error::Io(_)
            | Error::Closed => true,
            Error::Db(e) => matches!(e.error.severity(), Severity::Fatal | Severity::Panic),
            _ => false,
        }
    }

    pub(crate) fn db(error: DbError, query: Option<&str>) -> Error {
        Error::Db(Box::new(ServerError {
            error,
            query: query.map(str::to_owned),
        }))
    }
}

fn join_attempts(attempts: &[(String, Error)]) -> String {
    attempts
        .iter()
        .map(|(host, e)| format!("{host}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Quarry's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(severity_v: Option<&str>, severity_s: &str, code: &str) -> Error {
        let mut fields = vec![(b'S', severity_s), (b'C', code), (b'M', "message")];
        fields.extend(severity_v.map(|v| (b'V', v)));
        Error::db(DbError::parse(fields).unwrap(), None)
    }

    #[test]
    fn server_errors_that_end_the_session_are_fatal() {
        let terminated = server_error(Some("FATAL"), "FATAL", "57P01");
        assert!(terminated.is_fatal(), "{terminated}");
        assert!(server_error(Some("PANIC"), "PANIC", "XX000").is_fatal());
        // A localized S is read through V; a server before 9.6 sends S only, in English here.
        assert!(server_error(Some("FATAL"), "SCHWERWIEGEND", "57P01").is_fatal());
        assert!(server_error(None, "FATAL", "57P01").is_fatal());
        assert!(!server_error(Some("ERROR"), "ERROR", "22012").is_fatal());
        assert!(
            !server_error(Some("ERROR"), "ERROR", "57014").is_fatal(),
            "a cancel"
        );
    }

    #[test]
    fn broken_conversations_are_fatal_and_client_mistakes_are_not() {
        assert!(Error::Closed.is_fatal());
        assert!(Error::MalformedServerError("no code".into()).is_fatal());
        assert!(Error::Io(std::io::ErrorKind::UnexpectedEof.into()).is_fatal());
        assert!(!Error::PoolClosed.is_fatal());
        assert!(!Error::NoTransaction("commit").is_fatal());
        assert!(!Error::Config(ConfigError::PortCountMismatch { hosts: 2, ports: 3 }).is_fatal());
    }
}
