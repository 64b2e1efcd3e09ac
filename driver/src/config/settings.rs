//! Applies one `key=value` setting to a `Config`: the key words, their value syntax, and which
//! keys are ignored or passed to the server.
//!
//! Both DSN forms and the environment go through `set`, so a key word means the same thing
//! wherever it is written.

use std::path::PathBuf;
use std::time::Duration;

use super::error::REDACTED;
use super::host::DEFAULT_PORT;
use super::{Config, ConfigError, Host, Password};

/// libpq client settings that mean nothing to Quarry and must not reach the server: accepted and
/// ignored.
const IGNORED_KEYS: &[&str] = &[
    "gssencmode",
    "gsslib",
    "gssdelegation",
    "krbsrvname",
    "service",
    "sslcompression",
    "sslsni",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "requiressl",
    "fallback_application_name",
    // The passphrase of an encrypted client key, which Quarry cannot read; a secret, so above
    // all never sent as a server setting.
    "sslpassword",
];

/// Keys whose values are secrets: no error and no `Debug` output shows them.
pub(super) const SECRET_KEYS: &[&str] = &["password", "sslpassword"];

/// Applies `key=value`. An empty value leaves a known setting unset (libpq treats an empty
/// value as "not given"); any key not known here becomes a server setting sent at startup.
pub(super) fn set(config: &mut Config, key: &str, value: &str) -> Result<(), ConfigError> {
    reject_nul(key, value)?;
    if IGNORED_KEYS.contains(&key) {
        tracing::debug!(key, "ignoring libpq connection option");
        return Ok(());
    }
    if key == "client_encoding" {
        return check_encoding(value);
    }
    if !is_known(key) {
        check_setting_name(key)?;
        let name = key.to_owned();
        config.server_settings.retain(|(n, _)| *n != name);
        config.server_settings.push((name, value.to_owned()));
        return Ok(());
    }
    if value.is_empty() {
        return Ok(());
    }
    match key {
        "host" => {
            config.hosts = parse_hosts(value);
            config.hosts_from_hostaddr = false;
        }
        // A host name wins over an address: `hostaddr` only fills an empty host list.
        "hostaddr" if config.hosts.is_empty() || config.hosts_from_hostaddr => {
            config.hosts = parse_hosts(value);
            config.hosts_from_hostaddr = true;
        }
        "port" => config.ports = parse_ports(value)?,
        "user" => config.user = Some(value.to_owned()),
        "password" => config.password = Some(Password::new(value)),
        "dbname" | "database" => config.dbname = Some(value.to_owned()),
        "sslmode" => config.sslmode = Some(value.parse()?),
        "sslrootcert" => config.ssl_root_cert = Some(value.parse()?),
        "sslcert" => config.ssl_cert = Some(PathBuf::from(value)),
        "sslkey" => config.ssl_key = Some(PathBuf::from(value)),
        "sslnegotiation" => config.ssl_negotiation = Some(value.parse()?),
        "channel_binding" => config.channel_binding = Some(value.parse()?),
        "application_name" => config.application_name = Some(value.to_owned()),
        "connect_timeout" => config.connect_timeout = Some(parse_connect_timeout(value)?),
        "options" => config.options = Some(value.to_owned()),
        "target_session_attrs" => config.target_session_attrs = Some(value.parse()?),
        "load_balance_hosts" => config.load_balance_hosts = Some(value.parse()?),
        "pooler" => config.pooler = Some(value.parse()?),
        "passfile" => config.passfile = Some(PathBuf::from(value)),
        "statement_cache_size" => {
            config.statement_cache_size = Some(parse_count(key, value)?);
        }
        "statement_cache_max_lifetime" => {
            config.statement_cache_max_lifetime = Some(parse_seconds(key, value)?);
        }
        "statement_cache_max_statement_size" => {
            config.statement_cache_max_statement_size = Some(parse_count(key, value)?);
        }
        "command_timeout" => {
            let timeout = parse_seconds(key, value)?;
            config.command_timeout = (!timeout.is_zero()).then_some(timeout);
        }
        _ => {}
    }
    Ok(())
}

