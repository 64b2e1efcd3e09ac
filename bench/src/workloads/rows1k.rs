//! `rows1k`: a query returning the 1,000 rows of `bench_rows` (int4, int8, float8, text, bool,
//! timestamptz, numeric), every column of every row decoded — timestamptz as chrono's
//! `DateTime<Utc>`, numeric as `rust_decimal::Decimal` in every driver — and folded into totals
//! that must match the table's.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "rows1k";
pub(super) const SQL: &str = "SELECT i4, i8, f8, t, b, ts, n FROM bench_rows";
/// Rows in `bench_rows`.
pub(super) const ROWS: u64 = 1_000;

const SETUP: &str = "DROP TABLE IF EXISTS bench_rows;
CREATE TABLE bench_rows (i4 int4 NOT NULL, i8 int8 NOT NULL, f8 float8 NOT NULL, t text NOT NULL, b bool NOT NULL,
  ts timestamptz NOT NULL, n numeric(14, 3) NOT NULL);
INSERT INTO bench_rows
  SELECT g, g::int8 * 1000000007, (g * 0.5)::float8, 'row-' || g || repeat('x', g % 32), g % 2 = 0,
         '2000-01-01 00:00:00+00'::timestamptz + g * interval '1.000007 seconds', g * 1234.567
  FROM generate_series(1, 1000) AS g;
ANALYZE bench_rows";

/// Creates and fills `bench_rows`.
pub(super) async fn setup(conns: &mut Connections) -> Result<(), BenchError> {
    conns.quarry.execute(SETUP, &[]).await?;
    Ok(())
}

/// Everything decoded, folded so nothing can be optimized away.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Totals {
    rows: u64,
    i4: i64,
    i8: i64,
    f8: f64,
    text_len: u64,
    trues: u64,
    micros: i64,
    n: Decimal,
}

impl Totals {
    #[allow(clippy::too_many_arguments)] // one argument per column of the query
    pub(super) fn add(
        &mut self,
        i4: i32,
        i8: i64,
        f8: f64,
        t: &str,
        b: bool,
        ts: DateTime<Utc>,
        n: Decimal,
    ) {
        self.rows += 1;
        self.i4 += i64::from(i4);
        self.i8 = self.i8.wrapping_add(i8);
        self.f8 += f8;
        self.text_len += t.len() as u64;
        self.trues += u64::from(b);
        self.micros = self.micros.wrapping_add(ts.timestamp_micros());
        self.n += n;
    }

    /// What `queries` reads of the whole table add up to, from the formulas in `SETUP`.
    pub(super) fn expected(queries: u64) -> Totals {
        let mut one = Totals::default();
        for g in 1..=1_000i32 {
            let text = format!(
                "row-{g}{}",
                "x".repeat(usize::try_from(g % 32).unwrap_or(0))
            );
            one.add(
                g,
                i64::from(g) * 1_000_000_007,
                f64::from(g) * 0.5,
                &text,
                g % 2 == 0,
                // 2000-01-01 UTC, plus g times 1.000007 s.
                DateTime::from_timestamp_micros(946_684_800_000_000 + i64::from(g) * 1_000_007)
                    .unwrap_or_default(),
                Decimal::new(i64::from(g) * 1_234_567, 3),
            );
        }
        let mut all = Totals::default();
        for _ in 0..queries {
            all.rows += one.rows;
            all.i4 += one.i4;
            all.i8 = all.i8.wrapping_add(one.i8);
            all.f8 += one.f8;
            all.text_len += one.text_len;
            all.trues += one.trues;
            all.micros = all.micros.wrapping_add(one.micros);
            all.n += one.n;
        }
        all
    }
}

/// Runs `n` queries with `driver`.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let mut totals = Totals::default();
    let watch;
    match driver {
        Driver::Quarry => {
            let conn = &mut conns.quarry;
            watch = Stopwatch::start()?;
            for _ in 0..n {
                for r in &conn.fetch(SQL, &[]).await? {
                    totals.add(
                        r.get::<i32>(0)?,
                        r.get::<i64>(1)?,
                        r.get::<f64>(2)?,
                        r.get::<&str>(3)?,
                        r.get::<bool>(4)?,
                        r.get::<DateTime<Utc>>(5)?,
                        r.get::<Decimal>(6)?,
                    );
                }
            }
        }
        Driver::TokioPostgres => {
            let client = &conns.tokio_pg;
            let stmt = client.prepare(SQL).await?;
            watch = Stopwatch::start()?;
            for _ in 0..n {
                for r in &client.query(&stmt, &[]).await? {
                    totals.add(
                        r.try_get::<_, i32>(0)?,
                        r.try_get::<_, i64>(1)?,
                        r.try_get::<_, f64>(2)?,
                        r.try_get::<_, &str>(3)?,
                        r.try_get::<_, bool>(4)?,
                        r.try_get::<_, DateTime<Utc>>(5)?,
                        r.try_get::<_, Decimal>(6)?,
                    );
                }
            }
        }
        Driver::Sqlx => {
            use sqlx::Row as _;
            let conn = &mut conns.sqlx;
            watch = Stopwatch::start()?;
            for _ in 0..n {
                for r in &sqlx::query(SQL).fetch_all(&mut *conn).await? {
                    totals.add(
                        r.try_get::<i32, _>(0)?,
                        r.try_get::<i64, _>(1)?,
                        r.try_get::<f64, _>(2)?,
                        r.try_get::<&str, _>(3)?,
                        r.try_get::<bool, _>(4)?,
                        r.try_get::<DateTime<Utc>, _>(5)?,
                        r.try_get::<Decimal, _>(6)?,
                    );
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_totals_scale_with_queries() {
        let one = Totals::expected(1);
        assert_eq!(one.rows, 1_000);
        assert_eq!(one.i4, 500_500);
        assert_eq!(one.trues, 500);
        assert_eq!(Totals::expected(3).i4, 3 * 500_500);
        assert_eq!(one.n, Decimal::new(500_500 * 1_234_567, 3));
    }
}
