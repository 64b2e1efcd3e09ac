//! [`PgBouncer`]: the distribution's pgbouncer, started in front of an [`EphemeralServer`] in
//! session or transaction pooling mode, with its stock settings otherwise (in particular no
//! `ignore_startup_parameters`, so a client sending an unknown startup parameter is refused as
//! a default pgbouncer refuses it).

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::account::{self, RunAs};
use super::error::EphemeralError;
use super::init;
use super::postmaster::log_tail;
use super::server::EphemeralServer;
use super::watchdog::Watchdog;

/// Where pgbouncer is looked for when it is not on `PATH` (Debian installs it in `/usr/sbin`).
const PLACES: [&str; 3] = [
    "/usr/sbin/pgbouncer",
    "/usr/bin/pgbouncer",
    "/usr/local/bin/pgbouncer",
];
/// How long pgbouncer may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// pgbouncer's `pool_mode`: when a client's server connection goes back to the pool.
///
/// ```
/// use quarry_driver::ephemeral::PoolMode;
/// assert_eq!(PoolMode::Transaction.as_str(), "transaction");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolMode {
    /// When the client disconnects: each client keeps one server session.
    Session,
    /// At the end of each transaction: session state does not survive it.
    Transaction,
}

impl PoolMode {
    /// The `pool_mode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
        }
    }
}

/// A running pgbouncer in front of an ephemeral server: every database of the server is
/// reachable under its own name, as the server's superuser (trusted, as on the server).
/// Dropping it stops pgbouncer and deletes its files; a watchdog does it if we die first.
///
/// ```no_run
/// use quarry_driver::ephemeral::{EphemeralServer, PgBouncer, PoolMode};
/// let server = EphemeralServer::start()?;
/// let bouncer = PgBouncer::builder(&server, PoolMode::Transaction).pool_size(4).start()?;
/// println!("{}", bouncer.dsn_for("postgres")); // postgresql://postgres@127.0.0.1:<port>/postgres
/// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
/// ```
#[derive(Debug)]
pub struct PgBouncer {
    root: PathBuf,
    port: u16,
    mode: PoolMode,
    child: Option<Child>,
    watchdog: Watchdog,
}

/// Settings of a [`PgBouncer`] before it starts.
///
/// ```no_run
/// use quarry_driver::ephemeral::{EphemeralServer, PgBouncer, PoolMode};
/// let server = EphemeralServer::start()?;
/// let bouncer = PgBouncer::builder(&server, PoolMode::Session).pool_size(2).start()?;
/// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.start()`"]
pub struct PgBouncerBuilder {
    server_host: String,
    server_port: u16,
    superuser: String,
    mode: PoolMode,
    pool_size: u32,
    settings: Vec<(String, String)>,
}

impl PgBouncer {
    /// A builder for a pgbouncer in front of `server`, in `mode` (pool size 8 per database).
    pub fn builder(server: &EphemeralServer, mode: PoolMode) -> PgBouncerBuilder {
        PgBouncerBuilder {
            server_host: server.host().to_owned(),
            server_port: server.port(),
            superuser: server.superuser().to_owned(),
            mode,
            pool_size: 8,
            settings: Vec::new(),
        }
    }

    /// The TCP port pgbouncer listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The pooling mode.
    pub fn mode(&self) -> PoolMode {
        self.mode
    }

    /// `postgresql://postgres@127.0.0.1:<pgbouncer port>/<dbname>` (no TLS: pgbouncer has none
    /// configured, so add `sslmode=disable` or leave the default `prefer`).
    pub fn dsn_for(&self, dbname: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{dbname}", self.port)
    }

    /// The tail of pgbouncer's log (for a failing test's message).
    pub fn log_tail(&self) -> String {
        log_tail(&self.root.join("pgbouncer.log"), 0)
    }
}

