//! Which OS account runs `initdb` and `postgres`.
//!
//! PostgreSQL refuses to run as root. When this process's effective uid is 0, the server runs as
//! the `postgres` OS account, or — when that does not exist — as `quarry-pg`, created on first use
//! with `useradd --system --no-create-home quarry-pg`. Otherwise it runs as ourselves.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use super::error::EphemeralError;

/// The account created when running as root on a machine without a `postgres` account.
pub(crate) const FALLBACK_ACCOUNT: &str = "quarry-pg";

/// The unprivileged identity the server's processes switch to (None: run as ourselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunAs {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl RunAs {
    /// Decides the identity: `None` unless we are root.
    pub(crate) fn detect() -> Result<Option<Self>, EphemeralError> {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let is_root = match effective_uid(&status) {
            Some(uid) => uid == 0,
            None => std::env::var("USER").is_ok_and(|u| u == "root"),
        };
        if !is_root {
            return Ok(None);
        }
        let passwd = read_passwd()?;
        if let Some(found) = lookup(&passwd, "postgres") {
            return Ok(Some(found));
        }
        if let Some(found) = lookup(&passwd, FALLBACK_ACCOUNT) {
            return Ok(Some(found));
        }
        let out = Command::new("useradd")
            .args(["--system", "--no-create-home", FALLBACK_ACCOUNT])
            .output()
            .map_err(EphemeralError::io("run useradd"))?;
        let passwd = read_passwd()?;
        lookup(&passwd, FALLBACK_ACCOUNT).map(Some).ok_or_else(|| {
            EphemeralError::NoUnprivilegedAccount {
                account: FALLBACK_ACCOUNT.to_owned(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            }
        })
    }
}

/// Applies the identity (if any) to a command about to be spawned.
pub(crate) fn apply(cmd: &mut Command, run_as: Option<RunAs>) {
    if let Some(r) = run_as {
        cmd.uid(r.uid).gid(r.gid);
    }
}

/// Gives a path we created to the server's account (no-op when running as ourselves).
pub(crate) fn give(path: &Path, run_as: Option<RunAs>) -> Result<(), EphemeralError> {
    if let Some(r) = run_as {
        std::os::unix::fs::chown(path, Some(r.uid), Some(r.gid))
            .map_err(EphemeralError::io(format!("chown {}", path.display())))?;
    }
    Ok(())
}

fn read_passwd() -> Result<String, EphemeralError> {
    std::fs::read_to_string("/etc/passwd").map_err(EphemeralError::io("read /etc/passwd"))
}

/// The effective uid from the `Uid:` line of `/proc/self/status` (real, effective, saved, fs).
fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Finds `name` in /etc/passwd text (`name:x:uid:gid:...`).
fn lookup(passwd: &str, name: &str) -> Option<RunAs> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(RunAs { uid, gid })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_effective_uid() {
        let status = "Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t1\t1\t1\t1\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Name: x\n"), None);
    }

    #[test]
    fn looks_up_passwd_entries() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PG,,,:/var/lib/postgresql:/bin/bash\nbad:x:zz\n";
        assert_eq!(
            lookup(passwd, "postgres"),
            Some(RunAs { uid: 101, gid: 104 })
        );
        assert_eq!(lookup(passwd, "post"), None);
        assert_eq!(lookup(passwd, "bad"), None);
    }
}
