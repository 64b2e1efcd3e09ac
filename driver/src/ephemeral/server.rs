//! `EphemeralServer`: a running throwaway PostgreSQL, its addresses, DSNs, `psql`, stop/restart,
//! and the cleanup on drop.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::builder::{SUPERUSER, ServerBuilder};
use super::error::EphemeralError;
use super::hba::UserSpec;
use super::postmaster::{self, Launch, Signal, StartFailure};
use super::tls::TlsFiles;
use super::watchdog::Watchdog;

/// Starts attempted when the port is taken by someone else in the meantime.
const START_ATTEMPTS: u32 = 6;
/// How long a fast shutdown may take before escalating.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Everything but RFC 3986 unreserved characters is escaped in DSN parts.
const DSN_PART: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A throwaway PostgreSQL server in a temp directory, listening on 127.0.0.1 (and ::1).
///
/// Dropping it stops the server and deletes its files. If the process dies without dropping it
/// (a `static`, a panic, a kill), a watchdog process does the same.
///
/// ```no_run
/// use quarry_driver::ephemeral::EphemeralServer;
/// let server = EphemeralServer::start()?;
/// assert_eq!(server.psql("select 1")?, "1");
/// println!("connect to {}", server.dsn()); // postgresql://postgres@127.0.0.1:<port>/postgres
/// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
/// ```
#[derive(Debug)]
pub struct EphemeralServer {
    root: PathBuf,
    launch: Launch,
    port: u16,
    tls: Option<TlsFiles>,
    version: String,
    child: Option<Child>,
    watchdog: Watchdog,
}

impl EphemeralServer {
    /// Starts a server with default settings (no TLS, trust for `postgres`).
    pub fn start() -> Result<Self, EphemeralError> {
        Self::builder().start()
    }

