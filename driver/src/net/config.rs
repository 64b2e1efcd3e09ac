//! [`client_config`]: turns [`TlsOptions`] into a rustls `ClientConfig` with libpq's `sslmode`
//! semantics (what to verify, which roots, which client certificate). Built separately from
//! the handshake so callers can cache it.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;

use super::certs::{existing_default_file, load_client_identity, load_roots};
use super::error::NetError;
use super::negotiate::ALPN_POSTGRESQL;
use super::options::TlsOptions;
use super::verify::{AcceptAnyCert, CaOnly};
use crate::config::{SslMode, SslRootCert};

/// How much of the server certificate to check, once the mode and roots are known.
enum Verification {
    None,
    Ca(SslRootCert),
    Full(SslRootCert),
}

fn verification(opts: &TlsOptions) -> Result<Verification, NetError> {
    let explicit_or_default = || {
        opts.root_cert
            .clone()
            .or_else(|| existing_default_file("root.crt").map(SslRootCert::File))
    };
    Ok(match opts.mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Verification::None,
        // libpq: `require` with a root certificate available behaves like `verify-ca`.
        SslMode::Require => match explicit_or_default() {
            Some(roots) => Verification::Ca(roots),
            None => Verification::None,
        },
        SslMode::VerifyCa => {
            Verification::Ca(explicit_or_default().ok_or(NetError::MissingRootCert)?)
        }
        SslMode::VerifyFull => {
            Verification::Full(explicit_or_default().ok_or(NetError::MissingRootCert)?)
        }
    })
}

/// Builds the rustls client configuration for `opts`, with the ring provider and ALPN
/// `postgresql`.
///
/// Verification follows libpq: `allow`, `prefer` and `require` encrypt without checking the
/// certificate (but `require` checks the chain when a root certificate is available);
/// `verify-ca` checks the chain but not the host name; `verify-full` checks both. Verifying
/// modes use `opts.root_cert`, else `~/.postgresql/root.crt`, else fail with
/// [`NetError::MissingRootCert`]. A client certificate (`opts.client_cert`, else
/// `~/.postgresql/postgresql.crt` if present) is offered with its key.
///
/// ```
/// use quarry_driver::config::SslMode;
/// use quarry_driver::net::{client_config, TlsOptions};
///
/// let config = client_config(&TlsOptions { mode: SslMode::Require, ..TlsOptions::default() })?;
/// assert_eq!(config.alpn_protocols, vec![b"postgresql".to_vec()]);
/// # Ok::<(), quarry_driver::net::NetError>(())
/// ```
pub fn client_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, NetError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match verification(opts)? {
        Verification::None => Arc::new(AcceptAnyCert::new(&provider)),
        Verification::Ca(roots) => Arc::new(CaOnly::new(webpki(&roots, &provider)?)),
        Verification::Full(roots) => webpki(&roots, &provider)?,
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let identity = load_client_identity(opts.client_cert.as_deref(), opts.client_key.as_deref())?;
    let mut config = match identity {
        Some((chain, key)) => builder.with_client_auth_cert(chain, key)?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
    Ok(Arc::new(config))
}

fn webpki(
    source: &SslRootCert,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, NetError> {
    let roots = Arc::new(load_roots(source)?);
    Ok(WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(provider)).build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_mode_without_roots_needs_root_file() {
        // Only meaningful when the default file is absent on this machine.
        if existing_default_file("root.crt").is_some() {
            return;
        }
        let opts = TlsOptions {
            mode: SslMode::VerifyFull,
            ..TlsOptions::default()
        };
        assert!(matches!(
            client_config(&opts),
            Err(NetError::MissingRootCert)
        ));
        let opts = TlsOptions {
            mode: SslMode::VerifyCa,
            ..TlsOptions::default()
        };
        assert!(matches!(
            client_config(&opts),
            Err(NetError::MissingRootCert)
        ));
    }

    #[test]
    fn missing_root_file_is_named() {
        let opts = TlsOptions {
            mode: SslMode::VerifyFull,
            root_cert: Some(SslRootCert::File("/nonexistent/root.crt".into())),
            ..TlsOptions::default()
        };
        let err = client_config(&opts).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/root.crt"), "{err}");
    }

    #[test]
    fn system_roots_build() {
        let opts = TlsOptions {
            mode: SslMode::VerifyFull,
            root_cert: Some(SslRootCert::System),
            ..TlsOptions::default()
        };
        client_config(&opts).unwrap();
    }
}
