//! The workloads: what each measures, its size, its one-time setup, and dispatch to the
//! per-driver implementations in `select1`, `rows1k`, `value_rows`, `pgtype`, `insert`,
//! `value_insert`, `pool`, `pool_pgbouncer`, `copy_in` and `pipeline`,
//! and the schema lifecycle ones (Quarry and sqlx only) in `test_setup` and `migrate`.

mod copy_in;
mod insert;
mod migrate;
mod pgtype;
mod pipeline;
mod pool;
mod pool_pgbouncer;
mod rows1k;
mod schema;
mod select1;
mod test_setup;
mod value_insert;
mod value_rows;

use crate::drivers::{Connections, Driver};
use crate::error::BenchError;
use crate::measure::Sample;

/// A workload of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Sequential `SELECT 1`.
    Select1,
    /// A query returning 1,000 rows of seven columns, every value decoded.
    Rows1k,
    /// asyncpg's `pg_type` query: 12 columns, ~600 rows, every value decoded.
    Pgtype,
    /// Single-row INSERTs of (int4, text, float8).
    Insert,
    /// `Rows1k` with every value decoded into a `Value` (Quarry only).
    ValueRows,
    /// `Insert` with `Value` parameters (Quarry only).
    ValueInsert,
    /// 16 tasks sharing a pool of 8 connections, `SELECT $1::int4 + 1` each.
    Pool,
    /// `Pool` through pgbouncer in transaction mode (Quarry against deadpool-postgres).
    PoolPgbouncer,
    /// Binary COPY of 1,000,000 rows of (int4, text, float8).
    CopyIn,
    /// Batches of 100 independent `SELECT $1::int4` in one round trip each.
    Pipeline,
    /// A database test's setup and teardown for a schema of 30 migrations: `#[quarry::test]`
    /// against `#[sqlx::test]`.
    TestSetup,
    /// 100 small migrations applied to an empty database: Quarry's `Migrator::run` against
    /// sqlx's.
    Migrate,
}

impl Workload {
    /// Every workload, in report order.
    pub(crate) const ALL: [Workload; 12] = [
        Workload::Select1,
        Workload::Rows1k,
        Workload::ValueRows,
        Workload::Pgtype,
        Workload::Insert,
        Workload::ValueInsert,
        Workload::Pool,
        Workload::PoolPgbouncer,
        Workload::CopyIn,
        Workload::Pipeline,
        Workload::TestSetup,
        Workload::Migrate,
    ];

    /// What runs when no workload is named: the driver workloads (the schema lifecycle ones run
    /// when named).
    pub(crate) const DEFAULT: [Workload; 9] = [
        Workload::Select1,
        Workload::Rows1k,
        Workload::ValueRows,
        Workload::Pgtype,
        Workload::Insert,
        Workload::ValueInsert,
        Workload::Pool,
        Workload::CopyIn,
        Workload::Pipeline,
    ];

