//! COPY against a real server: text, csv and binary in and out with every option, sources and
//! outputs (readers, writers, paths, streams, callbacks), typed rows (`copy_records_to_table`,
//! the binary writer and reader, custom codecs), aborts, server errors with their line, dropped
//! futures, and 1,000,000-row round trips in bounded memory.

mod common;

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use quarry::copy::{
    CopyError, CopyFormat, CopyOptions, error_line, from_path, from_stream, to_fn, to_path,
};
use quarry::types::{BoxError, Custom, TypeCodec};
use quarry::{Connection, Error};

async fn table(conn: &mut Connection, name: &str) {
    conn.execute(
        &format!("CREATE TABLE {name} (a int4, b text, c float8)"),
        &[],
    )
    .await
    .unwrap();
}

async fn count(conn: &mut Connection, table: &str) -> i64 {
    conn.fetch_val(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
}

#[tokio::test]
async fn text_csv_and_binary_round_trips() {
    let mut conn = common::connect().await;
    table(&mut conn, "src").await;
    table(&mut conn, "dst").await;
    conn.execute(
        "INSERT INTO src SELECT i, 'row ' || i, i / 4.0 FROM generate_series(1, 100) i; \
         INSERT INTO src VALUES (NULL, NULL, NULL), (0, E'tab\\there, \"quoted\"\\nnewline', 0)",
        &[],
    )
    .await
    .unwrap();
    for opts in [
        CopyOptions::new(),
        CopyOptions::csv(),
        CopyOptions::binary(),
    ] {
        conn.execute("TRUNCATE dst", &[]).await.unwrap();
        let mut out = Vec::new();
        let n = conn.copy_from_table("src", &mut out, &opts).await.unwrap();
        assert_eq!(n, 102);
        let n = conn.copy_to_table("dst", &out[..], &opts).await.unwrap();
        assert_eq!(n, 102);
        let same: bool = conn
            .fetch_val(
                "SELECT (SELECT array_agg(s ORDER BY a, b) FROM src s)::text = \
                 (SELECT array_agg(d ORDER BY a, b) FROM dst d)::text",
                &[],
            )
            .await
            .unwrap();
        assert!(same, "{:?}", opts.data_format());
    }
}

#[tokio::test]
async fn every_option_reaches_the_server() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE SCHEMA s; CREATE TABLE s.\"My T\" (a int4, b text, c text)",
        &[],
    )
    .await
    .unwrap();
    let data = "h1;h2;h3\n1;'x;y';NULL\n2;'';'NULL'\n3;'q''q';z\n";
    let opts = CopyOptions::new()
        .format(CopyFormat::Csv)
        .schema("s")
        .columns(["a", "b", "c"])
        .delimiter(';')
        .null("NULL")
        .header(true)
        .quote('\'')
        .escape('\'')
        .force_not_null(["b"])
        .force_null(["c"])
        .encoding("UTF8")
        .where_clause("a > 1");
    let n = conn
        .copy_to_table("My T", data.as_bytes(), &opts)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let rows = conn
        .fetch("SELECT a, b, c FROM s.\"My T\" ORDER BY a", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    // FORCE_NOT_NULL: '' stays an empty string; FORCE_NULL: quoted 'NULL' is NULL.
    assert_eq!(rows[0].get::<Option<&str>>("b").unwrap(), Some(""));
    assert_eq!(rows[0].get::<Option<&str>>("c").unwrap(), None);
    assert_eq!(rows[1].get::<&str>("b").unwrap(), "q'q");

    // FREEZE needs the table created or truncated in the same transaction.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("TRUNCATE s.\"My T\"", &[]).await.unwrap();
    let opts = CopyOptions::new().schema("s").freeze(true);
    tx.copy_to_table("My T", &b"7\tx\ty\n"[..], &opts)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut out = Vec::new();
    let opts = CopyOptions::csv()
        .schema("s")
        .columns(["a", "b"])
        .force_quote(["b"])
        .delimiter('|')
        .header(true);
    conn.copy_from_table("My T", &mut out, &opts).await.unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "a|b\n7|\"x\"\n");
    let mut out = Vec::new();
    let opts = CopyOptions::csv().schema("s").force_quote_all().null("-");
    conn.execute("UPDATE s.\"My T\" SET c = NULL", &[])
        .await
        .unwrap();
    conn.copy_from_table("My T", &mut out, &opts).await.unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "\"7\",\"x\",-\n");
}

