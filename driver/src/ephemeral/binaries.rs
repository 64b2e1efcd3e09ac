//! Finding the PostgreSQL server binaries (`initdb`, `postgres`, `psql`) on this machine.
//!
//! Search order: `$QUARRY_PG_BINDIR`, `initdb` on `PATH` (symlinks resolved), `pg_config --bindir`,
//! then the highest-numbered `/usr/lib/postgresql/*/bin`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::EphemeralError;

/// The directory holding the server binaries.
#[derive(Debug, Clone)]
pub(crate) struct BinDir {
    dir: PathBuf,
}

impl BinDir {
    /// Finds the binaries, or says where it looked.
    pub(crate) fn find() -> Result<Self, EphemeralError> {
        let mut searched = Vec::new();
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os("QUARRY_PG_BINDIR") {
            candidates.push(PathBuf::from(dir));
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                let initdb = dir.join("initdb");
                if initdb.is_file() {
                    // /usr/local/bin/initdb is often a symlink: the real directory holds psql too.
                    if let Some(real) = std::fs::canonicalize(&initdb)
                        .ok()
                        .and_then(|p| p.parent().map(Path::to_path_buf))
                    {
                        candidates.push(real);
                    }
                    candidates.push(dir);
                }
            }
        }
        if let Some(dir) = pg_config_bindir() {
            candidates.push(dir);
        }
        candidates.extend(debian_bindirs());
        for dir in candidates {
            if is_complete(&dir) {
                return Ok(Self { dir });
            }
            if !searched.contains(&dir) {
                searched.push(dir);
            }
        }
        if searched.is_empty() {
            searched.push(PathBuf::from("$QUARRY_PG_BINDIR"));
            searched.push(PathBuf::from("$PATH"));
            searched.push(PathBuf::from("pg_config --bindir"));
            searched.push(PathBuf::from("/usr/lib/postgresql/*/bin"));
        }
        Err(EphemeralError::BinariesNotFound { searched })
    }

    /// The directory itself.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of one binary in this directory.
    pub(crate) fn bin(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// True when the directory has everything we run.
fn is_complete(dir: &Path) -> bool {
    ["initdb", "postgres", "psql"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let dir = text.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// `/usr/lib/postgresql/<major>/bin`, highest major first.
fn debian_bindirs() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some((version_key(&name), e.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, p)| p).collect()
}

/// "9.6" -> [9, 6], "15" -> [15]; non-numeric parts count as 0.
fn version_key(name: &str) -> Vec<u32> {
    name.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keys_sort_numerically() {
        assert!(version_key("15") > version_key("9.6"));
        assert!(version_key("10") > version_key("9"));
        assert_eq!(version_key("x"), vec![0]);
    }

    #[test]
    fn finds_binaries_on_this_machine() {
        // The development machine has PostgreSQL installed.
        let dir = BinDir::find().unwrap();
        assert!(dir.bin("postgres").is_file());
    }
}
