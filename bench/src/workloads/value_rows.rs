//! `value_rows`: `rows1k`'s query with every column decoded into a dynamic `Value` (Quarry
//! only), folded into the same totals: what reading rows of unknown types costs next to the
//! typed decode of `rows1k`.

use quarry_driver::types::{Infinite, Value};
use rust_decimal::Decimal;

use super::rows1k::{ROWS, SQL, Totals};
use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "value_rows";

/// A row whose `Value`s are not of the variants expected.
fn wrong(what: &'static str) -> BenchError {
    BenchError::Check {
        workload: NAME,
        driver: "quarry",
        what: "Value variants",
        expected: what.to_owned(),
        got: "other variants".to_owned(),
    }
}

/// Runs `n` queries, every value decoded into a `Value`.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let mut totals = Totals::default();
    let conn = &mut conns.quarry;
    let watch = Stopwatch::start()?;
    for _ in 0..n {
        for r in &conn.fetch(SQL, &[]).await? {
            let (
                Value::Int(i4),
                Value::Int(i8),
                Value::Float(f8),
                Value::Text(t),
                Value::Bool(b),
                Value::TimestampTz(Infinite::Value(ts)),
                Value::Numeric(num),
            ) = (
                r.value(0)?,
                r.value(1)?,
                r.value(2)?,
                r.value(3)?,
                r.value(4)?,
                r.value(5)?,
                r.value(6)?,
            )
            else {
                return Err(wrong("int, int, float, text, bool, timestamptz, numeric"));
            };
            let num = Decimal::try_from(&num).map_err(|_| wrong("a Decimal"))?;
            let i4 = i32::try_from(i4).map_err(|_| wrong("an i32"))?;
            totals.add(i4, i8, f8, &t, b, ts, num);
        }
    }
    let sample = watch.stop(n, n * ROWS)?;
    check(
        NAME,
        driver.name(),
        "decoded totals",
        Totals::expected(n),
        totals,
    )?;
    Ok(sample)
}
