//! What `#[quarry::test]` runs: each test gets a fresh database cloned from a template that has
//! the migrations and fixtures applied once (not once per test), on the server `DATABASE_URL`
//! names or, without one, on a throwaway server started once per test binary.
//!
//! - The template's name is derived from the migrations' and fixtures' checksums, so it is reused
//!   across runs until one of them changes. It is built under an advisory lock, then marked a
//!   template that takes no connections: parallel tests and concurrent test binaries never
//!   collide, and a half-built template is never cloned.
//! - A passing test's database is dropped; a failing one's is kept and its URL printed.
//!
//! ```ignore
//! #[quarry::test(migrations = "migrations", fixtures("users"))]
//! async fn lists_users(pool: quarry::Pool) {
//!     let n: i64 = pool.fetch_val("SELECT count(*) FROM users", &[]).await.unwrap();
//!     assert_eq!(n, 2);
//! }
//! ```

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::FutureExt;
use sha2::{Digest, Sha256};

use crate::ephemeral::EphemeralServer;
use crate::listen::quote_ident;
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
}

/// The argument a test takes: built from the test database's settings.
pub trait TestArg: Sized + Send + 'static {
    /// Makes the argument for the database `config` points at.
    fn make(config: Config) -> impl Future<Output = Result<Self, Error>> + Send;
}

impl TestArg for Pool {
    async fn make(config: Config) -> Result<Pool, Error> {
        Pool::builder().build_with(config).await
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

/// Runs one `#[quarry::test]`: sets up its database, runs `body` with the argument, drops the
/// database when the test passed and keeps it (printing its URL) when it failed. Panics to fail
/// the test, as `#[test]` expects.
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
        let base = match base_config() {
            Ok(base) => base,
            Err(e) => panic!("quarry::test: {e}"),
        };
        let database = match TestDatabase::create(&base, &spec).await {
            Ok(database) => database,
            Err(e) => panic!(
                "quarry::test {}: could not set up its database: {e}",
                spec.path
            ),
        };
        let arg = match A::make(database.config.clone()).await {
            Ok(arg) => arg,
            Err(e) => panic!("quarry::test {}: could not connect: {e}", spec.path),
        };
        let outcome = AssertUnwindSafe(body(arg)).catch_unwind().await;
        match outcome {
            Ok(outcome) => match outcome.into_outcome() {
                Ok(()) => {
                    if let Err(e) = database.drop(&base).await {
                        eprintln!(
                            "quarry::test {}: could not drop {}: {e}",
                            spec.path, database.name
                        );
                    }
                }
                Err(e) => {
                    database.keep(spec.path);
                    panic!("quarry::test {} failed: {e}", spec.path);
                }
            },
            Err(panic) => {
                database.keep(spec.path);
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
    /// Clones the template for `spec` (building it first if needed) into a new database.
    async fn create(base: &Config, spec: &TestSpec) -> Result<TestDatabase, String> {
        let mut admin = maintenance(base).await.map_err(|e| e.to_string())?;
        let template = ensure_template(&mut admin, base, spec).await?;
        let name = unique_name(spec.path);
        admin
            .execute(
                format!(
                    "CREATE DATABASE {} TEMPLATE {}",
                    quote_ident(&name),
                    quote_ident(&template)
                )
                .as_str(),
                &[],
            )
            .await
            .map_err(|e| format!("cloning {template}: {e}"))?;
        let _ = admin.close().await;
        let mut config = base.clone();
        config.dbname(name.clone());
        Ok(TestDatabase { name, config })
    }

    async fn drop(&self, base: &Config) -> Result<(), Error> {
        let mut admin = maintenance(base).await?;
        admin
            .execute(
                format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&self.name)
                )
                .as_str(),
                &[],
            )
            .await?;
        let _ = admin.close().await;
        Ok(())
    }

    fn keep(&self, path: &str) {
        eprintln!(
            "quarry::test {path} failed; its database is kept for a look: {} (on the server of \
             DATABASE_URL, or the test binary's throwaway one)",
            self.name
        );
    }
}

/// A connection to the server's `postgres` database, for creating and dropping others.
async fn maintenance(base: &Config) -> Result<Connection, Error> {
    let mut config = base.clone();
    config.dbname("postgres");
    Connection::connect(&config).await
}

/// The template for `spec`'s migrations and fixtures: found ready, or built now under a lock.
async fn ensure_template(
    admin: &mut Connection,
    base: &Config,
    spec: &TestSpec,
) -> Result<String, String> {
    let key = template_key(spec);
    let name = format!("quarry_tpl_{}", hex(&key[..8]));
    let lock = i64::from_be_bytes(key[..8].try_into().unwrap_or([0; 8]));
    let ready = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)";
    let db = |e: Error| e.to_string();
    if admin.fetch_val::<bool>(ready, &[&name]).await.map_err(db)? {
        return Ok(name);
    }
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&lock])
        .await
        .map_err(db)?;
    let built = async {
        if admin.fetch_val::<bool>(ready, &[&name]).await.map_err(db)? {
            return Ok(());
        }
        // A template a crashed run left half-built is dropped and built again.
        admin
            .execute(
                format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&name)
                )
                .as_str(),
                &[],
            )
            .await
            .map_err(db)?;
        admin
            .execute(
                format!("CREATE DATABASE {}", quote_ident(&name)).as_str(),
                &[],
            )
            .await
            .map_err(db)?;
        let mut config = base.clone();
        config.dbname(name.clone());
        let mut conn = Connection::connect(&config).await.map_err(db)?;
        let filled = async {
            if let Some(migrator) = &spec.migrator {
                migrator
                    .run(&mut conn)
                    .await
                    .map_err(|e| format!("migrations: {e}"))?;
            }
            for (fixture, sql) in spec.fixtures {
                conn.execute(*sql, &[])
                    .await
                    .map_err(|e| format!("fixture {fixture}: {e}"))?;
            }
            Ok::<(), String>(())
        }
        .await;
        let _ = conn.close().await;
        filled?;
        admin
            .execute(
                format!(
                    "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
                    quote_ident(&name)
                )
                .as_str(),
                &[],
            )
            .await
            .map_err(db)?;
        Ok::<(), String>(())
    }
    .await;
    let unlocked = admin
        .execute("SELECT pg_advisory_unlock($1)", &[&lock])
        .await;
    built?;
    unlocked.map_err(db)?;
    Ok(name)
}

/// SHA-256 over every migration's identity and checksum and every fixture.
fn template_key(spec: &TestSpec) -> [u8; 32] {
    let mut hash = Sha256::new();
    if let Some(migrator) = &spec.migrator {
        for m in migrator.migrations() {
            hash.update(m.file().as_bytes());
            hash.update(m.checksum());
        }
    }
    hash.update(b"\0fixtures");
    for (name, sql) in spec.fixtures {
        hash.update(name.as_bytes());
        hash.update(crate::migrate::checksum(sql));
    }
    hash.finalize().into()
}

/// `quarry_test_<test name>_<pid>_<n>`: unique across parallel tests and concurrent binaries,
/// and within PostgreSQL's 63-byte identifier limit.
fn unique_name(path: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let test: String = path
        .rsplit("::")
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
        .collect();
    format!(
        "quarry_test_{test}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
