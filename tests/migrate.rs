//! Migrations against a real server: applying, failing halfway (no dirty state), changed files,
//! concurrent runners, reverting, repeatable migrations, baselines, bad input.

mod common;

use std::path::Path;

use quarry::Connection;
use quarry::migrate::{ChecksumState, MigrateError, Migrator, RunOptions};

fn write(dir: &Path, file: &str, content: &str) {
    std::fs::write(dir.join(file), content).unwrap();
}

/// Five migrations, each logging its application in `log`.
fn five(dir: &Path) {
    write(
        dir,
        "0001_log.sql",
        "CREATE TABLE log(step int4);\nINSERT INTO log VALUES (1);\n",
    );
    write(
        dir,
        "0002_a.sql",
        "CREATE TABLE a(x int4);\nINSERT INTO log VALUES (2);\n",
    );
    write(
        dir,
        "0003_b.sql",
        "CREATE TABLE b(x int4);\nINSERT INTO log VALUES (3);\n",
    );
    write(
        dir,
        "0004_c.sql",
        "CREATE TABLE c(x int4);\nINSERT INTO log VALUES (4);\n",
    );
    write(
        dir,
        "0005_d.sql",
        "CREATE TABLE d(x int4);\nINSERT INTO log VALUES (5);\n",
    );
}

async fn steps(conn: &mut Connection) -> Vec<i32> {
    conn.fetch("SELECT step FROM log ORDER BY step", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect()
}

async fn applied_versions(conn: &mut Connection) -> Vec<i64> {
    conn.fetch(
        "SELECT version FROM _quarry_migrations ORDER BY version",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0).unwrap())
    .collect()
}

