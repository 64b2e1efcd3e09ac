//! Preparing a server before its first start: the temp root and its folders, `initdb`, a free
//! port, and whether IPv6 loopback exists.

use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::account::{self, RunAs};
use super::binaries::BinDir;
use super::error::EphemeralError;

/// Creates `/tmp/quarry-pg-XXXXXX` (mode 0700, given to the server's account). The caller owns
/// its deletion.
pub(crate) fn temp_root(run_as: Option<RunAs>) -> Result<PathBuf, EphemeralError> {
    // /tmp rather than $TMPDIR: the unix socket path must stay under ~100 bytes, and the
    // server's account must be able to reach it.
    let dir = tempfile::Builder::new()
        .prefix("quarry-pg-")
        .tempdir_in("/tmp")
        .map_err(EphemeralError::io("create a temp dir in /tmp"))?
        .keep();
    let private = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(EphemeralError::io(format!("chmod 0700 {}", dir.display())));
    if let Err(e) = private.and_then(|()| account::give(&dir, run_as)) {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    Ok(dir)
}

/// Creates a private (0700) folder; `give` hands it to the server's account.
pub(crate) fn private_dir(path: &Path, run_as: Option<RunAs>) -> Result<(), EphemeralError> {
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(path)
        .map_err(EphemeralError::io(format!("create {}", path.display())))?;
    account::give(path, run_as)
}

/// Runs `initdb` for `data_dir` (fast: trust auth, C locale, no fsync).
pub(crate) fn initdb(
    bin: &BinDir,
    data_dir: &Path,
    superuser: &str,
    run_as: Option<RunAs>,
) -> Result<(), EphemeralError> {
    let mut cmd = Command::new(bin.bin("initdb"));
    cmd.arg("-D")
        .arg(data_dir)
        .args(["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        .arg(format!("--username={superuser}"))
        .stdin(Stdio::null());
    if let Some(parent) = data_dir.parent() {
        cmd.current_dir(parent);
    }
    account::apply(&mut cmd, run_as);
    let out = cmd.output().map_err(EphemeralError::io(format!(
        "run {}",
        bin.bin("initdb").display()
    )))?;
    if out.status.success() {
        return Ok(());
    }
    Err(EphemeralError::Initdb {
        status: out.status,
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

/// A port that was free a moment ago on 127.0.0.1 (the caller retries if someone takes it).
pub(crate) fn free_port() -> Result<u16, EphemeralError> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(EphemeralError::io("bind 127.0.0.1:0"))?;
    let port = listener
        .local_addr()
        .map_err(EphemeralError::io("read a bound port"))?
        .port();
    Ok(port)
}

/// The addresses the server listens on: 127.0.0.1, plus ::1 when IPv6 loopback works.
pub(crate) fn listen_addresses() -> Vec<&'static str> {
    let mut out = vec!["127.0.0.1"];
    if TcpListener::bind("[::1]:0").is_ok() {
        out.push("::1");
    }
    out
}

/// The server's major version, as initdb wrote it in `PG_VERSION`.
pub(crate) fn major_version(data_dir: &Path) -> Result<String, EphemeralError> {
    let path = data_dir.join("PG_VERSION");
    std::fs::read_to_string(&path)
        .map(|s| s.trim().to_owned())
        .map_err(EphemeralError::io(format!("read {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_port_is_nonzero_and_loopback_listed() {
        assert_ne!(free_port().unwrap(), 0);
        assert_eq!(listen_addresses()[0], "127.0.0.1");
    }

    #[test]
    fn temp_root_is_private() {
        let root = temp_root(None).unwrap();
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        private_dir(&root.join("sock"), None).unwrap();
        assert!(root.join("sock").is_dir());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
