//! Prepared statements and the per-connection statement cache: one Parse per SQL text, LRU
//! eviction that closes server statements, size and lifetime limits, cache off for pgbouncer,
//! and recovery from stale plans and vanished statements.

mod common;

use quarry::Param;

async fn server_statements(conn: &mut quarry::Connection) -> i64 {
    conn.fetch_val("SELECT count(*) FROM pg_prepared_statements", &[])
        .await
        .unwrap()
}

#[tokio::test]
async fn statements_are_prepared_once_and_cached() {
    let mut conn = common::connect().await;
    for i in 0..5i32 {
        let v: i32 = conn.fetch_val("SELECT $1::int4 + 1", &[&i]).await.unwrap();
        assert_eq!(v, i + 1);
    }
    let prepared: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1::int4 + 1'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(prepared, 1);

    let stmt = conn
        .prepare("SELECT $1::int8 AS n, $2::text AS s")
        .await
        .unwrap();
    assert_eq!(stmt.params(), &[20, 25]);
    assert_eq!(stmt.columns()[0].name(), "n");
    let row = conn
        .fetch_row(&stmt, &[&5i64, &"x"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 5);
    let plan = conn.explain(&stmt, &[&5i64, &"x"], false).await.unwrap();
    assert!(plan.contains("\"Plan\""), "{plan}");
}

#[tokio::test]
async fn statement_cache_can_be_disabled() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    for i in 0..3i32 {
        let v: i32 = conn.fetch_val("SELECT $1::int4 * 2", &[&i]).await.unwrap();
        assert_eq!(v, i * 2);
    }
    let prepared: i64 = conn
        .fetch_val("SELECT count(*) FROM pg_prepared_statements", &[])
        .await
        .unwrap();
    assert_eq!(prepared, 0);
    assert_eq!(conn.cached_statements(), 0);
}

#[tokio::test]
async fn stale_plans_are_reprepared() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4); INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap();
    let rows = conn
        .fetch("SELECT * FROM t WHERE a = $1", &[&1i32])
        .await
        .unwrap();
    assert_eq!(rows[0].len(), 1);
    conn.execute("ALTER TABLE t ADD COLUMN b text DEFAULT 'x'", &[])
        .await
        .unwrap();
    let rows = conn
        .fetch("SELECT * FROM t WHERE a = $1", &[&1i32])
        .await
        .unwrap();
    assert_eq!(rows[0].len(), 2);
    assert_eq!(rows[0].get::<&str>("b").unwrap(), "x");
}

#[tokio::test]
async fn evicted_statements_are_closed_on_the_server() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=2", db.dsn()))
        .await
        .unwrap();
    for i in 0..5i32 {
        let sql = format!("SELECT $1::int4 + {i}");
        let v: i32 = conn.fetch_val(sql.as_str(), &[&1i32]).await.unwrap();
        assert_eq!(v, 1 + i);
    }
    assert_eq!(conn.cached_statements(), 2);
    // The count query itself is cached too, evicting one more; the server holds exactly the cache.
    assert_eq!(server_statements(&mut conn).await, 2);
}

#[tokio::test]
async fn long_statements_are_not_cached() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!(
        "{}&statement_cache_max_statement_size=20",
        db.dsn()
    ))
    .await
    .unwrap();
    let v: i32 = conn
        .fetch_val("SELECT $1::int4 + 100000 + 200000 + 300000", &[&1i32])
        .await
        .unwrap();
    assert_eq!(v, 600_001);
    let short: i32 = conn.fetch_val("SELECT $1::int4", &[&3i32]).await.unwrap();
    assert_eq!(short, 3);
    assert_eq!(conn.cached_statements(), 1);
}

#[tokio::test]
async fn vanished_statements_are_reprepared() {
    let mut conn = common::connect().await;
    let v: i32 = conn
        .fetch_val("SELECT $1::int4 * 3", &[&2i32])
        .await
        .unwrap();
    assert_eq!(v, 6);
    conn.execute("DEALLOCATE ALL", &[]).await.unwrap();
    let v: i32 = conn
        .fetch_val("SELECT $1::int4 * 3", &[&3i32])
        .await
        .unwrap();
    assert_eq!(v, 9);
}