#[tokio::test]
async fn a_failing_migration_leaves_the_last_good_version_and_a_fixed_one_continues() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let dir = tempfile::tempdir().unwrap();
    five(dir.path());
    write(
        dir.path(),
        "0003_b.sql",
        "CREATE TABLE b(x int4);\nINSERT INTO log VALUES (3);\nSELEC 1;\n",
    );
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let err = migrator.run(&mut conn).await.unwrap_err();
    let MigrateError::Failed { file, line, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!((file.as_str(), *line), ("0003_b.sql", Some(3)));
    let message = err.to_string();
    assert!(
        message.contains("0003_b.sql, line 3") && message.contains("SELEC"),
        "{message}"
    );
    // The first two stay applied; nothing of the third is left (its table, its log row).
    let mut observer = db.connect().await;
    assert_eq!(steps(&mut observer).await, [1, 2]);
    assert_eq!(applied_versions(&mut observer).await, [1, 2]);
    let b_exists: bool = observer
        .fetch_val("SELECT to_regclass('b') IS NOT NULL", &[])
        .await
        .unwrap();
    assert!(!b_exists);
    let info = migrator.info(&mut conn).await.unwrap();
    let pending: Vec<_> = info
        .iter()
        .filter(|m| m.applied_at.is_none())
        .map(|m| m.version)
        .collect();
    assert_eq!(pending, [Some(3), Some(4), Some(5)]);

    // Fixed, a re-run applies 3 to 5: no force, no manual cleanup.
    write(
        dir.path(),
        "0003_b.sql",
        "CREATE TABLE b(x int4);\nINSERT INTO log VALUES (3);\n",
    );
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let applied = migrator.run(&mut conn).await.unwrap();
    let versions: Vec<_> = applied.iter().map(|a| a.version).collect();
    assert_eq!(versions, [Some(3), Some(4), Some(5)]);
    assert_eq!(steps(&mut observer).await, [1, 2, 3, 4, 5]);
    assert!(migrator.run(&mut conn).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_no_transaction_migration_is_recorded_only_after_it_succeeded() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1_t.sql", "CREATE TABLE t(x int4);");
    write(
        dir.path(),
        "2_index.sql",
        "-- quarry:no-transaction\nCREATE INDEX CONCURRENTLY t_y ON t(y);",
    );
    let err = Migrator::from_dir(dir.path())
        .unwrap()
        .run(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2_index.sql"), "{err}");
    assert_eq!(applied_versions(&mut conn).await, [1]);
    // CREATE INDEX CONCURRENTLY refuses to run inside a transaction: it ran outside one.
    write(
        dir.path(),
        "2_index.sql",
        "-- quarry:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t(x);",
    );
    Migrator::from_dir(dir.path())
        .unwrap()
        .run(&mut conn)
        .await
        .unwrap();
    assert_eq!(applied_versions(&mut conn).await, [1, 2]);
    let indexed: bool = conn
        .fetch_val("SELECT to_regclass('t_x') IS NOT NULL", &[])
        .await
        .unwrap();
    assert!(indexed);
    // This session holds no advisory lock afterwards (other tests may hold their own).
    let locks: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(locks, 0);
}

#[tokio::test]
async fn a_changed_file_is_an_error_naming_it_until_accepted() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1_t.sql", "CREATE TABLE t(x int4);\r\n");
    Migrator::from_dir(dir.path())
        .unwrap()
        .run(&mut conn)
        .await
        .unwrap();
    // The same content with LF line ends (a checkout on another OS) is not a change.
    write(dir.path(), "1_t.sql", "\u{feff}CREATE TABLE t(x int4);\n");
    write(dir.path(), "2_u.sql", "CREATE TABLE u(x int4);");
    Migrator::from_dir(dir.path())
        .unwrap()
        .run(&mut conn)
        .await
        .unwrap();
    write(dir.path(), "1_t.sql", "CREATE TABLE t(x int8);\n");
    write(dir.path(), "3_v.sql", "CREATE TABLE v(x int4);");
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let err = migrator.run(&mut conn).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::Changed { version: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("1_t.sql"), "{err}");
    assert_eq!(applied_versions(&mut conn).await, [1, 2], "nothing ran");
    let info = migrator.info(&mut conn).await.unwrap();
    assert_eq!(info[0].checksum, Some(ChecksumState::Changed));
    assert_eq!(info[1].checksum, Some(ChecksumState::Ok));
    migrator
        .run_with(&mut conn, &RunOptions::new().accept_changed(true))
        .await
        .unwrap();
    assert_eq!(applied_versions(&mut conn).await, [1, 2, 3]);
    let info = migrator.info(&mut conn).await.unwrap();
    assert!(
        info.iter().all(|m| m.checksum == Some(ChecksumState::Ok)),
        "{info:?}"
    );
    // A file removed after it was applied.
    std::fs::remove_file(dir.path().join("2_u.sql")).unwrap();
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let info = migrator.info(&mut conn).await.unwrap();
    assert_eq!(info[1].checksum, Some(ChecksumState::MissingFile));
    let err = migrator.run(&mut conn).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::MissingFile { version: 2, .. }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runners_apply_each_migration_once() {
    let db = common::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    five(dir.path());
    write(
        dir.path(),
        "R__count.sql",
        "CREATE OR REPLACE VIEW n AS SELECT count(*) FROM log;",
    );
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let mut runners = Vec::new();
    for _ in 0..8 {
        let mut conn = db.connect().await;
        let migrator = migrator.clone();
        runners.push(tokio::spawn(async move {
            migrator.run(&mut conn).await.map(|applied| applied.len())
        }));
    }
    let mut total = 0;
    for runner in runners {
        total += runner.await.unwrap().unwrap();
    }
    assert_eq!(
        total, 6,
        "five versioned and one repeatable, each applied by one runner"
    );
    let mut conn = db.connect().await;
    assert_eq!(steps(&mut conn).await, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn revert_to_a_target_and_refuse_without_down_files() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1_a.sql", "CREATE TABLE a(x int4);");
    write(dir.path(), "1_a.down.sql", "DROP TABLE a;");
    write(dir.path(), "2_b.sql", "CREATE TABLE b(x int4);");
    write(dir.path(), "2_b.down.sql", "DROP TABLE b;");
    write(dir.path(), "3_c.sql", "CREATE TABLE c(x int4);");
    write(dir.path(), "3_c.down.sql", "DROP TABLE c;");
    write(dir.path(), "4_d.sql", "CREATE TABLE d(x int4);");
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    migrator.run(&mut conn).await.unwrap();
    // 4 has no down file: reverting it (alone or on the way to a target) is refused up front.
    let err = migrator.revert(&mut conn, Some(1)).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::Irreversible { version: 4, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("4_d.sql"), "{err}");
    assert_eq!(applied_versions(&mut conn).await, [1, 2, 3, 4]);

    write(dir.path(), "4_d.down.sql", "DROP TABLE d;");
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let reverted = migrator.revert(&mut conn, None).await.unwrap();
    assert_eq!(reverted.len(), 1);
    assert_eq!(applied_versions(&mut conn).await, [1, 2, 3]);
    let reverted = migrator.revert(&mut conn, Some(1)).await.unwrap();
    let versions: Vec<_> = reverted.iter().map(|a| a.version).collect();
    assert_eq!(versions, [Some(3), Some(2)]);
    assert_eq!(applied_versions(&mut conn).await, [1]);
    let tables: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('a','b','c','d')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(tables, 1);
    // And forward again, up to a target.
    migrator
        .run_with(&mut conn, &RunOptions::new().target(3))
        .await
        .unwrap();
    assert_eq!(applied_versions(&mut conn).await, [1, 2, 3]);
}

#[tokio::test]
async fn repeatable_migrations_run_again_when_they_change_after_the_versioned_ones() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "1_t.sql",
        "CREATE TABLE t(x int4); INSERT INTO t VALUES (1), (2);",
    );
    write(
        dir.path(),
        "R__total.sql",
        "CREATE OR REPLACE VIEW total AS SELECT sum(x) AS s FROM t;",
    );
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let applied = migrator.run(&mut conn).await.unwrap();
    let names: Vec<_> = applied.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["t", "total"]);
    assert!(
        migrator.run(&mut conn).await.unwrap().is_empty(),
        "unchanged: not re-applied"
    );
    write(
        dir.path(),
        "R__total.sql",
        "CREATE OR REPLACE VIEW total AS SELECT sum(x) * 10 AS s FROM t;",
    );
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let applied = migrator.run(&mut conn).await.unwrap();
    assert_eq!(applied.len(), 1);
    let s: i64 = conn.fetch_val("SELECT s FROM total", &[]).await.unwrap();
    assert_eq!(s, 30);
}

