//! Streaming replicas of an ephemeral server: [`EphemeralServer::start_replica`] copies a running
//! server with `pg_basebackup -R` into a throwaway directory of its own and starts it as a hot
//! standby; [`EphemeralServer::promote`] makes a standby a primary.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::EphemeralError;
use super::init;
use super::postmaster::Launch;
use super::server::EphemeralServer;
use super::watchdog::Watchdog;

/// How long a promotion or a catch-up may take.
const WAIT: Duration = Duration::from_secs(30);

impl EphemeralServer {
    /// Starts a streaming replica of this (running) server: a base backup over the unix socket
    /// (`pg_basebackup -X stream -R`), then a hot standby on a free port that streams from it.
    /// Both are throwaway; the replica has the primary's roles, settings and databases.
    ///
    /// ```no_run
    /// use quarry_driver::ephemeral::EphemeralServer;
    /// let primary = EphemeralServer::start()?;
    /// let replica = primary.start_replica()?;
    /// assert_eq!(replica.psql("SELECT pg_is_in_recovery()")?, "t");
    /// replica.promote()?;
    /// assert_eq!(replica.psql("SELECT pg_is_in_recovery()")?, "f");
    /// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
    /// ```
    pub fn start_replica(&self) -> Result<EphemeralServer, EphemeralError> {
        if !self.is_running() {
            return Err(EphemeralError::NotRunning);
        }
        let primary = self.launch().clone();
        let run_as = primary.run_as;
        let root = init::temp_root(run_as)?;
        let watchdog = match Watchdog::spawn(&root) {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                return Err(e);
            }
        };
        let launch = Launch {
            bin: primary.bin.clone(),
            data_dir: root.join("data"),
            socket_dir: root.join("sock"),
            log: root.join("postgres.log"),
            run_as,
            superuser: primary.superuser.clone(),
        };
        let mut replica = EphemeralServer::new(root.clone(), launch.clone(), watchdog);
        init::private_dir(&launch.socket_dir, run_as)?;
        self.base_backup(&launch)?;
        // The copied postgresql.conf names the primary's socket directory: the replica gets its
        // own (later lines win).
        let conf = format!(
            "\n# The replica's own.\nunix_socket_directories = '{}'\n",
            launch.socket_dir.to_string_lossy().replace('\'', "''")
        );
        append(&launch.data_dir.join("postgresql.conf"), &conf)?;
        let version = init::major_version(&launch.data_dir)?;
        replica.set_prepared(None, version);
        replica.launch_first(None)?;
        Ok(replica)
    }

    /// Promotes this standby to a primary (`pg_promote`) and waits until it accepts writes.
    pub fn promote(&self) -> Result<(), EphemeralError> {
        let done = self.psql("SELECT pg_catalog.pg_promote(true, 30)")?;
        if done != "t" {
            return Err(EphemeralError::Timeout {
                step: "the standby's promotion",
                waited: WAIT,
                log_tail: self.log_tail(),
            });
        }
        Ok(())
    }

    /// Waits until this standby has replayed everything `primary` has written so far.
    ///
    /// ```no_run
    /// # let primary = quarry_driver::ephemeral::EphemeralServer::start()?;
    /// # let replica = primary.start_replica()?;
    /// primary.psql("CREATE TABLE t AS SELECT 1 AS x")?;
    /// replica.wait_replayed(&primary)?;
    /// assert_eq!(replica.psql("SELECT x FROM t")?, "1");
    /// # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
    /// ```
    pub fn wait_replayed(&self, primary: &EphemeralServer) -> Result<(), EphemeralError> {
        let lsn = primary.psql("SELECT pg_catalog.pg_current_wal_lsn()")?;
        let check = format!(
            "SELECT pg_catalog.pg_last_wal_replay_lsn() >= '{}'::pg_lsn",
            lsn.replace('\'', "")
        );
        let started = Instant::now();
        while self.psql(&check)? != "t" {
            if started.elapsed() > WAIT {
                return Err(EphemeralError::Timeout {
                    step: "the standby to replay the primary's WAL",
                    waited: WAIT,
                    log_tail: self.log_tail(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    fn base_backup(&self, into: &Launch) -> Result<(), EphemeralError> {
        let program = into.bin.bin("pg_basebackup");
        let mut cmd = Command::new(&program);
        cmd.arg("-D")
            .arg(&into.data_dir)
            .arg("-h")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port().to_string())
            .args(["-U", &into.superuser, "-X", "stream", "-R", "-c", "fast"])
            .arg("--no-sync")
            .stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PG") {
                cmd.env_remove(key);
            }
        }
        if let Some(parent) = into.data_dir.parent() {
            cmd.current_dir(parent);
        }
        super::account::apply(&mut cmd, into.run_as);
        let out = cmd
            .output()
            .map_err(EphemeralError::io(format!("run {}", program.display())))?;
        if out.status.success() {
            return Ok(());
        }
        Err(EphemeralError::ProgramFailed {
            program: format!("{} -D {}", program.display(), into.data_dir.display()),
            status: out.status,
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }
}

fn append(path: &std::path::Path, text: &str) -> Result<(), EphemeralError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(EphemeralError::io(format!("append to {}", path.display())))
}