#[tokio::test]
async fn copy_from_query_inlines_parameters() {
    let mut conn = common::connect().await;
    let mut out = Vec::new();
    let n = conn
        .copy_from_query(
            "SELECT $1::text AS t, i FROM generate_series(1, $2) i WHERE $3::int4 IS NULL",
            &[&"it's a \\ test", &3i32, &None::<i32>],
            &mut out,
            &CopyOptions::csv(),
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "it's a \\ test,1\nit's a \\ test,2\nit's a \\ test,3\n"
    );
    let bad = conn
        .copy_from_query("SELECT $1::int4", &[], &mut Vec::new(), &CopyOptions::new())
        .await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn paths_streams_and_callbacks() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "1,a,0.5\n2,b,1.5\n").unwrap();
    let n = conn
        .copy_to_table("t", from_path(&path), &CopyOptions::csv())
        .await
        .unwrap();
    assert_eq!(n, 2);
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(Bytes::from_static(b"3,c,")),
        Ok(Bytes::from_static(b"2.5\n")),
    ]);
    conn.copy_to_table("t", from_stream(chunks), &CopyOptions::csv())
        .await
        .unwrap();
    let out_path = dir.path().join("out.txt");
    let n = conn
        .copy_from_table("t", to_path(&out_path), &CopyOptions::new())
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "1\ta\t0.5\n2\tb\t1.5\n3\tc\t2.5\n"
    );
    let mut seen = Vec::new();
    conn.copy_from_table(
        "t",
        to_fn(|chunk: Bytes| {
            seen.push(chunk);
            async { Ok::<_, std::io::Error>(()) }
        }),
        &CopyOptions::csv().columns(["a"]),
    )
    .await
    .unwrap();
    assert_eq!(seen, vec!["1\n", "2\n", "3\n"]);
    let stream = conn
        .copy_from_table_stream("t", &CopyOptions::csv().columns(["b"]))
        .await
        .unwrap();
    let chunks: Vec<Bytes> = stream.map(Result::unwrap).collect().await;
    assert_eq!(chunks, vec!["a\n", "b\n", "c\n"]);
    let stream = conn
        .copy_from_query_stream("SELECT $1::int4", &[&5i32], &CopyOptions::new())
        .await
        .unwrap();
    let chunks: Vec<Bytes> = stream.map(Result::unwrap).collect().await;
    assert_eq!(chunks, vec!["5\n"]);
}

#[tokio::test]
async fn records_tuples_options_where_and_nulls() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    let rows = (1..=10).map(|i| (i, format!("n{i}"), f64::from(i) * 0.5));
    let n = conn
        .copy_records_to_table("t", rows, &["a", "b", "c"], Some("a % 2 = 0"))
        .await
        .unwrap();
    assert_eq!(n, 5);
    // Every column of the table, in table order; NULLs through Option.
    let rows = vec![
        (Some(100i32), None::<&str>, Some(1.0f64)),
        (None, Some("x"), None),
    ];
    conn.copy_records_to_table("t", rows, &[], None)
        .await
        .unwrap();
    // Columns in another order; a 12-tuple; dynamic rows.
    conn.copy_records_to_table("t", [("y", 200i32)], &["b", "a"], None)
        .await
        .unwrap();
    conn.execute(
        "CREATE TABLE wide (c1 int2, c2 int4, c3 int8, c4 float4, c5 float8, c6 text, c7 bool, \
         c8 bytea, c9 date, c10 int4[], c11 text, c12 numeric)",
        &[],
    )
    .await
    .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let wide = (
        1i16,
        2i32,
        3i64,
        4.5f32,
        5.5f64,
        "six",
        true,
        vec![8u8],
        day,
        vec![10i32, 11],
        String::from("eleven"),
        rust_decimal::Decimal::new(1234, 2),
    );
    conn.copy_records_to_table("wide", [wide], &[], None)
        .await
        .unwrap();
    let row = conn
        .fetch_row("SELECT * FROM wide", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<i32>>("c10").unwrap(), vec![10, 11]);
    assert_eq!(row.get::<chrono::NaiveDate>("c9").unwrap(), day);
    let dynamic: Vec<Vec<quarry::Param>> = vec![vec![&300i32, &"dyn", &0.25f64]];
    conn.copy_records_to_table("t", dynamic, &["a", "b", "c"], None)
        .await
        .unwrap();
    let sum: i64 = conn
        .fetch_val("SELECT sum(a)::int8 FROM t", &[])
        .await
        .unwrap();
    assert_eq!(sum, 2 + 4 + 6 + 8 + 10 + 100 + 200 + 300);

    // Rows that do not fit: the wrong arity, the wrong type; the COPY is aborted, nothing stays.
    let bad = conn
        .copy_records_to_table("t", [(1i32, "x")], &["a", "b", "c"], None)
        .await
        .unwrap_err();
    assert!(
        matches!(bad, Error::Copy(ref e) if matches!(**e, CopyError::ColumnCount { row: 1, .. })),
        "{bad}"
    );
    let bad = conn
        .copy_records_to_table(
            "t",
            [(1i32,), (2,)].iter().map(|r| (r.0, 5i32)),
            &["a", "b"],
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(bad, Error::Copy(ref e) if matches!(**e, CopyError::ColumnType { row: 1, .. })),
        "{bad}"
    );
    assert_eq!(count(&mut conn, "t").await, 9);
}

