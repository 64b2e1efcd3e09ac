//! The password file (`.pgpass`): finding a password for a target when none was given.
//!
//! Format, as libpq: one `hostname:port:database:username:password` per line, `*` matches
//! anything, `\:` and `\\` escape, lines starting with `#` are comments, the first matching line
//! wins. A file readable by group or others is ignored with a warning.

use std::path::{Path, PathBuf};

use super::{ConfigError, Host, Password, Target};

/// What a password file line is matched against.
pub(crate) struct Lookup<'a> {
    pub(crate) target: &'a Target,
    pub(crate) dbname: &'a str,
    pub(crate) user: &'a str,
}

/// The password file to read: `passfile` if set, else `$HOME/.pgpass`.
pub(super) fn default_path(passfile: Option<&Path>) -> Option<PathBuf> {
    match passfile {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pgpass")),
    }
}

/// The password for `lookup` from the file at `path`; `None` when the file is missing,
/// unreadable, too open, or has no matching line.
pub(super) fn find(path: &Path, lookup: &Lookup<'_>) -> Option<Password> {
    match read(path) {
        Ok(Some(content)) => find_in(&content, lookup),
        Ok(None) => None,
        Err(error) => {
            tracing::debug!(%error, "password file not used");
            None
        }
    }
}

/// Reads the file if it exists, is a regular file and is private to its owner.
fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if !metadata.is_file() {
        return Ok(None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                "password file has group or world access; permissions should be u=rw (0600) or less"
            );
            return Ok(None);
        }
    }
    std::fs::read_to_string(path).map(Some).map_err(io)
}

/// The first line of `content` matching `lookup` (also the entry point of the pgpass fuzz target).
pub(crate) fn find_in(content: &str, lookup: &Lookup<'_>) -> Option<Password> {
    let port = lookup.target.port.to_string();
    let hosts: Vec<String> = match &lookup.target.host {
        Host::Tcp(name) => vec![name.clone()],
        // libpq matches a socket connection against "localhost"; the directory itself also works.
        Host::Unix(dir) => vec!["localhost".to_owned(), dir.to_string_lossy().into_owned()],
    };
    content
        .lines()
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(parse_line)
        .find(|entry| {
            hosts.iter().any(|h| entry.host.matches(h))
                && entry.port.matches(&port)
                && entry.dbname.matches(lookup.dbname)
                && entry.user.matches(lookup.user)
        })
        .map(|entry| Password::new(entry.password))
}

/// One field of a line: `*` or a literal (escapes resolved).
enum Field {
    Any,
    Exact(String),
}

impl Field {
    fn matches(&self, value: &str) -> bool {
        match self {
            Field::Any => true,
            Field::Exact(text) => text == value,
        }
    }
}

struct Entry {
    host: Field,
    port: Field,
    dbname: Field,
    user: Field,
    password: String,
}