/// Whether the setting named by `key` already has a value (so the environment must not change it).
pub(super) fn is_set(config: &Config, key: &str) -> bool {
    match key {
        "host" | "hostaddr" => !config.hosts.is_empty(),
        "port" => !config.ports.is_empty(),
        "user" => config.user.is_some(),
        "password" => config.password.is_some(),
        "dbname" => config.dbname.is_some(),
        "sslmode" => config.sslmode.is_some(),
        "sslrootcert" => config.ssl_root_cert.is_some(),
        "sslcert" => config.ssl_cert.is_some(),
        "sslkey" => config.ssl_key.is_some(),
        "sslnegotiation" => config.ssl_negotiation.is_some(),
        "channel_binding" => config.channel_binding.is_some(),
        "application_name" => config.application_name.is_some(),
        "connect_timeout" => config.connect_timeout.is_some(),
        "options" => config.options.is_some(),
        "target_session_attrs" => config.target_session_attrs.is_some(),
        "load_balance_hosts" => config.load_balance_hosts.is_some(),
        "pooler" => config.pooler.is_some(),
        "passfile" => config.passfile.is_some(),
        _ => false,
    }
}

/// Whether `key` is a connection setting's key word (one Quarry uses, not an ignored one).
pub(super) fn is_known(key: &str) -> bool {
    matches!(
        key,
        "host"
            | "hostaddr"
            | "port"
            | "user"
            | "password"
            | "dbname"
            | "database"
            | "sslmode"
            | "sslrootcert"
            | "sslcert"
            | "sslkey"
            | "sslnegotiation"
            | "channel_binding"
            | "application_name"
            | "connect_timeout"
            | "options"
            | "target_session_attrs"
            | "load_balance_hosts"
            | "pooler"
            | "passfile"
            | "statement_cache_size"
            | "statement_cache_max_lifetime"
            | "statement_cache_max_statement_size"
            | "command_timeout"
    )
}

/// An unknown key becomes a server setting, so it must be a name one can have (PostgreSQL's
/// rule: dot-separated parts of letters, digits, `_` and `$`, not starting with a digit or `$`).
/// A secret key word in other letter case (`PASSWORD`) is refused rather than sent to the server.
fn check_setting_name(key: &str) -> Result<(), ConfigError> {
    let problem = if SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        "connection setting key words are lower case"
    } else if !key.split('.').all(is_name_part) {
        "not a connection setting, nor a server setting name (letters, digits, `_`, `$` and `.`)"
    } else {
        return Ok(());
    };
    Err(ConfigError::InvalidKey {
        key: key.to_owned(),
        problem,
    })
}

fn is_name_part(part: &str) -> bool {
    let letter = |c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii();
    let mut chars = part.chars();
    chars.next().is_some_and(letter) && chars.all(|c| letter(c) || c.is_ascii_digit() || c == '$')
}

/// Startup packet fields are NUL-terminated: a NUL inside a key or value cannot be sent.
fn reject_nul(key: &str, value: &str) -> Result<(), ConfigError> {
    if key.contains('\0') || value.contains('\0') {
        let shown = if SECRET_KEYS.contains(&key) {
            REDACTED
        } else {
            value
        };
        return Err(ConfigError::InvalidValue {
            key: key.replace('\0', "\\0"),
            value: shown.replace('\0', "\\0"),
            expected: "text without NUL bytes",
        });
    }
    Ok(())
}

fn check_encoding(value: &str) -> Result<(), ConfigError> {
    let v = value.trim();
    if v.is_empty()
        || ["utf8", "utf-8", "unicode"]
            .iter()
            .any(|e| v.eq_ignore_ascii_case(e))
    {
        Ok(())
    } else {
        Err(ConfigError::UnsupportedEncoding {
            value: value.to_owned(),
        })
    }
}

/// A comma-separated host list; see [`Host::parse`].
pub(super) fn parse_hosts(value: &str) -> Vec<Host> {
    value.split(',').map(Host::parse).collect()
}

/// A comma-separated port list; an empty entry is the default port.
pub(super) fn parse_ports(value: &str) -> Result<Vec<u16>, ConfigError> {
    value.split(',').map(parse_port).collect()
}

/// One port, 1 to 65535; empty means the default port.
pub(super) fn parse_port(text: &str) -> Result<u16, ConfigError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(DEFAULT_PORT);
    }
    match text.parse::<u16>() {
        Ok(port) if port != 0 => Ok(port),
        _ => Err(ConfigError::InvalidPort {
            value: text.to_owned(),
        }),
    }
}