#[tokio::test]
async fn records_through_custom_codecs_binary_and_text() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE m (id int4, amount numeric, v int4)", &[])
        .await
        .unwrap();
    // A text-format codec: binary COPY cannot carry it directly (asyncpg #604).
    conn.set_type_codec(
        "numeric",
        TypeCodec::text(
            |x: &f64| -> Result<String, BoxError> { Ok(x.to_string()) },
            |s: &str| -> Result<f64, BoxError> { Ok(s.parse()?) },
        ),
    )
    .await
    .unwrap();
    let rows = (1..=3).map(|i| (i, Custom(f64::from(i) + 0.25), i));
    let n = conn
        .copy_records_to_table("m", rows, &["id", "amount", "v"], Some("id <> 2"))
        .await
        .unwrap();
    assert_eq!(n, 2);
    let total: String = conn
        .fetch_val("SELECT sum(amount)::text FROM m", &[])
        .await
        .unwrap();
    assert_eq!(total, "4.50");
    // No staging table is left behind.
    let temps: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'quarry_copy_%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(temps, 0);

    // A binary codec goes straight through.
    conn.execute("CREATE TABLE b (x int4)", &[]).await.unwrap();
    conn.set_type_codec(
        "int4",
        TypeCodec::binary(
            |x: &u8| -> Result<Vec<u8>, BoxError> { Ok(i32::from(*x).to_be_bytes().to_vec()) },
            |raw: &[u8]| -> Result<u8, BoxError> {
                Ok(u8::try_from(i32::from_be_bytes(raw.try_into()?))?)
            },
        ),
    )
    .await
    .unwrap();
    conn.copy_records_to_table("b", [(Custom(7u8),), (Custom(9u8),)], &[], None)
        .await
        .unwrap();
    let sum: i64 = conn
        .fetch_val("SELECT sum(x)::int8 FROM b", &[])
        .await
        .unwrap();
    assert_eq!(sum, 16);
}

