//! TLS-related settings: `sslmode`, `sslrootcert`, `sslnegotiation` and `channel_binding`.
//!
//! Only the settings live here; `net/` decides what they mean for a socket. `channel_binding`'s
//! enum is the authentication layer's own [`ChannelBinding`], used here as is.

use std::path::PathBuf;
use std::str::FromStr;

use super::ConfigError;
use super::keyword::keyword_enum;

pub use quarry_protocol::auth::ChannelBinding;

/// Whether and how strictly to use TLS (`sslmode`). Unix-domain sockets never use TLS.
///
/// ```
/// use quarry_driver::config::SslMode;
///
/// assert_eq!("verify-full".parse::<SslMode>().unwrap(), SslMode::VerifyFull);
/// assert_eq!(SslMode::default(), SslMode::Prefer);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SslMode {
    /// Never use TLS.
    Disable,
    /// Try without TLS first; use TLS if the server insists.
    Allow,
    /// Try TLS first; fall back to plain if the server does not offer it (the default).
    #[default]
    Prefer,
    /// Require TLS, without verifying the server certificate.
    Require,
    /// Require TLS and a server certificate signed by a trusted CA.
    VerifyCa,
    /// Require TLS, a trusted certificate, and that it names the host.
    VerifyFull,
}

impl SslMode {
    /// Whether this mode refuses a plaintext connection.
    ///
    /// ```
    /// use quarry_driver::config::SslMode;
    /// assert!(SslMode::Require.requires_tls());
    /// assert!(!SslMode::Prefer.requires_tls());
    /// ```
    pub fn requires_tls(self) -> bool {
        matches!(self, Self::Require | Self::VerifyCa | Self::VerifyFull)
    }
}

keyword_enum!(SslMode, key = "sslmode", expected = "disable, allow, prefer, require, verify-ca or verify-full", {
    Disable => "disable",
    Allow => "allow",
    Prefer => "prefer",
    Require => "require",
    VerifyCa => "verify-ca",
    VerifyFull => "verify-full",
});

/// Where trusted CA certificates come from (`sslrootcert`).
///
/// ```
/// use quarry_driver::config::SslRootCert;
///
/// assert_eq!("system".parse::<SslRootCert>().unwrap(), SslRootCert::System);
/// assert_eq!(
///     "/etc/ca.pem".parse::<SslRootCert>().unwrap(),
///     SslRootCert::File("/etc/ca.pem".into())
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SslRootCert {
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// The operating system's trust store (`sslrootcert=system`), the default.
    #[default]
    System,
}

impl FromStr for SslRootCert {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "system" {
            Ok(SslRootCert::System)
        } else if s.is_empty() {
            Err(ConfigError::InvalidValue {
                key: "sslrootcert".to_owned(),
                value: String::new(),
                expected: "a file path or `system`",
            })
        } else {
            Ok(SslRootCert::File(PathBuf::from(s)))
        }
    }
}

/// How TLS is started (`sslnegotiation`).
///
/// ```
/// use quarry_driver::config::SslNegotiation;
///
/// assert_eq!("direct".parse::<SslNegotiation>().unwrap(), SslNegotiation::Direct);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SslNegotiation {
    /// Ask with an SSLRequest first, as every PostgreSQL version understands (the default).
    #[default]
    Postgres,
    /// Start the TLS handshake immediately, with ALPN `postgresql` (PostgreSQL 17+).
    Direct,
}

keyword_enum!(SslNegotiation, key = "sslnegotiation", expected = "postgres or direct", {
    Postgres => "postgres",
    Direct => "direct",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_spellings_round_trip() {
        for mode in [
            SslMode::Disable,
            SslMode::Allow,
            SslMode::Prefer,
            SslMode::Require,
            SslMode::VerifyCa,
            SslMode::VerifyFull,
        ] {
            assert_eq!(mode.as_str().parse::<SslMode>().unwrap(), mode);
        }
        assert_eq!("VERIFY-CA".parse::<SslMode>().unwrap(), SslMode::VerifyCa);
        assert!(matches!(
            "verify_full".parse::<SslMode>(),
            Err(ConfigError::InvalidValue { .. })
        ));
    }

    #[test]
    fn other_enums_parse() {
        assert_eq!(
            "postgres".parse::<SslNegotiation>().unwrap(),
            SslNegotiation::Postgres
        );
        assert!("tls".parse::<SslNegotiation>().is_err());
        assert_eq!(
            "disable".parse::<ChannelBinding>().unwrap(),
            ChannelBinding::Disable
        );
        assert!("".parse::<ChannelBinding>().is_err());
        assert!("".parse::<SslRootCert>().is_err());
        assert_eq!(ChannelBinding::default(), ChannelBinding::Prefer);
        assert_eq!(SslNegotiation::default(), SslNegotiation::Postgres);
    }
}
