//! TLS-related settings: `sslmode`, `sslrootcert`, `sslnegotiation` and `channel_binding`.
//!
//! Only the settings live here; `net/` decides what they mean for a socket. `channel_binding`'s
//! enum is the authentication layer's own [`ChannelBinding`], used here as is.

use std::path::PathBuf;
use std::str::FromStr;

use super::keyword::keyword_enum;
use super::{Config, ConfigError, Host};

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

impl Config {
    /// Fails when a setting needs TLS and quarry-driver was built without its `tls` feature:
    /// `sslmode` `require`, `verify-ca` or `verify-full`, `sslrootcert`, `sslcert`, `sslkey`,
    /// `sslnegotiation=direct`, `channel_binding=require`. Settings for TCP only: a
    /// configuration of Unix sockets alone passes. With the feature, always `Ok`.
    pub(crate) fn check_tls_support(&self) -> Result<(), ConfigError> {
        if cfg!(feature = "tls")
            || self
                .targets()
                .iter()
                .all(|t| matches!(t.host, Host::Unix(_)))
        {
            return Ok(());
        }
        let path = |p: &std::path::Path| p.display().to_string();
        let setting = if self.get_sslmode().requires_tls() {
            Some(format!("sslmode={}", self.get_sslmode()))
        } else if let Some(root) = &self.ssl_root_cert {
            Some(match root {
                SslRootCert::File(p) => format!("sslrootcert={}", path(p)),
                SslRootCert::System => "sslrootcert=system".to_owned(),
            })
        } else if let Some(cert) = &self.ssl_cert {
            Some(format!("sslcert={}", path(cert)))
        } else if let Some(key) = &self.ssl_key {
            Some(format!("sslkey={}", path(key)))
        } else if self.get_ssl_negotiation() == SslNegotiation::Direct {
            Some("sslnegotiation=direct".to_owned())
        } else if self.get_channel_binding() == ChannelBinding::Require {
            Some("channel_binding=require".to_owned())
        } else {
            None
        };
        match setting {
            Some(setting) => Err(ConfigError::TlsNotBuilt { setting }),
            None => Ok(()),
        }
    }
}

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

    /// Without the `tls` feature every TLS-only setting is refused, by name; with it, none is.
    #[test]
    fn tls_only_settings_need_the_feature() {
        for (dsn, named) in [
            ("host=h sslmode=require", "sslmode=require"),
            ("host=h sslmode=verify-ca", "sslmode=verify-ca"),
            ("host=h sslmode=verify-full", "sslmode=verify-full"),
            ("host=h sslrootcert=system", "sslrootcert=system"),
            ("host=h sslcert=/c.pem", "sslcert=/c.pem"),
            ("host=h sslkey=/k.pem", "sslkey=/k.pem"),
            ("host=h sslnegotiation=direct", "sslnegotiation=direct"),
            ("host=h channel_binding=require", "channel_binding=require"),
        ] {
            let config = Config::parse(dsn).unwrap();
            let checked = config.check_tls_support();
            if cfg!(feature = "tls") {
                assert!(checked.is_ok(), "{dsn}");
            } else {
                let e = checked.unwrap_err();
                assert!(matches!(e, ConfigError::TlsNotBuilt { .. }), "{dsn}");
                let text = e.to_string();
                assert!(
                    text.contains(named) && text.contains("`tls` feature"),
                    "{text}"
                );
            }
        }
        for dsn in [
            "host=h sslmode=disable",
            "host=h sslmode=allow",
            "host=h sslmode=prefer",
            "host=h",
            "host=/tmp sslmode=require",
        ] {
            Config::parse(dsn).unwrap().check_tls_support().unwrap();
        }
    }
}
