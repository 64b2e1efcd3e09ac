//! `ServerBuilder`: what kind of server to start (TLS, roles, settings, pg_hba lines, port), and
//! the start sequence itself.

use std::io::Write;

use super::account::RunAs;
use super::binaries::BinDir;
use super::conf::{self, ServerTls};
use super::error::EphemeralError;
use super::hba::{self, AuthMethod, UserSpec};
use super::init;
use super::postmaster::Launch;
use super::server::EphemeralServer;
use super::tls::TlsFiles;
use super::watchdog::Watchdog;

/// The superuser created by initdb; trusted over the unix socket and loopback TCP.
pub(crate) const SUPERUSER: &str = "postgres";

/// Configures an [`EphemeralServer`] before starting it.
///
/// ```no_run
/// use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};
/// let server = EphemeralServer::builder()
///     .tls(true)
///     .user("scram_user", Some("s3cret"), AuthMethod::ScramSha256)
///     .user("cert_user", None, AuthMethod::Cert)
///     .setting("work_mem", "8MB")
///     .start()?;
/// println!("{}", server.dsn_for("scram_user", Some("s3cret"), "postgres"));
/// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `.start()`"]
pub struct ServerBuilder {
    tls: bool,
    users: Vec<UserSpec>,
    settings: Vec<(String, String)>,
    hba_lines: Vec<String>,
    port: Option<u16>,
}

impl ServerBuilder {
    /// Enables TLS: a CA, a server certificate (`localhost`, `127.0.0.1`, `::1`) and client
    /// certificates on demand ([`TlsFiles::client_cert_for`]) are generated at start.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Adds a `LOGIN` role and pg_hba lines for it (loopback `host`, `hostssl` with TLS, and
    /// `local`; only `hostssl ... cert` for [`AuthMethod::Cert`]). Md5 users get their password
    /// stored as md5, the others as SCRAM.
    pub fn user(mut self, name: &str, password: Option<&str>, method: AuthMethod) -> Self {
        self.users.push(UserSpec {
            name: name.to_owned(),
            password: password.map(str::to_owned),
            method,
        });
        self
    }

    /// Adds a postgresql.conf setting (written after the defaults, so it wins).
    pub fn setting(mut self, name: &str, value: &str) -> Self {
        self.settings.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a raw pg_hba.conf line, placed before the generated ones.
    pub fn hba_line(mut self, line: &str) -> Self {
        self.hba_lines.push(line.to_owned());
        self
    }

    /// Listens on this TCP port instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Creates the data directory, starts the server and creates the roles.
    ///
    /// Takes about a second. On error nothing is left behind.
    pub fn start(self) -> Result<EphemeralServer, EphemeralError> {
        // Validate before spending a second on initdb.
        for user in &self.users {
            hba::check_role_name(&user.name)?;
        }
        for (name, value) in &self.settings {
            conf::check_setting(name, value)?;
        }
        let hba_text = hba::render(&self.hba_lines, &self.users, SUPERUSER, self.tls)?;
        let bin = BinDir::find()?;
        let run_as = RunAs::detect()?;
        let root = init::temp_root(run_as)?;
        // From here on, the watchdog (and Drop, once the server value exists) clean up.
        let watchdog = match Watchdog::spawn(&root) {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                return Err(e);
            }
        };
        let launch = Launch {
            bin,
            data_dir: root.join("data"),
            socket_dir: root.join("sock"),
            log: root.join("postgres.log"),
            run_as,
            superuser: SUPERUSER.to_owned(),
        };
        let mut server = EphemeralServer::new(root.clone(), launch, watchdog);
        self.prepare(&mut server, &hba_text)?;
        server.launch_first(self.port)?;
        server.create_roles(&self.users)?;
        Ok(server)
    }

    /// Everything between the temp root and the first start: folders, initdb, TLS, config.
    fn prepare(&self, server: &mut EphemeralServer, hba_text: &str) -> Result<(), EphemeralError> {
        let launch = server.launch().clone();
        let root = server.root().to_path_buf();
        init::private_dir(&launch.socket_dir, launch.run_as)?;
        init::initdb(&launch.bin, &launch.data_dir, SUPERUSER, launch.run_as)?;
        let tls = if self.tls {
            let server_dir = root.join("tls");
            let client_dir = root.join("client");
            init::private_dir(&server_dir, launch.run_as)?;
            init::private_dir(&client_dir, None)?;
            Some(TlsFiles::generate(&server_dir, &client_dir, launch.run_as)?)
        } else {
            None
        };
        let server_tls = tls.as_ref().map(|t| ServerTls {
            cert: &t.server_cert,
            key: &t.server_key,
            ca: &t.ca_cert,
        });
        let conf_text = conf::render(
            &init::listen_addresses(),
            &launch.socket_dir,
            server_tls.as_ref(),
            &self.settings,
        )?;
        append(&launch.data_dir.join("postgresql.conf"), &conf_text)?;
        let hba_path = launch.data_dir.join("pg_hba.conf");
        std::fs::write(&hba_path, hba_text)
            .map_err(EphemeralError::io(format!("write {}", hba_path.display())))?;
        let version = init::major_version(&launch.data_dir)?;
        server.set_prepared(tls, version);
        Ok(())
    }
}

fn append(path: &std::path::Path, text: &str) -> Result<(), EphemeralError> {
    let what = || format!("append to {}", path.display());
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(EphemeralError::io(what()))
}