    /// A builder for a server with TLS, extra roles, settings or a fixed port.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    pub(crate) fn new(root: PathBuf, launch: Launch, watchdog: Watchdog) -> Self {
        Self {
            root,
            launch,
            port: 0,
            tls: None,
            version: String::new(),
            child: None,
            watchdog,
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn launch(&self) -> &Launch {
        &self.launch
    }

    pub(crate) fn set_prepared(&mut self, tls: Option<TlsFiles>, version: String) {
        self.tls = tls;
        self.version = version;
    }

    /// First start: on the requested port, or on free ports until one sticks.
    pub(crate) fn launch_first(&mut self, port: Option<u16>) -> Result<(), EphemeralError> {
        match port {
            Some(p) => self.launch_on(|| Ok(p)),
            None => self.launch_on(super::init::free_port),
        }
    }

    fn launch_on(
        &mut self,
        mut next_port: impl FnMut() -> Result<u16, EphemeralError>,
    ) -> Result<(), EphemeralError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = next_port()?;
            match self.launch.start(port, &mut self.watchdog) {
                Ok(child) => {
                    self.port = port;
                    self.child = Some(child);
                    return Ok(());
                }
                Err(StartFailure::PortBusy { log_tail }) if attempt >= START_ATTEMPTS => {
                    return Err(EphemeralError::PortInUse {
                        port,
                        attempts: attempt,
                        log_tail,
                    });
                }
                Err(StartFailure::PortBusy { .. }) => {
                    std::thread::sleep(Duration::from_millis(100 * u64::from(attempt)));
                }
                Err(StartFailure::Fatal(e)) => return Err(e),
            }
        }
    }

    pub(crate) fn create_roles(&self, users: &[UserSpec]) -> Result<(), EphemeralError> {
        for user in users {
            let name = format!("\"{}\"", user.name);
            let password = user
                .password
                .as_ref()
                .map(|p| format!(" PASSWORD '{}'", p.replace('\'', "''")))
                .unwrap_or_default();
            let verb = if user.name == SUPERUSER {
                "ALTER"
            } else {
                "CREATE"
            };
            self.psql(&format!(
                "SET password_encryption = '{}';\n{verb} ROLE {name} LOGIN{password};",
                user.method.password_encryption()
            ))?;
        }
        Ok(())
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The TCP host: always `"127.0.0.1"`.
    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    /// The private directory holding the server's unix socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> &Path {
        &self.launch.socket_dir
    }

    /// The data directory (deleted on drop).
    pub fn data_dir(&self) -> &Path {
        &self.launch.data_dir
    }

    /// The superuser role: `"postgres"`, trusted over the socket and loopback TCP.
    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    /// `postgresql://postgres@127.0.0.1:<port>/postgres`.
    pub fn dsn(&self) -> String {
        self.dsn_for(SUPERUSER, None, "postgres")
    }

    /// A DSN for another role and database; each part is percent-encoded.
    ///
    /// ```no_run
    /// # let server = quarry_driver::ephemeral::EphemeralServer::start()?;
    /// let dsn = server.dsn_for("alice", Some("p@ss word"), "app db");
    /// // postgresql://alice:p%40ss%20word@127.0.0.1:<port>/app%20db
    /// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
    /// ```
    pub fn dsn_for(&self, user: &str, password: Option<&str>, dbname: &str) -> String {
        let user = utf8_percent_encode(user, DSN_PART);
        let auth = match password {
            Some(p) => format!("{user}:{}", utf8_percent_encode(p, DSN_PART)),
            None => user.to_string(),
        };
        format!(
            "postgresql://{auth}@{}:{}/{}",
            self.host(),
            self.port,
            utf8_percent_encode(dbname, DSN_PART)
        )
    }

    /// The directory of the PostgreSQL binaries this server runs (`postgres`, `psql`, ...).
    pub fn bin_dir(&self) -> &Path {
        self.launch.bin.dir()
    }

    /// The TLS files, when the server was built with `.tls(true)`.
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// The server's major version, e.g. `"15"`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the server runs (it was not stopped, or was restarted since).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// The last lines of the server's log (for a failing test's message).
    pub fn log_tail(&self) -> String {
        postmaster::log_tail(&self.launch.log, 0)
    }

    /// Fast shutdown (SIGINT); the data directory is kept for [`restart`](Self::restart).
    pub fn stop(&mut self) -> Result<(), EphemeralError> {
        if let Some(mut child) = self.child.take() {
            postmaster::stop(&mut child, Signal::Int, STOP_GRACE)?;
            self.watchdog.watch(None)?;
        }
        Ok(())
    }

    /// Starts the server again on the same port (stopping it first if it runs).
    pub fn restart(&mut self) -> Result<(), EphemeralError> {
        self.stop()?;
        let port = self.port;
        self.launch_on(|| Ok(port))
    }

    /// Runs SQL as the superuser through `psql -X -A -t -q -v ON_ERROR_STOP=1` over the unix
    /// socket, and returns its output without the trailing newline. Several statements may be
    /// given; psql variables (`:name`) are interpolated as usual.
    pub fn psql(&self, sql: &str) -> Result<String, EphemeralError> {
        if self.child.is_none() {
            return Err(EphemeralError::NotRunning);
        }
        let psql = self.launch.bin.bin("psql");
        let mut cmd = Command::new(&psql);
        cmd.args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg("-h")
            .arg(&self.launch.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", SUPERUSER, "-d", "postgres"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PG") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .spawn()
            .map_err(EphemeralError::io(format!("spawn {}", psql.display())))?;
        let stdin = child.stdin.take();
        let input = sql.to_owned();
        // Write on a thread so a large output cannot deadlock against a large input.
        let writer = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(input.as_bytes());
            }
        });
        let out = child
            .wait_with_output()
            .map_err(EphemeralError::io(format!("wait for {}", psql.display())))?;
        let _ = writer.join();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(EphemeralError::Psql {
                sql: sql.to_owned(),
                status: out.status,
                output: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
            });
        }
        Ok(stdout.trim_end_matches(['\n', '\r']).to_owned())
    }
}

impl Drop for EphemeralServer {
    /// Immediate shutdown, then the temp root is deleted; never panics.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = postmaster::stop(&mut child, Signal::Quit, Duration::from_secs(5));
        }
        let _ = self.watchdog.watch(None);
        let _ = std::fs::remove_dir_all(&self.root);
        self.watchdog.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_parts_are_percent_encoded() {
        let encoded = utf8_percent_encode("p@ss word/é", DSN_PART).to_string();
        assert_eq!(encoded, "p%40ss%20word%2F%C3%A9");
        assert_eq!(
            utf8_percent_encode("a-b.c_d~", DSN_PART).to_string(),
            "a-b.c_d~"
        );
    }
}
