//! `quarry prepare [--check] [--offline] [--workspace] [-- <cargo check args>]`: refreshes or
//! checks the offline query cache `.quarry/` at the workspace root.
//!
//! It runs `cargo check` with `QUARRY_PREPARE_DIR` (where every `query!` expansion appends the
//! description it used, see `quarry_describe::cache::collect`) and a fresh `QUARRY_PREPARE_NONCE`, an environment variable the
//! expansions read with `option_env!`, so cargo re-runs exactly the crates that use the macros
//! without touching sources. The descriptions collected are then compared with the cache.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::{fs, io, thread};

use indicatif::{ProgressBar, ProgressStyle};
use quarry_describe::cache;

use crate::args::PrepareArgs;

/// Why `quarry prepare` failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PrepareError {
    /// `cargo` could not be run.
    #[error("could not run `cargo {what}`: {source}")]
    Cargo {
        /// The subcommand.
        what: &'static str,
        /// Why.
        source: io::Error,
    },
    /// `cargo locate-project` did not name a workspace.
    #[error("could not find the workspace root (`cargo locate-project --workspace` failed)")]
    NoWorkspace,
    /// `cargo check` failed: the queries (or the code) have errors.
    #[error("`cargo check` failed, so not every query could be described:\n{output}")]
    Check {
        /// What cargo printed.
        output: String,
    },
    /// Reading or writing the cache failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A collected description could not be read back.
    #[error(transparent)]
    Cache(#[from] cache::CacheError),
    /// `--check` found differences.
    #[error("the offline cache is out of date ({count} problem{s}); run `quarry prepare`",
            s = if *.count == 1 { "" } else { "s" })]
    OutOfDate {
        /// How many entries are missing, stale or different.
        count: usize,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> PrepareError + '_ {
    move |source| PrepareError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs `quarry prepare`; with no database configured and migrations present, against a
/// throwaway server holding them (see `crate::throwaway`).
pub(crate) fn run(args: &PrepareArgs) -> Result<(), crate::error::CliError> {
    let throwaway = if args.offline {
        None
    } else {
        crate::throwaway::when_unconfigured(args.database_url.as_deref())?
    };
    let database_url = throwaway
        .as_ref()
        .map(|server| server.url.clone())
        .or_else(|| args.database_url.clone());
    Ok(prepare(args, database_url.as_deref())?)
}

fn prepare(args: &PrepareArgs, database_url: Option<&str>) -> Result<(), PrepareError> {
    let root = workspace_root()?;
    let cache_dir = root.join(cache::DIR_NAME);
    let nonce = nonce();
    let collect_dir = std::env::temp_dir().join(format!("quarry-prepare-{nonce}"));
    fs::create_dir_all(&collect_dir).map_err(io_error(&collect_dir))?;
    let result = describe_all(args, database_url, &root, &collect_dir, &nonce).and_then(|()| {
        let collected = collected_entries(&collect_dir)?;
        if args.check {
            let cached = cache::entries(&cache_dir)?;
            let missing = cache::read_missing(&collect_dir)?;
            check(&collected, &cached, &missing)
        } else {
            write(&cache_dir, &collected)
        }
    });
    let _ = fs::remove_dir_all(&collect_dir);
    result
}

/// The workspace root, from `cargo locate-project --workspace`.
fn workspace_root() -> Result<PathBuf, PrepareError> {
    let output = Command::new(cargo())
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .map_err(|source| PrepareError::Cargo {
            what: "locate-project",
            source,
        })?;
    if !output.status.success() {
        return Err(PrepareError::NoWorkspace);
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    manifest
        .parent()
        .map(Path::to_owned)
        .ok_or(PrepareError::NoWorkspace)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn nonce() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", std::process::id())
}

/// Runs `cargo check` with the macros writing into `collect_dir`, showing a progress spinner.
fn describe_all(
    args: &PrepareArgs,
    database_url: Option<&str>,
    root: &Path,
    collect_dir: &Path,
    nonce: &str,
) -> Result<(), PrepareError> {
    let mut command = Command::new(cargo());
    command.current_dir(root).arg("check");
    // Every target (tests and examples have queries too) unless the user picked targets.
    if !args.cargo_args.iter().any(|a| selects_targets(a)) {
        command.arg("--all-targets");
    }
    if args.workspace {
        command.arg("--workspace");
    }
    command
        .args(&args.cargo_args)
        .env("QUARRY_PREPARE_DIR", collect_dir)
        .env("QUARRY_PREPARE_NONCE", nonce)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if args.offline {
        command.env("QUARRY_OFFLINE", "true");
    } else {
        command.env_remove("QUARRY_OFFLINE");
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
    }
    let child = command.spawn().map_err(|source| PrepareError::Cargo {
        what: "check",
        source,
    })?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} cargo check: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let waiter = thread::spawn(move || child.wait_with_output());
    while !waiter.is_finished() {
        bar.set_message(format!(
            "{} queries described",
            cache::collected_count(collect_dir)
        ));
        bar.tick();
        thread::sleep(Duration::from_millis(20));
    }
    bar.finish_and_clear();
    let output = waiter
        .join()
        .map_err(|_| PrepareError::Cargo {
            what: "check",
            source: io::Error::other("the waiting thread panicked"),
        })?
        .map_err(|source| PrepareError::Cargo {
            what: "check",
            source,
        })?;
    let missing = cache::read_missing(collect_dir)?;
    // With `--check --offline` a missing entry is a finding to report, not a tool failure.
    let missing_reported = args.check && !missing.is_empty();
    if !output.status.success() && !missing_reported {
        return Err(PrepareError::Check {
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(())
}

/// Whether a `cargo check` argument selects targets (`--lib`, `--tests`, `--bin=x`, ...).
fn selects_targets(arg: &str) -> bool {
    const FLAGS: &[&str] = &[
        "--lib",
        "--bin",
        "--bins",
        "--example",
        "--examples",
        "--test",
        "--tests",
        "--bench",
        "--benches",
        "--all-targets",
    ];
    let flag = arg.split('=').next().unwrap_or(arg);
    FLAGS.contains(&flag)
}

/// `cache file name -> the bytes the cache holds for it` of every description collected.
fn collected_entries(collect_dir: &Path) -> Result<BTreeMap<String, String>, PrepareError> {
    let descriptions = cache::read_collected(collect_dir)?;
    Ok(descriptions
        .iter()
        .map(|d| (cache::file_name(&d.sql), cache::render(d)))
        .collect())
}

/// The first line of a query, for messages.
fn summary(text: &str) -> String {
    let sql = cache::sql_of(text).unwrap_or_else(|| text.to_owned());
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 70 {
        format!("{}...", line.chars().take(67).collect::<String>())
    } else {
        line
    }
}

fn write(cache_dir: &Path, collected: &BTreeMap<String, String>) -> Result<(), PrepareError> {
    let cache::Update {
        written,
        unchanged,
        removed,
    } = cache::update(cache_dir, collected)?;
    println!(
        "quarry prepare: {} queries described into {} ({written} written, {unchanged} unchanged, \
         {removed} stale removed)",
        collected.len(),
        cache_dir.display()
    );
    Ok(())
}

fn check(
    collected: &BTreeMap<String, String>,
    cached: &BTreeMap<String, String>,
    missing: &BTreeMap<String, String>,
) -> Result<(), PrepareError> {
    let mut problems = Vec::new();
    for (name, sql) in missing {
        problems.push(format!("missing: {} ({name})", summary(sql)));
    }
    for (name, text) in collected {
        match cached.get(name) {
            None => problems.push(format!("missing: {} ({name})", summary(text))),
            Some(old) if old != text => {
                problems.push(format!(
                    "differs from the database: {} ({name})",
                    summary(text)
                ));
            }
            Some(_) => {}
        }
    }
    for (name, text) in cached {
        if !collected.contains_key(name) {
            problems.push(format!("unused (stale): {} ({name})", summary(text)));
        }
    }
    if problems.is_empty() {
        println!(
            "quarry prepare --check: {} queries, the cache is up to date",
            collected.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("  {problem}");
    }
    Err(PrepareError::OutOfDate {
        count: problems.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn check_names_missing_stale_and_different_entries() {
        let collected = map(&[("query-a.json", "A"), ("query-b.json", "B2")]);
        let cached = map(&[("query-b.json", "B"), ("query-c.json", "C")]);
        let err = check(&collected, &cached, &BTreeMap::new()).unwrap_err();
        assert!(matches!(err, PrepareError::OutOfDate { count: 3 }));
        assert!(check(&collected, &collected, &BTreeMap::new()).is_ok());
        let missing = map(&[("query-d.json", "SELECT 1")]);
        assert!(check(&BTreeMap::new(), &BTreeMap::new(), &missing).is_err());
    }

    #[test]
    fn target_selection_flags_are_recognised() {
        assert!(selects_targets("--lib"));
        assert!(selects_targets("--test=api"));
        assert!(!selects_targets("-p"));
        assert!(!selects_targets("--features"));
    }

    #[test]
    fn summaries_are_one_short_line() {
        assert_eq!(summary("SELECT 1\n  FROM t"), "SELECT 1 FROM t");
        assert!(summary(&"x ".repeat(100)).ends_with("..."));
    }
}