#[tokio::test]
async fn stale_plans_inside_a_transaction_are_reported_not_retried() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4); INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap();
    conn.fetch("SELECT * FROM t", &[]).await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("ALTER TABLE t ADD COLUMN b int4", &[])
        .await
        .unwrap();
    // Inside a transaction a retry would run in an aborted transaction: the error is returned,
    // the stale entry is dropped, and after the rollback the statement is prepared afresh.
    let err = tx.fetch("SELECT * FROM t", &[]).await.unwrap_err();
    assert_eq!(err.code().unwrap().code(), "0A000", "{err}");
    tx.rollback().await.unwrap();
    let rows = conn.fetch("SELECT * FROM t", &[]).await.unwrap();
    assert_eq!(rows[0].len(), 1);
}

#[tokio::test]
async fn a_statement_from_another_connection_runs_its_own_sql() {
    let db = common::fresh_db().await;
    let mut a = db.connect().await;
    let mut b = db.connect().await;
    let stmt = a.prepare("SELECT 'from a'::text").await.unwrap();
    // On b, the same statement name belongs to different SQL.
    let on_b: String = b.fetch_val("SELECT 'from b'::text", &[]).await.unwrap();
    assert_eq!(on_b, "from b");
    let v: String = b.fetch_val(&stmt, &[]).await.unwrap();
    assert_eq!(v, "from a");
}

#[tokio::test]
async fn prepared_statements_run_on_any_executor() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t(a int4)", &[]).await.unwrap();
    let insert = conn.prepare("INSERT INTO t VALUES ($1)").await.unwrap();
    for i in 0..3i32 {
        assert_eq!(insert.execute(&mut conn, &[&i]).await.unwrap().rows(), 1);
    }
    let select = conn
        .prepare("SELECT a FROM t WHERE a >= $1 ORDER BY a")
        .await
        .unwrap();
    assert_eq!(select.columns()[0].name(), "a");
    assert!(select.columns()[0].table_oid().is_some());
    assert_eq!(select.columns()[0].column_id(), Some(1));
    let rows = select.fetch(&mut conn, &[&1i32]).await.unwrap();
    assert_eq!(rows.len(), 2);
    let first = select
        .fetch_row(&mut conn, &[&2i32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.get::<i32>(0).unwrap(), 2);
    let plan = select.explain(&mut conn, &[&0i32], true).await.unwrap();
    assert!(plan.contains("\"Actual Rows\""), "{plan}");
    let mut tx = conn.transaction().await.unwrap();
    assert_eq!(select.fetch(&mut tx, &[&0i32]).await.unwrap().len(), 3);
    tx.rollback().await.unwrap();
}

/// With the cache off nothing is prepared by name, not even by `prepare()`: each run parses the
/// unnamed statement again, so a statement prepared first still runs its own SQL after another
/// (and, behind a transaction pooler, on whichever backend the transaction lands on).
#[tokio::test]
async fn prepare_with_the_cache_off_names_nothing_and_runs_its_own_sql() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    let first = conn.prepare("SELECT $1::int4 + 1").await.unwrap();
    let second = conn.prepare("SELECT $1::int4 * 100").await.unwrap();
    assert_eq!(first.params().len(), 1);
    let a: i32 = conn.fetch_val(&first, &[&5i32]).await.unwrap();
    let b: i32 = conn.fetch_val(&second, &[&5i32]).await.unwrap();
    let a_again: i32 = conn.fetch_val(&first, &[&7i32]).await.unwrap();
    assert_eq!((a, b, a_again), (6, 500, 8));
    assert_eq!(server_statements(&mut conn).await, 0);
}

