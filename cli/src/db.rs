//! `quarry db ...`: `create`, `drop`, `setup` and `reset` the database a URL names (through a
//! maintenance connection to the same server's `postgres` database), and `start` a throwaway
//! PostgreSQL server until Ctrl-C.
//!
//! The throwaway server itself (initdb, a free port, TLS files, cleanup, a watchdog for when we
//! are killed) is `quarry_driver::ephemeral`'s job; this module prints how to reach it and waits
//! for a signal.

use std::io::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quarry_driver::ephemeral::EphemeralServer;
use quarry_driver::quote_ident;
use tokio::signal::unix::{Signal, SignalKind};

use quarry_driver::migrate::Migrator;
use quarry_driver::{Config, Connection};

use crate::args::{DatabaseArgs, StartArgs};
use crate::error::CliError;

/// Everything but RFC 3986 unreserved characters and `/` is escaped in a query-string value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Starts the server, prints `DATABASE_URL=...` and `PGDATA=...` on stdout (one per line), waits
/// for Ctrl-C or SIGTERM, then stops the server and deletes its files.
pub(crate) fn start(args: &StartArgs) -> Result<(), CliError> {
    // Listen for signals before the server exists, so a Ctrl-C at any point stops it cleanly.
    let runtime = crate::runtime()?;
    let mut signals = runtime.block_on(async { Signals::listen() })?;

    let mut builder = EphemeralServer::builder().tls(args.tls);
    if let Some(port) = args.port {
        builder = builder.port(port);
    }
    let mut server = builder.start().map_err(|source| CliError::Server {
        action: "start",
        source,
    })?;
    if args.migrate {
        let dir = args
            .source
            .clone()
            .unwrap_or_else(quarry_driver::migrate::default_dir);
        let migrator = Migrator::from_dir(&dir)?;
        let url = database_url(&server);
        runtime.block_on(async {
            let mut conn = quarry_driver::connect(&url).await?;
            for applied in migrator.run(&mut conn).await? {
                eprintln!(
                    "applied {} ({} ms)",
                    applied.file,
                    applied.duration.as_millis()
                );
            }
            Ok::<(), CliError>(())
        })?;
    }
    let announced = announce(&server);
    if announced.is_ok() {
        runtime.block_on(signals.next());
    }
    // Dropping the server would also stop it, but `stop` reports failures.
    let stopped = server.stop().map_err(|source| CliError::Server {
        action: "stop",
        source,
    });
    std::mem::drop(server);
    announced?;
    stopped?;
    eprintln!("PostgreSQL stopped; its files are deleted.");
    Ok(())
}

/// `quarry db create`: creates the database unless it exists.
pub(crate) fn create(args: &DatabaseArgs) -> Result<(), CliError> {
    let (config, name) = target(args)?;
    crate::runtime()?.block_on(async {
        let mut admin = maintenance(&config).await?;
        let created = create_database(&mut admin, &name).await;
        let _ = admin.close().await;
        report_created(&name, created?);
        Ok(())
    })
}

/// `quarry db drop [--force]`: drops the database if it exists; `force` terminates its
/// sessions first.
pub(crate) fn drop(args: &DatabaseArgs, force: bool) -> Result<(), CliError> {
    let (config, name) = target(args)?;
    crate::runtime()?.block_on(async {
        let mut admin = maintenance(&config).await?;
        let dropped = drop_database(&mut admin, &name, force).await;
        let _ = admin.close().await;
        if dropped? {
            println!("dropped database {name}");
        } else {
            println!("database {name} does not exist");
        }
        Ok(())
    })
}

/// `quarry db setup`: creates the database unless it exists, then applies every migration.
pub(crate) fn setup(args: &DatabaseArgs) -> Result<(), CliError> {
    let (config, name) = target(args)?;
    let migrator = migrator(args)?;
    crate::runtime()?.block_on(async {
        let mut admin = maintenance(&config).await?;
        let created = create_database(&mut admin, &name).await;
        let _ = admin.close().await;
        report_created(&name, created?);
        migrate(&config, &migrator).await
    })
}

/// `quarry db reset`: drops the database (terminating its sessions), then sets it up again.
pub(crate) fn reset(args: &DatabaseArgs) -> Result<(), CliError> {
    let (config, name) = target(args)?;
    let migrator = migrator(args)?;
    crate::runtime()?.block_on(async {
        let mut admin = maintenance(&config).await?;
        let result = async {
            drop_database(&mut admin, &name, true).await?;
            create_database(&mut admin, &name).await
        }
        .await;
        let _ = admin.close().await;
        report_created(&name, result?);
        migrate(&config, &migrator).await
    })
}