#[tokio::test]
async fn binary_writer_and_reader() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    let mut writer = conn
        .binary_copy_in("t", &CopyOptions::new().columns(["a", "b"]))
        .await
        .unwrap();
    for i in 0..5000 {
        writer.write(&(i, format!("r{i}"))).await.unwrap();
    }
    // A bad row is left out; the COPY goes on.
    assert!(writer.write(&(1i32, 2i32)).await.is_err());
    assert_eq!(writer.finish().await.unwrap(), 5000);

    let mut reader = conn
        .binary_copy_out("t", &CopyOptions::new().columns(["b", "a", "c"]))
        .await
        .unwrap();
    let mut n = 0i64;
    let mut sum = 0i64;
    while let Some(row) = reader.next().await.unwrap() {
        let b: &str = row.get(0).unwrap();
        let a: i32 = row.get(1).unwrap();
        assert_eq!(b, format!("r{a}"));
        assert_eq!(row.get::<Option<f64>>(2).unwrap(), None);
        n += 1;
        sum += i64::from(a);
    }
    assert_eq!((n, sum), (5000, 4999 * 5000 / 2));
    let mut reader = conn
        .binary_copy_out_query(
            "SELECT a * $1 AS x FROM t WHERE a < 3 ORDER BY a",
            &[&10i32],
        )
        .await
        .unwrap();
    let mut xs = Vec::new();
    while let Some(row) = reader.next().await.unwrap() {
        xs.push(row.get::<i32>(0).unwrap());
    }
    assert_eq!(xs, vec![0, 10, 20]);

    // A writer dropped midway: the COPY is aborted, nothing inserted, the connection works.
    let mut writer = conn.binary_copy_in("t", &CopyOptions::new()).await.unwrap();
    for i in 0..20_000 {
        writer.write(&(i, "x", 1.0f64)).await.unwrap();
    }
    drop(writer);
    assert_eq!(count(&mut conn, "t").await, 5000);
    // A reader dropped midway.
    let mut reader = conn
        .binary_copy_out("t", &CopyOptions::new())
        .await
        .unwrap();
    reader.next().await.unwrap().unwrap();
    drop(reader);
    assert_eq!(count(&mut conn, "t").await, 5000);
}

#[tokio::test]
async fn source_error_aborts_with_copy_fail() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    let chunks = futures_util::stream::iter(vec![
        Ok(Bytes::from_static(b"1\ta\t1\n")),
        Err(std::io::Error::other("disk on fire")),
    ]);
    let err = conn
        .copy_to_table("t", from_stream(chunks), &CopyOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Copy(ref e) if matches!(**e, CopyError::Source(_))),
        "{err}"
    );
    assert!(err.to_string().contains("disk on fire"));
    assert_eq!(count(&mut conn, "t").await, 0);
    // A stream of rows failing midway.
    let rows = futures_util::stream::iter(vec![
        Ok((1i32, "a", 1.0f64)),
        Err(std::io::Error::other("bad row")),
    ]);
    let err = conn
        .copy_record_stream_to_table("t", rows, &CopyOptions::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bad row"));
    assert_eq!(count(&mut conn, "t").await, 0);
    // Inside a transaction the COPY's failure fails the transaction, which rolls back cleanly.
    let mut tx = conn.transaction().await.unwrap();
    let bad = futures_util::stream::iter(vec![Err::<Bytes, _>(std::io::Error::other("x"))]);
    assert!(
        tx.copy_to_table("t", from_stream(bad), &CopyOptions::new())
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();
    assert_eq!(count(&mut conn, "t").await, 0);
}

#[tokio::test]
async fn server_error_reports_its_line() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    let data = "1\ta\t1\n2\tb\t2\nthree\tc\t3\n4\td\t4\n";
    let err = conn
        .copy_to_table("t", data.as_bytes(), &CopyOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.code().map(|c| c.code().to_owned()).as_deref(),
        Some("22P02")
    );
    assert_eq!(error_line(&err), Some(3));
    assert_eq!(count(&mut conn, "t").await, 0);
    // An error far into a large COPY is noticed while sending and reported with its line.
    let mut data = String::new();
    for i in 1..=200_000 {
        if i == 150_000 {
            data.push_str("oops\tx\t1\n");
        } else {
            data.push_str(&format!("{i}\tx\t1\n"));
        }
    }
    let err = conn
        .copy_to_table("t", data.as_bytes(), &CopyOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error_line(&err), Some(150_000));
    // Errors before the COPY starts, and a statement that is no COPY.
    assert!(
        conn.copy_to_table("nope", &b""[..], &CopyOptions::new())
            .await
            .is_err()
    );
    let err = conn.copy_in_raw("SELECT 1", &b""[..]).await.unwrap_err();
    assert!(matches!(err, Error::Copy(ref e) if matches!(**e, CopyError::NotCopy { .. })));
    let err = conn
        .copy_in_raw("COPY t TO STDOUT", &b""[..])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Copy(_)));
    let err = conn
        .copy_out_raw("COPY t FROM STDIN", Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Copy(_)));
    assert_eq!(
        conn.fetch_val::<i32>("SELECT 41 + 1", &[]).await.unwrap(),
        42
    );
}

