//! One timed section: wall time and client CPU around the work, and the result it yields.

use std::time::{Duration, Instant};

use crate::cpu::CpuTime;
use crate::error::BenchError;

/// What one driver did in one round of one workload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// Operations (queries or inserted rows) performed.
    pub(crate) ops: u64,
    /// Rows decoded (for the row-heavy workload), else equal to `ops`.
    pub(crate) rows: u64,
    /// Wall time of the timed section.
    pub(crate) wall: Duration,
    /// CPU time of the runtime thread over the timed section.
    pub(crate) thread_cpu: Duration,
    /// CPU time of the whole process over the timed section (10 ms resolution).
    pub(crate) process_cpu: Duration,
    /// CPU time of the server backend serving the driver's connection over the timed section,
    /// when the workload measured it (the server runs on this machine).
    pub(crate) server_cpu: Option<Duration>,
}

impl Sample {
    /// Operations per second of wall time.
    pub(crate) fn ops_per_sec(&self) -> f64 {
        per_sec(self.ops, self.wall)
    }

    /// Client CPU microseconds per operation.
    pub(crate) fn cpu_us_per_op(&self) -> f64 {
        per_item_us(self.thread_cpu, self.ops)
    }

    /// Server backend CPU microseconds per operation, when measured.
    pub(crate) fn server_us_per_op(&self) -> Option<f64> {
        Some(per_item_us(self.server_cpu?, self.ops))
    }

    /// Wall milliseconds per operation.
    pub(crate) fn wall_ms_per_op(&self) -> f64 {
        per_item_us(self.wall, self.ops) / 1e3
    }

    /// Rows per second of wall time.
    pub(crate) fn rows_per_sec(&self) -> f64 {
        per_sec(self.rows, self.wall)
    }

    /// Client CPU nanoseconds per row.
    pub(crate) fn cpu_ns_per_row(&self) -> f64 {
        per_item_us(self.thread_cpu, self.rows) * 1_000.0
    }
}

#[allow(clippy::cast_precision_loss)] // counts are far below 2^52
fn per_sec(n: u64, wall: Duration) -> f64 {
    n as f64 / wall.as_secs_f64()
}

#[allow(clippy::cast_precision_loss)] // counts are far below 2^52
fn per_item_us(cpu: Duration, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    cpu.as_secs_f64() * 1e6 / n as f64
}

/// Started at the beginning of a timed section.
pub(crate) struct Stopwatch {
    wall: Instant,
    cpu: CpuTime,
}

impl Stopwatch {
    /// Starts measuring.
    pub(crate) fn start() -> Result<Stopwatch, BenchError> {
        let cpu = CpuTime::now()?;
        Ok(Stopwatch {
            wall: Instant::now(),
            cpu,
        })
    }

    /// Stops measuring: `ops` operations and `rows` rows were done.
    pub(crate) fn stop(self, ops: u64, rows: u64) -> Result<Sample, BenchError> {
        let wall = self.wall.elapsed();
        let cpu = CpuTime::now()?;
        if wall.is_zero() {
            return Err(BenchError::TooShort(wall));
        }
        Ok(Sample {
            ops,
            rows,
            wall,
            thread_cpu: Duration::from_nanos(cpu.thread_ns.saturating_sub(self.cpu.thread_ns)),
            process_cpu: Duration::from_nanos(cpu.process_ns.saturating_sub(self.cpu.process_ns)),
            server_cpu: None,
        })
    }

    /// [`stop`](Self::stop), with the CPU the server backend `pid` used since `server_start`
    /// (a reading of [`process_ns_of`](crate::cpu::process_ns_of) taken just before `start`).
    pub(crate) fn stop_with_server(
        self,
        ops: u64,
        rows: u64,
        pid: u32,
        server_start: u64,
    ) -> Result<Sample, BenchError> {
        let mut sample = self.stop(ops, rows)?;
        let server_end = crate::cpu::process_ns_of(pid)?;
        sample.server_cpu = Some(Duration::from_nanos(
            server_end.saturating_sub(server_start),
        ));
        Ok(sample)
    }
}
