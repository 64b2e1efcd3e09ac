//! TLS settings as the connection layer hands them to us: [`TlsMode`] (libpq's `sslmode`),
//! [`RootCertSource`] and [`TlsOptions`].

use std::fmt;
use std::path::PathBuf;

/// When to use TLS and how much to verify; the same meaning as libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TlsMode {
    /// Never use TLS.
    Disable,
    /// Start in plaintext; the caller retries with TLS if the server rejects that
    /// (see [`TlsOptions::retry_with_tls`]). No certificate verification.
    Allow,
    /// Try TLS, stay in plaintext if the server has none. No certificate verification.
    #[default]
    Prefer,
    /// Always use TLS. No verification, unless a root certificate is given (explicitly or as
    /// `~/.postgresql/root.crt`), in which case this behaves like [`TlsMode::VerifyCa`].
    Require,
    /// Always use TLS and verify that the server certificate chains to a trusted root, but
    /// not the host name.
    VerifyCa,
    /// Always use TLS, verify the chain and that the certificate names the host.
    VerifyFull,
}

impl TlsMode {
    /// Whether this mode refuses a plaintext connection.
    ///
    /// ```
    /// use quarry_driver::net::TlsMode;
    /// assert!(TlsMode::Require.requires_tls());
    /// assert!(!TlsMode::Prefer.requires_tls());
    /// ```
    pub fn requires_tls(self) -> bool {
        matches!(self, Self::Require | Self::VerifyCa | Self::VerifyFull)
    }

    /// The libpq spelling: `disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`.
    ///
    /// ```
    /// use quarry_driver::net::TlsMode;
    /// assert_eq!(TlsMode::VerifyCa.as_str(), "verify-ca");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Allow => "allow",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where trusted root certificates come from (libpq's `sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RootCertSource {
    /// A PEM file with one or more CA certificates.
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`), falling back to the Mozilla roots
    /// bundled with webpki-roots when the system has none.
    System,
}

/// Everything [`negotiate_tls`](super::negotiate_tls) and [`client_config`](super::client_config)
/// need to know.
///
/// ```
/// use quarry_driver::net::{RootCertSource, TlsMode, TlsOptions};
///
/// let opts = TlsOptions {
///     mode: TlsMode::VerifyFull,
///     root_cert: Some(RootCertSource::System),
///     ..TlsOptions::default()
/// };
/// assert!(!opts.direct);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TlsOptions {
    /// `sslmode`.
    pub mode: TlsMode,
    /// `sslrootcert`; when unset, verifying modes use `~/.postgresql/root.crt`.
    pub root_cert: Option<RootCertSource>,
    /// `sslcert` (PEM); when unset, `~/.postgresql/postgresql.crt` if it exists.
    pub client_cert: Option<PathBuf>,
    /// `sslkey` (PEM, PKCS#8, PKCS#1 or SEC1); when unset, `~/.postgresql/postgresql.key`.
    pub client_key: Option<PathBuf>,
    /// `sslnegotiation=direct`: start TLS at once (ALPN `postgresql`) without an `SSLRequest`.
    /// Needs PostgreSQL 17 or later and a mode of at least [`TlsMode::Require`].
    pub direct: bool,
}

impl TlsOptions {
    /// Options for the second attempt of [`TlsMode::Allow`]: the caller opened a plaintext
    /// connection, the server rejected it, so it opens a new TCP connection and negotiates
    /// again with these options: TLS is now required, verified as for [`TlsMode::Require`].
    ///
    /// ```
    /// use quarry_driver::net::{TlsMode, TlsOptions};
    /// let first = TlsOptions { mode: TlsMode::Allow, ..TlsOptions::default() };
    /// assert_eq!(first.retry_with_tls().mode, TlsMode::Require);
    /// ```
    pub fn retry_with_tls(&self) -> Self {
        let mode = match self.mode {
            TlsMode::Allow | TlsMode::Prefer => TlsMode::Require,
            other => other,
        };
        Self {
            mode,
            ..self.clone()
        }
    }
}
