//! What `#[quarry::test]` runs: each test gets a fresh database cloned from a template that has
//! the migrations and fixtures applied once (not once per test), on the server `DATABASE_URL`
//! names or, without one, on a throwaway server started once per test binary.
//!
//! - The template's name is derived from the migrations' and fixtures' checksums, so it is reused
//!   across runs until one of them changes. It is built under an advisory lock, then marked a
//!   template that takes no connections: parallel tests and concurrent test binaries never
//!   collide, and a half-built template is never cloned.
//! - A background keeper (one thread per test binary) keeps clones of the template ready and
//!   drops passing tests' databases, so a test waits for neither CREATE DATABASE nor DROP
//!   DATABASE while clones are in stock (`QUARRY_TEST_SPARES`, default 4, per template).
//! - A passing test's database is dropped (after its pool is closed); a failing one's is kept,
//!   marked with a comment, and its name printed. What a process leaves behind when it exits
//!   (spares, passing tests' databases not yet dropped) is collected by the next test binary
//!   on the same server.
//!
//! ```text
//! #[quarry::test(migrations = "migrations", fixtures("users"))]
//! async fn lists_users(pool: quarry::Pool) {
//!     let n: i64 = pool.fetch_val("SELECT count(*) FROM users", &[]).await.unwrap();
//!     assert_eq!(n, 2);
//! }
//! ```

mod keeper;
mod template;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::FutureExt;

use crate::ephemeral::EphemeralServer;
use crate::migrate::Migrator;
use crate::{Config, Connection, Error, Pool};

/// What a test needs besides its body: its name, its migrations and its fixtures
/// (`(name, SQL)`, applied in order after the migrations).
#[derive(Debug)]
pub struct TestSpec {
    /// `module::path::test_name`, for naming its database.
    pub path: &'static str,
    /// The migrations to apply to the template.
    pub migrator: Option<Migrator>,
    /// Fixtures to apply to the template after the migrations.
    pub fixtures: &'static [(&'static str, &'static str)],
    /// The test is `#[should_panic]`: a panic is its passing outcome (its database is dropped).
    pub should_panic: bool,
}

/// The argument a test takes: built from the test database's settings.
pub trait TestArg: Sized + Send + 'static {
    /// Makes the argument for the database `config` points at.
    fn make(config: Config) -> impl Future<Output = Result<Self, Error>> + Send;

    /// The pool to close when the test is over, before its database is dropped.
    fn pool(&self) -> Option<Pool> {
        None
    }
}

impl TestArg for Pool {
    async fn make(config: Config) -> Result<Pool, Error> {
        Pool::builder().build_with(config).await
    }

    fn pool(&self) -> Option<Pool> {
        Some(self.clone())
    }
}

impl TestArg for Connection {
    async fn make(config: Config) -> Result<Connection, Error> {
        Connection::connect(&config).await
    }
}

impl TestArg for Config {
    async fn make(config: Config) -> Result<Config, Error> {
        Ok(config)
    }
}

