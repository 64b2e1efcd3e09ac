//! The `postgres` child process: spawning it, waiting until it accepts connections, stopping it.
//!
//! We start `postgres -D <data>` directly (not through pg_ctl) so we hold its pid and can reap it.
//! Readiness is probed with a raw startup packet over the private unix socket: an
//! `Authentication` reply (`R`) means the server accepts connections; an `ErrorResponse` such as
//! "the database system is starting up" means retry.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::account::{self, RunAs};
use super::binaries::BinDir;
use super::error::EphemeralError;
use super::watchdog::Watchdog;

/// How long a start may take before we give up.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

/// Everything needed to launch the server.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub(crate) bin: BinDir,
    pub(crate) data_dir: PathBuf,
    pub(crate) socket_dir: PathBuf,
    pub(crate) log: PathBuf,
    pub(crate) run_as: Option<RunAs>,
    pub(crate) superuser: String,
}

/// Why one start attempt did not produce a ready server.
#[derive(Debug)]
pub(crate) enum StartFailure {
    /// The port was taken (race with another process): worth retrying.
    PortBusy { log_tail: String },
    /// Anything else.
    Fatal(EphemeralError),
}

impl From<EphemeralError> for StartFailure {
    fn from(e: EphemeralError) -> Self {
        Self::Fatal(e)
    }
}

impl Launch {
    /// Starts `postgres` on `port` and waits until it accepts connections. The watchdog learns
    /// the pid as soon as it exists, so even a start interrupted by our death leaves no orphan.
    pub(crate) fn start(&self, port: u16, watchdog: &mut Watchdog) -> Result<Child, StartFailure> {
        let log_start = std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(EphemeralError::io(format!("open {}", self.log.display())))?;
        let mut cmd = Command::new(self.bin.bin("postgres"));
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-p")
            .arg(port.to_string())
            .current_dir(self.data_dir.parent().unwrap_or(&self.data_dir))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            // Own process group: a terminal's Ctrl-C goes to the test, the watchdog handles us.
            .process_group(0);
        account::apply(&mut cmd, self.run_as);
        let mut child = cmd.spawn().map_err(EphemeralError::io(format!(
            "spawn {}",
            self.bin.bin("postgres").display()
        )))?;
        let ready = watchdog
            .watch(Some(child.id()))
            .map_err(StartFailure::Fatal)
            .and_then(|()| self.wait_ready(&mut child, port, log_start));
        match ready {
            Ok(()) => Ok(child),
            Err(e) => {
                let _ = stop(&mut child, Signal::Quit, Duration::from_secs(5));
                let _ = watchdog.watch(None);
                Err(e)
            }
        }
    }

    fn wait_ready(&self, child: &mut Child, port: u16, log_start: u64) -> Result<(), StartFailure> {
        let socket = self.socket_dir.join(format!(".s.PGSQL.{port}"));
        let started = Instant::now();
        loop {
            if let Some(status) = child
                .try_wait()
                .map_err(EphemeralError::io("wait for postgres"))?
            {
                return Err(self.exited(status, log_start));
            }
            if probe(&socket, &self.superuser) {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(StartFailure::Fatal(EphemeralError::Timeout {
                    step: "the server to accept connections",
                    waited: START_TIMEOUT,
                    log_tail: log_tail(&self.log, log_start),
                }));
            }
            std::thread::sleep(POLL);
        }
    }

    fn exited(&self, status: ExitStatus, log_start: u64) -> StartFailure {
        let log_tail = log_tail(&self.log, log_start);
        if log_tail.contains("could not create any TCP/IP sockets")
            || log_tail.contains("Address already in use")
        {
            StartFailure::PortBusy { log_tail }
        } else {
            StartFailure::Fatal(EphemeralError::Start { status, log_tail })
        }
    }
}

/// A shutdown mode, as the signal sent to the postmaster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// SIGINT: fast shutdown (roll back sessions, checkpoint).
    Int,
    /// SIGQUIT: immediate shutdown (no checkpoint).
    Quit,
}

/// Signals the postmaster and waits up to `grace` for it to exit, then SIGKILLs it. Reaps it.
pub(crate) fn stop(
    child: &mut Child,
    signal: Signal,
    grace: Duration,
) -> Result<(), EphemeralError> {
    if child
        .try_wait()
        .map_err(EphemeralError::io("wait for postgres"))?
        .is_some()
    {
        return Ok(());
    }
    let name = match signal {
        Signal::Int => "-INT",
        Signal::Quit => "-QUIT",
    };
    // The server may run as another uid: `kill` (as us, root in that case) may signal it.
    let sent = Command::new("kill")
        .arg(name)
        .arg(child.id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let deadline = Instant::now() + grace;
    while sent && Instant::now() < deadline {
        if child
            .try_wait()
            .map_err(EphemeralError::io("wait for postgres"))?
            .is_some()
        {
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
    let _ = child.kill();
    child
        .wait()
        .map(drop)
        .map_err(EphemeralError::io("wait for postgres after SIGKILL"))
}

/// True when the server answers a startup packet with an authentication request.
fn probe(socket: &Path, user: &str) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let Some(packet) = startup_packet(user) else {
        return false;
    };
    if stream.write_all(&packet).is_err() {
        return false;
    }
    let mut tag = [0u8; 1];
    let ready = stream.read_exact(&mut tag).is_ok() && tag[0] == b'R';
    if ready {
        // Terminate: 'X' + length 4.
        let _ = stream.write_all(&[b'X', 0, 0, 0, 4]);
    }
    ready
}

/// A protocol 3.0 StartupMessage for `user` on database `postgres`.
fn startup_packet(user: &str) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    body.extend_from_slice(&196_608_i32.to_be_bytes());
    for part in ["user", user, "database", "postgres", ""] {
        body.extend_from_slice(part.as_bytes());
        body.push(0);
    }
    let len = i32::try_from(body.len() + 4).ok()?;
    let mut packet = len.to_be_bytes().to_vec();
    packet.extend_from_slice(&body);
    Some(packet)
}

/// The last ~40 lines of the server log written since byte `from`.
pub(crate) fn log_tail(log: &Path, from: u64) -> String {
    const MAX: u64 = 4096;
    let Ok(mut file) = File::open(log) else {
        return String::from("(no server log)");
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = from.max(len.saturating_sub(MAX)).min(len);
    let mut buf = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut buf).is_err() {
        return String::from("(server log unreadable)");
    }
    let text = String::from_utf8_lossy(&buf);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_packet_layout() {
        let p = startup_packet("postgres").unwrap();
        assert_eq!(&p[4..8], &196_608_i32.to_be_bytes());
        let len = i32::from_be_bytes([p[0], p[1], p[2], p[3]]);
        assert_eq!(usize::try_from(len).unwrap(), p.len());
        assert!(p.ends_with(b"postgres\0\0"));
    }

    #[test]
    fn log_tail_reads_only_new_text() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("postgres.log");
        std::fs::write(&log, "old line\nnew one\nnew two\n").unwrap();
        assert_eq!(log_tail(&log, 9), "new one\nnew two");
        assert_eq!(log_tail(&dir.path().join("missing"), 0), "(no server log)");
    }

    #[test]
    fn probe_fails_without_server() {
        assert!(!probe(Path::new("/nonexistent/.s.PGSQL.1"), "postgres"));
    }
}
