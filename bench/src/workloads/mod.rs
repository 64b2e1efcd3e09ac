//! The workloads: what each measures, its size, its one-time setup, and dispatch to the
//! per-driver implementations in `select1`, `rows1k`, `pgtype`, `insert`, `pool` and `copy_in`.

mod copy_in;
mod insert;
mod pgtype;
mod pool;
mod rows1k;
mod select1;

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
    /// 16 tasks sharing a pool of 8 connections, `SELECT $1::int4 + 1` each.
    Pool,
    /// Binary COPY of 1,000,000 rows of (int4, text, float8).
    CopyIn,
}

impl Workload {
    /// Every workload, in report order.
    pub(crate) const ALL: [Workload; 6] = [
        Workload::Select1,
        Workload::Rows1k,
        Workload::Pgtype,
        Workload::Insert,
        Workload::Pool,
        Workload::CopyIn,
    ];

    /// The workload's name on the command line and in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::Select1 => "select1",
            Workload::Rows1k => "rows1k",
            Workload::Pgtype => "pgtype",
            Workload::Insert => "insert",
            Workload::Pool => "pool",
            Workload::CopyIn => "copy_in",
        }
    }

    /// The workload named `name`.
    pub(crate) fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Operations at full scale (queries, or inserted rows).
    fn full_ops(self) -> u64 {
        match self {
            Workload::Select1 => 20_000,
            Workload::Rows1k => 2_000,
            Workload::Pgtype => 1_000,
            Workload::Insert => 50_000,
            Workload::Pool => 40_000,
            Workload::CopyIn => 1_000_000,
        }
    }

    /// Operations for a run; `--quick` divides by ten.
    pub(crate) fn ops(self, quick: bool) -> u64 {
        if quick {
            self.full_ops() / 10
        } else {
            self.full_ops()
        }
    }

    /// Whether the report adds a per-row line.
    pub(crate) fn reports_rows(self) -> bool {
        matches!(self, Workload::Rows1k | Workload::Pgtype)
    }

    /// One-time setup before any driver runs it (tables, data); untimed.
    pub(crate) async fn setup(self, conns: &mut Connections) -> Result<(), BenchError> {
        match self {
            Workload::Select1 => Ok(()),
            Workload::Rows1k => rows1k::setup(conns).await,
            Workload::Pgtype => pgtype::setup(conns).await,
            Workload::Insert | Workload::Pool | Workload::CopyIn => Ok(()),
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
            Workload::Pool => pool::run(driver, conns, ops).await,
            Workload::CopyIn => copy_in::run(driver, conns, ops).await,
        }
    }
}
