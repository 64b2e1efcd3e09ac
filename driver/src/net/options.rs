//! TLS settings as the connection layer hands them to us: [`TlsOptions`], built from the
//! configuration's own [`SslMode`] and [`SslRootCert`].

use std::path::PathBuf;

use crate::config::{SslMode, SslRootCert};

/// Everything [`negotiate_tls`](super::negotiate_tls) and [`client_config`](super::client_config)
/// need to know.
///
/// ```
/// use quarry_driver::config::{SslMode, SslRootCert};
/// use quarry_driver::net::TlsOptions;
///
/// let opts = TlsOptions {
///     mode: SslMode::VerifyFull,
///     root_cert: Some(SslRootCert::System),
///     ..TlsOptions::default()
/// };
/// assert!(!opts.direct);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TlsOptions {
    /// `sslmode`.
    pub mode: SslMode,
    /// `sslrootcert`; when unset, verifying modes use `~/.postgresql/root.crt`.
    pub root_cert: Option<SslRootCert>,
    /// `sslcert` (PEM); when unset, `~/.postgresql/postgresql.crt` if it exists.
    pub client_cert: Option<PathBuf>,
    /// `sslkey` (PEM, PKCS#8, PKCS#1 or SEC1); when unset, `~/.postgresql/postgresql.key`.
    pub client_key: Option<PathBuf>,
    /// `sslnegotiation=direct`: start TLS at once (ALPN `postgresql`) without an `SSLRequest`.
    /// Needs PostgreSQL 17 or later and a mode of at least [`SslMode::Require`].
    pub direct: bool,
}

impl TlsOptions {
    /// Options for the second attempt of [`SslMode::Allow`]: the caller opened a plaintext
    /// connection, the server rejected it, so it opens a new TCP connection and negotiates
    /// again with these options: TLS is now required, verified as for [`SslMode::Require`].
    ///
    /// ```
    /// use quarry_driver::config::SslMode;
    /// use quarry_driver::net::TlsOptions;
    /// let first = TlsOptions { mode: SslMode::Allow, ..TlsOptions::default() };
    /// assert_eq!(first.retry_with_tls().mode, SslMode::Require);
    /// ```
    pub fn retry_with_tls(&self) -> Self {
        let mode = match self.mode {
            SslMode::Allow | SslMode::Prefer => SslMode::Require,
            other => other,
        };
        Self {
            mode,
            ..self.clone()
        }
    }
}
