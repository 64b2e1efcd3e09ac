//! A database for `quarry prepare` when none is configured: with migrations present and no
//! `--database-url`, `DATABASE_URL` or `.env`, a throwaway server is started, the migrations are
//! applied to it, the queries are described against it, and it is stopped — so CI needs no
//! database service at all.

use quarry_driver::ephemeral::EphemeralServer;
use quarry_driver::migrate::Migrator;

use crate::error::CliError;

/// A running throwaway server with the migrations applied; stopped (and its files deleted) when
/// dropped.
pub(crate) struct MigratedServer {
    _server: EphemeralServer,
    /// Its URL.
    pub(crate) url: String,
}

/// Starts a server and applies the migrations of the default folder, when there is no database
/// configured and that folder exists; `None` otherwise (the usual rules apply).
pub(crate) fn when_unconfigured(
    database_url: Option<&str>,
) -> Result<Option<MigratedServer>, CliError> {
    if crate::database_url::resolve(database_url).is_ok() {
        return Ok(None);
    }
    let dir = quarry_driver::migrate::default_dir();
    if !dir.is_dir() {
        return Ok(None);
    }
    let migrator = Migrator::from_dir(&dir)?;
    eprintln!(
        "no database configured: describing against a throwaway server migrated from {}",
        dir.display()
    );
    let server = EphemeralServer::start().map_err(|source| CliError::Server {
        action: "start",
        source,
    })?;
    let url = format!("{}?sslmode=disable", server.dsn());
    crate::runtime()?.block_on(async {
        let mut conn = quarry_driver::connect(&url).await?;
        let result = migrator.run(&mut conn).await;
        let _ = conn.close().await;
        result.map(drop).map_err(CliError::from)
    })?;
    Ok(Some(MigratedServer {
        _server: server,
        url,
    }))
}
