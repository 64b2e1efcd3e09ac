//! `migrate`: 100 small migrations (see `schema`) applied to an empty database, as
//! `quarry migrate run` and `sqlx migrate run` do it: connect, the library's `Migrator::run`
//! (`quarry_driver::migrate::Migrator::run`, which the CLI calls with default options; sqlx's
//! `Migrator::run`, called as the `run_direct(None, conn, false)` it consists of on a
//! connection), close. Each operation gets a fresh empty database, created before the timed
//! section and dropped after it; both migrators read the same generated files before it.
//! Afterwards every database must have the 100 migrations recorded and the schema's objects.

use std::sync::OnceLock;

use crate::drivers::{Connections, Driver};
use crate::error::{BenchError, check};
use crate::measure::{Sample, Stopwatch};

use super::schema::{COUNT_OBJECTS, Schema};

const NAME: &str = "migrate";
/// Migrations applied per operation.
const MIGRATIONS: u32 = 100;

/// Both migrators, read from the same generated files.
struct Migrators {
    quarry: quarry_driver::migrate::Migrator,
    sqlx: sqlx::migrate::Migrator,
    /// Objects the check query must find.
    objects: i64,
}

static MIGRATORS: OnceLock<Migrators> = OnceLock::new();

/// Writes the 100 migrations to a temp folder and reads them with both migrators (the folder
/// is gone afterwards).
pub(super) async fn setup(_conns: &mut Connections) -> Result<(), BenchError> {
    if MIGRATORS.get().is_some() {
        return Ok(());
    }
    let schema = Schema::generate(MIGRATIONS);
    let dir = tempfile::tempdir()
        .map_err(|e| BenchError::Setup(format!("creating a temp folder: {e}")))?;
    schema.write(dir.path())?;
    let quarry = quarry_driver::migrate::Migrator::from_dir(dir.path())?;
    let sqlx = sqlx::migrate::Migrator::new(dir.path()).await?;
    let _ = MIGRATORS.set(Migrators {
        quarry,
        sqlx,
        objects: schema.objects,
    });
    Ok(())
}

/// `n` migration runs by `driver`, each on a fresh empty database.
pub(super) async fn run(
    driver: Driver,
    conns: &mut Connections,
    n: u64,
) -> Result<Sample, BenchError> {
    use sqlx::Connection as _;
    let migrators = MIGRATORS
        .get()
        .ok_or_else(|| BenchError::Setup(format!("{NAME}: run before setup")))?;
    let databases: Vec<String> = (0..n)
        .map(|i| format!("bench_migrate_{}_{i}", driver.name().replace('-', "_")))
        .collect();
    for db in &databases {
        conns
            .quarry
            .execute(
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str(),
                &[],
            )
            .await?;
        conns
            .quarry
            .execute(format!("CREATE DATABASE {db}").as_str(), &[])
            .await?;
    }
    let config = quarry_driver::Config::from_dsn(&conns.dsn)
        .map_err(|e| BenchError::Setup(format!("the server's URL: {e}")))?;
    let base: sqlx::postgres::PgConnectOptions = conns.dsn.parse()?;
    let sample = match driver {
        Driver::Quarry => {
            let configs: Vec<quarry_driver::Config> = databases
                .iter()
                .map(|db| config.clone().dbname(db.as_str()))
                .collect();
            let watch = Stopwatch::start()?;
            for config in &configs {
                let mut conn = quarry_driver::Connection::connect(config).await?;
                migrators.quarry.run(&mut conn).await?;
                conn.close().await?;
            }
            watch.stop(n, n)?
        }
        Driver::Sqlx => {
            let options: Vec<sqlx::postgres::PgConnectOptions> = databases
                .iter()
                .map(|db| base.clone().database(db))
                .collect();
            let watch = Stopwatch::start()?;
            for options in &options {
                let mut conn = sqlx::PgConnection::connect_with(options).await?;
                // `Migrator::run(&mut conn)` is `acquire` (the connection itself) and then this
                // call; awaited directly, `run`'s future cannot be proven `Send` ("`Acquire` is
                // not general enough", which `--multi-thread` needs), and sqlx made `run_direct`
                // public to get around that.
                migrators.sqlx.run_direct(None, &mut conn, false).await?;
                conn.close().await?;
            }
            watch.stop(n, n)?
        }
        Driver::TokioPostgres => return Err(BenchError::NotRun(NAME, driver.name())),
    };
    let recorded_sql = match driver {
        Driver::Quarry => "SELECT count(*) FROM _quarry_migrations",
        _ => "SELECT count(*) FROM _sqlx_migrations WHERE success",
    };
    for db in &databases {
        let c = config.clone().dbname(db.as_str());
        let mut conn = quarry_driver::Connection::connect(&c).await?;
        let recorded: i64 = conn.fetch_val(recorded_sql, &[]).await?;
        check(
            NAME,
            driver.name(),
            "migrations recorded",
            i64::from(MIGRATIONS),
            recorded,
        )?;
        let objects: i64 = conn.fetch_val(COUNT_OBJECTS, &[]).await?;
        check(
            NAME,
            driver.name(),
            "schema objects",
            migrators.objects,
            objects,
        )?;
        conn.close().await?;
        conns
            .quarry
            .execute(format!("DROP DATABASE {db} WITH (FORCE)").as_str(), &[])
            .await?;
    }
    Ok(sample)
}
