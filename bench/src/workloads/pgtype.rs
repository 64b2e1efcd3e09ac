//! `pgtype`: asyncpg's classic benchmark query — 12 columns of `pg_type` (name, oid, int2, bool,
//! `"char"`), all of its ~600 rows, every value decoded and folded into totals that must match
//! the server's own aggregates of the same columns.

use std::sync::OnceLock;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "pgtype";
const SQL: &str = "SELECT typname, typnamespace, typowner, typlen, typbyval, typcategory, \
                   typispreferred, typisdefined, typdelim, typrelid, typelem, typarray \
                   FROM pg_type";

/// The same totals, computed by the server (casts keep every sum exact and in range).
const EXPECTED_SQL: &str = "SELECT count(*)::int8, sum(octet_length(typname::text))::int8, \
     sum(typnamespace::int8 + typowner::int8 + typrelid::int8 + typelem::int8 + typarray::int8)::int8, \
     sum(typlen)::int8, \
     sum(typbyval::int4 + typispreferred::int4 * 2 + typisdefined::int4 * 4)::int8, \
     sum(ascii(typcategory::text) + ascii(typdelim::text))::int8 \
     FROM pg_type";

/// The server's totals for one query, read once in `setup`.
static ONE_QUERY: OnceLock<Totals> = OnceLock::new();

/// Everything decoded, folded so nothing can be optimized away.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Totals {
    rows: i64,
    name_len: i64,
    oids: i64,
    lens: i64,
    flags: i64,
    chars: i64,
}

impl Totals {
    #[allow(clippy::too_many_arguments)] // one argument per column of the query
    fn add(
        &mut self,
        name: &str,
        oids: [u32; 5],
        len: i16,
        byval: bool,
        category: i8,
        preferred: bool,
        defined: bool,
        delim: i8,
    ) {
        self.rows += 1;
        self.name_len += i64::try_from(name.len()).unwrap_or(i64::MAX);
        self.oids += oids.iter().map(|&o| i64::from(o)).sum::<i64>();
        self.lens += i64::from(len);
        self.flags += i64::from(byval) + i64::from(preferred) * 2 + i64::from(defined) * 4;
        self.chars += i64::from(category) + i64::from(delim);
    }

    fn times(self, n: u64) -> Totals {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        Totals {
            rows: self.rows * n,
            name_len: self.name_len * n,
            oids: self.oids * n,
            lens: self.lens * n,
            flags: self.flags * n,
            chars: self.chars * n,
        }
    }
}

/// Reads the server's totals for the query (untimed).
pub(super) async fn setup(conns: &mut Connections) -> Result<(), BenchError> {
    let row = conns.quarry.fetch_row(EXPECTED_SQL, &[]).await?;
    let row = row.ok_or(BenchError::Check {
        workload: NAME,
        driver: "quarry",
        what: "server totals",
        expected: "one row".into(),
        got: "none".into(),
    })?;
    let totals = Totals {
        rows: row.get(0)?,
        name_len: row.get(1)?,
        oids: row.get(2)?,
        lens: row.get(3)?,
        flags: row.get(4)?,
        chars: row.get(5)?,
    };
    ONE_QUERY.get_or_init(|| totals);
    Ok(())
}

/// The rows one query returns (for the per-row figures).
pub(super) fn rows_per_query() -> u64 {
    ONE_QUERY
        .get()
        .and_then(|t| u64::try_from(t.rows).ok())
        .unwrap_or(0)
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
                        r.get::<&str>(0)?,
                        [
                            r.get::<u32>(1)?,
                            r.get::<u32>(2)?,
                            r.get::<u32>(9)?,
                            r.get::<u32>(10)?,
                            r.get::<u32>(11)?,
                        ],
                        r.get::<i16>(3)?,
                        r.get::<bool>(4)?,
                        r.get::<i8>(5)?,
                        r.get::<bool>(6)?,
                        r.get::<bool>(7)?,
                        r.get::<i8>(8)?,
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
                        r.try_get::<_, &str>(0)?,
                        [
                            r.try_get::<_, u32>(1)?,
                            r.try_get::<_, u32>(2)?,
                            r.try_get::<_, u32>(9)?,
                            r.try_get::<_, u32>(10)?,
                            r.try_get::<_, u32>(11)?,
                        ],
                        r.try_get::<_, i16>(3)?,
                        r.try_get::<_, bool>(4)?,
                        r.try_get::<_, i8>(5)?,
                        r.try_get::<_, bool>(6)?,
                        r.try_get::<_, bool>(7)?,
                        r.try_get::<_, i8>(8)?,
                    );
                }
            }
        }
        Driver::Sqlx => {
            use sqlx::Row as _;
            use sqlx::postgres::types::Oid;
            let conn = &mut conns.sqlx;
            watch = Stopwatch::start()?;
            for _ in 0..n {
                for r in &sqlx::query(SQL).fetch_all(&mut *conn).await? {
                    totals.add(
                        r.try_get::<&str, _>(0)?,
                        [
                            r.try_get::<Oid, _>(1)?.0,
                            r.try_get::<Oid, _>(2)?.0,
                            r.try_get::<Oid, _>(9)?.0,
                            r.try_get::<Oid, _>(10)?.0,
                            r.try_get::<Oid, _>(11)?.0,
                        ],
                        r.try_get::<i16, _>(3)?,
                        r.try_get::<bool, _>(4)?,
                        r.try_get::<i8, _>(5)?,
                        r.try_get::<bool, _>(6)?,
                        r.try_get::<bool, _>(7)?,
                        r.try_get::<i8, _>(8)?,
                    );
                }
            }
        }
    }
    let sample = watch.stop(n, n * rows_per_query())?;
    let expected = ONE_QUERY.get().copied().unwrap_or_default().times(n);
    check(NAME, driver.name(), "decoded totals", expected, totals)?;
    Ok(sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_fold_every_column() {
        let mut t = Totals::default();
        t.add(
            "int4",
            [11, 10, 0, 0, 1007],
            4,
            true,
            b'N' as i8,
            false,
            true,
            b',' as i8,
        );
        assert_eq!(t.rows, 1);
        assert_eq!(t.name_len, 4);
        assert_eq!(t.oids, 1028);
        assert_eq!(t.flags, 5);
        assert_eq!(t.chars, i64::from(b'N') + i64::from(b','));
        assert_eq!(t.times(3).oids, 3 * 1028);
    }
}
