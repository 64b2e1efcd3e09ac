//! `test_setup`: what one database test costs around its body, for a schema of 30 migrations
//! (see `schema`), with a body of one query that checks the schema is there.
//!
//! - Quarry: `quarry_driver::testing::run_test`, the very call `#[quarry::test]` expands to
//!   (with the migrator `quarry::migrate!()` embeds, here read from the generated folder): a
//!   database cloned from a template that already has the migrations, dropped when the test
//!   passed. The template is built once, by the first test (in `setup`, untimed, its time
//!   printed), and reused while the migrations are unchanged.
//! - sqlx: `sqlx::testing::TestFn::run_test`, the very call `#[sqlx::test]` expands to (public,
//!   doc-hidden, with sqlx's `migrate` feature): a fresh database per test, the 30 migrations
//!   applied to it, dropped when the test passed.
//!
//! Both tests take a pool (`quarry::Pool`, `sqlx::PgPool`). Both attributes read the server from
//! `DATABASE_URL` (main makes sure it is set) and build a tokio runtime per test, as the tests
//! would: so the tests run one after another on a blocking thread, whose CPU time is the client
//! CPU here.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

use super::schema::{COUNT_OBJECTS, Schema};

const NAME: &str = "test_setup";
/// Migrations in the schema every test needs.
const MIGRATIONS: u32 = 30;
/// The test's path, as the attributes name it (`module_path!()::name`).
const TEST_PATH: &str = "quarry_bench::workloads::test_setup::a_test";

/// Both migrators, read from the same generated files.
struct Migrators {
    quarry: quarry_driver::migrate::Migrator,
    /// `#[sqlx::test]` takes a `&'static Migrator` (what `sqlx::migrate!()` makes).
    sqlx: &'static sqlx::migrate::Migrator,
    /// Objects the check query must find.
    objects: i64,
}

static MIGRATORS: OnceLock<Migrators> = OnceLock::new();

/// What the last test body of each driver saw (objects counted).
static QUARRY_SEEN: AtomicI64 = AtomicI64::new(-1);
static SQLX_SEEN: AtomicI64 = AtomicI64::new(-1);

/// Writes the 30 migrations to a temp folder and reads them with both migrators (the folder is
/// gone afterwards: both keep the files' contents, as the embedding macros do). Then runs one
/// Quarry test, which builds the template, and prints how long that took.
pub(super) async fn setup(conns: &mut Connections) -> Result<(), BenchError> {
    if std::env::var("DATABASE_URL").map_or(true, |url| url.is_empty()) {
        return Err(BenchError::Setup(
            "test_setup needs DATABASE_URL (both test attributes read it)".to_owned(),
        ));
    }
    if MIGRATORS.get().is_none() {
        let schema = Schema::generate(MIGRATIONS);
        let dir = tempfile::tempdir()
            .map_err(|e| BenchError::Setup(format!("creating a temp folder: {e}")))?;
        schema.write(dir.path())?;
        let quarry = quarry_driver::migrate::Migrator::from_dir(dir.path())?;
        let sqlx = sqlx::migrate::Migrator::new(dir.path()).await?;
        // A set of migrations per process run, like the static `sqlx::migrate!()` makes.
        let sqlx: &'static sqlx::migrate::Migrator = Box::leak(Box::new(sqlx));
        let _ = MIGRATORS.set(Migrators {
            quarry,
            sqlx,
            objects: schema.objects,
        });
    }
    let started = Instant::now();
    run(Driver::Quarry, conns, 1).await?;
    eprintln!(
        "{NAME}: first quarry test (builds the template unless the server has it): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// Runs `n` tests, one after another, with `driver`'s test attribute machinery.
pub(super) async fn run(
    driver: Driver,
    _conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    let migrators = MIGRATORS
        .get()
        .ok_or_else(|| BenchError::Setup(format!("{NAME}: run before setup")))?;
    let seen = match driver {
        Driver::Quarry => &QUARRY_SEEN,
        Driver::Sqlx => &SQLX_SEEN,
        Driver::TokioPostgres => return Err(BenchError::NotRun(NAME, driver.name())),
    };
    seen.store(-1, Ordering::Relaxed);
    // Each test builds its own runtime and blocks on it: not on this runtime's thread.
    let sample = tokio::task::spawn_blocking(move || match driver {
        Driver::Quarry => quarry_tests(migrators, n),
        _ => sqlx_tests(migrators, n),
    })
    .await
    .map_err(|e| BenchError::Task(NAME, driver.name(), super::panic_message(e)))??;
    check(
        NAME,
        driver.name(),
        "schema objects the test saw",
        migrators.objects,
        seen.load(Ordering::Relaxed),
    )?;
    Ok(sample)
}

/// `n` times what a `#[quarry::test] async fn a_test(pool: quarry::Pool)` does.
fn quarry_tests(migrators: &Migrators, n: u64) -> Result<Sample, BenchError> {
    let watch = Stopwatch::start()?;
    for _ in 0..n {
        quarry_driver::testing::run_test(
            quarry_driver::testing::TestSpec {
                path: TEST_PATH,
                // `quarry::migrate!()` builds its `Migrator` in each test too.
                migrator: Some(migrators.quarry.clone()),
                fixtures: &[],
                should_panic: false,
            },
            |pool: quarry_driver::Pool| async move {
                let objects: i64 = pool.fetch_val(COUNT_OBJECTS, &[]).await?;
                QUARRY_SEEN.store(objects, Ordering::Relaxed);
                Ok::<(), quarry_driver::Error>(())
            },
        );
    }
    watch.stop(n, n)
}

/// The body of the sqlx test.
async fn sqlx_body(pool: sqlx::PgPool) -> Result<(), sqlx::Error> {
    let objects: i64 = sqlx::query_scalar(COUNT_OBJECTS).fetch_one(&pool).await?;
    SQLX_SEEN.store(objects, Ordering::Relaxed);
    Ok(())
}

/// `n` times what a `#[sqlx::test] async fn a_test(pool: PgPool)` does: its expansion, verbatim
/// but for the migrator (`args.migrator(&sqlx::migrate!())` there).
fn sqlx_tests(migrators: &Migrators, n: u64) -> Result<Sample, BenchError> {
    let watch = Stopwatch::start()?;
    for _ in 0..n {
        let mut args = sqlx::testing::TestArgs::new(TEST_PATH);
        args.migrator(migrators.sqlx);
        args.fixtures(&[]);
        let f: fn(_) -> _ = sqlx_body;
        sqlx::testing::TestFn::run_test(f, args)?;
    }
    watch.stop(n, n)
}