/// A test's outcome: `()` or a `Result` whose error fails the test.
pub trait TestOutcome {
    /// `Err` with a description when the test failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> TestOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// How long a passing test's pool gets to close before its database is dropped anyway.
const CLOSE_LIMIT: Duration = Duration::from_secs(1);

/// Runs one `#[quarry::test]`: takes its database (a clone of the template), runs `body` with
/// the argument, has the database dropped when the test passed and keeps it (printing its name)
/// when it failed. Panics to fail the test, as `#[test]` expects.
///
/// ```no_run
/// use quarry_driver::testing::{TestSpec, run_test};
///
/// run_test(
///     TestSpec {
///         path: "my_crate::tests::counts",
///         migrator: None,
///         fixtures: &[],
///         should_panic: false,
///     },
///     |pool: quarry_driver::Pool| async move {
///         let one: i32 = pool.fetch_val("SELECT 1", &[]).await?;
///         assert_eq!(one, 1);
///         Ok::<(), quarry_driver::Error>(())
///     },
/// );
/// ```
pub fn run_test<A, F, Fut, O>(spec: TestSpec, body: F)
where
    A: TestArg,
    F: FnOnce(A) -> Fut,
    Fut: Future<Output = O>,
    O: TestOutcome,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => panic!("quarry::test: could not create a runtime: {e}"),
    };
    runtime.block_on(async move {
        let (keeper, database) = match TestDatabase::take(&spec).await {
            Ok(taken) => taken,
            Err(e) => panic!(
                "quarry::test {}: could not set up its database: {e}",
                spec.path
            ),
        };
        let arg = match A::make(database.config.clone()).await {
            Ok(arg) => arg,
            Err(e) => {
                // The test never ran: nothing in its database to look at.
                let _ = keeper.drop_database(database.name.clone());
                panic!("quarry::test {}: could not connect: {e}", spec.path)
            }
        };
        let pool = arg.pool();
        let outcome = AssertUnwindSafe(body(arg)).catch_unwind().await;
        match outcome {
            Ok(outcome) => match outcome.into_outcome() {
                Ok(()) => {
                    if let Some(pool) = pool {
                        let _ = tokio::time::timeout(CLOSE_LIMIT, pool.close()).await;
                    }
                    if let Err(e) = keeper.drop_database(database.name.clone()) {
                        eprintln!(
                            "quarry::test {}: could not drop {}: {e}",
                            spec.path, database.name
                        );
                    }
                }
                Err(e) => {
                    database.keep(keeper, spec.path).await;
                    panic!("quarry::test {} failed: {e}", spec.path);
                }
            },
            Err(panic) if spec.should_panic => {
                if let Err(e) = keeper.drop_database(database.name.clone()) {
                    eprintln!(
                        "quarry::test {}: could not drop {}: {e}",
                        spec.path, database.name
                    );
                }
                std::panic::resume_unwind(panic);
            }
            Err(panic) => {
                database.keep(keeper, spec.path).await;
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// The server `#[quarry::test]` databases are made on: `DATABASE_URL` when set, else a
/// throwaway server started once per test binary (its URL, on the `postgres` database).
///
/// ```no_run
/// let url = quarry_driver::testing::database_url()?;
/// # Ok::<(), String>(())
/// ```
pub fn database_url() -> Result<String, String> {
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.is_empty()
    {
        return Ok(url);
    }
    static SERVER: OnceLock<Result<EphemeralServer, String>> = OnceLock::new();
    let server = SERVER
        .get_or_init(|| EphemeralServer::start().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| format!("no DATABASE_URL, and no throwaway server could start: {e}"))?;
    Ok(format!("{}?sslmode=disable", server.dsn()))
}

fn base_config() -> Result<Config, String> {
    let url = database_url()?;
    Config::from_dsn(&url).map_err(|e| format!("the test server's URL: {e}"))
}

/// A test's own database.
struct TestDatabase {
    name: String,
    config: Config,
}

impl TestDatabase {
    /// A clone of the template for `spec` (built first if needed), from the keeper's stock.
    async fn take(spec: &TestSpec) -> Result<(&'static keeper::Keeper, TestDatabase), String> {
        let base = base_config()?;
        let template = template::ensure(&base, spec).await?;
        let keeper = keeper::get(&base)?;
        let name = keeper.take(&template, &test_name(spec.path)).await?;
        let config = base.dbname(name.clone());
        Ok((keeper, TestDatabase { name, config }))
    }

    /// Marks the database kept (no test binary collects it) and says where it is.
    async fn keep(&self, keeper: &keeper::Keeper, path: &str) {
        if let Err(e) = keeper.keep(&self.name, path).await {
            eprintln!(
                "quarry::test {path}: could not mark {} kept: {e}",
                self.name
            );
        }
        eprintln!(
            "quarry::test {path} failed; its database is kept for a look: {} (on the server of \
             DATABASE_URL, or the test binary's throwaway one)",
            self.name
        );
    }
}

/// A connection to the server's `postgres` database, for creating and dropping others.
async fn maintenance(base: &Config) -> Result<Connection, Error> {
    let config = base.clone().dbname("postgres");
    Connection::connect(&config).await
}

/// The test's name as it appears in its database's name: the last path segment, lower case,
/// other characters as `_`, at most 30 of them (the name stays within PostgreSQL's 63 bytes).
fn test_name(path: &str) -> String {
    path.rsplit("::")
        .next()
        .unwrap_or("test")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect()
}
