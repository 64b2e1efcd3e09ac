//! The results table: median of the rounds per workload and driver, ratios against the best
//! peer, and the verdict on the goals (Quarry CPU/op ≤ 0.8× and throughput ≥ 1.0× best peer).
//! Row-heavy workloads add a per-row line (client CPU in ns per row, 3 significant digits).
//! In `copy_in`, sqlx has no typed COPY encoder: its variant hand-writes the binary format, is
//! labelled so, and is not a like-for-like peer (the goals compare against tokio-postgres's
//! typed `BinaryCopyInWriter`).

use std::time::Duration;

use crate::drivers::Driver;
use crate::measure::Sample;
use crate::workloads::Workload;

/// Quarry's client CPU per op must be at most this fraction of the best peer's.
const CPU_GOAL: f64 = 0.8;
/// Quarry's throughput must be at least this fraction of the best peer's.
const THROUGHPUT_GOAL: f64 = 1.0;

/// Every round of one driver on one workload.
pub(crate) struct Series {
    /// The workload.
    pub(crate) workload: Workload,
    /// The driver.
    pub(crate) driver: Driver,
    /// One sample per round.
    pub(crate) samples: Vec<Sample>,
}

/// The medians of one series.
#[derive(Debug, Clone, Copy)]
struct Summary {
    ops_per_sec: f64,
    cpu_us_per_op: f64,
    rows_per_sec: f64,
    cpu_us_per_row: f64,
}