#[tokio::test]
async fn baseline_records_without_running_and_dry_run_changes_nothing() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute("CREATE TABLE existing(x int4)", &[])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "1_existing.sql",
        "CREATE TABLE existing(x int4);",
    );
    write(dir.path(), "2_more.sql", "CREATE TABLE more(x int4);");
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let recorded = migrator.baseline(&mut conn, 1).await.unwrap();
    assert_eq!(recorded.len(), 1);
    let planned = migrator
        .run_with(&mut conn, &RunOptions::new().dry_run(true))
        .await
        .unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(applied_versions(&mut conn).await, [1]);
    migrator.run(&mut conn).await.unwrap();
    assert_eq!(applied_versions(&mut conn).await, [1, 2]);
    let info = migrator.info(&mut conn).await.unwrap();
    assert!(info[0].baseline && !info[1].baseline);
}

#[tokio::test]
async fn bad_folders_and_files_are_errors_naming_them() {
    let missing = Migrator::from_dir("/nonexistent/quarry/migrations").unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("/nonexistent/quarry/migrations"),
        "{missing}"
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1_a.sql", "SELECT 1;");
    write(dir.path(), "001_b.sql", "SELECT 1;");
    let err = Migrator::from_dir(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains("001_b.sql") && err.to_string().contains("1_a.sql"),
        "{err}"
    );
    std::fs::remove_file(dir.path().join("001_b.sql")).unwrap();
    write(dir.path(), "two_words.sql", "SELECT 1;");
    let err = Migrator::from_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("two_words.sql"), "{err}");
    std::fs::remove_file(dir.path().join("two_words.sql")).unwrap();
    std::fs::write(dir.path().join("2_latin1.sql"), b"SELECT 'caf\xe9';").unwrap();
    let err = Migrator::from_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MigrateError::NotUtf8 { .. }), "{err}");
    assert!(err.to_string().contains("2_latin1.sql"), "{err}");
}

#[tokio::test]
async fn a_pool_runs_migrations_too() {
    let db = common::fresh_db().await;
    let pool = quarry::Pool::builder()
        .max_size(2)
        .build(&db.dsn())
        .await
        .unwrap();
    let migrator = Migrator::from_files([("1_t.sql", "CREATE TABLE t(x int4);")]).unwrap();
    assert_eq!(migrator.run(&pool).await.unwrap().len(), 1);
    let n: i64 = pool
        .fetch_val("SELECT count(*) FROM _quarry_migrations", &[])
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_embedded_migrator_runs_like_the_folder() {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let embedded = quarry::migrate!("tests/migrations");
    let from_folder = Migrator::from_dir("tests/migrations").unwrap();
    let ids = |m: &Migrator| -> Vec<(Option<i64>, String, [u8; 32])> {
        m.migrations()
            .iter()
            .map(|m| (m.version(), m.name().to_owned(), *m.checksum()))
            .collect()
    };
    assert_eq!(ids(&embedded), ids(&from_folder));
    assert!(embedded.migrations()[0].is_reversible());
    let applied = embedded.run(&mut conn).await.unwrap();
    assert_eq!(applied.len(), 2);
    conn.execute("INSERT INTO todos(title) VALUES ('a')", &[])
        .await
        .unwrap();
    let open: i64 = conn
        .fetch_val("SELECT count(*) FROM open_todos", &[])
        .await
        .unwrap();
    assert_eq!(open, 1);
    // The folder's migrator sees the same database as up to date.
    assert!(from_folder.run(&mut conn).await.unwrap().is_empty());
    from_folder.revert(&mut conn, Some(0)).await.unwrap();
    assert!(applied_versions(&mut conn).await.is_empty());
    // The view went with the table; the next run builds both again.
    assert_eq!(embedded.run(&mut conn).await.unwrap().len(), 2);
    let open: i64 = conn
        .fetch_val("SELECT count(*) FROM open_todos", &[])
        .await
        .unwrap();
    assert_eq!(open, 0);
}

#[tokio::test]
async fn a_run_reports_each_migration_as_it_starts_and_as_it_is_applied() {
    use quarry::migrate::Progress;
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    let migrator = Migrator::from_files([
        ("1_a.sql", "CREATE TABLE a(x int4);"),
        ("2_b.sql", "CREATE TABLE b(x int4);"),
    ])
    .unwrap();
    let mut events = Vec::new();
    let applied = migrator
        .run_observed(&mut conn, &RunOptions::new(), |progress| {
            events.push(match progress {
                Progress::Starting(m) => format!("start {}", m.file()),
                Progress::Applied(m) => format!("done {}", m.file),
            });
        })
        .await
        .unwrap();
    assert_eq!(applied.len(), 2);
    assert_eq!(
        events,
        [
            "start 1_a.sql",
            "done 1_a.sql",
            "start 2_b.sql",
            "done 2_b.sql"
        ]
    );
}
