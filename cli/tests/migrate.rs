//! `quarry migrate ...` and `quarry db create|drop|setup|reset`, the built binary against a real
//! throwaway server: every command, two processes migrating at once, and clear errors.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use quarry_driver::ephemeral::EphemeralServer;

fn server() -> &'static EphemeralServer {
    static SERVER: OnceLock<EphemeralServer> = OnceLock::new();
    SERVER.get_or_init(|| EphemeralServer::start().expect("start a PostgreSQL server"))
}

fn url(db: &str) -> String {
    format!("{}?sslmode=disable", server().dsn_for("postgres", None, db))
}

/// Runs `quarry` in `dir` with DATABASE_URL set.
fn quarry(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url(db))
        .env_remove("QUARRY_OFFLINE")
        .output()
        .expect("run quarry")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "quarry failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn query(db: &str, sql: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = quarry_driver::connect(&url(db)).await.unwrap();
        conn.fetch(sql, &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String>(0).unwrap())
            .collect()
    })
}

#[test]
fn the_whole_workflow_through_the_command_line() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("quarry.toml"),
        "[migrations]\npath = \"db/migrations\"\n",
    )
    .unwrap();
    let db = "cli_workflow";

    // add: sequential versions, a reversible pair, into the folder quarry.toml names.
    let out = ok(&quarry(
        dir,
        db,
        &[
            "migrate",
            "add",
            "--sequential",
            "--reversible",
            "create users",
        ],
    ));
    assert!(
        out.contains("0001_create_users.sql") && out.contains("0001_create_users.down.sql"),
        "{out}"
    );
    let migrations = dir.join("db/migrations");
    std::fs::write(
        migrations.join("0001_create_users.sql"),
        "CREATE TABLE users(id int8 PRIMARY KEY, name text);\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("0001_create_users.down.sql"),
        "DROP TABLE users;\n",
    )
    .unwrap();
    let out = ok(&quarry(
        dir,
        db,
        &["migrate", "add", "--sequential", "add_email"],
    ));
    assert!(out.contains("0002_add_email.sql"), "{out}");
    std::fs::write(
        migrations.join("0002_add_email.sql"),
        "ALTER TABLE users ADD email text;\n",
    )
    .unwrap();
    let out = ok(&quarry(dir, db, &["migrate", "add", "timestamped"]));
    let stamped = out.trim().rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        stamped.len(),
        "20260101000000_timestamped.sql".len(),
        "{out}"
    );
    std::fs::remove_file(migrations.join(&stamped)).unwrap();
    assert!(failed(&quarry(dir, db, &["migrate", "add", "bad/name"])).contains("bad/name"));

    // db setup: creates the database and migrates; a second setup has nothing to do.
    let out = ok(&quarry(dir, db, &["db", "setup"]));
    assert!(out.contains("created database cli_workflow"), "{out}");
    assert!(
        out.contains("applied 0001_create_users.sql") && out.contains("applied 0002_add_email.sql"),
        "{out}"
    );
    let out = ok(&quarry(dir, db, &["db", "setup"]));
    assert!(
        out.contains("exists") && out.contains("nothing to do"),
        "{out}"
    );

    // info, then revert and run again.
    let out = ok(&quarry(dir, db, &["migrate", "info"]));
    assert!(
        out.contains("create_users") && out.contains("checksum ok"),
        "{out}"
    );
    let err = failed(&quarry(dir, db, &["migrate", "revert"]));
    assert!(err.contains("0002_add_email.sql"), "no down file: {err}");
    std::fs::write(
        migrations.join("0002_add_email.down.sql"),
        "ALTER TABLE users DROP email;\n",
    )
    .unwrap();
    let out = ok(&quarry(dir, db, &["migrate", "revert", "--target", "0"]));
    assert!(
        out.contains("reverted 0002_add_email.sql")
            && out.contains("reverted 0001_create_users.sql"),
        "{out}"
    );
    assert!(
        query(
            db,
            "SELECT tablename::text FROM pg_tables WHERE tablename = 'users'"
        )
        .is_empty()
    );
    let out = ok(&quarry(dir, db, &["migrate", "run", "--dry-run"]));
    assert!(out.contains("would apply 0001_create_users.sql"), "{out}");
    ok(&quarry(dir, db, &["migrate", "run", "--target", "1"]));
    assert_eq!(
        query(db, "SELECT version::text FROM _quarry_migrations"),
        ["1"]
    );
    ok(&quarry(dir, db, &["migrate", "run"]));

    // A changed file is named; --accept-changed takes it.
    std::fs::write(
        migrations.join("0002_add_email.sql"),
        "ALTER TABLE users ADD email text; -- edited\n",
    )
    .unwrap();
    let err = failed(&quarry(dir, db, &["migrate", "run"]));
    assert!(
        err.contains("0002_add_email.sql") && err.contains("changed"),
        "{err}"
    );
    assert!(ok(&quarry(dir, db, &["migrate", "info"])).contains("CHANGED"));
    ok(&quarry(dir, db, &["migrate", "run", "--accept-changed"]));

    // reset: dropped (with its sessions), created and migrated again.
    let out = ok(&quarry(dir, db, &["db", "reset"]));
    assert!(
        out.contains("created database") && out.contains("applied 0002_add_email.sql"),
        "{out}"
    );
    // baseline: an existing database adopted as being at version 1, nothing run.
    let adopted = "cli_baseline";
    ok(&quarry(dir, adopted, &["db", "create"]));
    // The database already has what 0001 would create.
    query(
        adopted,
        "CREATE TABLE users(id int8 PRIMARY KEY, name text)",
    );
    let out = ok(&quarry(dir, adopted, &["migrate", "baseline", "1"]));
    assert!(out.contains("baselined 0001_create_users.sql"), "{out}");
    assert!(ok(&quarry(dir, adopted, &["migrate", "info"])).contains("(baseline)"));
    let out = ok(&quarry(dir, adopted, &["migrate", "run"]));
    assert!(
        out.contains("applied 0002_add_email.sql") && !out.contains("0001"),
        "{out}"
    );
    // drop; a second drop has nothing to do.
    assert!(ok(&quarry(dir, db, &["db", "drop", "--force"])).contains("dropped database"));
    assert!(ok(&quarry(dir, db, &["db", "drop"])).contains("does not exist"));
}

