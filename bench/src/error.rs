//! `BenchError`: everything that can stop a benchmark run, by what went wrong.

use std::time::Duration;

/// What went wrong in a benchmark run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BenchError {
    /// The ephemeral server did not start.
    #[error("starting the ephemeral server: {0}")]
    Ephemeral(#[from] quarry_driver::ephemeral::EphemeralError),
    /// Quarry returned an error.
    #[error("quarry: {0}")]
    Quarry(#[from] quarry_driver::Error),
    /// tokio-postgres returned an error.
    #[error("tokio-postgres: {0}")]
    TokioPostgres(#[from] tokio_postgres::Error),
    /// sqlx returned an error.
    #[error("sqlx: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// Quarry's migrator returned an error.
    #[error("quarry migrate: {0}")]
    QuarryMigrate(#[from] quarry_driver::migrate::MigrateError),
    /// sqlx's migrator returned an error.
    #[error("sqlx migrate: {0}")]
    SqlxMigrate(#[from] sqlx::migrate::MigrateError),
    /// A workload could not prepare what it runs on (files, settings).
    #[error("{0}")]
    Setup(String),
    /// A workload was asked to run with a driver that does not take part in it.
    #[error("{0} does not run with {1}")]
    NotRun(&'static str, &'static str),
    /// A workload's task failed (a test attribute panics when its setup fails).
    #[error("{0}/{1}: {2}")]
    Task(&'static str, &'static str, String),
    /// The benchmark's child process (run with `DATABASE_URL` set) could not run or failed.
    #[error("the benchmark process with DATABASE_URL set: {0}")]
    Child(String),
    /// The tokio runtime could not be built.
    #[error("building the tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A `/proc` file could not be read.
    #[error("reading {path}: {source}")]
    Proc {
        /// The file.
        path: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `/proc` file did not have the expected shape.
    #[error("unexpected format of {path}")]
    ProcFormat {
        /// The file.
        path: &'static str,
    },
    /// A workload's result did not match what it should have produced.
    #[error("{workload}/{driver}: sanity check failed: {what}: expected {expected}, got {got}")]
    Check {
        /// The workload.
        workload: &'static str,
        /// The driver.
        driver: &'static str,
        /// What was checked.
        what: &'static str,
        /// The expected value.
        expected: String,
        /// The value seen.
        got: String,
    },
    /// A command-line argument was not understood.
    #[error(
        "unknown argument {0:?} (workloads: select1 rows1k value_rows pgtype insert value_insert pool copy_in test_setup migrate; flags: --quick --rounds N --driver NAME --multi-thread --unix)"
    )]
    Usage(String),
    /// A timed section took no measurable time.
    #[error("a timed section took {0:?}: too short to measure")]
    TooShort(Duration),
}

/// Returns a [`BenchError::Check`] unless `got == expected`.
pub(crate) fn check<T: PartialEq + std::fmt::Debug>(
    workload: &'static str,
    driver: &'static str,
    what: &'static str,
    expected: T,
    got: T,
) -> Result<(), BenchError> {
    if expected == got {
        Ok(())
    } else {
        Err(BenchError::Check {
            workload,
            driver,
            what,
            expected: format!("{expected:?}"),
            got: format!("{got:?}"),
        })
    }
}
