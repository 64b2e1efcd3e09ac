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
mod tests;
