//! Getting a query's description: live from the database (one connection per build process per
//! URL, kept in a static with its current-thread runtime, every step under a time limit) or from
//! the offline cache. Under `quarry prepare` (`QUARRY_PREPARE_DIR`) each description used is also
//! written to the prepare directory, and a missing offline entry is recorded there.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use quarry_describe::{Describer, QueryDescription, cache};
use quarry_driver::Connection;
use tokio::runtime::Runtime;

use super::config::Config;
use super::errors;

/// A description and the query's offline cache file, for rebuild tracking.
pub(crate) struct Described {
    /// The description.
    pub(crate) description: QueryDescription,
    /// The query's cache file when one exists — in both modes, so that a `query!` expands to
    /// the same tokens live and offline and switching between them keeps the incremental cache.
    pub(crate) file: Option<PathBuf>,
}

/// The live state of this build process: a runtime and, per URL, one connection and the
/// catalog facts read through it.
struct Live {
    runtime: Runtime,
    connections: HashMap<String, (Connection, Describer)>,
}

static LIVE: Mutex<Option<Live>> = Mutex::new(None);

/// Describes `sql`, live or offline as the configuration says.
pub(crate) fn describe(config: &Config, sql: &str) -> Result<Described, String> {
    let described = match &config.database_url {
        Some(url) => Described {
            description: live(config, url, sql)?,
            file: config
                .offline_dirs
                .iter()
                .map(|dir| cache::path_for(dir, sql))
                .find(|path| path.is_file()),
        },
        None => offline(config, sql)?,
    };
    if let Some(dir) = &config.prepare_dir {
        cache::collect(dir, &described.description)
            .map_err(|e| format!("could not record the query for `quarry prepare`: {e}"))?;
    }
    Ok(described)
}

fn live(config: &Config, url: &str, sql: &str) -> Result<QueryDescription, String> {
    let mut guard = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if guard.is_none() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start a runtime to describe the query: {e}"))?;
        *guard = Some(Live {
            runtime,
            connections: HashMap::new(),
        });
    }
    let Some(state) = guard.as_mut() else {
        return Err("internal error: no describe runtime".to_owned());
    };
    let limit = config.timeout;
    if state
        .connections
        .get(url)
        .is_none_or(|(conn, _)| conn.is_closed())
    {
        let connected = state
            .runtime
            .block_on(async { tokio::time::timeout(limit, quarry_driver::connect(url)).await });
        let conn = match connected {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => {
                return Err(format!(
                    "could not connect to DATABASE_URL to check this query: {e}\n\
                     (set QUARRY_OFFLINE=true to build from the `{}` cache instead)",
                    cache::DIR_NAME
                ));
            }
            Err(_) => {
                return Err(format!(
                    "connecting to DATABASE_URL timed out after {:?} \
                     (QUARRY_DESCRIBE_TIMEOUT); set QUARRY_OFFLINE=true to build from the \
                     `{}` cache instead",
                    limit,
                    cache::DIR_NAME
                ));
            }
        };
        state
            .connections
            .insert(url.to_owned(), (conn, Describer::new()));
    }
    let Some((conn, describer)) = state.connections.get_mut(url) else {
        return Err("internal error: no describe connection".to_owned());
    };
    let runtime = &state.runtime;
    let result = runtime
        .block_on(async { tokio::time::timeout(limit, describer.describe(conn, sql)).await });
    match result {
        Ok(Ok(description)) => Ok(description),
        Ok(Err(e)) => Err(errors::server_error(sql, &e)),
        Err(_) => {
            // The dropped future leaves the connection mid-request: start afresh next time.
            state.connections.remove(url);
            Err(format!(
                "describing the query timed out after {limit:?} (QUARRY_DESCRIBE_TIMEOUT)"
            ))
        }
    }
}

fn offline(config: &Config, sql: &str) -> Result<Described, String> {
    for dir in &config.offline_dirs {
        match cache::read(dir, sql) {
            Ok(Some(description)) => {
                return Ok(Described {
                    description,
                    file: Some(cache::path_for(dir, sql)),
                });
            }
            Ok(None) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if let Some(dir) = &config.prepare_dir {
        // `quarry prepare --check --offline` lists the queries that have no entry; failing to
        // record one only makes that report shorter, the error below is given either way.
        let _ = cache::record_missing(dir, sql);
    }
    let searched = if config.offline_dirs.is_empty() {
        format!(
            "no `{}` directory was found in {} or its ancestors",
            cache::DIR_NAME,
            config.crate_dir.display()
        )
    } else {
        let dirs: Vec<String> = config
            .offline_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        format!("searched {}", dirs.join(", "))
    };
    Err(format!(
        "no offline description of this query ({}; {searched}).\n\
         Set DATABASE_URL (in the environment or a `.env` file) to check it against a database, \
         and run `quarry prepare` to add it to the cache",
        cache::file_name(sql)
    ))
}