/// libpq's `connect_timeout`: whole seconds; zero or negative waits forever; 1 is raised to 2 so
/// rounding cannot make the wait end almost at once.
fn parse_connect_timeout(value: &str) -> Result<Option<Duration>, ConfigError> {
    let seconds: i64 = value
        .trim()
        .parse()
        .map_err(|_| ConfigError::InvalidValue {
            key: "connect_timeout".to_owned(),
            value: value.to_owned(),
            expected: "a whole number of seconds",
        })?;
    Ok(match u64::try_from(seconds) {
        Ok(0) | Err(_) => None,
        Ok(1) => Some(Duration::from_secs(2)),
        Ok(s) => Some(Duration::from_secs(s)),
    })
}

/// A non-negative number of seconds, fractions allowed.
fn parse_seconds(key: &str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| ConfigError::InvalidValue {
            key: key.to_owned(),
            value: value.to_owned(),
            expected: "a non-negative number of seconds",
        })
}

fn parse_count(key: &str, value: &str) -> Result<usize, ConfigError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| ConfigError::InvalidValue {
            key: key.to_owned(),
            value: value.to_owned(),
            expected: "a non-negative whole number",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_follows_libpq() {
        assert_eq!(
            parse_connect_timeout("10").unwrap(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_connect_timeout("1").unwrap(),
            Some(Duration::from_secs(2))
        );
        assert_eq!(parse_connect_timeout("0").unwrap(), None);
        assert_eq!(parse_connect_timeout("-5").unwrap(), None);
        assert!(parse_connect_timeout("1.5").is_err());
        assert!(parse_connect_timeout("ten").is_err());
    }

    #[test]
    fn seconds_allow_fractions_only_non_negative() {
        assert_eq!(
            parse_seconds("k", "0.25").unwrap(),
            Duration::from_millis(250)
        );
        assert!(parse_seconds("k", "-1").is_err());
        assert!(parse_seconds("k", "NaN").is_err());
        assert!(parse_seconds("k", "inf").is_err());
        assert!(parse_seconds("k", "1e300").is_err());
    }

    #[test]
    fn ports_parse_and_reject() {
        assert_eq!(parse_ports("1,2").unwrap(), vec![1, 2]);
        assert_eq!(parse_ports("5433,").unwrap(), vec![5433, DEFAULT_PORT]);
        for bad in ["0", "65536", "-1", "x", "99999"] {
            assert!(
                matches!(parse_port(bad), Err(ConfigError::InvalidPort { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn encodings() {
        assert!(check_encoding("UTF8").is_ok());
        assert!(check_encoding("utf-8").is_ok());
        assert!(matches!(
            check_encoding("LATIN1"),
            Err(ConfigError::UnsupportedEncoding { .. })
        ));
    }

    #[test]
    fn nul_in_password_is_rejected_without_showing_it() {
        let mut c = Config::new();
        let err = set(&mut c, "password", "se\0cret").unwrap_err();
        assert!(!err.to_string().contains("cret"));
        let err = set(&mut c, "sslpassword", "se\0cret").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("cret"), "{err:?}");
    }

    #[test]
    fn sslpassword_is_neither_kept_nor_sent() {
        let c = Config::parse("sslpassword=S3cr3t sslkey=/k.pem").unwrap();
        assert!(c.server_settings().is_empty(), "{c:?}");
        assert!(!format!("{c:?}").contains("S3cr3t"));
        let c = Config::parse("postgres://h/d?sslpassword=S3cr3t").unwrap();
        assert!(c.server_settings().is_empty(), "{c:?}");
    }

    #[test]
    fn unknown_keys_must_be_server_setting_names() {
        let mut c = Config::new();
        for name in [
            "search_path",
            "statement_timeout",
            "my.setting",
            "x$1",
            "é_t",
            "_a.b_2",
        ] {
            set(&mut c, name, "1").unwrap();
        }
        assert_eq!(c.server_settings().len(), 6);
        for key in [
            "'password",
            "a/b",
            "a:b",
            "1a",
            "$a",
            "a..b",
            "a.",
            "a-b",
            "a b",
        ] {
            assert!(
                matches!(
                    set(&mut c, key, "S3cr3t"),
                    Err(ConfigError::InvalidKey { .. })
                ),
                "{key}"
            );
        }
        for key in ["PASSWORD", "Password", "SSLPASSWORD"] {
            let err = set(&mut c, key, "S3cr3t").unwrap_err();
            assert!(err.to_string().contains("lower case"), "{err}");
            assert!(!format!("{err} {err:?}").contains("S3cr3t"), "{err:?}");
        }
        assert_eq!(c.server_settings().len(), 6);
    }
}
