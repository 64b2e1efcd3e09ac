//! The watchdog: a tiny `sh` process that stops the server and deletes its files when we vanish.
//!
//! Statics are never dropped and a test process may panic or be killed, so cleanup cannot rely on
//! `Drop`. The watchdog reads lines from a pipe whose write end only we hold: each line is the
//! current postmaster pid (or `none` after a stop). When the pipe closes — our process exited for
//! any reason, or `Drop` closed it — it sends SIGINT (fast shutdown), escalates to SIGQUIT after
//! 5 s and SIGKILL after 10 s, waits (at most 15 s, and not for a zombie) for the postmaster to
//! exit, then `rm -rf`s the temp root.
//! It runs as us (root when root), so it may signal a server running as another account.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use super::error::EphemeralError;

const SCRIPT: &str = r#"
pid=none
while read -r line; do pid=$line; done
case "$pid" in
  ''|*[!0-9]*|0) ;;
  *)
    kill -INT "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 150 ]; do
      grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && break
      i=$((i+1))
      [ "$i" -eq 50 ] && kill -QUIT "$pid" 2>/dev/null
      [ "$i" -ge 100 ] && kill -KILL "$pid" 2>/dev/null
      sleep 0.1
    done
    ;;
esac
rm -rf -- "$1"
"#;

/// Our handle on the watchdog process.
#[derive(Debug)]
pub(crate) struct Watchdog {
    child: Child,
    pipe: Option<ChildStdin>,
}

impl Watchdog {
    /// Spawns the watchdog for the temp root `root`.
    pub(crate) fn spawn(root: &Path) -> Result<Self, EphemeralError> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("quarry-pg-watchdog")
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C aimed at the test run must not kill it first.
            .process_group(0)
            .spawn()
            .map_err(EphemeralError::io("spawn the watchdog (sh)"))?;
        let pipe = child.stdin.take();
        Ok(Self { child, pipe })
    }

    /// Tells the watchdog which postmaster to stop (`None`: no server running).
    pub(crate) fn watch(&mut self, pid: Option<u32>) -> Result<(), EphemeralError> {
        let line = pid.map_or_else(|| "none\n".to_owned(), |p| format!("{p}\n"));
        match self.pipe.as_mut() {
            Some(pipe) => pipe
                .write_all(line.as_bytes())
                .and_then(|()| pipe.flush())
                .map_err(EphemeralError::io("write to the watchdog")),
            None => Ok(()),
        }
    }

    /// Closes the pipe and waits for the watchdog to finish its cleanup.
    pub(crate) fn finish(&mut self) {
        drop(self.pipe.take());
        let _ = self.child.wait();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn removes_root_and_stops_process_when_pipe_closes() {
        let root = tempfile::tempdir().unwrap().keep();
        std::fs::write(root.join("file"), b"x").unwrap();
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = sleeper.id();
        let reaper = std::thread::spawn(move || sleeper.wait().unwrap());
        let mut dog = Watchdog::spawn(&root).unwrap();
        dog.watch(Some(pid)).unwrap();
        let started = Instant::now();
        dog.finish();
        assert!(!root.exists());
        let status = reaper.join().unwrap();
        assert!(!status.success(), "sleep was interrupted: {status}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn none_means_no_signal() {
        let root = tempfile::tempdir().unwrap().keep();
        let mut dog = Watchdog::spawn(&root).unwrap();
        dog.watch(Some(1234567)).unwrap();
        dog.watch(None).unwrap();
        dog.finish();
        assert!(!root.exists());
    }
}
