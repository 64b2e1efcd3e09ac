//! `pipeline`: batches of 100 independent `SELECT $1::int4`, each statement answered on its
//! own. Quarry sends each batch as one [`Pipeline`](quarry_driver::Pipeline) (a Sync after
//! every statement, so each is independent, as tokio-postgres's are); tokio-postgres awaits
//! 100 `query_one` futures under `join_all` (its connection task writes every queued request
//! before reading an answer); sqlx cannot pipeline on one connection, so it runs the 100 one
//! after another. Every answer is checked against its own parameter. The CPU of the server
//! backend serving each driver's connection is read from `/proc/<pid>/schedstat` around the
//! timed section: it shows whether the server, not the client, bounds the throughput.

use futures_util::future::join_all;
use tokio_postgres::types::ToSql;

use crate::cpu::process_ns_of;
use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const SQL: &str = "SELECT $1::int4";
const NAME: &str = "pipeline";
/// Statements per batch.
const BATCH: u64 = 100;
/// The server process serving a connection (the server runs on this machine).
const BACKEND_PID: &str = "SELECT pg_backend_pid()";

/// A backend process id as `/proc` names it.
fn backend(pid: i32) -> Result<u32, BenchError> {
    u32::try_from(pid).map_err(|_| BenchError::ProcFormat {
        path: "pg_backend_pid()",
    })
}

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
            // The backend serving this connection, whose CPU is read around the timed section.
            let pid: i32 = conn.fetch_val(BACKEND_PID, &[]).await?;
            let pid = backend(pid)?;
            let server = process_ns_of(pid)?;
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
            watch.stop_with_server(total, total, pid, server)?
        }
        Driver::TokioPostgres => {
            let client = &conns.tokio_pg;
            let stmt = client.prepare(SQL).await?;
            let pid: i32 = client.query_one(BACKEND_PID, &[]).await?.try_get(0)?;
            let pid = backend(pid)?;
            let server = process_ns_of(pid)?;
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
            watch.stop_with_server(total, total, pid, server)?
        }
        Driver::Sqlx => {
            let conn = &mut conns.sqlx;
            let pid: i32 = sqlx::query_scalar(BACKEND_PID)
                .fetch_one(&mut *conn)
                .await?;
            let pid = backend(pid)?;
            let server = process_ns_of(pid)?;
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
            watch.stop_with_server(total, total, pid, server)?
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
