//! `ConfigError`: everything that can be wrong with connection settings.
//!
//! Each variant names what was wrong and where. No variant ever carries a password: where a
//! password could be part of the offending text, the text is replaced by `<redacted>`.

use std::path::PathBuf;

/// A connection setting could not be parsed or used.
///
/// ```
/// use quarry_driver::config::{Config, ConfigError};
///
/// let err = Config::parse("postgres://db.example.com:99999/app").unwrap_err();
/// assert!(matches!(err, ConfigError::InvalidPort { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL-looking DSN did not start with `postgres://` or `postgresql://`.
    #[error("invalid connection URL scheme `{found}`: expected `postgres://` or `postgresql://`")]
    InvalidScheme {
        /// The scheme that was found (the text before `://`).
        found: String,
    },
    /// A port was not a number from 1 to 65535.
    #[error("invalid port `{value}`: expected a number from 1 to 65535")]
    InvalidPort {
        /// The offending port text.
        value: String,
    },
    /// A host in a URL was malformed (for example an unclosed `[` of an IPv6 literal).
    #[error("invalid host `{value}` in connection URL: {problem}")]
    InvalidHost {
        /// The offending host text.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A setting had a value outside what the setting accepts.
    #[error("invalid value `{value}` for `{key}`: expected {expected}")]
    InvalidValue {
        /// The setting's key word, as in a DSN (`sslmode`, `connect_timeout`, ...).
        key: String,
        /// The offending value.
        value: String,
        /// What the setting accepts.
        expected: &'static str,
    },
    /// A setting needs TLS, but quarry-driver was built without its `tls` feature. Checked when
    /// connecting, before any socket is opened: such a setting never falls back to plain text.
    #[error(
        "{setting} needs TLS, but Quarry was built without its `tls` feature: enable the `tls` feature of `quarry` (or `quarry-driver`), or connect with sslmode=disable, allow or prefer and no TLS-only setting"
    )]
    TlsNotBuilt {
        /// The setting, as `key=value` (`sslmode=require`, `sslcert=/path`, ...).
        setting: String,
    },
    /// A single-quoted value in a `key=value` DSN has no closing quote.
    #[error("unterminated quoted value for `{key}` in connection string")]
    UnterminatedQuote {
        /// The key whose value is unterminated.
        key: String,
    },
    /// A key in a `key=value` DSN (or URL query) is not followed by `=`.
    #[error("missing `=` after `{near}` in connection string")]
    MissingEquals {
        /// The text where `=` was expected.
        near: String,
    },
    /// A `key=value` DSN has `=` with no key before it.
    #[error("missing key before `=` at byte {position} of connection string")]
    EmptyKey {
        /// Byte offset of the `=` in the DSN.
        position: usize,
    },
    /// A `%` in a URL is not followed by two hexadecimal digits.
    #[error("invalid percent-encoding in the {component} of connection URL: `{value}`")]
    InvalidPercentEncoding {
        /// Which part of the URL (`user`, `password`, `host`, `dbname`, `query`).
        component: &'static str,
        /// The offending text (`<redacted>` for the password).
        value: String,
    },
    /// Percent-decoding a URL part gave bytes that are not UTF-8 (or a NUL byte).
    #[error(
        "the {component} of connection URL has a NUL byte or invalid UTF-8 after percent-decoding"
    )]
    InvalidUtf8 {
        /// Which part of the URL (`user`, `password`, `host`, `dbname`, `query`).
        component: &'static str,
    },
    /// The port list has neither one port nor one port per host.
    #[error("{ports} ports given for {hosts} hosts: give one port for all hosts or one per host")]
    PortCountMismatch {
        /// Number of hosts.
        hosts: usize,
        /// Number of ports.
        ports: usize,
    },
    /// `client_encoding` asked for something other than UTF-8; Quarry speaks UTF-8 only.
    #[error("unsupported client_encoding `{value}`: Quarry speaks UTF8 only")]
    UnsupportedEncoding {
        /// The requested encoding.
        value: String,
    },
    /// A DSN that cannot be read without guessing: a URL without `://` after its scheme, or a
    /// raw character that could belong to a password as well as to another part. The offending
    /// text is not shown, since it may hold a password.
    #[error("malformed connection string: {problem}")]
    MalformedDsn {
        /// What is wrong, and how to write it instead.
        problem: &'static str,
    },
    /// A key in a `key=value` DSN (or URL query) is neither a connection setting nor a name a
    /// server setting can have.
    #[error("invalid key `{key}` in connection string: {problem}")]
    InvalidKey {
        /// The key as written.
        key: String,
        /// Why it cannot be used.
        problem: &'static str,
    },
    /// A file named by the settings (such as the password file) could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl From<quarry_protocol::auth::InvalidChannelBinding> for ConfigError {
    fn from(error: quarry_protocol::auth::InvalidChannelBinding) -> ConfigError {
        ConfigError::InvalidValue {
            key: "channel_binding".to_owned(),
            value: error.value,
            expected: quarry_protocol::auth::ChannelBinding::EXPECTED,
        }
    }
}