impl Series {
    fn summary(&self) -> Summary {
        let med = |f: fn(&Sample) -> f64| median(self.samples.iter().map(f).collect());
        Summary {
            ops_per_sec: med(Sample::ops_per_sec),
            cpu_us_per_op: med(Sample::cpu_us_per_op),
            rows_per_sec: med(Sample::rows_per_sec),
            cpu_us_per_row: med(|s| s.cpu_ns_per_row() / 1_000.0),
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values.get(n / 2).copied().unwrap_or(f64::NAN),
        n => {
            let a = values.get(n / 2 - 1).copied().unwrap_or(f64::NAN);
            let b = values.get(n / 2).copied().unwrap_or(f64::NAN);
            (a + b) / 2.0
        }
    }
}

/// Prints the table, the goal verdicts, every round, and CPU cross-check warnings.
pub(crate) fn print(all: &[Series], rounds: usize) {
    if all.iter().any(|s| !s.workload.is_lifecycle()) {
        print_drivers(all, rounds);
        print_goals(all);
    }
    if all.iter().any(|s| s.workload.is_lifecycle()) {
        print_lifecycle(all, rounds);
    }
    print_server(all);
    print_rounds(all);
}

/// Server backend CPU per operation and the backend's busy fraction (CPU over wall time), for
/// the workloads that measure it: a fraction near 1 is a backend that had no idle time, so the
/// server bounded the throughput whatever the client did.
fn print_server(all: &[Series]) {
    let measured: Vec<&Series> = all
        .iter()
        .filter(|s| s.samples.iter().any(|x| x.server_cpu.is_some()))
        .collect();
    if measured.is_empty() {
        return;
    }
    println!();
    println!("Server backend CPU (median of the rounds):");
    println!();
    println!("| workload | driver | server CPU µs/op | backend busy (CPU / wall) |");
    println!("|---|---|---:|---:|");
    for series in measured {
        let per_op = median(
            series
                .samples
                .iter()
                .filter_map(Sample::server_us_per_op)
                .collect(),
        );
        let busy = median(
            series
                .samples
                .iter()
                .filter_map(|s| Some(s.server_cpu?.as_secs_f64() / s.wall.as_secs_f64()))
                .collect(),
        );
        println!(
            "| {} | {} | {:.2} | {:.2} |",
            series.workload.name(),
            label(series.workload, series.driver),
            per_op,
            busy
        );
    }
}

/// The driver workloads' table.
fn print_drivers(all: &[Series], rounds: usize) {
    println!();
    println!(
        "Median of {rounds} rounds. Ratios are against the best of the other drivers; Quarry's only \
         against like-for-like peers (in copy_in: tokio-postgres's typed writer, not sqlx's \
         hand-written binary)."
    );
    println!();
    println!(
        "| workload | driver | ops/s | client CPU µs/op | ops/s vs best peer | CPU vs best peer |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for workload in Workload::ALL.into_iter().filter(|w| !w.is_lifecycle()) {
        let rows: Vec<(&Series, Summary)> = all
            .iter()
            .filter(|s| s.workload == workload)
            .map(|s| (s, s.summary()))
            .collect();
        for (series, sum) in &rows {
            let (best_ops, best_cpu) =
                best_of_others(&rows, series.driver, |s| (s.ops_per_sec, s.cpu_us_per_op));
            println!(
                "| {} | {} | {:.0} | {:.2} | {:.2}× | {:.2}× |",
                workload.name(),
                label(workload, series.driver),
                sum.ops_per_sec,
                sum.cpu_us_per_op,
                sum.ops_per_sec / best_ops,
                sum.cpu_us_per_op / best_cpu,
            );
        }
        if workload.reports_rows() || workload == Workload::CopyIn {
            for (series, sum) in &rows {
                let (best_ops, best_cpu) =
                    best_of_others(&rows, series.driver, |s| (s.rows_per_sec, s.cpu_us_per_row));
                println!(
                    "| {} per row | {} | {:.0} rows/s | {} ns/row | {:.2}× | {:.2}× |",
                    workload.name(),
                    label(workload, series.driver),
                    sum.rows_per_sec,
                    sig3(sum.cpu_us_per_row * 1_000.0),
                    sum.rows_per_sec / best_ops,
                    sum.cpu_us_per_row / best_cpu,
                );
            }
        }
    }
}

/// Quarry's wall time per operation must be at most this fraction of sqlx's.
fn lifecycle_goal(workload: Workload) -> f64 {
    match workload {
        Workload::TestSetup => 0.2,
        _ => 1.0,
    }
}

/// The schema lifecycle workloads' table (wall and client CPU in ms per operation, medians of
/// the rounds, against sqlx) and their goals.
fn print_lifecycle(all: &[Series], rounds: usize) {
    println!();
    println!("Schema lifecycle, median of {rounds} rounds, ratios against sqlx:");
    println!();
    println!(
        "| workload | operation | driver | wall ms/op | client CPU ms/op | wall vs sqlx | CPU vs sqlx |"
    );
    println!("|---|---|---|---:|---:|---:|---:|");
    let mut goals = Vec::new();
    for workload in Workload::ALL.into_iter().filter(|w| w.is_lifecycle()) {
        let rows: Vec<(Driver, f64, f64)> = all
            .iter()
            .filter(|s| s.workload == workload)
            .map(|s| {
                let wall = median(s.samples.iter().map(Sample::wall_ms_per_op).collect());
                let cpu = median(s.samples.iter().map(Sample::cpu_us_per_op).collect()) / 1e3;
                (s.driver, wall, cpu)
            })
            .collect();
        let sqlx = rows.iter().find(|(d, _, _)| *d == Driver::Sqlx).copied();
        for &(driver, wall, cpu) in &rows {
            let (wall_ratio, cpu_ratio) = match sqlx {
                Some((_, sqlx_wall, sqlx_cpu)) => (wall / sqlx_wall, cpu / sqlx_cpu),
                None => (f64::NAN, f64::NAN),
            };
            println!(
                "| {} | {} | {} | {} | {} | {:.2}× | {:.2}× |",
                workload.name(),
                workload.operation(),
                label(workload, driver),
                sig3(wall),
                sig3(cpu),
                wall_ratio,
                cpu_ratio,
            );
            if driver == Driver::Quarry {
                goals.push((workload, wall_ratio));
            }
        }
    }
    println!();
    for (workload, ratio) in goals {
        let goal = lifecycle_goal(workload);
        println!(
            "Goal: {} Quarry wall time <= {goal}x sqlx's: {ratio:.2}x -> {}",
            workload.name(),
            verdict(ratio <= goal),
        );
    }
}

/// The driver's name in `workload`'s lines.
fn label(workload: Workload, driver: Driver) -> &'static str {
    match (workload, driver) {
        (Workload::CopyIn, Driver::Sqlx) => "sqlx (hand-written binary, not a peer)",
        (Workload::TestSetup, Driver::Quarry) => "quarry (`#[quarry::test]`: template clone)",
        (Workload::TestSetup, Driver::Sqlx) => "sqlx (`#[sqlx::test]`: migrations per test)",
        (Workload::Migrate, Driver::Quarry) => "quarry (`Migrator::run`)",
        (Workload::Migrate, Driver::Sqlx) => "sqlx (`Migrator::run`)",
        _ => driver.name(),
    }
}

