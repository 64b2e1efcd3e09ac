//! The error type of the ephemeral server: one variant per step that can fail.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// What went wrong while preparing, starting, stopping or using an [`EphemeralServer`].
///
/// Every variant names the step that failed; the ones caused by PostgreSQL itself carry
/// its output (or the tail of its log) so a failing test shows the server's own words.
///
/// [`EphemeralServer`]: super::EphemeralServer
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EphemeralError {
    /// No PostgreSQL binaries (`initdb`, `postgres`, `psql`) were found in any searched place.
    #[error(
        "PostgreSQL server binaries not found (searched: {}); install PostgreSQL or set QUARRY_PG_BINDIR",
        .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    BinariesNotFound {
        /// The places looked at, in order.
        searched: Vec<PathBuf>,
    },
    /// The process runs as root and no unprivileged account could be found or created.
    #[error("running as root and could not create the unprivileged account `{account}`: {output}")]
    NoUnprivilegedAccount {
        /// The account that was looked for / created.
        account: String,
        /// Output of `useradd`, or the reason it could not be read back.
        output: String,
    },
    /// A file-system or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// The operation, with the path or program involved.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `initdb` exited with an error.
    #[error("initdb failed ({status}):\n{output}")]
    Initdb {
        /// Its exit status.
        status: ExitStatus,
        /// Its combined standard output and error.
        output: String,
    },
    /// `postgres` exited during start-up.
    #[error("postgres exited during start-up ({status}); log tail:\n{log_tail}")]
    Start {
        /// Its exit status.
        status: ExitStatus,
        /// The end of the server log.
        log_tail: String,
    },
    /// The TCP port stayed busy (another process holds it) after every retry.
    #[error("could not bind port {port} after {attempts} attempts; log tail:\n{log_tail}")]
    PortInUse {
        /// The last port tried.
        port: u16,
        /// How many starts were attempted.
        attempts: u32,
        /// The end of the server log.
        log_tail: String,
    },
    /// A step did not finish in time.
    #[error("timed out after {waited:?} waiting for {step}; log tail:\n{log_tail}")]
    Timeout {
        /// What was awaited ("the server to accept connections", "the server to stop").
        step: &'static str,
        /// How long we waited.
        waited: Duration,
        /// The end of the server log.
        log_tail: String,
    },
    /// Generating the TLS certificates failed.
    #[error("could not generate TLS certificates: {0}")]
    Tls(#[from] rcgen::Error),
    /// `psql` reported an error for the given SQL.
    #[error("psql failed ({status}) running `{sql}`:\n{output}")]
    Psql {
        /// The SQL that was run.
        sql: String,
        /// psql's exit status.
        status: ExitStatus,
        /// psql's combined standard output and error.
        output: String,
    },
    /// A user with [`AuthMethod::Cert`](super::AuthMethod::Cert) was added without enabling TLS.
    #[error("user `{user}` uses certificate authentication, which needs `.tls(true)`")]
    CertWithoutTls {
        /// The user's name.
        user: String,
    },
    /// A role name cannot be written into pg_hba.conf or a certificate.
    #[error(
        "invalid role name {name:?}: it must be non-empty and contain no `\"`, NUL or line breaks"
    )]
    InvalidRoleName {
        /// The rejected name.
        name: String,
    },
    /// A setting name or value cannot be written into postgresql.conf.
    #[error("invalid setting {name:?} = {value:?}: names are [A-Za-z0-9_.], values one line")]
    InvalidSetting {
        /// The setting's name.
        name: String,
        /// The setting's value.
        value: String,
    },
    /// The operation needs a running server.
    #[error("the server is not running")]
    NotRunning,
    /// A program other than the server itself (`pgbouncer`, `pg_basebackup`) is not installed.
    #[error(
        "{program} not found (searched: {}); install it (scripts/test does: apt-get install {package})",
        .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    ProgramNotFound {
        /// The program's name.
        program: &'static str,
        /// The Debian package that has it.
        package: &'static str,
        /// The places looked at.
        searched: Vec<PathBuf>,
    },
    /// A helper program (`pg_basebackup`, `pgbouncer`, `psql` for a promotion) failed.
    #[error("{program} failed ({status}):\n{output}")]
    ProgramFailed {
        /// What ran, with its main argument.
        program: String,
        /// Its exit status.
        status: ExitStatus,
        /// Its output, or the tail of its log.
        output: String,
    },
}

impl EphemeralError {
    /// Wraps an I/O error with the operation that failed.
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