/// Text put in place of a password wherever one would otherwise be shown.
pub(crate) const REDACTED: &str = "<redacted>";

impl ConfigError {
    /// The same error with every piece of DSN text it quotes replaced by `<redacted>`, for text
    /// that may be part of a password (a malformed URL, what follows `password=` in a DSN).
    pub(crate) fn redacted(self) -> ConfigError {
        let hidden = || REDACTED.to_owned();
        match self {
            ConfigError::InvalidScheme { .. } => ConfigError::InvalidScheme { found: hidden() },
            ConfigError::InvalidPort { .. } => ConfigError::InvalidPort { value: hidden() },
            ConfigError::InvalidHost { problem, .. } => ConfigError::InvalidHost {
                value: hidden(),
                problem,
            },
            ConfigError::InvalidValue { expected, .. } => ConfigError::InvalidValue {
                key: hidden(),
                value: hidden(),
                expected,
            },
            ConfigError::UnterminatedQuote { .. } => {
                ConfigError::UnterminatedQuote { key: hidden() }
            }
            ConfigError::MissingEquals { .. } => ConfigError::MissingEquals { near: hidden() },
            ConfigError::InvalidPercentEncoding { component, .. } => {
                ConfigError::InvalidPercentEncoding {
                    component,
                    value: hidden(),
                }
            }
            ConfigError::UnsupportedEncoding { .. } => {
                ConfigError::UnsupportedEncoding { value: hidden() }
            }
            ConfigError::TlsNotBuilt { .. } => ConfigError::TlsNotBuilt { setting: hidden() },
            ConfigError::InvalidKey { problem, .. } => ConfigError::InvalidKey {
                key: hidden(),
                problem,
            },
            error @ (ConfigError::EmptyKey { .. }
            | ConfigError::InvalidUtf8 { .. }
            | ConfigError::PortCountMismatch { .. }
            | ConfigError::MalformedDsn { .. }
            | ConfigError::Io { .. }) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_errors_quote_no_dsn_text() {
        let errors = [
            ConfigError::InvalidScheme {
                found: "S3cr3t".into(),
            },
            ConfigError::InvalidPort {
                value: "S3cr3t".into(),
            },
            ConfigError::InvalidHost {
                value: "S3cr3t".into(),
                problem: "p",
            },
            ConfigError::InvalidValue {
                key: "S3cr3t".into(),
                value: "S3cr3t".into(),
                expected: "e",
            },
            ConfigError::UnterminatedQuote {
                key: "S3cr3t".into(),
            },
            ConfigError::MissingEquals {
                near: "S3cr3t".into(),
            },
            ConfigError::InvalidPercentEncoding {
                component: "host",
                value: "S3cr3t".into(),
            },
            ConfigError::UnsupportedEncoding {
                value: "S3cr3t".into(),
            },
            ConfigError::InvalidKey {
                key: "S3cr3t".into(),
                problem: "p",
            },
        ];
        for error in errors {
            let error = error.redacted();
            assert!(!error.to_string().contains("S3cr3t"), "{error}");
            assert!(!format!("{error:?}").contains("S3cr3t"), "{error:?}");
        }
    }
}