/// With the cache off, a query run before is parsed, bound and executed in one round trip from
/// its remembered description; when the schema changed in between, the rows are read with the
/// new types (never decoded as the old ones), and the next run describes afresh.
#[tokio::test]
async fn cache_off_reparse_follows_a_changed_schema() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    conn.execute("CREATE TABLE t (a int4, b text)", &[])
        .await
        .unwrap();
    conn.execute("INSERT INTO t VALUES (7, 'x')", &[])
        .await
        .unwrap();
    let sql = "SELECT a, b FROM t WHERE a > $1";
    for _ in 0..3 {
        let row = conn.fetch_row(sql, &[&0i32]).await.unwrap().unwrap();
        assert_eq!(row.get::<i32>(0).unwrap(), 7);
        assert_eq!(row.get::<String>(1).unwrap(), "x");
    }
    // Another session changes the column types between two runs.
    let mut other = db.connect().await;
    other
        .execute(
            "ALTER TABLE t ALTER a TYPE int8, ALTER b TYPE int4 USING 42",
            &[],
        )
        .await
        .unwrap();
    for _ in 0..3 {
        let row = conn.fetch_row(sql, &[&0i32]).await.unwrap().unwrap();
        assert_eq!(row.get::<i64>(0).unwrap(), 7);
        assert_eq!(row.get::<i32>(1).unwrap(), 42);
        assert!(row.get::<i32>(0).is_err(), "an int8 read as int4");
    }
    // A column dropped: the remembered Bind asked for two formats, the server refuses it
    // before running anything, and the next run describes afresh.
    other
        .execute("ALTER TABLE t DROP COLUMN b", &[])
        .await
        .unwrap();
    let sql_star = "SELECT * FROM t";
    let row = conn.fetch_row(sql_star, &[]).await.unwrap().unwrap();
    assert_eq!(row.len(), 1);
    other
        .execute("ALTER TABLE t ADD COLUMN c text DEFAULT 'c'", &[])
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        match conn.fetch_row(sql_star, &[]).await {
            Ok(row) => {
                let row = row.unwrap();
                assert_eq!(row.len(), 2);
                assert_eq!(row.get::<String>(1).unwrap(), "c");
                seen.push("ok");
            }
            Err(e) => {
                assert!(!e.is_fatal(), "{e}");
                seen.push("error");
            }
        }
    }
    assert_eq!(seen.last(), Some(&"ok"), "{seen:?}");
    // A column added whose binary form is not its text: the one binary format code of the
    // remembered Bind applies to it too, and it must be read as what it is, not as text.
    conn.execute("CREATE TABLE t2 (a int4)", &[]).await.unwrap();
    conn.execute("INSERT INTO t2 VALUES (1)", &[])
        .await
        .unwrap();
    let sql_t2 = "SELECT * FROM t2";
    for _ in 0..2 {
        let row = conn.fetch_row(sql_t2, &[]).await.unwrap().unwrap();
        assert_eq!(row.get::<i32>(0).unwrap(), 1);
    }
    other
        .execute("ALTER TABLE t2 ADD COLUMN n int4 DEFAULT 5", &[])
        .await
        .unwrap();
    for _ in 0..2 {
        let row = conn.fetch_row(sql_t2, &[]).await.unwrap().unwrap();
        assert_eq!(row.len(), 2);
        assert_eq!(row.get::<i32>(1).unwrap(), 5);
        assert!(row.get::<String>(1).is_err(), "an int4 read as text");
    }
}

/// Cache off: a remembered description that fails (a parameter's column changed type) is
/// forgotten, so the next run describes afresh instead of failing the same way forever.
#[tokio::test]
async fn cache_off_a_failed_remembered_description_is_forgotten() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    conn.execute("CREATE TABLE t (a int4)", &[]).await.unwrap();
    let sql = "INSERT INTO t(a) VALUES ($1)";
    for i in 0..2i32 {
        conn.execute(sql, &[&i]).await.unwrap();
    }
    let mut other = db.connect().await;
    other
        .execute("ALTER TABLE t ALTER a TYPE text", &[])
        .await
        .unwrap();
    // The remembered parameter type is int4: this run may fail, the next must not.
    let _ = conn.execute(sql, &[&"x"]).await;
    conn.execute(sql, &[&"y"]).await.unwrap();
    let n: i64 = other
        .fetch_val("SELECT count(*) FROM t WHERE a = 'y'", &[])
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// Cache off: `execute_many` and `fetch_many` run a statement described before from its
/// remembered description (parsed again in the batch's own write, no round trip of its own),
/// read rows with the types the server says they now have, and forget a description that
/// failed.
#[tokio::test]
async fn cache_off_batches_reparse_from_the_remembered_description() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    conn.execute("CREATE TABLE t (a int4, b text)", &[])
        .await
        .unwrap();
    let insert = "INSERT INTO t(a, b) VALUES ($1, $2) RETURNING a, b";
    for round in 0..2i32 {
        let rows = conn
            .fetch_many(insert, [[&round as Param, &"x"], [&(round + 10), &"y"]])
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get::<i32>(0).unwrap(), round + 10);
    }
    // Another statement in between replaces the server's unnamed statement: the batch must
    // still run its own SQL.
    let n: i64 = conn.fetch_val("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(n, 4);
    conn.execute_many("DELETE FROM t WHERE a = $1", [[&10i32 as Param], [&11i32]])
        .await
        .unwrap();
    // The returned columns change type between two runs: the rows are read as what they are.
    let mut other = db.connect().await;
    other
        .execute("ALTER TABLE t ALTER a TYPE int8", &[])
        .await
        .unwrap();
    for round in 0..2i32 {
        let rows = conn
            .fetch_many(insert, [[&round as Param, &"z"]])
            .await
            .unwrap();
        assert_eq!(rows[0].get::<i64>(0).unwrap(), i64::from(round));
        assert!(rows[0].get::<i32>(0).is_err(), "an int8 read as int4");
    }
    // A parameter's column changes type: the remembered int4 may fail once, never twice.
    other
        .execute("ALTER TABLE t ALTER b TYPE int4 USING 0", &[])
        .await
        .unwrap();
    let insert_b = "INSERT INTO t(b) VALUES ($1)";
    conn.execute_many(insert_b, [[&1i32 as Param]])
        .await
        .unwrap();
    other
        .execute("ALTER TABLE t ALTER b TYPE text", &[])
        .await
        .unwrap();
    let _ = conn.execute_many(insert_b, [[&"s" as Param]]).await;
    conn.execute_many(insert_b, [[&"t" as Param]])
        .await
        .unwrap();
    let n: i64 = other
        .fetch_val("SELECT count(*) FROM t WHERE b = 't'", &[])
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(server_statements(&mut conn).await, 0);
}