/// Whether `driver` is a like-for-like peer in `workload` (sqlx's hand-written binary COPY
/// skips every type check and codec: no user with typed rows gets that from sqlx).
fn is_peer(workload: Workload, driver: Driver) -> bool {
    !(workload == Workload::CopyIn && driver == Driver::Sqlx)
}

/// `x` with three significant digits (`0.0123`, `1.23`, `123`).
fn sig3(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor();
    // At most a handful of decimals for the values printed here.
    let decimals = (2.0 - magnitude).clamp(0.0, 9.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped to 0..=9
    let decimals = decimals as usize;
    format!("{x:.decimals$}")
}

/// The best throughput (highest) and CPU (lowest) among the drivers other than `me` that are
/// like-for-like peers in the workload.
fn best_of_others(
    rows: &[(&Series, Summary)],
    me: Driver,
    pick: fn(&Summary) -> (f64, f64),
) -> (f64, f64) {
    rows.iter()
        .filter(|(s, _)| s.driver != me && (me != Driver::Quarry || is_peer(s.workload, s.driver)))
        .map(|(_, sum)| pick(sum))
        .fold((f64::NAN, f64::NAN), |(ops, cpu), (o, c)| {
            (ops.max(o), cpu.min(c))
        })
}

fn print_goals(all: &[Series]) {
    println!();
    println!(
        "Goals: Quarry client CPU/op <= {CPU_GOAL}x best peer, throughput >= {THROUGHPUT_GOAL}x best peer"
    );
    for workload in Workload::DEFAULT {
        let rows: Vec<(&Series, Summary)> = all
            .iter()
            .filter(|s| s.workload == workload)
            .map(|s| (s, s.summary()))
            .collect();
        let Some((_, quarry)) = rows.iter().find(|(s, _)| s.driver == Driver::Quarry) else {
            continue;
        };
        let (best_ops, best_cpu) =
            best_of_others(&rows, Driver::Quarry, |s| (s.ops_per_sec, s.cpu_us_per_op));
        let cpu = quarry.cpu_us_per_op / best_cpu;
        let ops = quarry.ops_per_sec / best_ops;
        println!(
            "  {:8} CPU {:.2}x -> {}   throughput {:.2}x -> {}",
            workload.name(),
            cpu,
            verdict(cpu <= CPU_GOAL),
            ops,
            verdict(ops >= THROUGHPUT_GOAL),
        );
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "NOT MET" }
}

fn print_rounds(all: &[Series]) {
    println!();
    println!(
        "Every round (ops/s, thread CPU µs/op, process CPU µs/op; test_setup and migrate: wall \
         ms/op, thread CPU ms/op, process CPU ms/op):"
    );
    for series in all {
        let cells: Vec<String> = series
            .samples
            .iter()
            .map(|s| {
                let process = Sample {
                    thread_cpu: s.process_cpu,
                    ..*s
                }
                .cpu_us_per_op();
                if series.workload.is_lifecycle() {
                    format!(
                        "{} {} {}",
                        sig3(s.wall_ms_per_op()),
                        sig3(s.cpu_us_per_op() / 1e3),
                        sig3(process / 1e3)
                    )
                } else {
                    format!(
                        "{:.0} {} {}",
                        s.ops_per_sec(),
                        sig3(s.cpu_us_per_op()),
                        sig3(process)
                    )
                }
            })
            .collect();
        println!(
            "  {:8} {:15} {}",
            series.workload.name(),
            series.driver.name(),
            cells.join(" | ")
        );
        for s in &series.samples {
            if s.process_cpu > s.thread_cpu + s.thread_cpu / 10 + Duration::from_millis(30) {
                println!(
                    "    note: process CPU {:?} exceeds the runtime thread's {:?}: work on other threads",
                    s.process_cpu, s.thread_cpu
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![]).is_nan());
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(sig3(21.456), "21.5");
        assert_eq!(sig3(8.0), "8.00");
        assert_eq!(sig3(123.4), "123");
        assert_eq!(sig3(0.01234), "0.0123");
        assert_eq!(sig3(0.0), "0");
    }
}
