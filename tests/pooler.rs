//! Through a stock pgbouncer (started by the tests in front of a throwaway server), in session
//! and transaction pooling mode: connecting needs no pgbouncer settings, session-only features
//! are refused with an error naming the pooler, and under transaction pooling every other API
//! works for 32 concurrent tasks with each answer checked.

mod common;

use quarry::{Error, Pool, PoolerSeen};
use quarry_driver::ephemeral::PoolMode;

#[tokio::test]
async fn a_stock_pgbouncer_accepts_quarry_in_both_modes() {
    let db = common::fresh_db().await;
    for mode in [PoolMode::Session, PoolMode::Transaction] {
        let mut conn = quarry::connect(&db.dsn_through(mode))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e}\n{}",
                    mode.as_str(),
                    common::pooler::bouncer(mode).log_tail()
                )
            });
        let got: i64 = conn
            .fetch_val("SELECT $1::int8 * 2", &[&21i64])
            .await
            .unwrap();
        assert_eq!(got, 42, "{}", mode.as_str());
        // Floats come back exact without extra_float_digits at startup (binary format, and
        // shortest-exact text on PostgreSQL 12+).
        let third: f64 = conn.fetch_val("SELECT 1::float8 / 3", &[]).await.unwrap();
        assert_eq!(third, 1.0 / 3.0);
        let text: String = conn
            .fetch_val("SELECT (1::float8 / 3)::text", &[])
            .await
            .unwrap();
        assert_eq!(text.parse::<f64>().unwrap(), 1.0 / 3.0, "{text}");
        assert!(conn.behind_pooler().await.unwrap(), "{}", mode.as_str());
        conn.close().await.unwrap();
    }
    let mut direct = db.connect().await;
    assert!(!direct.behind_pooler().await.unwrap());
}

fn assert_refused(result: quarry::Result<()>, want: impl Fn(&PoolerSeen) -> bool, what: &str) {
    match result {
        Err(
            ref e @ Error::SessionFeatureThroughPooler {
                feature,
                ref pooler,
            },
        ) => {
            assert_eq!(feature, "LISTEN", "{what}");
            assert!(want(pooler), "{what}: {e}");
            let text = e.to_string();
            assert!(
                text.contains("LISTEN") && text.contains("pooler"),
                "{what}: {text}"
            );
        }
        other => panic!("{what}: LISTEN through a pooler gave {other:?}"),
    }
}

#[tokio::test]
async fn listen_through_a_transaction_pooler_is_an_error_naming_it() {
    let db = common::fresh_db().await;
    let dsn = db.dsn_through(PoolMode::Transaction);
    let detected = |p: &PoolerSeen| matches!(p, PoolerSeen::Detected { .. });

    let mut conn = quarry::connect(&dsn).await.unwrap();
    assert_refused(
        conn.add_listener("jobs", |_| {}).await,
        detected,
        "add_listener",
    );
    // The connection stays usable after the refusal.
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);

    let mut listener = quarry::Listener::connect(&dsn.parse().unwrap())
        .await
        .unwrap();
    assert_refused(listener.listen("jobs").await, detected, "Listener::listen");
    assert_refused(
        listener.listen_all(["a", "b"]).await,
        detected,
        "Listener::listen_all",
    );

    let pool = Pool::builder().max_size(2).build(&dsn).await.unwrap();
    let mut listener = pool.listener().await.unwrap();
    assert_refused(listener.listen("jobs").await, detected, "pool.listener()");

    // Declared in the DSN: refused without asking the server.
    let declared = format!("{dsn}&pooler=transaction");
    let mut conn = quarry::connect(&declared).await.unwrap();
    assert_refused(
        conn.add_listener("jobs", |_| {}).await,
        |p| *p == PoolerSeen::Declared,
        "pooler=transaction",
    );
}

#[tokio::test]
async fn listen_through_a_session_pooler_works_when_declared() {
    let db = common::fresh_db().await;
    let dsn = db.dsn_through(PoolMode::Session);
    // Undeclared, a session pooler cannot be told from a transaction pooler: refused.
    let mut listener = quarry::Listener::connect(&dsn.parse().unwrap())
        .await
        .unwrap();
    assert_refused(
        listener.listen("jobs").await,
        |p| matches!(p, PoolerSeen::Detected { .. }),
        "session pooler, pooler=auto",
    );
    let declared = format!("{dsn}&pooler=session");
    let mut listener = quarry::Listener::connect(&declared.parse().unwrap())
        .await
        .unwrap();
    listener.listen("jobs").await.unwrap();
    let mut direct = db.connect().await;
    direct
        .execute("NOTIFY jobs, 'through the pooler'", &[])
        .await
        .unwrap();
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
        .await
        .expect("the notification arrives through a session pooler")
        .unwrap();
    assert_eq!(
        (n.channel.as_str(), n.payload.as_str()),
        ("jobs", "through the pooler")
    );
}

