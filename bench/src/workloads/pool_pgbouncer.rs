//! `pool_pgbouncer`: the `pool` workload (16 tasks, a pool of 8, `SELECT $1::int4 + 1`, every
//! answer checked) through a stock pgbouncer in transaction mode (8 server connections), as an
//! application behind a pooler runs: Quarry's pool with `pooler=transaction` (no statement
//! cache: the unnamed statement) against deadpool-postgres with tokio-postgres's `query_typed`
//! (the unnamed statement in one round trip; its named, cached statements do not survive
//! transaction pooling). sqlx is left out: it sends `extra_float_digits` at startup, which a
//! stock pgbouncer refuses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::pool::{POOL_SIZE, TASKS, arg, join, warm};
use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const SQL: &str = "SELECT $1::int4 + 1";
const NAME: &str = "pool_pgbouncer";

/// Runs `n` queries spread over [`TASKS`] tasks with `driver`'s pool, through pgbouncer.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let dsn = conns
        .bouncer_dsn
        .clone()
        .ok_or_else(|| BenchError::Setup("pool_pgbouncer needs a pgbouncer".to_owned()))?;
    let per_task = n / TASKS;
    let total = per_task * TASKS;
    let wrong = Arc::new(AtomicU64::new(0));
    let sample = match driver {
        Driver::Quarry => {
            let pool = quarry_driver::Pool::builder()
                .max_size(POOL_SIZE)
                .build(&format!("{dsn}&pooler=transaction"))
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
            pool.close().await;
            sample
        }
        Driver::TokioPostgres => {
            let config: tokio_postgres::Config = dsn.parse()?;
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
                            let rows = client
                                .query_typed(SQL, &[(&x, tokio_postgres::types::Type::INT4)])
                                .await?;
                            let v: i32 = rows
                                .first()
                                .ok_or_else(|| BenchError::Usage("no row".to_owned()))?
                                .try_get(0)?;
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
        Driver::Sqlx => return Err(BenchError::NotRun(NAME, driver.name())),
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
