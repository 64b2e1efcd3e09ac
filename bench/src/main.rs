//! quarry-bench: Quarry, tokio-postgres and sqlx side by side, in one process, on one core.
//!
//! `cargo run -p quarry-bench --release -- [select1] [rows1k] [value_rows] [pgtype] [insert]
//! [value_insert] [pool]
//! [pool_pgbouncer] [copy_in] [pipeline]
//! [test_setup] [migrate] [--quick] [--rounds N] [--driver quarry|tokio-postgres|sqlx]...`
//! (`--driver` limits the run, e.g. for profiling). Without a workload named, the nine driver
//! workloads run; the schema lifecycle ones (`test_setup`, `migrate`: Quarry against sqlx) run
//! when named.
//!
//! Everything runs on a single-threaded tokio runtime (tokio-postgres's connection task too), so
//! each driver gets the same one core. One ephemeral server is started (or `DATABASE_URL` used);
//! each workload is set up once, warmed up once per driver, then run for several rounds with the
//! drivers interleaved (quarry, tokio-postgres, sqlx, quarry, ...). The report gives the median
//! round's ops/s and client CPU per op (the runtime thread's time on CPU).

mod cpu;
mod drivers;
mod error;
mod measure;
mod report;
mod workloads;

use std::process::ExitCode;

use drivers::{Connections, Driver};
use error::BenchError;
use report::Series;
use workloads::Workload;

/// Timed rounds per workload and driver unless `--rounds` says otherwise.
const DEFAULT_ROUNDS: usize = 5;

