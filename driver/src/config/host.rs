//! Hosts and targets: where a connection goes.
//!
//! `Host` is one entry of the `host` list (a TCP name/IP or a Unix socket directory); `Target`
//! pairs it with a port. `resolve` turns a config's host and port lists into the targets to try
//! in order, including libpq's defaults when no host is given.

use std::path::{Path, PathBuf};

/// The default PostgreSQL port.
pub(crate) const DEFAULT_PORT: u16 = 5432;

/// Socket directories tried, in order, when no host is given.
const DEFAULT_SOCKET_DIRS: [&str; 3] = ["/run/postgresql", "/var/run/postgresql", "/tmp"];

/// One host of the `host` list.
///
/// ```
/// use quarry_driver::config::Host;
///
/// assert_eq!(Host::parse("db.example.com"), Host::Tcp("db.example.com".into()));
/// assert_eq!(Host::parse("[::1]"), Host::Tcp("::1".into()));
/// assert_eq!(Host::parse("/var/run/postgresql"), Host::Unix("/var/run/postgresql".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A host name or an IP literal (IPv6 without brackets, e.g. `::1`).
    Tcp(String),
    /// A directory holding the server's Unix-domain socket. A path starting with `@` names
    /// Linux's abstract socket namespace.
    Unix(PathBuf),
}

impl Host {
    /// Interprets one `host` entry as libpq does: a value starting with `/` or `@` is a Unix socket
    /// directory, anything else a TCP host (surrounding `[` `]` of an IPv6 literal are removed).
    /// An empty entry means `localhost`.
    pub fn parse(text: &str) -> Host {
        if text.starts_with('/') || text.starts_with('@') {
            return Host::Unix(PathBuf::from(text));
        }
        let name = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if name.is_empty() {
            Host::Tcp("localhost".to_owned())
        } else {
            Host::Tcp(name.to_owned())
        }
    }

    /// Whether this is a Unix-domain socket directory.
    pub fn is_unix(&self) -> bool {
        matches!(self, Host::Unix(_))
    }
}

/// A host and the port to use with it: one place to try to connect.
///
/// ```
/// use quarry_driver::config::{Host, Target};
///
/// let target = Target { host: Host::Unix("/tmp".into()), port: 5433 };
/// assert_eq!(target.socket_path().unwrap(), std::path::Path::new("/tmp/.s.PGSQL.5433"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Where to connect.
    pub host: Host,
    /// The TCP port, or the number in the Unix socket's file name.
    pub port: u16,
}

impl Target {
    /// The socket file (`<dir>/.s.PGSQL.<port>`) for a Unix-socket target; `None` for TCP.
    pub fn socket_path(&self) -> Option<PathBuf> {
        match &self.host {
            Host::Unix(dir) => Some(socket_file(dir, self.port)),
            Host::Tcp(_) => None,
        }
    }
}

fn socket_file(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

/// The targets for `hosts` and `ports`, in order.
///
/// `ports` holds one port for all hosts or one per host (checked when parsing; here a short list
/// falls back to its first port). No host at all means each default socket directory whose socket
/// file exists, then `localhost` over TCP.
pub(crate) fn resolve(hosts: &[Host], ports: &[u16]) -> Vec<Target> {
    let first_port = ports.first().copied().unwrap_or(DEFAULT_PORT);
    if hosts.is_empty() {
        return default_targets(first_port);
    }
    hosts
        .iter()
        .enumerate()
        .map(|(i, host)| Target {
            host: host.clone(),
            port: ports.get(i).copied().unwrap_or(first_port),
        })
        .collect()
}

fn default_targets(port: u16) -> Vec<Target> {
    let mut seen = Vec::new();
    let mut targets = Vec::new();
    for dir in DEFAULT_SOCKET_DIRS {
        let dir = Path::new(dir);
        let file = socket_file(dir, port);
        if !file.exists() {
            continue;
        }
        // `/var/run` is usually a link to `/run`: try each real directory once.
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        targets.push(Target {
            host: Host::Unix(dir.to_path_buf()),
            port,
        });
    }
    targets.push(Target {
        host: Host::Tcp("localhost".to_owned()),
        port,
    });
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_host_kinds() {
        assert_eq!(Host::parse("localhost"), Host::Tcp("localhost".into()));
        assert_eq!(Host::parse("::1"), Host::Tcp("::1".into()));
        assert_eq!(Host::parse("[fe80::1]"), Host::Tcp("fe80::1".into()));
        assert_eq!(Host::parse("@pg"), Host::Unix("@pg".into()));
        assert_eq!(Host::parse(""), Host::Tcp("localhost".into()));
        assert!(Host::parse("/tmp").is_unix());
    }

    #[test]
    fn resolve_pairs_ports() {
        let hosts = [Host::parse("a"), Host::parse("b")];
        let t = resolve(&hosts, &[1, 2]);
        assert_eq!(t[0].port, 1);
        assert_eq!(t[1].port, 2);
        let t = resolve(&hosts, &[7]);
        assert!(t.iter().all(|t| t.port == 7));
        let t = resolve(&hosts, &[]);
        assert!(t.iter().all(|t| t.port == DEFAULT_PORT));
    }

    #[test]
    fn default_targets_end_with_localhost() {
        // An unlikely port, so no real socket file exists on the test machine.
        let t = resolve(&[], &[1]);
        assert_eq!(
            t.last().unwrap(),
            &Target {
                host: Host::Tcp("localhost".into()),
                port: 1
            }
        );
    }

    #[test]
    fn default_targets_find_existing_socket_file() {
        // Only checks that socket discovery looks at the file name; /tmp is writable in tests.
        let port = 59_871;
        let file = Path::new("/tmp").join(format!(".s.PGSQL.{port}"));
        std::fs::write(&file, b"").unwrap();
        let t = resolve(&[], &[port]);
        std::fs::remove_file(&file).unwrap();
        assert!(t.contains(&Target {
            host: Host::Unix("/tmp".into()),
            port
        }));
    }

    #[test]
    fn socket_path_only_for_unix() {
        let tcp = Target {
            host: Host::Tcp("h".into()),
            port: 5432,
        };
        assert_eq!(tcp.socket_path(), None);
    }
}
