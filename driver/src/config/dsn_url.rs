//! The URL DSN form: `postgres[ql]://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]`.
//!
//! Every part is percent-decoded. Hosts may be a list, each with its own port; IPv6 literals go
//! in brackets (`[::1]:5433`); a host that decodes to a path (`%2Fvar%2Frun%2Fpostgresql`) is a
//! Unix socket directory. Query parameters go to `settings::set` like `key=value` pairs.

use super::error::REDACTED;
use super::{Config, ConfigError, Host, settings};

/// Whether `dsn` is in URL form (`<scheme>://...`), whatever the scheme.
pub(super) fn is_url(dsn: &str) -> bool {
    let dsn = dsn.trim_start();
    match dsn.find("://") {
        Some(end) => dsn.get(..end).is_some_and(is_scheme),
        None => false,
    }
}

/// A URL scheme, also allowing `:` so that `jdbc:postgresql://` is reported as a wrong scheme.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | ':'))
}

/// Parses a URL DSN into `config`.
pub(super) fn parse_into(config: &mut Config, dsn: &str) -> Result<(), ConfigError> {
    let dsn = dsn.trim();
    let (scheme, rest) = dsn.split_once("://").unwrap_or((dsn, ""));
    if !scheme.eq_ignore_ascii_case("postgres") && !scheme.eq_ignore_ascii_case("postgresql") {
        return Err(ConfigError::InvalidScheme {
            found: scheme.to_owned(),
        });
    }
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, dbname) = before_query.split_once('/').unwrap_or((before_query, ""));
    let (userinfo, hostlist) = match authority.rsplit_once('@') {
        Some((userinfo, hostlist)) => (Some(userinfo), hostlist),
        None => (None, authority),
    };

    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        settings::set(config, "user", &decode("user", user)?)?;
        if let Some(password) = password {
            settings::set(config, "password", &decode("password", password)?)?;
        }
    }
    parse_hostlist(config, hostlist)?;
    settings::set(config, "dbname", &decode("dbname", dbname)?)?;
    parse_query(config, query)
}

/// `host[:port],[v6]:port,...` into the config's host and port lists.
fn parse_hostlist(config: &mut Config, hostlist: &str) -> Result<(), ConfigError> {
    if hostlist.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let mut any_port = false;
    for entry in hostlist.split(',') {
        let (host, port) = split_host_port(entry)?;
        hosts.push(host);
        any_port |= port.is_some();
        ports.push(port);
    }
    // A lone empty host (`postgres://:5433/db`, `postgres:///db`) leaves the host unset.
    let lone_empty = matches!(hosts.as_slice(), [None]);
    if !lone_empty {
        config.hosts = hosts
            .into_iter()
            .map(|h| h.unwrap_or_else(|| Host::parse("")))
            .collect();
        config.hosts_from_hostaddr = false;
    }
    if any_port {
        config.ports = ports
            .into_iter()
            .map(|p| p.map_or(Ok(super::host::DEFAULT_PORT), |p| settings::parse_port(&p)))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// One host list entry: the host (`None` if empty) and the decoded port text, if any.
fn split_host_port(entry: &str) -> Result<(Option<Host>, Option<String>), ConfigError> {
    let invalid = |problem| ConfigError::InvalidHost {
        value: entry.to_owned(),
        problem,
    };
    let (host, port) = if let Some(bracketed) = entry.strip_prefix('[') {
        let (inner, after) = bracketed
            .split_once(']')
            .ok_or_else(|| invalid("unclosed `[` of an IPv6 address"))?;
        if inner.is_empty() {
            return Err(invalid("empty IPv6 address"));
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| invalid("unexpected text after `]`"))?,
            ),
        };
        (Some(Host::Tcp(decode("host", inner)?)), port)
    } else {
        let (host, port) = match entry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (entry, None),
        };
        let host = decode("host", host)?;
        ((!host.is_empty()).then(|| Host::parse(&host)), port)
    };
    let port = port.map(|p| decode("port", p)).transpose()?;
    Ok((host, port))
}

