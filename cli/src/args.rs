//! The command line, declared with clap's derive API: every command, its options and its help.
//!
//! Every command declared here works; `migrate` and `db`'s database commands live in their own
//! modules with their arguments.

use clap::{Args, Parser, Subcommand};

/// The `quarry` command line.
#[derive(Debug, Parser)]
#[command(
    name = "quarry",
    version,
    about = "The Quarry PostgreSQL toolkit's command line."
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Databases: `create`, `drop [--force]`, `setup` (create + migrate), `reset` (drop +
    /// setup), and `start` (a throwaway local server).
    Db {
        /// What to do with the database.
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Show a query's parameters and columns, with types and nullability, as the `query!`
    /// macros see them: `quarry describe [--json] [--database-url URL] (SQL | --file PATH)`.
    Describe(crate::describe::DescribeArgs),
    /// Describe every `query!` of the crate (or `--workspace`) into the offline cache `.quarry/`,
    /// removing stale entries; `--check` verifies it instead (`--offline`: without a database).
    Prepare(PrepareArgs),
    /// Migrations: `add`, `run`, `revert`, `info`, `baseline`.
    Migrate(crate::migrate::MigrateArgs),
}

/// `quarry db ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Start a throwaway PostgreSQL server, print its DATABASE_URL, and run until Ctrl-C.
    ///
    /// The server lives in a temporary directory with fast, unsafe-for-production settings
    /// (fsync off). Ctrl-C (or SIGTERM) stops it and deletes its files.
    Start(StartArgs),
    /// Create the database the URL names (nothing to do when it exists).
    Create(DatabaseArgs),
    /// Drop the database the URL names (nothing to do when it does not exist).
    Drop {
        /// The database.
        #[command(flatten)]
        database: DatabaseArgs,
        /// Terminate the other sessions on it first.
        #[arg(long)]
        force: bool,
    },
    /// Create the database and apply every migration.
    Setup(DatabaseArgs),
    /// Drop the database (terminating its sessions), then set it up again.
    Reset(DatabaseArgs),
}

/// Which database a `quarry db` command works on, and its migrations.
#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// The database (default: DATABASE_URL, or `.env`).
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// The migrations folder (default: `[migrations] path` of `quarry.toml`, or `migrations`).
    #[arg(long, value_name = "DIR")]
    pub(crate) source: Option<std::path::PathBuf>,
}

/// Options of `quarry prepare`.
#[derive(Debug, Args)]
pub(crate) struct PrepareArgs {
    /// Check instead of writing: fail, naming each query, when an entry is missing, stale or
    /// differs from what the database says now.
    #[arg(long)]
    pub(crate) check: bool,
    /// With `--check`: no database; check that every query has an entry and no entry is unused.
    #[arg(long, requires = "check")]
    pub(crate) offline: bool,
    /// Describe the queries of every workspace member (default: the current crate).
    #[arg(long)]
    pub(crate) workspace: bool,
    /// The database to describe against (default: DATABASE_URL, or `.env`).
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Extra arguments for `cargo check` (after `--`). Every target is checked (`--all-targets`:
    /// tests and examples have queries too) unless these select targets (`-- --lib`).
    #[arg(last = true, value_name = "CARGO_CHECK_ARGS")]
    pub(crate) cargo_args: Vec<String>,
}

/// Options of `quarry db start`.
#[derive(Debug, Args)]
pub(crate) struct StartArgs {
    /// Listen on this TCP port (default: a free one).
    #[arg(long, value_name = "N")]
    pub(crate) port: Option<u16>,
    /// Enable TLS with a freshly generated CA and server certificate; the printed URL then uses
    /// `sslmode=verify-full` with that CA.
    #[arg(long)]
    pub(crate) tls: bool,
    /// Apply the migrations (`--source`, or the default folder) before printing the URL.
    #[arg(long)]
    pub(crate) migrate: bool,
    /// The migrations folder for `--migrate`.
    #[arg(long, value_name = "DIR", requires = "migrate")]
    pub(crate) source: Option<std::path::PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn db_start_parses_its_options() {
        let cli =
            Cli::try_parse_from(["quarry", "db", "start", "--port", "5544", "--tls"]).unwrap();
        let Command::Db {
            command: DbCommand::Start(start),
        } = cli.command
        else {
            panic!("not db start");
        };
        assert_eq!(start.port, Some(5544));
        assert!(start.tls);
        assert!(Cli::try_parse_from(["quarry", "db", "start", "--port", "x"]).is_err());
        assert!(Cli::try_parse_from(["quarry", "prepare", "--offline"]).is_err());
        let args = ["quarry", "prepare", "--check", "--offline", "--", "-p", "x"];
        let Command::Prepare(prepare) = Cli::try_parse_from(args).unwrap().command else {
            panic!("not prepare");
        };
        assert!(prepare.check && prepare.offline);
        assert_eq!(prepare.cargo_args, ["-p", "x"]);
    }
}