/// What the command line asked for.
#[derive(Clone)]
struct Args {
    workloads: Vec<Workload>,
    drivers: Vec<Driver>,
    quick: bool,
    rounds: usize,
    /// Run on tokio's multi-threaded runtime (2 workers), the default of `#[tokio::main]`.
    multi_thread: bool,
    /// Connect over the ephemeral server's Unix socket instead of TCP (all drivers alike).
    unix: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, BenchError> {
    let mut out = Args {
        workloads: Vec::new(),
        drivers: Vec::new(),
        quick: false,
        rounds: DEFAULT_ROUNDS,
        multi_thread: false,
        unix: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => out.quick = true,
            "--multi-thread" => out.multi_thread = true,
            "--unix" => out.unix = true,
            "--rounds" => {
                let n = args.next().unwrap_or_default();
                out.rounds = n
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or(BenchError::Usage(n))?;
            }
            "--driver" => {
                let name = args.next().unwrap_or_default();
                out.drivers
                    .push(Driver::parse(&name).ok_or(BenchError::Usage(name))?);
            }
            name => out
                .workloads
                .push(Workload::parse(name).ok_or_else(|| BenchError::Usage(arg.clone()))?),
        }
    }
    if out.workloads.is_empty() {
        out.workloads = Workload::DEFAULT.to_vec();
    }
    if out.drivers.is_empty() {
        out.drivers = Driver::ALL.to_vec();
    }
    Ok(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quarry-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Set in the child process [`run_with_database_url`] starts: the server is the parent's
/// ephemeral one, though `DATABASE_URL` names it.
const EPHEMERAL_PARENT: &str = "QUARRY_BENCH_EPHEMERAL_PARENT";

fn run() -> Result<(), BenchError> {
    let args = parse_args(std::env::args().skip(1))?;
    // Keep the server alive for the whole run; dropping it stops it.
    let (server, dsn) = match std::env::var("DATABASE_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            eprintln!("starting an ephemeral server...");
            let server = quarry_driver::ephemeral::EphemeralServer::start()?;
            let dsn = if args.unix {
                // Every driver reads `host=<directory>` as a Unix socket directory.
                format!(
                    "postgresql://postgres@localhost/postgres?host={}&port={}",
                    server.socket_dir().display(),
                    server.port()
                )
            } else {
                server.dsn()
            };
            (Some(server), dsn)
        }
    };
    let dsn = drivers::without_tls(&dsn);
    // pool_pgbouncer: a stock pgbouncer in transaction mode in front of the ephemeral server
    // (or the one QUARRY_BENCH_PGBOUNCER_URL names), kept alive for the run.
    let mut bouncer = None;
    let bouncer_dsn = if args.workloads.contains(&Workload::PoolPgbouncer) {
        match (std::env::var("QUARRY_BENCH_PGBOUNCER_URL"), &server) {
            (Ok(url), _) => Some(drivers::without_tls(&url)),
            (Err(_), Some(server)) => {
                use quarry_driver::ephemeral::{PgBouncer, PoolMode};
                let started = PgBouncer::builder(server, PoolMode::Transaction)
                    .pool_size(8)
                    .start()?;
                let url = drivers::without_tls(&started.dsn_for("postgres"));
                bouncer = Some(started);
                Some(url)
            }
            (Err(_), None) => {
                return Err(BenchError::Setup(
                    "pool_pgbouncer with DATABASE_URL needs QUARRY_BENCH_PGBOUNCER_URL".to_owned(),
                ));
            }
        }
    } else {
        None
    };
    if server.is_some() && args.workloads.iter().any(|w| w.needs_database_url()) {
        return run_with_database_url(&dsn);
    }
    let results = if args.multi_thread {
        // Client CPU is then every thread of the process: the runtime's workers and whatever
        // background tasks a driver spawns.
        cpu::count_all_threads();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(BenchError::Runtime)?;
        // The workload runs as a spawned task, as a request handler does in a server.
        let args = Args { ..args.clone() };
        let task = runtime.spawn(async move { bench(&dsn, bouncer_dsn, &args).await });
        runtime
            .block_on(task)
            .map_err(|e| BenchError::Usage(format!("benchmark task failed: {e}")))??
    } else {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(BenchError::Runtime)?;
        runtime.block_on(bench(&dsn, bouncer_dsn, &args))?
    };
    println!(
        "quarry-bench: {} scale, {} tokio runtime, server {}",
        if args.quick { "quick (1/10)" } else { "full" },
        if args.multi_thread {
            "multi-threaded (2 workers, CPU of all threads)"
        } else {
            "single-threaded"
        },
        if std::env::var("DATABASE_URL").is_ok() && std::env::var_os(EPHEMERAL_PARENT).is_none() {
            "from DATABASE_URL"
        } else {
            "ephemeral"
        },
    );
    report::print(&results, args.rounds);
    drop(bouncer);
    Ok(())
}

/// Runs this same benchmark in a child process with `DATABASE_URL` set to the ephemeral server
/// (`dsn`), and waits for it. `#[quarry::test]` and `#[sqlx::test]` both read their server from
/// `DATABASE_URL`, and setting an environment variable in this process would take `unsafe`.
fn run_with_database_url(dsn: &str) -> Result<(), BenchError> {
    let exe = std::env::current_exe().map_err(|e| BenchError::Child(e.to_string()))?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("DATABASE_URL", dsn)
        .env(EPHEMERAL_PARENT, "1")
        .status()
        .map_err(|e| BenchError::Child(e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::Child(status.to_string()))
    }
}

async fn bench(
    dsn: &str,
    bouncer_dsn: Option<String>,
    args: &Args,
) -> Result<Vec<Series>, BenchError> {
    let mut conns = Connections::open(dsn).await?;
    conns.bouncer_dsn = bouncer_dsn;
    let mut results = Vec::new();
    for &workload in &args.workloads {
        let ops = workload.ops(args.quick);
        let drivers: Vec<Driver> = args
            .drivers
            .iter()
            .copied()
            .filter(|&d| workload.runs(d))
            .collect();
        workload.setup(&mut conns).await?;
        for &driver in &drivers {
            eprintln!("{}: warming up {}", workload.name(), driver.name());
            workload.run(driver, &mut conns, (ops / 10).max(1)).await?;
        }
        let mut series: Vec<Series> = drivers
            .iter()
            .map(|&driver| Series {
                workload,
                driver,
                samples: Vec::new(),
            })
            .collect();
        for round in 1..=args.rounds {
            for s in &mut series {
                let sample = workload.run(s.driver, &mut conns, ops).await?;
                if workload.is_lifecycle() {
                    eprintln!(
                        "{} round {round} {:15} {:>10.2} ms/op {:>8.2} ms CPU/op",
                        workload.name(),
                        s.driver.name(),
                        sample.wall_ms_per_op(),
                        sample.cpu_us_per_op() / 1e3
                    );
                } else {
                    eprintln!(
                        "{} round {round} {:15} {:>10.0} ops/s {:>8.2} µs CPU/op",
                        workload.name(),
                        s.driver.name(),
                        sample.ops_per_sec(),
                        sample.cpu_us_per_op()
                    );
                }
                s.samples.push(sample);
            }
        }
        results.extend(series);
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, BenchError> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn defaults_to_the_driver_workloads() {
        let a = args(&[]).unwrap();
        assert_eq!(a.workloads, Workload::DEFAULT.to_vec());
        assert!(!a.quick);
        assert_eq!(a.rounds, DEFAULT_ROUNDS);
        assert_eq!(a.drivers, Driver::ALL.to_vec());
    }

    #[test]
    fn picks_workloads_and_flags() {
        let a = args(&["insert", "--quick", "--rounds", "5", "--driver", "sqlx"]).unwrap();
        assert_eq!(a.workloads, vec![Workload::Insert]);
        assert_eq!(a.drivers, vec![Driver::Sqlx]);
        assert!(a.quick);
        assert_eq!(a.rounds, 5);
        let a = args(&["test_setup", "migrate"]).unwrap();
        assert_eq!(a.workloads, vec![Workload::TestSetup, Workload::Migrate]);
        assert!(args(&["nope"]).is_err());
        assert!(args(&["--driver", "libpq"]).is_err());
        assert!(args(&["--rounds", "0"]).is_err());
    }
}