/// The schema of the transaction-pooling workload: a table, an enum and a domain (user types
/// the registry looks up by name through the pooler).
const SCHEMA: &str =
    "CREATE TABLE items (id int4 PRIMARY KEY, task int4 NOT NULL, n int8 NOT NULL, label text);
     CREATE TYPE mood AS ENUM ('calm', 'busy');
     CREATE DOMAIN positive AS int4 CHECK (VALUE > 0);";

const TASKS: i32 = 32;
const ROUNDS: i32 = 3;

/// One task's round: every API that works under transaction pooling, each answer checked.
async fn round(pool: &Pool, task: i32, round: i32) {
    let base = (task * ROUNDS + round) * 1000;
    // Parameters, through the pool's shortcuts (pipelined when every connection is busy).
    let got: i64 = pool
        .fetch_val("SELECT $1::int4::int8 * $2::int8", &[&base, &3i64])
        .await
        .unwrap();
    assert_eq!(got, i64::from(base) * 3);
    let text: String = pool
        .fetch_val(
            "SELECT $1::text || '/' || $2::text",
            &[&"t", &task.to_string()],
        )
        .await
        .unwrap();
    assert_eq!(text, format!("t/{task}"));

    // `query!` code on the pool.
    let label = format!("q{task}");
    let row = quarry::query!("SELECT $1::int, $2::text", base, label.as_str())
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        (row.int4, row.text.as_deref()),
        (Some(base), Some(label.as_str()))
    );
    let mut conn = pool.acquire().await.unwrap();
    // execute_many: ten rows in one pipelined round trip.
    let labels: Vec<String> = (0..10).map(|i| format!("r{base}-{i}")).collect();
    let ids: Vec<i32> = (0..10).map(|i| base + i).collect();
    let rows: Vec<[quarry::Param; 4]> = (0..10)
        .map(|i| -> [quarry::Param; 4] { [&ids[i], &task, &1i64, &labels[i]] })
        .collect();
    conn.execute_many(
        "INSERT INTO items (id, task, n, label) VALUES ($1, $2, $3, $4)",
        &rows,
    )
    .await
    .unwrap();

    // fetch_many: the pipelined batch with rows, each execution's answer in order.
    let doubled: Vec<[quarry::Param; 1]> = ids
        .iter()
        .map(|id| -> [quarry::Param; 1] { [id] })
        .collect();
    let rows = conn
        .fetch_many("SELECT $1::int4 * 2", &doubled)
        .await
        .unwrap();
    let got: Vec<i32> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    let want: Vec<i32> = ids.iter().map(|id| id * 2).collect();
    assert_eq!(got, want);

    // A transaction: its own writes visible inside, a savepoint rolled back, then committed.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute(
        "UPDATE items SET n = n + $1 WHERE id BETWEEN $2 AND $3",
        &[&10i64, &base, &(base + 9)],
    )
    .await
    .unwrap();
    let mut sp = tx.transaction().await.unwrap();
    sp.execute("DELETE FROM items WHERE id = $1", &[&base])
        .await
        .unwrap();
    sp.rollback().await.unwrap();
    let sum: i64 = tx
        .fetch_val(
            "SELECT sum(n)::int8 FROM items WHERE id BETWEEN $1 AND $2",
            &[&base, &(base + 9)],
        )
        .await
        .unwrap();
    assert_eq!(sum, 110);
    // A cursor inside the transaction, read in chunks.
    let mut cursor = tx
        .cursor(
            "SELECT id FROM items WHERE id BETWEEN $1 AND $2 ORDER BY id",
            &[&base, &(base + 9)],
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    loop {
        let chunk = cursor.fetch(3).await.unwrap();
        if chunk.is_empty() {
            break;
        }
        for row in chunk {
            seen.push(row.get::<i32>(0).unwrap());
        }
    }
    drop(cursor);
    assert_eq!(seen, ids);
    tx.commit().await.unwrap();

    // A transaction rolled back leaves nothing.
    let mut tx = conn.transaction().await.unwrap();
    tx.execute("DELETE FROM items WHERE task = $1", &[&task])
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    // COPY in (text) and out, checked row by row.
    let copy_base = base + 500;
    let data: String = (0..5)
        .map(|i| format!("{}\t{task}\t{i}\tcopy\n", copy_base + i))
        .collect();
    let opts = quarry::copy::CopyOptions::new().columns(["id", "task", "n", "label"]);
    let copied = conn
        .copy_to_table("items", data.as_bytes(), &opts)
        .await
        .unwrap();
    assert_eq!(copied, 5);
    let mut out = Vec::new();
    conn.copy_from_query(
        "SELECT id, n FROM items WHERE id BETWEEN $1 AND $2 ORDER BY id",
        &[&copy_base, &(copy_base + 4)],
        &mut out,
        &quarry::copy::CopyOptions::new(),
    )
    .await
    .unwrap();
    let expected: String = (0..5)
        .map(|i| format!("{}\t{i}\n", copy_base + i))
        .collect();
    assert_eq!(String::from_utf8(out).unwrap(), expected);

    // User types, looked up by name through the pooler.
    let mood: String = conn
        .fetch_val("SELECT $1::text::mood::text", &[&"busy"])
        .await
        .unwrap();
    assert_eq!(mood, "busy");
    let positive: i32 = conn
        .fetch_val("SELECT $1::int4::positive", &[&(task + 1)])
        .await
        .unwrap();
    assert_eq!(positive, task + 1);

    // Explicitly prepared statements (unnamed: the cache is off), run after others.
    let first = conn.prepare("SELECT $1::int4 + 1").await.unwrap();
    let second = conn.prepare("SELECT $1::int4 * 100").await.unwrap();
    let a: i32 = conn.fetch_val(&first, &[&task]).await.unwrap();
    let b: i32 = conn.fetch_val(&second, &[&task]).await.unwrap();
    assert_eq!((a, b), (task + 1, task * 100));

    // `query!` code on a pooled connection.
    let upper = quarry::query_scalar!("SELECT upper($1::text) AS \"u!\"", label.clone())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(upper, label.to_uppercase());

    // The describe path of `query!`, on a pooled connection.
    let d = quarry_describe::describe(&mut conn, "SELECT id, label FROM items WHERE id = $1")
        .await
        .unwrap();
    assert_eq!(d.parameters.len(), 1);
    let columns: Vec<(&str, bool)> = d
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.nullable))
        .collect();
    assert_eq!(columns, [("id", false), ("label", true)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_pooling_32_tasks_every_api_answers_right() {
    let db = common::fresh_db().await;
    db.connect().await.execute(SCHEMA, &[]).await.unwrap();
    let dsn = format!(
        "{}&pooler=transaction",
        db.dsn_through(PoolMode::Transaction)
    );
    // Fewer pool connections than tasks (the pool pipelines shortcuts), and more than
    // pgbouncer's server connections (pgbouncer hands backends around).
    let pool = Pool::builder().max_size(12).build(&dsn).await.unwrap();
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for r in 0..ROUNDS {
                round(&pool, task, r).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Every task's rows, exactly: 10 + 5 per round, the execute_many ones updated by 10.
    let mut direct = db.connect().await;
    let (count, sum): (i64, i64) = {
        let row = direct
            .fetch_row("SELECT count(*), sum(n)::int8 FROM items", &[])
            .await
            .unwrap()
            .unwrap();
        (row.get(0).unwrap(), row.get(1).unwrap())
    };
    let rounds = i64::from(TASKS * ROUNDS);
    assert_eq!(count, rounds * 15);
    assert_eq!(sum, rounds * (10 * 11 + (1 + 2 + 3 + 4)));
    // pgbouncer never opened more server connections than its pool size.
    let backends: i64 = direct
        .fetch_val(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(
        backends <= i64::from(common::pooler::POOL_SIZE),
        "{backends} server connections"
    );
}

/// With the statement cache left on behind a transaction pooler (the documented misuse), two
/// clients' statements never run for each other: their names differ, so a Bind that lands on the
/// other client's backend fails ("does not exist") instead of running the other's SQL.
#[tokio::test]
async fn clients_never_run_each_others_prepared_statements() {
    let db = common::fresh_db().await;
    let dsn = db.dsn_through(PoolMode::Transaction);
    let mut setup = db.connect().await;
    setup
        .execute("CREATE TABLE kept(n int4)", &[])
        .await
        .unwrap();
    setup
        .execute(
            "INSERT INTO kept SELECT g FROM generate_series(1, 100) g",
            &[],
        )
        .await
        .unwrap();
    let deleter = async {
        let mut conn = quarry::connect(&dsn).await.unwrap();
        for _ in 0..50 {
            // Prepared as this client's first statement; deletes nothing (no row is negative).
            let _ = conn
                .execute("DELETE FROM kept WHERE n = $1", &[&-1i32])
                .await;
        }
    };
    let reader = async {
        let mut conn = quarry::connect(&dsn).await.unwrap();
        let mut answers = 0;
        for i in 1..=50i32 {
            // Same parameter types as the DELETE: with shared names, a Bind here landing on the
            // other backend would delete row i.
            if let Ok(n) = conn
                .fetch_val::<i64>("SELECT count(*) FROM kept WHERE n = $1", &[&i])
                .await
            {
                assert_eq!(n, 1);
                answers += 1;
            }
        }
        answers
    };
    let (_, answers) = tokio::join!(deleter, reader);
    assert!(answers > 0);
    let left: i64 = setup
        .fetch_val("SELECT count(*) FROM kept", &[])
        .await
        .unwrap();
    assert_eq!(left, 100, "a statement ran for the other client");
}

/// SQL whose effect outlives its transaction — a session `SET`, a session advisory lock — would
/// stay behind on a backend that pgbouncer hands to the next client, and the next statement of
/// this one may run elsewhere. Through a pooler not declared `pooler=session` it is refused
/// before anything is sent (with `pooler=auto`, after asking the server once); the transaction
/// scoped forms work, and the connection stays usable.
#[tokio::test]
async fn session_state_through_a_transaction_pooler_is_an_error_naming_it() {
    let db = common::fresh_db().await;
    let refused = |result: quarry::Result<()>, what: &str| match result {
        Err(ref e @ Error::SessionFeatureThroughPooler { feature, .. }) => {
            assert!(
                feature.contains("SET") || feature.contains("advisory"),
                "{what}: {feature}"
            );
            assert!(e.to_string().contains("pooler"), "{what}: {e}");
        }
        other => panic!("{what}: gave {other:?}"),
    };
    for declared in ["", "&pooler=transaction"] {
        let dsn = format!("{}{declared}", db.dsn_through(PoolMode::Transaction));
        let mut conn = quarry::connect(&dsn).await.unwrap();
        let key = 4242i64;
        refused(
            conn.execute("SET search_path = nowhere", &[])
                .await
                .map(drop),
            "a session SET",
        );
        refused(
            conn.fetch_val::<()>("SELECT pg_advisory_lock($1)", &[&key])
                .await,
            "a session advisory lock",
        );
        let mut pipeline = quarry::Pipeline::new();
        let locked = pipeline.fetch_val::<bool>("SELECT pg_try_advisory_lock($1)", &[&key]);
        let one = pipeline.fetch_val::<i32>("SELECT 1", &[]);
        let mut results = conn.pipeline(pipeline).await.unwrap();
        refused(
            results.take(locked).map(drop),
            "a session lock in a pipeline",
        );
        assert_eq!(results.take(one).unwrap(), 1);
        refused(
            conn.execute_many(
                "SELECT pg_advisory_lock($1)",
                [[&key as &(dyn quarry::types::Encode + Sync)]],
            )
            .await,
            "a session lock in execute_many",
        );
        // Nothing reached the server: no lock is held, by anyone.
        let mut direct = db.connect().await;
        let locks: i64 = direct
            .fetch_val(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(locks, 0, "{declared}");
        // The transaction-scoped forms work.
        let mut tx = conn.transaction().await.unwrap();
        tx.execute("SET LOCAL search_path = pg_catalog", &[])
            .await
            .unwrap();
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
            .await
            .unwrap();
        let path: String = tx.fetch_val("SHOW search_path", &[]).await.unwrap();
        assert_eq!(path, "pg_catalog");
        tx.commit().await.unwrap();
        let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
        assert_eq!(one, 1);
    }
    // Through a session pooler declared as such, and directly, a session SET is fine.
    let session = format!("{}&pooler=session", db.dsn_through(PoolMode::Session));
    let mut conn = quarry::connect(&session).await.unwrap();
    conn.execute("SET search_path = pg_catalog", &[])
        .await
        .unwrap();
    let mut direct = db.connect().await;
    direct
        .execute("SET search_path = pg_catalog", &[])
        .await
        .unwrap();
    assert!(!direct.behind_pooler().await.unwrap());
}
