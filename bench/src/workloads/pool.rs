//! `pool`: 16 tasks share a pool of 8 connections and run `SELECT $1::int4 + 1` until the total
//! reaches the op count — Quarry's pool against deadpool-postgres (tokio-postgres) and sqlx's
//! `PgPool`, each with its default acquire checks. Every answer is checked.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const SQL: &str = "SELECT $1::int4 + 1";
const NAME: &str = "pool";
pub(super) const TASKS: u64 = 16;
pub(super) const POOL_SIZE: usize = 8;

/// Runs `n` queries spread over [`TASKS`] tasks with `driver`'s pool.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let per_task = n / TASKS;
    let total = per_task * TASKS;
    let wrong = Arc::new(AtomicU64::new(0));
    let sample = match driver {
        Driver::Quarry => {
            let mut builder = quarry_driver::Pool::builder().max_size(POOL_SIZE);
            if std::env::var_os("QUARRY_BENCH_NO_RESET").is_some() {
                builder = builder.reset(|_| Box::pin(async { Ok(()) }));
            }
            let pool = builder.build(&conns.dsn).await?;
            warm(POOL_SIZE, || pool.acquire()).await?;
            let watch = Stopwatch::start()?;
            let tasks: Vec<_> = (0..TASKS)
                .map(|t| {
                    let pool = pool.clone();
                    let wrong = wrong.clone();
                    tokio::spawn(async move {
                        for i in 0..per_task {
                            let x = arg(t, i);
                            let v: i32 = pool.fetch_val(SQL, &[&x]).await?;
                            if v != x + 1 {
                                wrong.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok::<(), BenchError>(())
                    })
                })
                .collect();
            join(tasks).await?;
            let sample = watch.stop(total, total)?;
            if std::env::var_os("QUARRY_BENCH_POOL_STATS").is_some() {
                eprintln!("{:?}", pool.stats());
            }
            pool.close().await;
            sample
        }
        Driver::TokioPostgres => {
            let config: tokio_postgres::Config = conns.dsn.parse()?;
            let manager = deadpool_postgres::Manager::new(config, tokio_postgres::NoTls);
            let pool = deadpool_postgres::Pool::builder(manager)
                .max_size(POOL_SIZE)
                .build()
                .map_err(|e| BenchError::Usage(format!("deadpool: {e}")))?;
            warm(POOL_SIZE, || pool.get()).await?;
            let watch = Stopwatch::start()?;
            let tasks: Vec<_> = (0..TASKS)
                .map(|t| {
                    let pool = pool.clone();
                    let wrong = wrong.clone();
                    tokio::spawn(async move {
                        for i in 0..per_task {
                            let x = arg(t, i);
                            let client = pool
                                .get()
                                .await
                                .map_err(|e| BenchError::Usage(format!("deadpool: {e}")))?;
                            let stmt = client.prepare_cached(SQL).await?;
                            let row = client.query_one(&stmt, &[&x]).await?;
                            let v: i32 = row.try_get(0)?;
                            if v != x + 1 {
                                wrong.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok::<(), BenchError>(())
                    })
                })
                .collect();
            join(tasks).await?;
            watch.stop(total, total)?
        }
        Driver::Sqlx => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(u32::try_from(POOL_SIZE).unwrap_or(8))
                .connect(&conns.dsn)
                .await?;
            warm(POOL_SIZE, || pool.acquire()).await?;
            let watch = Stopwatch::start()?;
            let tasks: Vec<_> = (0..TASKS)
                .map(|t| {
                    let pool = pool.clone();
                    let wrong = wrong.clone();
                    tokio::spawn(async move {
                        for i in 0..per_task {
                            let x = arg(t, i);
                            let v: i32 = sqlx::query_scalar(SQL).bind(x).fetch_one(&pool).await?;
                            if v != x + 1 {
                                wrong.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok::<(), BenchError>(())
                    })
                })
                .collect();
            join(tasks).await?;
            let sample = watch.stop(total, total)?;
            pool.close().await;
            sample
        }
    };
    check(
        NAME,
        driver.name(),
        "wrong answers",
        0,
        wrong.load(Ordering::Relaxed),
    )?;
    Ok(sample)
}

/// A distinct argument per task and iteration.
pub(super) fn arg(task: u64, i: u64) -> i32 {
    i32::try_from(task * 1_000_000 + i).unwrap_or(0)
}

/// Opens `size` connections up front so the timed section measures queries, not connecting.
pub(super) async fn warm<F, Fut, C, E>(size: usize, mut acquire: F) -> Result<(), BenchError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<C, E>>,
    E: std::fmt::Display,
{
    let mut held = Vec::with_capacity(size);
    for _ in 0..size {
        held.push(
            acquire()
                .await
                .map_err(|e| BenchError::Usage(format!("warming the pool: {e}")))?,
        );
    }
    Ok(())
}

pub(super) async fn join(
    tasks: Vec<tokio::task::JoinHandle<Result<(), BenchError>>>,
) -> Result<(), BenchError> {
    for task in tasks {
        task.await
            .map_err(|e| BenchError::Usage(format!("a pool task failed: {e}")))??;
    }
    Ok(())
}