fn report_created(name: &str, created: bool) {
    if created {
        println!("created database {name}");
    } else {
        println!("database {name} exists");
    }
}

/// The URL's settings and the database it names.
fn target(args: &DatabaseArgs) -> Result<(Config, String), CliError> {
    let url = crate::database_url::resolve(args.database_url.as_deref())?;
    let config = Config::from_dsn(&url).map_err(quarry_driver::Error::from)?;
    let name = config
        .get_dbname()
        .map(str::to_owned)
        .ok_or(CliError::NoDatabaseName)?;
    Ok((config, name))
}

fn migrator(args: &DatabaseArgs) -> Result<Migrator, CliError> {
    let dir = args
        .source
        .clone()
        .unwrap_or_else(quarry_driver::migrate::default_dir);
    Ok(Migrator::from_dir(dir)?)
}

/// A connection to the same server's `postgres` database, to create or drop another.
async fn maintenance(config: &Config) -> Result<Connection, CliError> {
    let admin = config.clone().dbname("postgres");
    Ok(Connection::connect(&admin).await?)
}

/// Whether the database was created (false: it existed).
async fn create_database(admin: &mut Connection, name: &str) -> Result<bool, CliError> {
    let exists: bool = admin
        .fetch_val(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await?;
    if exists {
        return Ok(false);
    }
    admin
        .execute(
            format!("CREATE DATABASE {}", quote_ident(name)).as_str(),
            &[],
        )
        .await?;
    Ok(true)
}

/// Whether the database was dropped (false: it did not exist).
async fn drop_database(admin: &mut Connection, name: &str, force: bool) -> Result<bool, CliError> {
    let exists: bool = admin
        .fetch_val(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await?;
    if !exists {
        return Ok(false);
    }
    let with = if force { " WITH (FORCE)" } else { "" };
    admin
        .execute(
            format!("DROP DATABASE {}{with}", quote_ident(name)).as_str(),
            &[],
        )
        .await?;
    Ok(true)
}

async fn migrate(config: &Config, migrator: &Migrator) -> Result<(), CliError> {
    let mut conn = Connection::connect(config).await?;
    let result = migrator.run(&mut conn).await;
    let _ = conn.close().await;
    let applied = result?;
    if applied.is_empty() {
        println!("migrations: nothing to do");
    }
    for m in applied {
        println!("applied {} ({} ms)", m.file, m.duration.as_millis());
    }
    Ok(())
}

/// Prints how to reach the server: machine-readable lines on stdout, a note on stderr.
fn announce(server: &EphemeralServer) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "DATABASE_URL={}", database_url(server)).map_err(CliError::Stdout)?;
    writeln!(out, "PGDATA={}", server.data_dir().display()).map_err(CliError::Stdout)?;
    out.flush().map_err(CliError::Stdout)?;
    eprintln!(
        "PostgreSQL {} is running on {}:{} (superuser `{}`, no password). Press Ctrl-C to stop it.",
        server.version(),
        server.host(),
        server.port(),
        server.superuser(),
    );
    Ok(())
}

/// The URL to give clients: the superuser on `postgres`, verifying TLS against our CA when on.
fn database_url(server: &EphemeralServer) -> String {
    let dsn = server.dsn();
    match server.tls() {
        Some(tls) => {
            let ca = tls.ca_cert.to_string_lossy();
            format!(
                "{dsn}?sslmode=verify-full&sslrootcert={}",
                utf8_percent_encode(&ca, QUERY_VALUE)
            )
        }
        None => dsn,
    }
}

/// SIGINT (Ctrl-C) and SIGTERM handlers, installed up front so no signal is missed.
struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Installs both handlers; must run inside the runtime.
    fn listen() -> Result<Signals, CliError> {
        let install = |kind, signal| {
            tokio::signal::unix::signal(kind).map_err(|source| CliError::Signal { signal, source })
        };
        Ok(Signals {
            interrupt: install(SignalKind::interrupt(), "SIGINT")?,
            terminate: install(SignalKind::terminate(), "SIGTERM")?,
        })
    }

    /// Waits for the first of the two signals.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_keep_slashes_and_escape_the_rest() {
        let encoded = utf8_percent_encode("/tmp/quarry pg/ca&x=1.pem", QUERY_VALUE).to_string();
        assert_eq!(encoded, "/tmp/quarry%20pg/ca%26x%3D1.pem");
    }
}
