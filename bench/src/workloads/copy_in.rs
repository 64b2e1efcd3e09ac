//! `copy_in`: 1,000,000 rows of (int4, text, float8) into a fresh `bench_copy` with binary COPY.
//! Quarry: `copy_records_to_table` (tuples, column types learned from the table, each column's
//! type checked once, values encoded by their codecs). tokio-postgres: `BinaryCopyInWriter`, one
//! `write` per row with the types given up front — the like-for-like peer. sqlx has no typed
//! COPY encoder: a user with typed rows would format text or CSV, or write the binary format by
//! hand; the variant here is the latter (no type checks, no codecs, 64 kB chunks to
//! `copy_in_raw`), the floor for any client, labelled "hand-written binary" in the report and
//! not counted as a peer for the goals. The rows are built before the timed section.
//! Afterwards the table must hold exactly the rows sent, with the right sum.

use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

const NAME: &str = "copy_in";
const COPY: &str = "COPY bench_copy (a, b, c) FROM STDIN (FORMAT binary)";
const FRESH_TABLE: &str = "DROP TABLE IF EXISTS bench_copy; \
    CREATE TABLE bench_copy (a int4 NOT NULL, b text NOT NULL, c float8 NOT NULL)";
/// Bytes per CopyData chunk in the hand-written sqlx path.
const CHUNK: usize = 64 * 1024;

/// One row to copy.
type Row = (i32, String, f64);

/// The `n` rows every driver copies (built before the timed section).
fn rows(n: u64) -> Result<Vec<Row>, BenchError> {
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

/// Copies `n` rows with `driver` into a fresh table.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let data = rows(n)?;
    conns.quarry.execute(FRESH_TABLE, &[]).await?;
    let (sample, reported) = match driver {
        Driver::Quarry => {
            let watch = Stopwatch::start()?;
            let reported = conns
                .quarry
                .copy_records_to_table("bench_copy", data.iter(), &["a", "b", "c"], None)
                .await?;
            (watch.stop(n, n)?, reported)
        }
        Driver::TokioPostgres => {
            let watch = Stopwatch::start()?;
            let sink = conns.tokio_pg.copy_in(COPY).await?;
            let writer = BinaryCopyInWriter::new(sink, &[Type::INT4, Type::TEXT, Type::FLOAT8]);
            pin_mut!(writer);
            for (a, b, c) in &data {
                let row: [&(dyn ToSql + Sync); 3] = [a, b, c];
                writer.as_mut().write(&row).await?;
            }
            let reported = writer.finish().await?;
            (watch.stop(n, n)?, reported)
        }
        Driver::Sqlx => {
            let watch = Stopwatch::start()?;
            let mut copy = conns.sqlx.copy_in_raw(COPY).await?;
            let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 1024);
            buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0");
            for (a, b, c) in &data {
                buf.extend_from_slice(&3i16.to_be_bytes());
                buf.extend_from_slice(&4i32.to_be_bytes());
                buf.extend_from_slice(&a.to_be_bytes());
                let len = i32::try_from(b.len()).unwrap_or(i32::MAX);
                buf.extend_from_slice(&len.to_be_bytes());
                buf.extend_from_slice(b.as_bytes());
                buf.extend_from_slice(&8i32.to_be_bytes());
                buf.extend_from_slice(&c.to_be_bytes());
                if buf.len() >= CHUNK {
                    copy.send(std::mem::take(&mut buf)).await?;
                    buf.reserve(CHUNK + 1024);
                }
            }
            buf.extend_from_slice(&(-1i16).to_be_bytes());
            copy.send(buf).await?;
            let reported = copy.finish().await?;
            (watch.stop(n, n)?, reported)
        }
    };
    check(NAME, driver.name(), "rows reported copied", n, reported)?;
    let count: i64 = conns
        .quarry
        .fetch_val("SELECT count(*) FROM bench_copy", &[])
        .await?;
    check(
        NAME,
        driver.name(),
        "rows in table",
        i64::try_from(n).unwrap_or(-1),
        count,
    )?;
    let sum: i64 = conns
        .quarry
        .fetch_val("SELECT sum(a)::int8 FROM bench_copy", &[])
        .await?;
    let n = i64::try_from(n).unwrap_or(-1);
    check(NAME, driver.name(), "sum of a", n * (n + 1) / 2, sum)?;
    Ok(sample)
}