#[tokio::test]
async fn dropped_copy_futures_leave_the_connection_usable() {
    let mut conn = common::connect().await;
    table(&mut conn, "t").await;
    // COPY IN whose source stalls after some data: dropped by a timeout.
    let stalled = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(
        b"1\ta\t1\n",
    ))])
    .chain(futures_util::stream::pending());
    let opts = CopyOptions::new();
    let copy = conn.copy_to_table("t", from_stream(stalled), &opts);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), copy)
            .await
            .is_err()
    );
    assert_eq!(count(&mut conn, "t").await, 0);
    // The same inside a transaction: the transaction is failed, rollback works.
    conn.execute("BEGIN", &[]).await.unwrap();
    let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
    let opts = CopyOptions::new();
    let copy = conn.copy_to_table("t", from_stream(stalled), &opts);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), copy)
            .await
            .is_err()
    );
    assert!(conn.execute("SELECT 1", &[]).await.is_err());
    conn.execute("ROLLBACK", &[]).await.unwrap();
    // COPY OUT dropped midway (a stream dropped after one chunk, a slow sink timed out).
    conn.execute(
        "INSERT INTO t SELECT i, 'x', 0 FROM generate_series(1, 50000) i",
        &[],
    )
    .await
    .unwrap();
    {
        let mut stream = std::pin::pin!(
            conn.copy_from_table_stream("t", &CopyOptions::new())
                .await
                .unwrap()
        );
        stream.next().await.unwrap().unwrap();
    }
    assert_eq!(count(&mut conn, "t").await, 50000);
    let slow = to_fn(|_chunk: Bytes| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok::<_, std::io::Error>(())
    });
    let opts = CopyOptions::new();
    let copy = conn.copy_from_table("t", slow, &opts);
    assert!(
        tokio::time::timeout(Duration::from_millis(120), copy)
            .await
            .is_err()
    );
    assert_eq!(count(&mut conn, "t").await, 50000);
    // A failing sink: the rest is drained and the error returned.
    let failing = to_fn(|_chunk: Bytes| async { Err::<(), _>(std::io::Error::other("full")) });
    let err = conn
        .copy_from_table("t", failing, &CopyOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Copy(ref e) if matches!(**e, CopyError::Output(_))));
    assert_eq!(count(&mut conn, "t").await, 50000);
}

/// Peak memory of the 1,000,000-row round trips, run in a child process (this test binary, with
/// `QUARRY_COPY_CHILD` set) so that other tests' allocations do not count.
#[tokio::test]
async fn million_row_round_trips_in_bounded_memory() {
    let db = common::fresh_db().await;
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "million_row_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QUARRY_COPY_CHILD", db.dsn())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    let line = stdout.lines().find(|l| l.contains("rss growth"));
    assert!(line.is_some(), "child did not run:\n{stdout}");
    println!("{}", line.unwrap_or_default());
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn million_row_child() {
    let Ok(dsn) = std::env::var("QUARRY_COPY_CHILD") else {
        return;
    };
    const N: i32 = 1_000_000;
    let mut conn = quarry::connect(&dsn).await.unwrap();
    table(&mut conn, "big").await;
    table(&mut conn, "back").await;
    let dir = tempfile::tempdir().unwrap();
    let base = status_kb("VmRSS:");
    let rows = (1..=N).map(|i| (i, format!("row number {i}"), f64::from(i) * 0.5));
    let n = conn
        .copy_records_to_table("big", rows, &["a", "b", "c"], None)
        .await
        .unwrap();
    assert_eq!(n, 1_000_000);
    for (name, opts) in [
        ("text", CopyOptions::new()),
        ("csv", CopyOptions::csv()),
        ("binary", CopyOptions::binary()),
    ] {
        let path = dir.path().join(name);
        let out = conn
            .copy_from_table("big", to_path(&path), &opts)
            .await
            .unwrap();
        assert_eq!(out, 1_000_000);
        conn.execute("TRUNCATE back", &[]).await.unwrap();
        let back = conn
            .copy_to_table("back", from_path(&path), &opts)
            .await
            .unwrap();
        assert_eq!(back, 1_000_000, "{name}");
        let sum: f64 = conn
            .fetch_val("SELECT sum(c) FROM back", &[])
            .await
            .unwrap();
        assert_eq!(sum, f64::from(N) * f64::from(N + 1) / 4.0, "{name}");
        std::fs::remove_file(&path).unwrap();
    }
    // And through the binary reader, row by row.
    let mut reader = conn
        .binary_copy_out("big", &CopyOptions::new())
        .await
        .unwrap();
    let mut seen = 0u64;
    while let Some(row) = reader.next().await.unwrap() {
        let _: &str = row.get(1).unwrap();
        seen += 1;
    }
    assert_eq!(seen, 1_000_000);
    let peak = status_kb("VmHWM:");
    let growth_mb = peak.saturating_sub(base) / 1024;
    println!("rss growth {growth_mb} MB (base {base} kB, peak {peak} kB)");
    assert!(growth_mb < 64, "peak RSS grew by {growth_mb} MB");
}

