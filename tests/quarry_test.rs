//! `#[quarry::test]`: each test gets its own database, cloned from a template with the
//! migrations and fixtures applied once; a failing test keeps its database; test binaries
//! running at once build each template once.

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
    let mut config = Config::from_dsn(&quarry::testing::database_url().unwrap()).unwrap();
    config.dbname("postgres");
    Connection::connect(&config).await.unwrap()
}

#[test]
fn a_failing_test_keeps_its_database_and_a_passing_one_drops_it() {
    let spec = |path| quarry::testing::TestSpec {
        path,
        migrator: None,
        fixtures: &[],
    };
    let failed = std::panic::catch_unwind(|| {
        quarry::testing::run_test(
            spec("kept::failing_case"),
            |mut conn: Connection| async move {
                conn.execute("CREATE TABLE evidence(x int4)", &[])
                    .await
                    .unwrap();
                assert!(conn.is_closed(), "the test fails");
            },
        );
    });
    assert!(failed.is_err());
    quarry::testing::run_test(spec("dropped::passing_case"), |_: Config| async {});
    let returned_err = std::panic::catch_unwind(|| {
        quarry::testing::run_test(spec("kept::erring_case"), |_: Config| async {
            Err::<(), _>("an error result fails the test too")
        });
    });
    assert!(returned_err.is_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut admin = admin().await;
        let pid = std::process::id();
        let count = |pattern: String| {
            let sql = "SELECT count(*) FROM pg_database WHERE datname LIKE $1";
            (sql, pattern)
        };
        let (sql, p) = count(format!("quarry\\_test\\_failing\\_case\\_{pid}\\_%"));
        assert_eq!(admin.fetch_val::<i64>(sql, &[&p]).await.unwrap(), 1);
        let (sql, p) = count(format!("quarry\\_test\\_erring\\_case\\_{pid}\\_%"));
        assert_eq!(admin.fetch_val::<i64>(sql, &[&p]).await.unwrap(), 1);
        let (sql, p) = count(format!("quarry\\_test\\_passing\\_case\\_{pid}\\_%"));
        assert_eq!(admin.fetch_val::<i64>(sql, &[&p]).await.unwrap(), 0);
    });
}

#[test]
fn two_test_binaries_at_once_build_a_template_once() {
    // This very binary, twice at once, running one test against a shared server.
    let url = quarry::testing::database_url().unwrap();
    let run = || {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "fixtures_run_once_per_template", "--quiet"])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    }
}