/// Cache off: a pipeline runs a statement described before from its remembered description
/// (no prepare round trip), each entry's portal described, so rows are read with the types
/// the server says they now have; another pipeline's unnamed statements in between never
/// make an entry run another query.
#[tokio::test]
async fn cache_off_pipelines_reparse_from_the_remembered_description() {
    let db = common::fresh_db().await;
    let mut conn = quarry::connect(&format!("{}&statement_cache_size=0", db.dsn()))
        .await
        .unwrap();
    conn.execute("CREATE TABLE t (a int4)", &[]).await.unwrap();
    conn.execute("INSERT INTO t VALUES (7), (8)", &[])
        .await
        .unwrap();
    let sql = "SELECT a FROM t WHERE a = $1";
    let other_sql = "SELECT $1::int4 * 100";
    for _ in 0..2 {
        let mut batch = quarry::Pipeline::new();
        let seven = batch.fetch_row(sql, &[&7i32]);
        let times = batch.fetch_val::<i32>(other_sql, &[&3i32]);
        let eight = batch.fetch_row(sql, &[&8i32]);
        let mut results = conn.pipeline(batch).await.unwrap();
        let seven = results.take(seven).unwrap().unwrap();
        assert_eq!(seven.get::<i32>(0).unwrap(), 7);
        assert_eq!(results.take(times).unwrap(), 300);
        let eight = results.take(eight).unwrap().unwrap();
        assert_eq!(eight.get::<i32>(0).unwrap(), 8);
    }
    let mut other = db.connect().await;
    other
        .execute("ALTER TABLE t ALTER a TYPE int8", &[])
        .await
        .unwrap();
    for _ in 0..2 {
        let mut batch = quarry::Pipeline::new();
        let seven = batch.fetch_row(sql, &[&7i32]);
        let eight = batch.fetch_row(sql, &[&8i32]);
        let mut results = conn.pipeline(batch).await.unwrap();
        for (ticket, want) in [(seven, 7i64), (eight, 8)] {
            // The remembered int4 parameter still fits (int8 = int4); the row is read as
            // what it now is.
            let row = results.take(ticket).unwrap().unwrap();
            assert_eq!(row.get::<i64>(0).unwrap(), want);
            assert!(row.get::<i32>(0).is_err(), "an int8 read as int4");
        }
    }
    let mut batch = quarry::Pipeline::new();
    let seven = batch.fetch_row(sql, &[&7i64]);
    let mut results = conn.pipeline(batch).await.unwrap();
    let seven = results.take(seven).unwrap().unwrap();
    assert_eq!(seven.get::<i64>(0).unwrap(), 7);
    assert_eq!(server_statements(&mut conn).await, 0);
}
