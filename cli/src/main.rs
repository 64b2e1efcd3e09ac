//! `quarry`: the command-line companion of the Quarry PostgreSQL toolkit.
//!
//! This file only parses the command line and dispatches; `args` declares the commands, `db`
//! runs the `quarry db ...` family, `error` names what can go wrong.

mod args;
mod db;
mod describe;
mod error;
mod prepare;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, DbCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Db {
            command: DbCommand::Start(start),
        } => db::start(&start),
        Command::Describe(args) => describe::run(&args).map_err(error::CliError::from),
        Command::Prepare(args) => prepare::run(&args).map_err(Into::into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quarry: {e}");
            ExitCode::FAILURE
        }
    }
}
