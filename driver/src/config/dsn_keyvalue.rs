//! The `key=value` DSN form: `host=localhost port=5432 dbname='my db'`.
//!
//! Pairs are separated by whitespace, with optional whitespace around `=`. A value may be
//! single-quoted; inside or outside quotes, `\'` and `\\` (any backslash pair) stand for the
//! escaped character. Each pair goes to `settings::set`.
//!
//! After a secret (`password=`), text where a key should be may be the rest of a password
//! with an unquoted space or quote (`password=pa ss`): errors do not quote it. A key with `:`,
//! `/` or `@` is a URL missing its `://` (`user:secret@host/db`): that error quotes nothing.

use super::settings::SECRET_KEYS;
use super::{Config, ConfigError, settings};

const NOT_A_URL: &str = "expected `key=value` pairs or a URL starting with `postgresql://` or \
    `postgres://`; this looks like a URL without its `://`";

/// Parses a `key=value` DSN into `config`.
pub(super) fn parse_into(config: &mut Config, dsn: &str) -> Result<(), ConfigError> {
    let mut parser = Parser {
        dsn,
        pos: 0,
        after_secret: false,
    };
    while let Some((key, value)) = parser.next_pair()? {
        settings::set(config, key, &value).map_err(|error| match error {
            ConfigError::InvalidKey { .. } => parser.hide(key, error),
            error => error,
        })?;
        parser.after_secret |= SECRET_KEYS.contains(&key);
    }
    Ok(())
}