impl PgBouncerBuilder {
    /// Server connections per database and user (`default_pool_size`, default 8 here).
    pub fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size;
        self
    }

    /// Adds a `[pgbouncer]` setting (written after the defaults, so it wins).
    pub fn setting(mut self, name: &str, value: &str) -> Self {
        self.settings.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Writes the configuration, starts pgbouncer and waits until it accepts connections.
    pub fn start(self) -> Result<PgBouncer, EphemeralError> {
        for (name, value) in &self.settings {
            super::conf::check_setting(name, value)?;
        }
        let program = find()?;
        // pgbouncer refuses to run as root, as PostgreSQL does.
        let run_as = RunAs::detect()?;
        let root = init::temp_root(run_as)?;
        let watchdog = match Watchdog::spawn(&root) {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                return Err(e);
            }
        };
        let mut bouncer = PgBouncer {
            root,
            port: 0,
            mode: self.mode,
            child: None,
            watchdog,
        };
        let mut last = None;
        for _ in 0..5 {
            let port = init::free_port()?;
            match self.launch(&mut bouncer, &program, run_as, port) {
                Ok(()) => return Ok(bouncer),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(EphemeralError::NotRunning))
    }

    fn launch(
        &self,
        bouncer: &mut PgBouncer,
        program: &Path,
        run_as: Option<RunAs>,
        port: u16,
    ) -> Result<(), EphemeralError> {
        let ini = bouncer.root.join("pgbouncer.ini");
        let users = bouncer.root.join("userlist.txt");
        let log = bouncer.root.join("pgbouncer.log");
        std::fs::write(&users, format!("\"{}\" \"\"\n", self.superuser))
            .map_err(EphemeralError::io(format!("write {}", users.display())))?;
        std::fs::write(&ini, self.render(port, &users, &log))
            .map_err(EphemeralError::io(format!("write {}", ini.display())))?;
        for path in [&ini, &users] {
            account::give(path, run_as)?;
        }
        let log_start = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let mut cmd = Command::new(program);
        cmd.arg(&ini)
            .current_dir(&bouncer.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        account::apply(&mut cmd, run_as);
        let mut child = cmd
            .spawn()
            .map_err(EphemeralError::io(format!("spawn {}", program.display())))?;
        bouncer.watchdog.watch(Some(child.id()))?;
        let started = Instant::now();
        loop {
            if let Some(status) = child
                .try_wait()
                .map_err(EphemeralError::io("wait for pgbouncer"))?
            {
                bouncer.watchdog.watch(None)?;
                return Err(EphemeralError::ProgramFailed {
                    program: format!("pgbouncer {}", ini.display()),
                    status,
                    output: log_tail(&log, log_start),
                });
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                bouncer.port = port;
                bouncer.child = Some(child);
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                bouncer.watchdog.watch(None)?;
                return Err(EphemeralError::Timeout {
                    step: "pgbouncer to accept connections",
                    waited: START_TIMEOUT,
                    log_tail: log_tail(&log, log_start),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The `pgbouncer.ini`: every database forwarded to the server under its own name.
    fn render(&self, port: u16, users: &Path, log: &Path) -> String {
        let mut out = format!(
            "[databases]\n* = host={} port={}\n\n[pgbouncer]\n",
            self.server_host, self.server_port
        );
        let settings = [
            ("listen_addr", "127.0.0.1".to_owned()),
            ("listen_port", port.to_string()),
            ("unix_socket_dir", String::new()),
            ("auth_type", "trust".to_owned()),
            ("auth_file", users.display().to_string()),
            ("logfile", log.display().to_string()),
            ("pool_mode", self.mode.as_str().to_owned()),
            ("default_pool_size", self.pool_size.to_string()),
            ("max_client_conn", "500".to_owned()),
            ("admin_users", self.superuser.clone()),
        ];
        for (name, value) in settings {
            out.push_str(&format!("{name} = {value}\n"));
        }
        for (name, value) in &self.settings {
            out.push_str(&format!("{name} = {value}\n"));
        }
        out
    }
}

impl Drop for PgBouncer {
    /// SIGTERM (pgbouncer's immediate shutdown), then the files are deleted; never panics.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.watchdog.watch(None);
        let _ = std::fs::remove_dir_all(&self.root);
        self.watchdog.finish();
    }
}

/// pgbouncer on `PATH`, else in the usual places.
fn find() -> Result<PathBuf, EphemeralError> {
    let mut searched = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("pgbouncer");
            if candidate.is_file() {
                return Ok(candidate);
            }
            searched.push(candidate);
        }
    }
    for place in PLACES {
        let candidate = PathBuf::from(place);
        if candidate.is_file() {
            return Ok(candidate);
        }
        searched.push(candidate);
    }
    Err(EphemeralError::ProgramNotFound {
        program: "pgbouncer",
        package: "pgbouncer",
        searched,
    })
}
