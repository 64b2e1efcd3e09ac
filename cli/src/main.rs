//! `quarry`: the command-line companion of the Quarry PostgreSQL toolkit.
//!
//! This file only parses the command line and dispatches; `args` declares the commands, `db`
//! runs the `quarry db ...` family, `migrate` the `quarry migrate ...` one, `error` names what
//! can go wrong.

mod args;
mod database_url;
mod db;
mod describe;
mod error;
mod migrate;
mod prepare;
mod throwaway;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, DbCommand};

/// A single-threaded runtime for a command's database work.
fn runtime() -> Result<tokio::runtime::Runtime, error::CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(error::CliError::Runtime)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Db { command } => match command {
            DbCommand::Start(start) => db::start(&start),
            DbCommand::Create(database) => db::create(&database),
            DbCommand::Drop { database, force } => db::drop(&database, force),
            DbCommand::Setup(database) => db::setup(&database),
            DbCommand::Reset(database) => db::reset(&database),
        },
        Command::Migrate(args) => migrate::run(&args),
        Command::Describe(args) => describe::run(&args).map_err(error::CliError::from),
        Command::Prepare(args) => prepare::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quarry: {e}");
            ExitCode::FAILURE
        }
    }
}
