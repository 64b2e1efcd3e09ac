//! `#[quarry::test]`: each test gets its own database, cloned from a template with the
//! migrations and fixtures applied once; a failing test keeps its database; test binaries
//! running at once build each template once; a new test binary collects what finished ones left.

use std::process::Command;

use quarry::{Config, Connection, Pool};

#[quarry::test(migrations = "tests/migrations")]
async fn a_pool_on_a_migrated_database(pool: Pool) {
    let open: i64 = pool
        .fetch_val("SELECT count(*) FROM open_todos", &[])
        .await
        .unwrap();
    assert_eq!(open, 0);
    pool.execute("INSERT INTO todos(title) VALUES ('mine')", &[])
        .await
        .unwrap();
}

#[quarry::test(migrations = "tests/migrations")]
async fn each_test_has_its_own_database(mut conn: Connection) -> quarry::Result<()> {
    // The other tests on the same template insert rows too: none is visible here.
    let n: i64 = conn.fetch_val("SELECT count(*) FROM todos", &[]).await?;
    assert_eq!(n, 0);
    let name: String = conn
        .fetch_val("SELECT current_database()::text", &[])
        .await?;
    assert!(
        name.starts_with("quarry_test_each_test_has_its_own_database_"),
        "{name}"
    );
    Ok(())
}

#[quarry::test(migrations = "tests/migrations", fixtures("todos"))]
async fn fixtures_are_applied_after_the_migrations(mut conn: Connection) {
    let open: Vec<String> = conn
        .fetch("SELECT title FROM open_todos", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(open, ["write the test"]);
    // Its template is a template that takes no connections, and it is the only one for this
    // set of migrations and fixtures however many tests use it.
    let templates: i64 = conn
        .fetch_val(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'quarry\\_tpl\\_%' \
             AND datistemplate AND NOT datallowconn",
            &[],
        )
        .await
        .unwrap();
    assert!(templates >= 1);
}

#[quarry::test(migrations = false, fixtures("race"))]
async fn fixtures_run_once_per_template(config: Config) {
    let mut conn = Connection::connect(&config).await.unwrap();
    let n: i64 = conn
        .fetch_val("SELECT count(*) FROM race", &[])
        .await
        .unwrap();
    assert_eq!(n, 3);
}

async fn admin() -> Connection {
    let config = Config::from_dsn(&quarry::testing::database_url().unwrap())
        .unwrap()
        .dbname("postgres");
    Connection::connect(&config).await.unwrap()
}

/// The database the body ran in.
async fn current_database(conn: &mut Connection) -> String {
    conn.fetch_val("SELECT current_database()::text", &[])
        .await
        .unwrap()
}

async fn exists(admin: &mut Connection, name: &str) -> bool {
    admin
        .fetch_val(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await
        .unwrap()
}

/// Waits (up to 20 s) until `name` is gone: passing tests' databases are dropped in the
/// background.
async fn gone(admin: &mut Connection, name: &str) -> bool {
    for _ in 0..200 {
        if !exists(admin, name).await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_failing_test_keeps_its_database_and_a_passing_one_drops_it() {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<(&str, String)>> = Mutex::new(Vec::new());
    let spec = |path| quarry::testing::TestSpec {
        path,
        migrator: None,
        fixtures: &[],
        should_panic: false,
    };
    let failed = std::panic::catch_unwind(|| {
        quarry::testing::run_test(
            spec("kept::failing_case"),
            |mut conn: Connection| async move {
                let name = current_database(&mut conn).await;
                SEEN.lock().unwrap().push(("failing", name));
                conn.execute("CREATE TABLE evidence(x int4)", &[])
                    .await
                    .unwrap();
                assert!(conn.is_closed(), "the test fails");
            },
        );
    });
    assert!(failed.is_err());
    quarry::testing::run_test(spec("dropped::passing_case"), |pool: Pool| async move {
        let mut conn = pool.acquire().await.unwrap();
        let name = current_database(&mut conn).await;
        SEEN.lock().unwrap().push(("passing", name));
    });
    let returned_err = std::panic::catch_unwind(|| {
        quarry::testing::run_test(
            spec("kept::erring_case"),
            |mut conn: Connection| async move {
                let name = current_database(&mut conn).await;
                SEEN.lock().unwrap().push(("erring", name));
                Err::<(), _>("an error result fails the test too")
            },
        );
    });
    assert!(returned_err.is_err());
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    runtime().block_on(async {
        let mut admin = admin().await;
        for (case, name) in &seen {
            assert!(
                name.starts_with(&format!("quarry_test_{case}_case_")),
                "{case}: {name}"
            );
            if *case == "passing" {
                assert!(gone(&mut admin, name).await, "{name} was not dropped");
            } else {
                assert!(exists(&mut admin, name).await, "{name} was not kept");
                // Kept, and marked so that no later test binary collects it.
                let comment: String = admin
                    .fetch_val(
                        "SELECT shobj_description(oid, 'pg_database') FROM pg_database \
                         WHERE datname = $1",
                        &[name],
                    )
                    .await
                    .unwrap();
                assert_eq!(comment, format!("quarry::test failed: kept::{case}_case"));
            }
        }
        // The kept one still has what the failed test made.
        let config = Config::from_dsn(&quarry::testing::database_url().unwrap())
            .unwrap()
            .dbname(seen[0].1.clone());
        let mut kept = Connection::connect(&config).await.unwrap();
        let rows: i64 = kept
            .fetch_val("SELECT count(*) FROM evidence", &[])
            .await
            .unwrap();
        assert_eq!(rows, 0);
        drop(kept);
        for (case, name) in &seen {
            if *case != "passing" {
                admin
                    .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str(), &[])
                    .await
                    .unwrap();
            }
        }
    });
}

/// A test binary collects what exited ones left: the databases marked with an owner whose lock
/// is free (spares, passing tests' databases); never a failed test's database, anything of a
/// live owner, or a database not marked by a keeper, whatever its name.
#[test]
fn a_new_test_binary_collects_what_finished_ones_left() {
    let url = quarry::testing::database_url().unwrap();
    runtime().block_on(async {
        // A live owner: this test holds its lock before its databases exist.
        let mut live = admin().await;
        let mut admin = admin().await;
        live.execute(
            "SELECT pg_advisory_lock($1, $2)",
            &[&0x7174_7374_i32, &0x0fee_dbee_i32],
        )
        .await
        .unwrap();
        let dead = Some("quarry::test owner 0badc0de");
        let names = [
            // (name, comment, collected?)
            ("quarry_spare_0badc0de_1", dead, true),
            ("quarry_test_left_over_0badc0de_2", dead, true),
            // A dead owner's failed test: kept.
            (
                "quarry_test_it_failed_0badc0de_3",
                Some("quarry::test failed: x::it_failed"),
                false,
            ),
            // A live owner's.
            (
                "quarry_spare_0feedbee_1",
                Some("quarry::test owner 0feedbee"),
                false,
            ),
            (
                "quarry_test_running_0feedbee_2",
                Some("quarry::test owner 0feedbee"),
                false,
            ),
            // Named like ours, not made by a keeper.
            ("quarry_test_ci_20241205_1", None, false),
            ("quarry_spare_0badc0de_9", None, false),
        ];
        for (name, comment, _) in names {
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name}").as_str(), &[])
                .await
                .unwrap();
            admin
                .execute(format!("CREATE DATABASE {name}").as_str(), &[])
                .await
                .unwrap();
            if let Some(comment) = comment {
                admin
                    .execute(
                        format!("COMMENT ON DATABASE {name} IS '{comment}'").as_str(),
                        &[],
                    )
                    .await
                    .unwrap();
            }
        }
        // Another test binary starts (this one, running one test) and collects.
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "fixtures_run_once_per_template", "--quiet"])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for (name, _, collected) in names {
            if collected {
                assert!(!exists(&mut admin, name).await, "{name} was not collected");
            } else {
                assert!(exists(&mut admin, name).await, "{name} was collected");
                admin
                    .execute(format!("DROP DATABASE {name}").as_str(), &[])
                    .await
                    .unwrap();
            }
        }
    });
}