#[test]
fn two_processes_migrating_at_once_apply_each_migration_once() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let migrations = dir.join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::write(
        migrations.join("1_log.sql"),
        "CREATE TABLE log(n int4); INSERT INTO log VALUES (1);",
    )
    .unwrap();
    for n in 2..=12 {
        std::fs::write(
            migrations.join(format!("{n}_step.sql")),
            format!("SELECT pg_sleep(0.01); INSERT INTO log VALUES ({n});"),
        )
        .unwrap();
    }
    let db = "cli_concurrent";
    ok(&quarry(dir, db, &["db", "create"]));
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_quarry"))
            .args(["migrate", "run"])
            .current_dir(dir)
            .env("DATABASE_URL", url(db))
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    let (a, b) = (ok(&a), ok(&b));
    let applied = a.matches("applied ").count() + b.matches("applied ").count();
    assert_eq!(applied, 12, "{a}\n{b}");
    let logged = query(db, "SELECT n::text FROM log ORDER BY n");
    assert_eq!(logged.len(), 12, "{logged:?}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let err = failed(&quarry(dir, "cli_bad", &["migrate", "run"]));
    assert!(err.contains("migrations"), "missing folder: {err}");
    std::fs::create_dir(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("migrations/1_a.sql"), "SELECT 1;").unwrap();
    std::fs::write(dir.join("migrations/1_b.sql"), "SELECT 1;").unwrap();
    let err = failed(&quarry(dir, "cli_bad", &["migrate", "info"]));
    assert!(
        err.contains("1_a.sql") && err.contains("1_b.sql"),
        "duplicate: {err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(["migrate", "info"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    std::fs::remove_file(dir.join("migrations/1_b.sql")).unwrap();
    let out2 = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(["migrate", "info"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out2.stderr).contains("DATABASE_URL"),
        "{out2:?}"
    );
    // A .env file supplies the URL.
    std::fs::write(
        dir.join(".env"),
        format!("DATABASE_URL={}\n", url("postgres")),
    )
    .unwrap();
    let out3 = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(["migrate", "info"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out3.stdout).contains("pending"),
        "{out3:?}"
    );
}
