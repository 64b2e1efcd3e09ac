//! `pipeline`: batches of 100 independent `SELECT $1::int4`, each statement answered on its
//! own. Quarry sends each batch as one [`Pipeline`](quarry_driver::Pipeline) (a Sync after
//! every statement, so each is independent, as tokio-postgres's are); tokio-postgres awaits
//! 100 `query_one` futures under `join_all` (its connection task writes every queued request
//! before reading an answer); sqlx cannot pipeline on one connection, so it runs the 100 one
//! after another. Every answer is checked against its own parameter.

use futures_util::future::join_all;
use tokio_postgres::types::ToSql;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const SQL: &str = "SELECT $1::int4";
const NAME: &str = "pipeline";
/// Statements per batch.
const BATCH: u64 = 100;

/// Runs `n` statements (rounded down to whole batches, at least one) with `driver`.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let batches = (n / BATCH).max(1);
    let total = batches * BATCH;
    // The parameters of one batch: 0..100, made before the timed section.
    let args: Vec<i32> = (0..100).collect();
    let mut right: u64 = 0;
    let sample = match driver {
        Driver::Quarry => {
            let conn = &mut conns.quarry;
            let watch = Stopwatch::start()?;
            for _ in 0..batches {
                let mut batch = quarry_driver::Pipeline::new();
                let tickets: Vec<_> = args
                    .iter()
                    .map(|x| batch.fetch_val::<i32>(SQL, &[x]))
                    .collect();
                let mut results = conn.pipeline(batch).await?;
                for (ticket, x) in tickets.into_iter().zip(&args) {
                    right += u64::from(results.take(ticket)? == *x);
                }
            }
            watch.stop(total, total)?
        }
        Driver::TokioPostgres => {
            let client = &conns.tokio_pg;
            let stmt = client.prepare(SQL).await?;
            let watch = Stopwatch::start()?;
            for _ in 0..batches {
                // Each batch's parameter arrays are built in the timed section, as Quarry's
                // pipeline is.
                let params: Vec<[&(dyn ToSql + Sync); 1]> = args
                    .iter()
                    .map(|x| -> [&(dyn ToSql + Sync); 1] { [x] })
                    .collect();
                let answers = join_all(params.iter().map(|p| client.query_one(&stmt, p))).await;
                for (row, x) in answers.into_iter().zip(&args) {
                    let v: i32 = row?.try_get(0)?;
                    right += u64::from(v == *x);
                }
            }
            watch.stop(total, total)?
        }
        Driver::Sqlx => {
            let conn = &mut conns.sqlx;
            let watch = Stopwatch::start()?;
            for _ in 0..batches {
                for x in &args {
                    let v = sqlx::query_scalar::<_, i32>(SQL)
                        .bind(*x)
                        .fetch_one(&mut *conn)
                        .await?;
                    right += u64::from(v == *x);
                }
            }
            watch.stop(total, total)?
        }
    };
    check(
        NAME,
        driver.name(),
        "statements answered right",
        total,
        right,
    )?;
    Ok(sample)
}