/// `key=value&key=value`: each pair applied like a `key=value` DSN pair.
fn parse_query(config: &mut Config, query: &str) -> Result<(), ConfigError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(ConfigError::MissingEquals {
                near: pair.to_owned(),
            });
        };
        let key = decode("query", key)?;
        let component = if key == "password" {
            "password"
        } else {
            "query"
        };
        let value = decode(component, value)?;
        if key == "ssl" {
            // JDBC's `ssl=true`, accepted by libpq as `sslmode=require`.
            if value != "true" {
                return Err(ConfigError::InvalidValue {
                    key,
                    value,
                    expected: "true",
                });
            }
            settings::set(config, "sslmode", "require")?;
        } else {
            settings::set(config, &key, &value)?;
        }
    }
    Ok(())
}

/// Percent-decodes one URL part; `component` names it in errors (a password is never shown).
fn decode(component: &'static str, text: &str) -> Result<String, ConfigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                let value = if component == "password" {
                    REDACTED
                } else {
                    text
                };
                return Err(ConfigError::InvalidPercentEncoding {
                    component,
                    value: value.to_owned(),
                });
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    if out.contains(&0) {
        return Err(ConfigError::InvalidUtf8 { component });
    }
    String::from_utf8(out).map_err(|_| ConfigError::InvalidUtf8 { component })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SslMode, Target};
    use std::time::Duration;

    fn parse(dsn: &str) -> Result<Config, ConfigError> {
        Config::parse(dsn)
    }

    fn tcp(name: &str) -> Host {
        Host::Tcp(name.into())
    }

    #[test]
    fn full_url() {
        let c = parse("postgresql://alice:s%40cret@db.example.com:5433/my%20db?sslmode=verify-full&application_name=app").unwrap();
        assert_eq!(c.get_user(), Some("alice"));
        assert_eq!(c.get_password().unwrap().as_str(), "s@cret");
        assert_eq!(c.get_hosts(), &[tcp("db.example.com")]);
        assert_eq!(c.get_ports(), &[5433]);
        assert_eq!(c.get_dbname(), Some("my db"));
        assert_eq!(c.get_sslmode(), SslMode::VerifyFull);
        assert_eq!(c.get_application_name(), Some("app"));
    }

    #[test]
    fn minimal_urls() {
        assert_eq!(parse("postgres://").unwrap(), Config::new());
        assert_eq!(parse("postgresql:///").unwrap(), Config::new());
        let c = parse("postgres://h").unwrap();
        assert_eq!(c.get_hosts(), &[tcp("h")]);
        assert!(c.get_ports().is_empty());
        let c = parse("postgres://:5433/db").unwrap();
        assert!(c.get_hosts().is_empty());
        assert_eq!(c.get_ports(), &[5433]);
        let c = parse("postgres://user@/db").unwrap();
        assert_eq!(c.get_user(), Some("user"));
        assert!(c.get_hosts().is_empty());
        let c = parse("POSTGRES://h/d").unwrap();
        assert_eq!(c.get_dbname(), Some("d"));
    }

    #[test]
    fn password_with_raw_at_and_colon() {
        let c = parse("postgres://u:p@ss:w@h/d").unwrap();
        assert_eq!(c.get_user(), Some("u"));
        assert_eq!(c.get_password().unwrap().as_str(), "p@ss:w");
        assert_eq!(c.get_hosts(), &[tcp("h")]);
    }

    #[test]
    fn multi_host() {
        let c = parse("postgres://a:1,b:2/d").unwrap();
        let t = c.targets();
        assert_eq!(
            t,
            vec![
                Target {
                    host: tcp("a"),
                    port: 1
                },
                Target {
                    host: tcp("b"),
                    port: 2
                }
            ]
        );
        let c = parse("postgres://a,b:7/d").unwrap();
        assert_eq!(c.get_ports(), &[5432, 7]);
        let c = parse("postgres://a,b/d?port=7").unwrap();
        assert!(c.targets().iter().all(|t| t.port == 7));
        assert!(matches!(
            parse("postgres://a,b,c/d?port=1,2"),
            Err(ConfigError::PortCountMismatch { hosts: 3, ports: 2 })
        ));
    }

    #[test]
    fn ipv6() {
        let c = parse("postgres://[::1]:5433/d").unwrap();
        assert_eq!(
            c.targets(),
            vec![Target {
                host: tcp("::1"),
                port: 5433
            }]
        );
        let c = parse("postgres://[fe80::1%25eth0],[::2]:6/d").unwrap();
        assert_eq!(c.get_hosts(), &[tcp("fe80::1%eth0"), tcp("::2")]);
        assert_eq!(c.get_ports(), &[5432, 6]);
    }

    #[test]
    fn unix_socket_hosts() {
        let c = parse("postgres://%2Fvar%2Frun%2Fpostgresql:5433/d").unwrap();
        assert_eq!(c.get_hosts(), &[Host::Unix("/var/run/postgresql".into())]);
        let t = &c.targets()[0];
        assert_eq!(
            t.socket_path().unwrap(),
            std::path::Path::new("/var/run/postgresql/.s.PGSQL.5433")
        );
        let c = parse("postgres:///d?host=/tmp&port=6000").unwrap();
        assert_eq!(c.get_hosts(), &[Host::Unix("/tmp".into())]);
        assert_eq!(
            c.targets()[0].socket_path().unwrap(),
            std::path::Path::new("/tmp/.s.PGSQL.6000")
        );
        let c = parse("postgres://ignored/d?host=%2Ftmp").unwrap();
        assert_eq!(c.get_hosts(), &[Host::Unix("/tmp".into())]);
    }

    #[test]
    fn query_options_and_server_settings() {
        let c = parse(
            "postgres://h/d?search_path=foo%2Cbar&statement_cache_size=0&command_timeout=1.5\
             &connect_timeout=10&options=-c%20geqo%3Doff&ssl=true&&client_encoding=UTF8&keepalives=1",
        )
        .unwrap();
        assert_eq!(
            c.server_settings(),
            &[("search_path".to_owned(), "foo,bar".to_owned())]
        );
        assert_eq!(c.get_statement_cache_size(), 0);
        assert_eq!(c.get_command_timeout(), Some(Duration::from_millis(1500)));
        assert_eq!(c.get_connect_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(c.get_options(), Some("-c geqo=off"));
        assert_eq!(c.get_sslmode(), SslMode::Require);
    }

    #[test]
    fn malformed_urls() {
        let cases: &[&str] = &[
            "postgres://[::1",
            "postgres://[::1]x/d",
            "postgres://[]/d",
            "postgres://h:99999",
            "postgres://h:0",
            "postgres://h:-1",
            "postgres://h:port",
            "postgres://h:1:2",
            "postgres://h/%zz",
            "postgres://h/%",
            "postgres://h/%4",
            "postgres://h/%ff",
            "postgres://h/%00",
            "postgres://%zz/d",
            "postgres://u%/d",
            "postgres://h/d?sslmode",
            "postgres://h/d?sslmode=nope",
            "postgres://h/d?port=x",
            "postgres://h/d?ssl=false",
            "postgres://h/d?client_encoding=LATIN1",
            "postgres://h/d?connect_timeout=soon",
            "postgres://h/d?statement_cache_size=-1",
            "postgres://h/d?command_timeout=-2",
            "mysql://h/d",
            "http://x",
        ];
        for dsn in cases {
            assert!(parse(dsn).is_err(), "{dsn} should be rejected");
        }
        assert!(
            matches!(parse("mysql://h"), Err(ConfigError::InvalidScheme { found }) if found == "mysql")
        );
        assert!(
            matches!(parse("postgres://h:99999"), Err(ConfigError::InvalidPort { value }) if value == "99999")
        );
        assert!(matches!(
            parse("postgres://[::1"),
            Err(ConfigError::InvalidHost { .. })
        ));
        assert!(matches!(
            parse("postgres://h/%zz"),
            Err(ConfigError::InvalidPercentEncoding {
                component: "dbname",
                ..
            })
        ));
    }

    #[test]
    fn bad_password_encoding_is_not_shown() {
        let err = parse("postgres://u:hunter%zz2@h/d").unwrap_err();
        assert!(matches!(
            err,
            ConfigError::InvalidPercentEncoding {
                component: "password",
                ..
            }
        ));
        assert!(!err.to_string().contains("hunter"));
        assert!(!format!("{err:?}").contains("hunter"));
        let err = parse("postgres://h/d?password=hunter%zz").unwrap_err();
        assert!(!err.to_string().contains("hunter"));
    }

    #[test]
    fn detection() {
        assert!(is_url("postgres://x"));
        assert!(is_url("  postgresql://x"));
        assert!(is_url("jdbc:postgresql://x"));
        assert!(!is_url("host=x options='a://b'"));
        assert!(!is_url(""));
        assert!(!is_url("://x"));
    }
}