#[tokio::test]
async fn timeouts_cancel_a_copy_and_leave_the_connection_usable() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let mut locker = db.connect().await;
    table(&mut conn, "t").await;

    // COPY FROM waiting on a lock: the per-call timeout cancels it on the server.
    locker
        .execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE", &[])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let err = conn
        .timeout(Duration::from_millis(300))
        .copy_to_table("t", &b"1,a,1.5\n"[..], &CopyOptions::csv())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);

    // command_timeout covers typed COPY too (here blocked while learning the column types).
    conn.set_command_timeout(Some(Duration::from_millis(300)));
    let err = conn
        .copy_records_to_table("t", [(1i32, "a", 1.5f64)], &["a", "b", "c"], None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    conn.set_command_timeout(None);
    assert_eq!(conn.fetch_val::<i32>("SELECT 2", &[]).await.unwrap(), 2);
    locker.execute("COMMIT", &[]).await.unwrap();

    // A COPY FROM whose source stalls: aborted with CopyFail, nothing inserted.
    let stalled =
        futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"1,a,1.5\n"))])
            .chain(futures_util::stream::pending());
    let err = conn
        .timeout(Duration::from_millis(300))
        .copy_to_table("t", from_stream(stalled), &CopyOptions::csv())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(count(&mut conn, "t").await, 0);

    // COPY TO of a slow query: cancelled, and the next query answers at once.
    let mut out = Vec::new();
    let started = std::time::Instant::now();
    let err = conn
        .timeout(Duration::from_millis(300))
        .copy_from_query(
            "SELECT n FROM generate_series(1, 3) n, pg_sleep(10)",
            &[],
            &mut out,
            &CopyOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 3", &[]).await.unwrap(), 3);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Within the limit, a timed COPY works as usual.
    let n = conn
        .timeout(Duration::from_secs(30))
        .copy_records_to_table(
            "t",
            (1..=100).map(|i| (i, "x", 0.5)),
            &["a", "b", "c"],
            None,
        )
        .await
        .unwrap();
    assert_eq!(n, 100);
    assert_eq!(count(&mut conn, "t").await, 100);
}

#[derive(quarry::CopyRow)]
struct Reading {
    sensor: i32,
    label: Option<String>,
    #[quarry(skip)]
    #[allow(dead_code)]
    note: &'static str,
    value: f64,
}

#[tokio::test]
async fn derived_structs_are_copy_rows() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TABLE readings(sensor int4, label text, value float8)",
        &[],
    )
    .await
    .unwrap();
    let rows = (0..1000).map(|i| Reading {
        sensor: i,
        label: (i % 2 == 0).then(|| format!("r{i}")),
        note: "not copied",
        value: f64::from(i) / 4.0,
    });
    let n = conn
        .copy_records_to_table("readings", rows, &["sensor", "label", "value"], None)
        .await
        .unwrap();
    assert_eq!(n, 1000);
    let row = conn
        .fetch_row(
            "SELECT count(*), count(label), sum(value) FROM readings",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 1000);
    assert_eq!(row.get::<i64>(1).unwrap(), 500);
    assert_eq!(row.get::<f64>(2).unwrap(), 124_875.0);
}