    /// The workload's name on the command line and in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::Select1 => "select1",
            Workload::Rows1k => "rows1k",
            Workload::Pgtype => "pgtype",
            Workload::Insert => "insert",
            Workload::ValueRows => "value_rows",
            Workload::ValueInsert => "value_insert",
            Workload::Pool => "pool",
            Workload::PoolPgbouncer => "pool_pgbouncer",
            Workload::CopyIn => "copy_in",
            Workload::Pipeline => "pipeline",
            Workload::TestSetup => "test_setup",
            Workload::Migrate => "migrate",
        }
    }

    /// The workload named `name`.
    pub(crate) fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Whether this is a schema lifecycle workload (tests, migrations): Quarry against sqlx
    /// only, reported as wall time per operation, with goals of its own.
    pub(crate) fn is_lifecycle(self) -> bool {
        matches!(self, Workload::TestSetup | Workload::Migrate)
    }

    /// Whether `driver` takes part (tokio-postgres has no migrator and no test attribute).
    pub(crate) fn runs(self, driver: Driver) -> bool {
        match self {
            // sqlx's startup packet (extra_float_digits) is refused by a stock pgbouncer.
            Workload::PoolPgbouncer => driver != Driver::Sqlx,
            // Dynamic values are Quarry's; the other drivers' figures are in rows1k and insert.
            Workload::ValueRows | Workload::ValueInsert => driver == Driver::Quarry,
            _ => !(self.is_lifecycle() && driver == Driver::TokioPostgres),
        }
    }

    /// Whether the workload reads the server from `DATABASE_URL` (both test attributes do).
    pub(crate) fn needs_database_url(self) -> bool {
        self == Workload::TestSetup
    }

    /// What one operation is, for the lifecycle report.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Workload::TestSetup => "one test, 30 migrations",
            Workload::Migrate => "100 migrations, empty database",
            _ => "one operation",
        }
    }

    /// Operations at full scale (queries, inserted rows, tests or migration runs).
    fn full_ops(self) -> u64 {
        match self {
            Workload::Select1 => 20_000,
            Workload::Rows1k | Workload::ValueRows => 2_000,
            Workload::Pgtype => 1_000,
            Workload::Insert | Workload::ValueInsert => 50_000,
            Workload::Pool | Workload::PoolPgbouncer => 40_000,
            Workload::CopyIn => 1_000_000,
            Workload::Pipeline => 100_000,
            Workload::TestSetup => 20,
            Workload::Migrate => 10,
        }
    }

    /// Operations for a run; `--quick` divides by ten (at least one).
    pub(crate) fn ops(self, quick: bool) -> u64 {
        if quick {
            (self.full_ops() / 10).max(1)
        } else {
            self.full_ops()
        }
    }

    /// Whether the report adds a per-row line.
    pub(crate) fn reports_rows(self) -> bool {
        matches!(
            self,
            Workload::Rows1k | Workload::ValueRows | Workload::Pgtype
        )
    }

    /// One-time setup before any driver runs it (tables, data); untimed.
    pub(crate) async fn setup(self, conns: &mut Connections) -> Result<(), BenchError> {
        match self {
            Workload::Select1 => Ok(()),
            Workload::Rows1k | Workload::ValueRows => rows1k::setup(conns).await,
            Workload::Pgtype => pgtype::setup(conns).await,
            Workload::Insert
            | Workload::Pool
            | Workload::PoolPgbouncer
            | Workload::CopyIn
            | Workload::Pipeline
            | Workload::ValueInsert => Ok(()),
            Workload::TestSetup => test_setup::setup(conns).await,
            Workload::Migrate => migrate::setup(conns).await,
        }
    }

    /// One measured run of `ops` operations by `driver`.
    pub(crate) async fn run(
        self,
        driver: Driver,
        conns: &mut Connections,
        ops: u64,
    ) -> Result<Sample, BenchError> {
        match self {
            Workload::Select1 => select1::run(driver, conns, ops).await,
            Workload::Rows1k => rows1k::run(driver, conns, ops).await,
            Workload::Pgtype => pgtype::run(driver, conns, ops).await,
            Workload::Insert => insert::run(driver, conns, ops).await,
            Workload::ValueRows => value_rows::run(driver, conns, ops).await,
            Workload::ValueInsert => value_insert::run(driver, conns, ops).await,
            Workload::Pool => pool::run(driver, conns, ops).await,
            Workload::PoolPgbouncer => pool_pgbouncer::run(driver, conns, ops).await,
            Workload::CopyIn => copy_in::run(driver, conns, ops).await,
            Workload::Pipeline => pipeline::run(driver, conns, ops).await,
            Workload::TestSetup => test_setup::run(driver, conns, ops).await,
            Workload::Migrate => migrate::run(driver, conns, ops).await,
        }
    }
}

/// What a task that panicked said (the test attributes fail by panicking).
fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(e) => e.to_string(),
    }
}