/// Splits a line into four fields and the password; `None` for a line with too few fields.
fn parse_line(line: &str) -> Option<Entry> {
    let mut fields = Vec::with_capacity(4);
    let mut current = String::new();
    let mut raw_star = true;
    let mut raw_len = 0;
    let mut chars = line.chars();
    while fields.len() < 4 {
        let c = chars.next()?;
        match c {
            ':' => {
                let is_star = raw_star && raw_len == 1;
                let text = std::mem::take(&mut current);
                fields.push(if is_star {
                    Field::Any
                } else {
                    Field::Exact(text)
                });
                raw_star = true;
                raw_len = 0;
            }
            '\\' => {
                raw_star = false;
                raw_len += 1;
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            c => {
                raw_star &= c == '*';
                raw_len += 1;
                current.push(c);
            }
        }
    }
    // The rest of the line is the password, with backslash escapes removed.
    let mut password = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => password.extend(chars.next()),
            c => password.push(c),
        }
    }
    let mut fields = fields.into_iter();
    Some(Entry {
        host: fields.next()?,
        port: fields.next()?,
        dbname: fields.next()?,
        user: fields.next()?,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::os::unix::fs::PermissionsExt;

    fn target(host: Host, port: u16) -> Target {
        Target { host, port }
    }

    fn find_str(content: &str, host: Host, port: u16, db: &str, user: &str) -> Option<String> {
        let t = target(host, port);
        find_in(
            content,
            &Lookup {
                target: &t,
                dbname: db,
                user,
            },
        )
        .map(|p| p.as_str().to_owned())
    }

    fn tcp(h: &str) -> Host {
        Host::Tcp(h.into())
    }

    #[test]
    fn first_match_wins_with_wildcards() {
        let file = "# comment\n\
                    db.example.com:5432:app:alice:first\n\
                    *:*:app:alice:second\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            find_str(file, tcp("db.example.com"), 5432, "app", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(
            find_str(file, tcp("other"), 5432, "app", "alice").as_deref(),
            Some("second")
        );
        assert_eq!(
            find_str(file, tcp("other"), 1, "x", "bob").as_deref(),
            Some("fallback")
        );
        assert_eq!(find_str("h:1:d:u:p\n", tcp("h"), 2, "d", "u"), None);
    }

    #[test]
    fn escapes_and_odd_lines() {
        let file = "bad line\nh\\:x:5432:d\\\\b:u:pa\\:ss:wo\\\\rd\r\n";
        assert_eq!(
            find_str(file, tcp("h:x"), 5432, "d\\b", "u").as_deref(),
            Some("pa:ss:wo\\rd")
        );
        // An escaped star is a literal star, not a wildcard.
        assert_eq!(find_str("\\*:*:*:*:p", tcp("h"), 1, "d", "u"), None);
        assert_eq!(
            find_str("\\*:*:*:*:p", tcp("*"), 1, "d", "u").as_deref(),
            Some("p")
        );
        assert_eq!(find_str("**:*:*:*:p", tcp("h"), 1, "d", "u"), None);
        assert_eq!(find_str("a:b:c:d", tcp("a"), 1, "c", "d"), None);
        assert_eq!(
            find_str("*:*:*:*:", tcp("a"), 1, "c", "d").as_deref(),
            Some("")
        );
    }

    #[test]
    fn unix_socket_matches_localhost() {
        let file = "localhost:5432:*:*:local\n";
        assert_eq!(
            find_str(file, Host::Unix("/tmp".into()), 5432, "d", "u").as_deref(),
            Some("local")
        );
        let file = "/run/postgresql:5432:*:*:dir\n";
        assert_eq!(
            find_str(file, Host::Unix("/run/postgresql".into()), 5432, "d", "u").as_deref(),
            Some("dir")
        );
    }

    fn temp_file(name: &str, content: &str, mode: u32) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("quarry-pgpass-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn password_for_reads_private_file_only() {
        let private = temp_file("private", "*:5432:app:alice:from-file\n", 0o600);
        let open = temp_file("open", "*:5432:app:alice:from-file\n", 0o644);

        let config = Config::parse("host=db port=5432 user=alice dbname=app").unwrap();
        let config = config.passfile(&private);
        let t = config.targets().remove(0);
        assert_eq!(config.password_for(&t).unwrap().as_str(), "from-file");

        let config = config.passfile(&open);
        assert_eq!(config.password_for(&t), None);

        let config = config.passfile(&private).password("explicit");
        assert_eq!(config.password_for(&t).unwrap().as_str(), "explicit");

        let missing = Config::parse("host=db user=alice dbname=app")
            .unwrap()
            .passfile(std::env::temp_dir().join("quarry-pgpass-does-not-exist"));
        assert_eq!(missing.password_for(&t), None);

        std::fs::remove_file(private).unwrap();
        std::fs::remove_file(open).unwrap();
    }

    #[test]
    fn database_defaults_to_user_for_matching() {
        let file = temp_file("dbdefault", "db:5432:alice:alice:pw\n", 0o600);
        let config = Config::parse("host=db user=alice").unwrap().passfile(&file);
        let t = config.targets().remove(0);
        assert_eq!(config.password_for(&t).unwrap().as_str(), "pw");
        std::fs::remove_file(file).unwrap();
    }
}