struct Parser<'a> {
    dsn: &'a str,
    /// Byte offset of the next unread character; always on a char boundary.
    pos: usize,
    /// A secret came before, so text where a key should be may be part of it.
    after_secret: bool,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.dsn.get(self.pos..).unwrap_or("")
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// `error` about `key`, with the DSN text it quotes hidden if it may be part of a secret:
    /// after one, unless the key is a connection setting's.
    fn hide(&self, key: &str, error: ConfigError) -> ConfigError {
        match self.after_secret && !settings::is_known(key) {
            true => error.redacted(),
            false => error,
        }
    }

    fn next_pair(&mut self) -> Result<Option<(&'a str, String)>, ConfigError> {
        self.skip_whitespace();
        let rest = self.rest();
        if rest.is_empty() {
            return Ok(None);
        }
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest.get(..key_len).unwrap_or("");
        if key.is_empty() {
            return Err(ConfigError::EmptyKey { position: self.pos });
        }
        if key.contains([':', '/', '@']) {
            let problem = NOT_A_URL;
            return Err(ConfigError::MalformedDsn { problem });
        }
        self.pos += key_len;
        self.skip_whitespace();
        match self.rest().strip_prefix('=') {
            Some(_) => self.pos += 1,
            None => {
                return Err(self.hide(
                    key,
                    ConfigError::MissingEquals {
                        near: key.to_owned(),
                    },
                ));
            }
        }
        self.skip_whitespace();
        let value = self.value(key)?;
        Ok(Some((key, value)))
    }

    /// Reads a quoted or bare value, resolving backslash escapes.
    fn value(&mut self, key: &str) -> Result<String, ConfigError> {
        let rest = self.rest();
        let quoted = rest.starts_with('\'');
        let body = if quoted {
            rest.get(1..).unwrap_or("")
        } else {
            rest
        };
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped)) => value.push(escaped),
                    // A trailing backslash escapes nothing and is dropped, as in libpq.
                    None => break,
                },
                '\'' if quoted => {
                    self.pos += 1 + i + 1;
                    return Ok(value);
                }
                c if !quoted && c.is_whitespace() => {
                    self.pos += i;
                    return Ok(value);
                }
                c => value.push(c),
            }
        }
        if quoted {
            return Err(self.hide(
                key,
                ConfigError::UnterminatedQuote {
                    key: key.to_owned(),
                },
            ));
        }
        self.pos = self.dsn.len();
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Host, SslMode};

    fn parse(dsn: &str) -> Result<Config, ConfigError> {
        Config::parse(dsn)
    }

    #[test]
    fn basic_pairs() {
        let c = parse("host=localhost port=5433 user=alice dbname=app sslmode=disable").unwrap();
        assert_eq!(c.get_hosts(), &[Host::Tcp("localhost".into())]);
        assert_eq!(c.get_ports(), &[5433]);
        assert_eq!(c.get_user(), Some("alice"));
        assert_eq!(c.get_dbname(), Some("app"));
        assert_eq!(c.get_sslmode(), SslMode::Disable);
    }

    #[test]
    fn spaces_around_equals_and_quotes() {
        let c = parse("  user = 'bob smith'   password='it\\'s'\tdbname =\n'a\\\\b'  ").unwrap();
        assert_eq!(c.get_user(), Some("bob smith"));
        assert_eq!(c.get_password().unwrap().as_str(), "it's");
        assert_eq!(c.get_dbname(), Some("a\\b"));
    }

    #[test]
    fn empty_quoted_and_bare_escapes() {
        let c = parse("application_name='' user=a\\ b").unwrap();
        assert_eq!(c.get_application_name(), None);
        assert_eq!(c.get_user(), Some("a b"));
        let c = parse("user=x\\").unwrap();
        assert_eq!(c.get_user(), Some("x"));
        let c = parse("user='é' dbname=ünï").unwrap();
        assert_eq!(c.get_user(), Some("é"));
        assert_eq!(c.get_dbname(), Some("ünï"));
    }

    #[test]
    fn host_and_port_lists() {
        let c = parse("host=a,b port=1,2").unwrap();
        let t = c.targets();
        assert_eq!(t.len(), 2);
        assert_eq!((t[1].host.clone(), t[1].port), (Host::Tcp("b".into()), 2));
        assert!(matches!(
            parse("host=a,b,c port=1,2"),
            Err(ConfigError::PortCountMismatch { hosts: 3, ports: 2 })
        ));
    }

    #[test]
    fn malformed() {
        assert!(matches!(
            parse("host='unterminated"),
            Err(ConfigError::UnterminatedQuote { .. })
        ));
        assert!(matches!(
            parse("host='x\\'"),
            Err(ConfigError::UnterminatedQuote { .. })
        ));
        assert!(matches!(
            parse("localhost"),
            Err(ConfigError::MissingEquals { .. })
        ));
        assert!(matches!(
            parse("host localhost"),
            Err(ConfigError::MissingEquals { .. })
        ));
        assert!(matches!(
            parse("=x"),
            Err(ConfigError::EmptyKey { position: 0 })
        ));
        assert!(matches!(
            parse("host=a =x"),
            Err(ConfigError::EmptyKey { .. })
        ));
        assert!(parse("port=abc").is_err());
        assert!(parse("sslmode=bogus").is_err());
        assert!(parse("host=").is_ok());
        assert!(matches!(
            parse("host=a 'b=c'"),
            Err(ConfigError::InvalidKey { .. })
        ));
        assert!(parse("").unwrap() == Config::new());
        assert!(parse("   ").unwrap() == Config::new());
    }

    #[test]
    fn a_url_without_its_scheme_separator_is_named_not_quoted() {
        for dsn in [
            "user:S3cr3t@host/db",
            "S3cr3t@host",
            "postgresql:/user:S3cr3t@host/db",
            "postgresql:user:S3cr3t@host/db",
            "postgres//user:S3cr3t@host/db",
            "//user:S3cr3t@host/db",
            "user:S3cr3t=x@host/db",
            "host=h user:S3cr3t@host",
        ] {
            let err = parse(dsn).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("postgresql://"), "{dsn}: {text}");
            assert!(
                !format!("{text} {err:?}").contains("S3cr3t"),
                "{dsn}: {err:?}"
            );
        }
    }

    #[test]
    fn what_follows_a_password_where_a_key_should_be_is_not_quoted() {
        for (dsn, want) in [
            (
                "password=S3cr3t Xyz9q host=h",
                "missing `=` after `<redacted>`",
            ),
            (
                "password='S3cr3t'Xyz9q' host=h",
                "missing `=` after `<redacted>`",
            ),
            (
                "password='S3cr3t' Xyz9q='",
                "unterminated quoted value for `<redacted>`",
            ),
            ("password='S3cr3t' 'Xyz9q=1'", "invalid key `<redacted>`"),
            ("sslpassword=S3cr3t Xyz9q", "missing `=` after `<redacted>`"),
            // A connection setting's key word is never part of a password.
            ("password=S3cr3t port=abc", "invalid port `abc`"),
            (
                "password=S3cr3t host='h",
                "unterminated quoted value for `host`",
            ),
            // Before any password, nothing is hidden.
            ("oops password=S3cr3t", "missing `=` after `oops`"),
        ] {
            let err = parse(dsn).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(want), "{dsn}: {text} should contain {want}");
            assert!(
                !format!("{text} {err:?}").contains("Xyz9q"),
                "{dsn}: {err:?}"
            );
        }
    }
}
