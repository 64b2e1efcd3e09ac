//! `insert`: single-row INSERTs of (int4, text, float8) into a fresh `bench_insert`, each driver
//! in its fastest non-COPY way, all inside one transaction so the server does the same work:
//! Quarry pipelines 1,000 rows per `execute_many`; tokio-postgres pipelines 1,000 concurrent
//! `execute` futures (`join_all`); sqlx cannot pipeline, so it awaits one `execute` per row.
//! Afterwards the table must hold exactly the rows sent, with the right sum.

use futures_util::future::join_all;
use quarry_driver::Param;
use tokio_postgres::types::ToSql;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "insert";
pub(super) const SQL: &str = "INSERT INTO bench_insert (a, b, c) VALUES ($1, $2, $3)";
pub(super) const FRESH_TABLE: &str = "DROP TABLE IF EXISTS bench_insert; \
    CREATE TABLE bench_insert (a int4 NOT NULL, b text NOT NULL, c float8 NOT NULL)";
/// Rows per pipelined batch (Quarry and tokio-postgres).
pub(super) const BATCH: usize = 1_000;

/// One row to insert.
pub(super) type Row = (i32, String, f64);

/// The `n` rows every driver inserts (built before the timed section).
pub(super) fn rows(n: u64) -> Result<Vec<Row>, BenchError> {
    let n = i32::try_from(n).map_err(|_| BenchError::Check {
        workload: NAME,
        driver: "-",
        what: "row count fits int4",
        expected: format!("<= {}", i32::MAX),
        got: n.to_string(),
    })?;
    Ok((1..=n)
        .map(|i| (i, format!("name-{i:08}"), f64::from(i) * 0.25))
        .collect())
}

/// Inserts `n` rows with `driver` into a fresh table.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let data = rows(n)?;
    conns.quarry.execute(FRESH_TABLE, &[]).await?;
    let mut reported: u64 = 0;
    let sample = match driver {
        Driver::Quarry => {
            let watch = Stopwatch::start()?;
            let mut tx = conns.quarry.transaction().await?;
            for chunk in data.chunks(BATCH) {
                let batch = chunk
                    .iter()
                    .map(|(a, b, c)| -> [Param<'_>; 3] { [a, b, c] });
                tx.execute_many(SQL, batch).await?;
            }
            tx.commit().await?;
            // execute_many reports no per-row counts: the table count below is the check.
            reported = n;
            watch.stop(n, n)?
        }
        Driver::TokioPostgres => {
            let stmt = conns.tokio_pg.prepare(SQL).await?;
            let watch = Stopwatch::start()?;
            let tx = conns.tokio_pg.transaction().await?;
            for chunk in data.chunks(BATCH) {
                let params: Vec<[&(dyn ToSql + Sync); 3]> = chunk
                    .iter()
                    .map(|(a, b, c)| -> [&(dyn ToSql + Sync); 3] { [a, b, c] })
                    .collect();
                for result in join_all(params.iter().map(|p| tx.execute(&stmt, p))).await {
                    reported += result?;
                }
            }
            tx.commit().await?;
            watch.stop(n, n)?
        }
        Driver::Sqlx => {
            use sqlx::Connection as _;
            let watch = Stopwatch::start()?;
            let mut tx = conns.sqlx.begin().await?;
            for (a, b, c) in &data {
                let done = sqlx::query(SQL)
                    .bind(*a)
                    .bind(b.as_str())
                    .bind(*c)
                    .execute(&mut *tx)
                    .await?;
                reported += done.rows_affected();
            }
            tx.commit().await?;
            watch.stop(n, n)?
        }
    };
    check_table(NAME, driver, conns, n, reported).await?;
    Ok(sample)
}

/// Checks that `bench_insert` holds exactly the `n` rows of [`rows`] (and that `reported` says
/// so too).
pub(super) async fn check_table(
    name: &'static str,
    driver: Driver,
    conns: &mut Connections,
    n: u64,
    reported: u64,
) -> Result<(), BenchError> {
    check(name, driver.name(), "rows reported inserted", n, reported)?;
    let count: i64 = conns
        .quarry
        .fetch_val("SELECT count(*) FROM bench_insert", &[])
        .await?;
    check(
        name,
        driver.name(),
        "rows in table",
        i64::try_from(n).unwrap_or(-1),
        count,
    )?;
    let sum: i64 = conns
        .quarry
        .fetch_val("SELECT sum(a)::int8 FROM bench_insert", &[])
        .await?;
    let n = i64::try_from(n).unwrap_or(-1);
    check(name, driver.name(), "sum of a", n * (n + 1) / 2, sum)
}
