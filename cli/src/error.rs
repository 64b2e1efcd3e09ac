//! `CliError`: everything a `quarry` command can fail with, each naming what went wrong.

use quarry_driver::ephemeral::EphemeralError;

/// A failed `quarry` command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The throwaway server could not be started or stopped.
    #[error("{action} the PostgreSQL server: {source}")]
    Server {
        /// What was being done: "start" or "stop".
        action: &'static str,
        /// Why it failed.
        source: EphemeralError,
    },
    /// The async runtime used to wait for signals could not be created.
    #[error("could not create the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Installing a signal handler failed.
    #[error("could not listen for {signal}: {source}")]
    Signal {
        /// The signal's name.
        signal: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Writing the DSN to standard output failed (for example, a closed pipe).
    #[error("could not write to standard output: {0}")]
    Stdout(std::io::Error),
    /// `quarry describe` failed.
    #[error("describe: {0}")]
    Describe(#[from] crate::describe::DescribeError),
    /// `quarry prepare` failed.
    #[error(transparent)]
    Prepare(#[from] crate::prepare::PrepareError),
    /// Reading or applying migrations failed.
    #[error("{0}")]
    Migrate(quarry_driver::migrate::MigrateError),
    /// Talking to the database failed.
    #[error("{0}")]
    Database(#[from] quarry_driver::Error),
    /// No database URL was given.
    #[error(
        "no database: pass --database-url, set DATABASE_URL, or put DATABASE_URL=... in a .env file"
    )]
    NoDatabaseUrl,
    /// The URL names no database to create or drop.
    #[error("the database URL names no database (add /NAME to it)")]
    NoDatabaseName,
    /// `quarry migrate add` was given a name that cannot be part of a file name.
    #[error("{0:?} is not a migration name: use letters, digits and `_`")]
    MigrationName(String),
    /// A file could not be written.
    #[error("could not write {}: {source}", path.display())]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
