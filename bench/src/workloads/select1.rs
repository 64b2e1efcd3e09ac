//! `select1`: sequential `SELECT 1` round trips, each driver through its cached prepared
//! statement; the sum of the answers must equal the number of queries.

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const SQL: &str = "SELECT 1";
const NAME: &str = "select1";

/// Runs `n` queries with `driver`.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let mut sum: u64 = 0;
    let sample = match driver {
        Driver::Quarry => {
            let conn = &mut conns.quarry;
            let watch = Stopwatch::start()?;
            for _ in 0..n {
                let v = conn.fetch_val::<i32>(SQL, &[]).await?;
                sum += u64::from(v.unsigned_abs());
            }
            watch.stop(n, n)?
        }
        Driver::TokioPostgres => {
            let client = &conns.tokio_pg;
            let stmt = client.prepare(SQL).await?;
            let watch = Stopwatch::start()?;
            for _ in 0..n {
                let row = client.query_one(&stmt, &[]).await?;
                let v: i32 = row.try_get(0)?;
                sum += u64::from(v.unsigned_abs());
            }
            watch.stop(n, n)?
        }
        Driver::Sqlx => {
            let conn = &mut conns.sqlx;
            let watch = Stopwatch::start()?;
            for _ in 0..n {
                let v = sqlx::query_scalar::<_, i32>(SQL)
                    .fetch_one(&mut *conn)
                    .await?;
                sum += u64::from(v.unsigned_abs());
            }
            watch.stop(n, n)?
        }
    };
    check(NAME, driver.name(), "sum of results", n, sum)?;
    Ok(sample)
}