#[quarry::test]
#[should_panic(expected = "the expected panic")]
async fn a_should_panic_test(mut conn: Connection) {
    println!("database={}", current_database(&mut conn).await);
    panic!("the expected panic");
}

/// A `#[should_panic]` test that panics passed: its database is dropped, not kept.
#[test]
fn a_should_panic_test_that_panics_drops_its_database() {
    let url = quarry::testing::database_url().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_should_panic_test", "--nocapture"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = stdout
        .lines()
        .find_map(|l| l.strip_prefix("database="))
        .unwrap()
        .to_owned();
    runtime().block_on(async {
        let mut admin = admin().await;
        assert!(gone(&mut admin, &name).await, "{name} was kept");
    });
}

/// A new set of fixtures gets a template of its own, built before the test runs. The two
/// binaries of the next test run it with one nonce (`QUARRY_RACE_NONCE`), racing for a template
/// that does not exist yet; alone it uses its own.
#[test]
fn race_for_a_new_template() {
    let nonce = std::env::var("QUARRY_RACE_NONCE")
        .unwrap_or_else(|_| format!("{}-{:?}", std::process::id(), std::time::SystemTime::now()));
    let fixture: &'static str = Box::leak(
        format!("CREATE TABLE race(x int); INSERT INTO race VALUES (1), (2); -- {nonce}")
            .into_boxed_str(),
    );
    let fixtures: &'static [(&'static str, &'static str)] =
        Box::leak(vec![("race", fixture)].into_boxed_slice());
    quarry::testing::run_test(
        quarry::testing::TestSpec {
            path: "race::for_a_new_template",
            migrator: None,
            fixtures,
            should_panic: false,
        },
        |mut conn: Connection| async move {
            let n: i64 = conn
                .fetch_val("SELECT count(*) FROM race", &[])
                .await
                .unwrap();
            assert_eq!(n, 2);
        },
    );
}

#[test]
fn two_test_binaries_at_once_build_a_template_once() {
    // This very binary, twice at once, racing for a template nobody has built yet.
    let url = quarry::testing::database_url().unwrap();
    let nonce = format!("{}-{:?}", std::process::id(), std::time::SystemTime::now());
    let run = || {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "race_for_a_new_template", "--nocapture"])
            .env("DATABASE_URL", &url)
            .env("QUARRY_RACE_NONCE", &nonce)
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut built = 0;
    for out in [&a, &b] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{}{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
        built += stderr.matches("quarry::test: built template").count();
    }
    assert_eq!(built, 1, "the template was built {built} times");
}
