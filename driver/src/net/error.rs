//! [`NetError`]: everything that can go wrong while opening a socket or negotiating TLS.

use std::io;
use std::path::PathBuf;

use crate::config::SslMode;

/// A failure to reach the server or to set up TLS with it.
///
/// Each variant names what went wrong and, where it helps, the host, port or file involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// Every resolved address of `host:port` refused or failed; `source` is the last error.
    #[error("could not connect to {host}:{port}: {source}")]
    Connect {
        /// The host name or address as given.
        host: String,
        /// The TCP port.
        port: u16,
        /// The error from the last address tried.
        #[source]
        source: io::Error,
    },
    /// The host name could not be resolved (or resolved to no address).
    #[error("could not resolve host name {host:?}: {source}")]
    Resolve {
        /// The host name as given.
        host: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },
    /// Connecting to a Unix-domain socket failed.
    #[error(
        "could not connect to Unix socket {}: {source} (is the server running locally and accepting connections on that socket?)",
        path.display()
    )]
    UnixConnect {
        /// The socket file path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Sending the `SSLRequest` or reading its one-byte answer failed.
    #[error("I/O error while asking the server for TLS (SSLRequest): {source}")]
    SslRequest {
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The server answered `N` (no TLS) but the TLS mode requires encryption.
    #[error(
        "the server does not support TLS but sslmode requires it (use sslmode=prefer or disable, or enable ssl on the server)"
    )]
    TlsRefusedByServer,
    /// The server answered the `SSLRequest` with something other than `S` or `N`.
    #[error("{}", describe_ssl_answer(*byte))]
    UnexpectedSslResponse {
        /// The byte received.
        byte: u8,
    },
    /// Bytes arrived after the server's `S` and before the TLS handshake began: they were
    /// not encrypted, so they are refused (CVE-2021-23222).
    #[error(
        "the server sent unencrypted data after accepting TLS (possible man-in-the-middle, CVE-2021-23222)"
    )]
    ExtraBytesAfterSslResponse,
    /// `sslnegotiation=direct` was asked with an sslmode that allows plaintext.
    #[error(
        "sslmode={mode} may not be used with direct TLS negotiation (use require, verify-ca or verify-full)"
    )]
    DirectTlsNeedsRequire {
        /// The weak mode that was given.
        mode: SslMode,
    },
    /// Direct TLS finished but the server did not agree on the `postgresql` ALPN protocol.
    #[error(
        "the server did not select ALPN protocol \"postgresql\" during direct TLS negotiation (server too old for sslnegotiation=direct?)"
    )]
    MissingAlpn,
    /// The TLS handshake failed (certificate rejected, protocol mismatch, connection reset…).
    #[error("TLS handshake failed: {source}")]
    Handshake {
        /// The underlying error; a rustls error is wrapped inside it.
        #[source]
        source: io::Error,
    },
    /// The host name cannot be used as a TLS server name.
    #[error("{name:?} is not a valid TLS server name (DNS name or IP address)")]
    InvalidServerName {
        /// The name given.
        name: String,
    },
    /// A certificate or key file could not be read.
    #[error("could not read {}: {source}", path.display())]
    ReadCert {
        /// The file path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A PEM file held no certificate.
    #[error("no PEM certificate found in {}", path.display())]
    NoCertsInFile {
        /// The file path.
        path: PathBuf,
    },
    /// A root certificate could not be parsed or used as a trust anchor.
    #[cfg(feature = "tls")]
    #[error("invalid root certificate in {}: {source}", path.display())]
    InvalidRootCert {
        /// The file path.
        path: PathBuf,
        /// rustls's reason.
        #[source]
        source: rustls::Error,
    },
    /// A key file held no PKCS#8, PKCS#1 or SEC1 private key.
    #[error("no PKCS#8, PKCS#1 or SEC1 private key found in {}", path.display())]
    InvalidKey {
        /// The file path.
        path: PathBuf,
    },
    /// A client certificate was found but no private key for it.
    #[error(
        "client certificate {} has no private key (set sslkey, or create ~/.postgresql/postgresql.key)",
        cert.display()
    )]
    MissingClientKey {
        /// The client certificate path.
        cert: PathBuf,
    },
    /// A verifying mode was asked but no root certificate was given and
    /// `~/.postgresql/root.crt` does not exist.
    #[error(
        "root certificate file ~/.postgresql/root.crt does not exist: either provide the file, set sslrootcert (or sslrootcert=system), or change sslmode to disable server certificate verification"
    )]
    MissingRootCert,
    /// `sslnegotiation=direct`: the server closed the connection or broke off during the TLS
    /// handshake, as servers before PostgreSQL 17 do (they read the TLS hello as a startup
    /// packet and give up).
    #[error(
        "the server broke off direct TLS negotiation ({source}); sslnegotiation=direct needs PostgreSQL 17 or later, use sslnegotiation=postgres for older servers"
    )]
    DirectTlsRefused {
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The server was reached but is not the kind `target_session_attrs` asks for.
    #[error("the server is {found}, but target_session_attrs={wanted}")]
    SessionAttrsMismatch {
        /// The attributes asked for (`read-write`, `standby`, ...).
        wanted: &'static str,
        /// What the server is: `read-only`, `read-write`, `in hot standby`, ...
        found: &'static str,
    },
    /// The certificate verifier could not be built from the root store.
    #[cfg(feature = "tls")]
    #[error("could not build the TLS certificate verifier: {0}")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
    /// rustls refused the configuration (for example an unusable client key).
    #[cfg(feature = "tls")]
    #[error("TLS configuration error: {0}")]
    Rustls(#[from] rustls::Error),
}

fn describe_ssl_answer(byte: u8) -> String {
    if byte == b'E' {
        "the server answered SSLRequest with an error (server too old or not PostgreSQL?)"
            .to_owned()
    } else {
        format!(
            "unexpected answer to SSLRequest: byte 0x{byte:02x} (expected 'S' or 'N'; is this a PostgreSQL server?)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_went_wrong() {
        let e = NetError::UnexpectedSslResponse { byte: b'E' };
        assert!(e.to_string().contains("with an error"));
        let e = NetError::UnexpectedSslResponse { byte: 0x48 };
        assert!(e.to_string().contains("0x48"));
        let e = NetError::Connect {
            host: "h".into(),
            port: 1,
            source: io::ErrorKind::ConnectionRefused.into(),
        };
        assert!(e.to_string().starts_with("could not connect to h:1"));
        let e = NetError::DirectTlsNeedsRequire {
            mode: SslMode::Prefer,
        };
        assert!(e.to_string().contains("sslmode=prefer"));
    }
}
