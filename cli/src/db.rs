//! `quarry db start`: run a throwaway PostgreSQL server until Ctrl-C.
//!
//! The server itself (initdb, a free port, TLS files, cleanup, a watchdog for when we are killed)
//! is `quarry_driver::ephemeral`'s job; this module prints how to reach it and waits for a signal.

use std::io::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quarry_driver::ephemeral::EphemeralServer;
use tokio::signal::unix::{Signal, SignalKind};

use crate::args::StartArgs;
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(CliError::Runtime)?;
    let mut signals = runtime.block_on(async { Signals::listen() })?;

    let mut builder = EphemeralServer::builder().tls(args.tls);
    if let Some(port) = args.port {
        builder = builder.port(port);
    }
    let mut server = builder.start().map_err(|source| CliError::Server {
        action: "start",
        source,
    })?;
    let announced = announce(&server);
    if announced.is_ok() {
        runtime.block_on(signals.next());
    }
    // Dropping the server would also stop it, but `stop` reports failures.
    let stopped = server.stop().map_err(|source| CliError::Server {
        action: "stop",
        source,
    });
    drop(server);
    announced?;
    stopped?;
    eprintln!("PostgreSQL stopped; its files are deleted.");
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
