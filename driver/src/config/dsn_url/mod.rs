//! The URL DSN form: `postgres[ql]://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]`.
//!
//! Every part is percent-decoded. Hosts may be a list, each with its own port; IPv6 literals go
//! in brackets (`[::1]:5433`); a host that decodes to a path (`%2Fvar%2Frun%2Fpostgresql`) is a
//! Unix socket directory. Query parameters go to `settings::set` like `key=value` pairs.
//!
//! A password should be percent-encoded, but raw reserved characters are read where only one
//! reading makes sense (`parts.rs` finds the readings): `@`, `:`, `?`, `#`, `&` and spaces
//! always; a `/` when the reading without it fails. A raw `@` in the database name of a URL with
//! a `:` before the first `/` could as well end a password holding a `/`: that is an error
//! asking for `%40` or `%2F`. No error quotes text that may belong to a password; where a
//! reading fails, `parts::password_span` says where that may be.

mod parts;

use std::ops::Range;

use super::error::REDACTED;
use super::settings::SECRET_KEYS;
use super::{Config, ConfigError, Host, settings};
use parts::{Part, Parts};

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

const AMBIGUOUS_AT: &str = "a raw `@` after the first `/` may end a password holding a `/` or \
    belong to the database name: percent-encode the password's `/` as `%2F`, or the database \
    name's `@` as `%40`";

/// An error, and where the DSN text it may quote lies in the text after `://`.
type Located = (ConfigError, Range<usize>);

/// Parses a URL DSN into `config`: the usual reading if it parses, else the first reading with
/// a `/` in the password that does. A reading that parses with a raw `@` in its database name
/// is ambiguous: an error. The error of a DSN no reading parses quotes nothing from where a
/// password may be.
pub(super) fn parse_into(config: &mut Config, dsn: &str) -> Result<(), ConfigError> {
    let dsn = dsn.trim();
    let (scheme, rest) = dsn.split_once("://").unwrap_or((dsn, ""));
    if !scheme.eq_ignore_ascii_case("postgres") && !scheme.eq_ignore_ascii_case("postgresql") {
        return Err(ConfigError::InvalidScheme {
            found: scheme.to_owned(),
        });
    }
    let usual = parts::split(rest);
    let mut failure = match read(config, &usual) {
        Ok(parsed) => return settle(config, rest, &usual, parsed),
        Err(located) => located,
    };
    for reading in parts::slash_readings(rest) {
        match read(config, &reading) {
            Ok(parsed) => return settle(config, rest, &reading, parsed),
            Err(located) => failure = located,
        }
    }
    let (error, place) = failure;
    match parts::password_span(rest) {
        Some(secret) if secret.start < place.end && place.start < secret.end => {
            Err(error.redacted())
        }
        _ => Err(error),
    }
}

/// Takes a reading that parsed, unless a raw `@` in its database name could as well end a
/// password.
fn settle(
    config: &mut Config,
    rest: &str,
    reading: &Parts<'_>,
    parsed: Config,
) -> Result<(), ConfigError> {
    if reading.dbname.text.contains('@') && parts::colon_before_slash(rest) {
        let problem = AMBIGUOUS_AT;
        return Err(ConfigError::MalformedDsn { problem });
    }
    *config = parsed;
    Ok(())
}

/// `config` with one reading of the URL applied, or the first error and where it lies.
fn read(config: &Config, parts: &Parts<'_>) -> Result<Config, Located> {
    let mut config = config.clone();
    if let Some(userinfo) = parts.userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        let user_name = decode("user", user.text).map_err(at(user))?;
        settings::set(&mut config, "user", &user_name).map_err(at(user))?;
        if let Some(password) = password {
            let secret = decode("password", password.text).map_err(at(password))?;
            settings::set(&mut config, "password", &secret).map_err(at(password))?;
        }
    }
    parse_hostlist(&mut config, parts.hostlist)?;
    let dbname = parts.dbname;
    let name = decode("dbname", dbname.text).map_err(at(dbname))?;
    settings::set(&mut config, "dbname", &name).map_err(at(dbname))?;
    parse_query(&mut config, parts.query)?;
    config
        .check_port_count()
        .map_err(|e| (e, parts.hostlist.range()))?;
    Ok(config)
}

/// Locates an error at `part`.
fn at(part: Part<'_>) -> impl FnOnce(ConfigError) -> Located {
    move |error| (error, part.range())
}

/// `host[:port],[v6]:port,...` into the config's host and port lists.
fn parse_hostlist(config: &mut Config, hostlist: Part<'_>) -> Result<(), Located> {
    if hostlist.text.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let mut any_port = false;
    for entry in hostlist.split(',') {
        let (host, port) = split_host_port(entry.text).map_err(at(entry))?;
        hosts.push(host);
        any_port |= port.is_some();
        ports.push((port, entry));
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
            .map(|(port, entry)| match port {
                Some(port) => settings::parse_port(&port).map_err(at(entry)),
                None => Ok(super::host::DEFAULT_PORT),
            })
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

/// `key=value&key=value`: each pair applied like a `key=value` DSN pair. After a secret
/// (`password=`), a pair without `=` or with a key that is not one may be the rest of it
/// (`password=pa&ss`), so its error does not quote it.
fn parse_query(config: &mut Config, query: Part<'_>) -> Result<(), Located> {
    let mut after_secret = false;
    for pair in query.split('&').filter(|p| !p.text.is_empty()) {
        let hide = |error: ConfigError| match after_secret {
            true => (error.redacted(), pair.range()),
            false => (error, pair.range()),
        };
        let Some((key, value)) = pair.text.split_once('=') else {
            return Err(hide(ConfigError::MissingEquals {
                near: pair.text.to_owned(),
            }));
        };
        let key = decode("query", key).map_err(hide)?;
        let secret = SECRET_KEYS.iter().copied().find(|k| *k == key);
        let value = decode(secret.unwrap_or("query"), value).map_err(at(pair))?;
        if key == "ssl" {
            // JDBC's `ssl=true`, accepted by libpq as `sslmode=require`.
            if value != "true" {
                return Err((
                    ConfigError::InvalidValue {
                        key,
                        value,
                        expected: "true",
                    },
                    pair.range(),
                ));
            }
            settings::set(config, "sslmode", "require").map_err(at(pair))?;
        } else {
            settings::set(config, &key, &value).map_err(|error| match error {
                ConfigError::InvalidKey { .. } => hide(error),
                error => (error, pair.range()),
            })?;
        }
        after_secret |= secret.is_some();
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
                let value = if SECRET_KEYS.contains(&component) {
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
