//! Where descriptions come from, decided once per build process from the environment: the
//! database URL (process environment, else `.env` in the crate dir or its ancestors), offline
//! mode, the offline cache directories, the describe timeout and the `quarry.toml` type mapping.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default limit on connecting and describing one query.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of one macro expansion.
pub(crate) struct Config {
    /// The crate being compiled (`CARGO_MANIFEST_DIR`).
    pub(crate) crate_dir: PathBuf,
    /// `Some(url)` in live mode.
    pub(crate) database_url: Option<String>,
    /// Offline cache directories to read, in order.
    pub(crate) offline_dirs: Vec<PathBuf>,
    /// Connect + describe time limit (`QUARRY_DESCRIBE_TIMEOUT`, in seconds).
    pub(crate) timeout: Duration,
    /// `QUARRY_PREPARE_DIR`: `quarry prepare` collects descriptions here.
    pub(crate) prepare_dir: Option<PathBuf>,
    /// `quarry.toml`'s `[types]`: PostgreSQL type name (maybe schema-qualified) to Rust path.
    pub(crate) type_map: HashMap<String, String>,
    /// Problems reading the settings, reported as compile errors.
    pub(crate) problems: Vec<String>,
}

impl Config {
    /// Reads the settings from the environment of the compiler process.
    pub(crate) fn from_env() -> Config {
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let mut problems = Vec::new();
        let offline = std::env::var("QUARRY_OFFLINE")
            .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
            .unwrap_or(false);
        let database_url = if offline {
            None
        } else {
            std::env::var("DATABASE_URL")
                .ok()
                .or_else(|| dotenv_url(&crate_dir))
                .filter(|url| !url.is_empty())
        };
        let mut offline_dirs = Vec::new();
        if let Some(dir) = std::env::var_os("QUARRY_OFFLINE_DIR") {
            offline_dirs.push(PathBuf::from(dir));
        }
        offline_dirs.extend(
            crate_dir
                .ancestors()
                .map(|dir| dir.join(quarry_describe::cache::DIR_NAME))
                .filter(|dir| dir.is_dir()),
        );
        let timeout = match std::env::var("QUARRY_DESCRIBE_TIMEOUT") {
            Ok(text) => match text.trim().parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => Duration::from_secs_f64(secs),
                _ => {
                    problems.push(format!(
                        "QUARRY_DESCRIBE_TIMEOUT={text:?} is not a positive number of seconds"
                    ));
                    DEFAULT_TIMEOUT
                }
            },
            Err(_) => DEFAULT_TIMEOUT,
        };
        let prepare_dir = std::env::var_os("QUARRY_PREPARE_DIR").map(PathBuf::from);
        let type_map = match find_upwards(&crate_dir, "quarry.toml") {
            Some(path) => read_type_map(&path).unwrap_or_else(|e| {
                problems.push(e);
                HashMap::new()
            }),
            None => HashMap::new(),
        };
        Config {
            crate_dir,
            database_url,
            offline_dirs,
            timeout,
            prepare_dir,
            type_map,
            problems,
        }
    }

    /// The Rust type `quarry.toml` maps a PostgreSQL type to (`schema.name` first, then `name`).
    pub(crate) fn mapped(&self, schema: &str, name: &str) -> Option<&str> {
        self.type_map
            .get(&format!("{schema}.{name}"))
            .or_else(|| self.type_map.get(name))
            .map(String::as_str)
    }
}

/// `DATABASE_URL` from the first `.env` in `dir` or its ancestors that sets it.
fn dotenv_url(dir: &Path) -> Option<String> {
    dir.ancestors().find_map(|dir| {
        let iter = dotenvy::from_path_iter(dir.join(".env")).ok()?;
        iter.filter_map(Result::ok)
            .find(|(key, _)| key == "DATABASE_URL")
            .map(|(_, value)| value)
    })
}

/// The first `name` in `dir` or its ancestors.
fn find_upwards(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors()
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Reads `[types]` of a `quarry.toml`.
fn read_type_map(path: &Path) -> Result<HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_type_map(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the `[types]` table: `"pg_name" = "rust::Path"`.
fn parse_type_map(text: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut map = HashMap::new();
    let Some(types) = table.get("types") else {
        return Ok(map);
    };
    let types = types
        .as_table()
        .ok_or_else(|| "`types` must be a table of \"pg_type\" = \"rust::Path\"".to_owned())?;
    for (pg, rust) in types {
        let rust = rust
            .as_str()
            .ok_or_else(|| format!("types.{pg} must be a string naming a Rust type"))?;
        if syn::parse_str::<syn::Type>(rust).is_err() {
            return Err(format!("types.{pg} = {rust:?} is not a Rust type"));
        }
        map.insert(pg.clone(), rust.to_owned());
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_type_map() {
        let map =
            parse_type_map("[types]\nmood = \"crate::Mood\"\n\"public.point2\" = \"my::P\"\n")
                .unwrap();
        assert_eq!(map["mood"], "crate::Mood");
        assert_eq!(map["public.point2"], "my::P");
        assert!(parse_type_map("[types]\nmood = 1\n").is_err());
        assert!(parse_type_map("[types]\nmood = \"not a type!\"\n").is_err());
        assert!(parse_type_map("").unwrap().is_empty());
    }
}
