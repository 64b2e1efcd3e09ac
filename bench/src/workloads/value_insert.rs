//! `value_insert`: `insert`'s rows bound as dynamic `Value` parameters (Quarry only), the int4
//! column from a `Value::Int` (an `i64`, narrowed): what binding values of unknown types costs
//! next to the typed binding of `insert`.

use quarry_driver::Param;
use quarry_driver::types::Value;

use super::insert::{BATCH, FRESH_TABLE, SQL, check_table, rows};
use crate::drivers::{Connections, Driver};
use crate::error::BenchError;
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "value_insert";

/// Inserts `n` rows of `Value`s into a fresh table.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let data: Vec<[Value; 3]> = rows(n)?
        .into_iter()
        .map(|(a, b, c)| [Value::Int(i64::from(a)), Value::Text(b), Value::Float(c)])
        .collect();
    conns.quarry.execute(FRESH_TABLE, &[]).await?;
    let watch = Stopwatch::start()?;
    let mut tx = conns.quarry.transaction().await?;
    for chunk in data.chunks(BATCH) {
        let batch = chunk
            .iter()
            .map(|[a, b, c]| -> [Param<'_>; 3] { [a, b, c] });
        tx.execute_many(SQL, batch).await?;
    }
    tx.commit().await?;
    let sample = watch.stop(n, n)?;
    check_table(NAME, driver, conns, n, n).await?;
    Ok(sample)
}
