//! `quarry migrate add|run|revert|info|baseline`: the CLI face of `quarry_driver::migrate`, one
//! line per migration with its time.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::{Args, Subcommand};
use quarry_driver::migrate::{
    Applied, ChecksumState, MigrateError, Migrator, Progress, RunOptions,
};

use crate::error::CliError;

/// `quarry migrate ...`.
#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    /// The migrations folder (default: `[migrations] path` of `quarry.toml`, or `migrations`).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) source: Option<PathBuf>,
    /// The database (default: DATABASE_URL, or `.env`).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: MigrateCommand,
}

/// The `migrate` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Create a new migration file `<version>_<name>.sql` (timestamp version by default).
    Add {
        /// The migration's name (spaces become `_`).
        name: String,
        /// Also create `<version>_<name>.down.sql`.
        #[arg(long)]
        reversible: bool,
        /// Number the migration one above the highest existing version instead of a timestamp.
        #[arg(long)]
        sequential: bool,
    },
    /// Apply pending migrations (then changed repeatable ones).
    Run {
        /// Stop after this version.
        #[arg(long, value_name = "VERSION")]
        target: Option<i64>,
        /// Only print what would be applied.
        #[arg(long)]
        dry_run: bool,
        /// Accept applied migrations whose file changed, storing their new checksum.
        #[arg(long)]
        accept_changed: bool,
    },
    /// Revert the newest migration, or every one above `--target`.
    Revert {
        /// Revert down to (not including) this version; 0 reverts everything.
        #[arg(long, value_name = "VERSION")]
        target: Option<i64>,
    },
    /// List migrations: version, name, applied at, duration, checksum state.
    Info,
    /// Record the database as being at VERSION without running anything.
    Baseline {
        /// The version the database is at.
        version: i64,
    },
}

/// Runs `quarry migrate ...`.
pub(crate) fn run(args: &MigrateArgs) -> Result<(), CliError> {
    let dir = args
        .source
        .clone()
        .unwrap_or_else(quarry_driver::migrate::default_dir);
    if let MigrateCommand::Add {
        name,
        reversible,
        sequential,
    } = &args.command
    {
        return add(&dir, name, *reversible, *sequential);
    }
    let migrator = Migrator::from_dir(&dir)?;
    let url = crate::database_url::resolve(args.database_url.as_deref())?;
    crate::runtime()?.block_on(async {
        let mut conn = quarry_driver::connect(&url).await?;
        let result = on_database(&migrator, &mut conn, &args.command).await;
        let _ = conn.close().await;
        result
    })
}

async fn on_database(
    migrator: &Migrator,
    conn: &mut quarry_driver::Connection,
    command: &MigrateCommand,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        MigrateCommand::Add { .. } => {}
        MigrateCommand::Run {
            target,
            dry_run,
            accept_changed,
        } => {
            let mut options = RunOptions::new()
                .dry_run(*dry_run)
                .accept_changed(*accept_changed);
            if let Some(target) = target {
                options = options.target(*target);
            }
            let verb = if *dry_run { "would apply" } else { "applied" };
            // One line per migration as it is applied; on a terminal, a spinner names the one
            // running (long migrations show they are alive). Plain lines otherwise.
            let spinner = (std::io::stdout().is_terminal() && std::io::stderr().is_terminal())
                .then(indicatif::ProgressBar::new_spinner);
            if let Some(spinner) = &spinner {
                spinner.enable_steady_tick(std::time::Duration::from_millis(100));
            }
            let mut written = Ok(());
            let applied = migrator
                .run_observed(conn, &options, |progress| match progress {
                    Progress::Starting(m) => {
                        if let Some(spinner) = &spinner {
                            spinner.set_message(format!("applying {}", m.file()));
                        }
                    }
                    Progress::Applied(m) => {
                        let line = format!("{verb} {} ({} ms)", m.file, m.duration.as_millis());
                        match &spinner {
                            Some(spinner) => spinner.println(line),
                            None => {
                                if written.is_ok() {
                                    written = writeln!(out, "{line}").and_then(|()| out.flush());
                                }
                            }
                        }
                    }
                })
                .await;
            if let Some(spinner) = spinner {
                spinner.finish_and_clear();
            }
            written.map_err(CliError::Stdout)?;
            if applied?.is_empty() {
                writeln!(out, "nothing to do").map_err(CliError::Stdout)?;
            }
        }
        MigrateCommand::Revert { target } => {
            let reverted = migrator.revert(conn, *target).await?;
            report(&mut out, "reverted", &reverted)?;
        }
        MigrateCommand::Baseline { version } => {
            let recorded = migrator.baseline(conn, *version).await?;
            report(&mut out, "baselined", &recorded)?;
        }
        MigrateCommand::Info => {
            for m in migrator.info(conn).await? {
                let version = m.version.map_or_else(|| "R".to_owned(), |v| v.to_string());
                let state = match (m.applied_at.as_deref(), m.checksum) {
                    (None, _) => "pending".to_owned(),
                    (Some(at), checksum) => {
                        let checksum = match checksum {
                            Some(ChecksumState::Changed) => "checksum CHANGED",
                            Some(ChecksumState::MissingFile) => "file MISSING",
                            _ => "checksum ok",
                        };
                        let how = if m.baseline { " (baseline)" } else { "" };
                        format!(
                            "applied {at}{how} in {} ms, {checksum}",
                            m.duration_ms.unwrap_or(0)
                        )
                    }
                };
                writeln!(out, "{version:>14}  {:<32}  {state}", m.name)
                    .map_err(CliError::Stdout)?;
            }
        }
    }
    Ok(())
}

fn report(out: &mut impl Write, verb: &str, migrations: &[Applied]) -> Result<(), CliError> {
    if migrations.is_empty() {
        writeln!(out, "nothing to do").map_err(CliError::Stdout)?;
    }
    for m in migrations {
        writeln!(out, "{verb} {} ({} ms)", m.file, m.duration.as_millis())
            .map_err(CliError::Stdout)?;
    }
    Ok(())
}

/// Creates the new migration file(s) and prints their paths.
fn add(dir: &Path, name: &str, reversible: bool, sequential: bool) -> Result<(), CliError> {
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '-' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(CliError::MigrationName(name));
    }
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let version = if sequential {
        let existing = if dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
            Migrator::from_dir(dir)?
                .migrations()
                .iter()
                .filter_map(|m| m.version())
                .max()
        } else {
            None
        };
        format!("{:04}", existing.unwrap_or(0) + 1)
    } else {
        timestamp(SystemTime::now())
    };
    let up = dir.join(format!("{version}_{name}.sql"));
    let mut files = vec![(up, format!("-- {name}\n"))];
    if reversible {
        files.push((
            dir.join(format!("{version}_{name}.down.sql")),
            format!("-- undo {name}\n"),
        ));
    }
    let mut out = std::io::stdout().lock();
    for (path, content) in files {
        if path.exists() {
            return Err(CliError::Write {
                path,
                source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "already exists"),
            });
        }
        std::fs::write(&path, content).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
        writeln!(out, "created {}", path.display()).map_err(CliError::Stdout)?;
    }
    Ok(())
}

/// `YYYYMMDDHHMMSS` in UTC.
fn timestamp(now: SystemTime) -> String {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl From<MigrateError> for CliError {
    fn from(error: MigrateError) -> CliError {
        CliError::Migrate(error)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_times() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000);
        assert_eq!(timestamp(at), "20260528202640");
        assert_eq!(timestamp(SystemTime::UNIX_EPOCH), "19700101000000");
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
