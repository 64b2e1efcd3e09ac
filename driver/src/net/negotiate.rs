//! [`negotiate_tls`]: the `SSLRequest` exchange (or direct TLS) and the rustls handshake on a
//! fresh TCP connection.

use std::future::poll_fn;
use std::io;
use std::sync::Arc;
use std::task::Poll;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::config::client_config;
use super::error::NetError;
use super::options::TlsOptions;
use super::stream::Stream;
use crate::config::SslMode;

/// The `SSLRequest` message: length 8, then the code 80877103 (`1234 << 16 | 5679`).
pub const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// The ALPN protocol name PostgreSQL 17+ expects (required for direct TLS).
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// Sets up TLS on a fresh TCP connection according to `opts`, building the rustls
/// configuration with [`client_config`](super::client_config).
///
/// - [`SslMode::Disable`] and [`SslMode::Allow`] return the TCP stream untouched. For `Allow`
///   the caller tries plaintext first and, if the server rejects it, connects again and calls
///   this with [`TlsOptions::retry_with_tls`].
/// - Otherwise, unless `opts.direct`, an `SSLRequest` is sent and one byte read: `S` starts the
///   handshake, `N` keeps the plain stream for `Prefer` and fails with
///   [`NetError::TlsRefusedByServer`] for the modes that require TLS; anything else fails
///   (an `E` means the server sent an error, which is not read further). Unencrypted bytes
///   arriving after `S` are refused (CVE-2021-23222).
/// - With `opts.direct` the handshake starts at once and the server must agree on ALPN
///   `postgresql`; the mode must be at least [`SslMode::Require`].
///
/// `server_name` is the host as the user wrote it: it is checked against the certificate in
/// `verify-full` and sent as SNI when it is a DNS name (IP literals become IP server names).
///
/// ```no_run
/// use quarry_driver::config::{SslMode, SslRootCert};
/// use quarry_driver::net::{connect_tcp, negotiate_tls, TlsOptions};
///
/// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
/// let opts = TlsOptions {
///     mode: SslMode::VerifyFull,
///     root_cert: Some(SslRootCert::File("/etc/ssl/pg-ca.pem".into())),
///     ..TlsOptions::default()
/// };
/// let tcp = connect_tcp("db.example.com", 5432).await?;
/// let stream = negotiate_tls(tcp, "db.example.com", &opts).await?;
/// # Ok(()) }
/// ```
pub async fn negotiate_tls(
    tcp: TcpStream,
    server_name: &str,
    opts: &TlsOptions,
) -> Result<Stream, NetError> {
    check_direct(opts)?;
    if matches!(opts.mode, SslMode::Disable | SslMode::Allow) {
        return Ok(Stream::Tcp(tcp));
    }
    let config = client_config(opts)?;
    negotiate_tls_with_config(tcp, server_name, opts, config).await
}

/// Like [`negotiate_tls`], with a rustls configuration the caller built (and may cache) with
/// [`client_config`](super::client_config) from the same `opts`.
///
/// ```no_run
/// use quarry_driver::net::{client_config, connect_tcp, negotiate_tls_with_config, TlsOptions};
///
/// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
/// let opts = TlsOptions::default();
/// let config = client_config(&opts)?; // build once, reuse per connection
/// let tcp = connect_tcp("localhost", 5432).await?;
/// let stream = negotiate_tls_with_config(tcp, "localhost", &opts, config.clone()).await?;
/// # Ok(()) }
/// ```
pub async fn negotiate_tls_with_config(
    mut tcp: TcpStream,
    server_name: &str,
    opts: &TlsOptions,
    config: Arc<ClientConfig>,
) -> Result<Stream, NetError> {
    check_direct(opts)?;
    if matches!(opts.mode, SslMode::Disable | SslMode::Allow) {
        return Ok(Stream::Tcp(tcp));
    }
    let name = parse_server_name(server_name)?;

    if !opts.direct {
        match ssl_request(&mut tcp).await? {
            b'S' => {
                if has_pending_bytes(&tcp).await? {
                    return Err(NetError::ExtraBytesAfterSslResponse);
                }
            }
            b'N' if opts.mode.requires_tls() => return Err(NetError::TlsRefusedByServer),
            b'N' => return Ok(Stream::Tcp(tcp)),
            byte => return Err(NetError::UnexpectedSslResponse { byte }),
        }
    }

    let tls = TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|source| handshake_error(opts.direct, source))?;
    if opts.direct && tls.get_ref().1.alpn_protocol() != Some(ALPN_POSTGRESQL) {
        return Err(NetError::MissingAlpn);
    }
    Ok(Stream::Tls(Box::new(tls)))
}

/// A failed handshake; with direct TLS, a connection the server closed (or reset) means a server
/// that does not speak direct TLS, which deserves its own message. Certificate problems stay
/// [`NetError::Handshake`].
fn handshake_error(direct: bool, source: io::Error) -> NetError {
    let broken_off = matches!(
        source.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    );
    if direct && broken_off {
        NetError::DirectTlsRefused { source }
    } else {
        NetError::Handshake { source }
    }
}

fn check_direct(opts: &TlsOptions) -> Result<(), NetError> {
    if opts.direct && !opts.mode.requires_tls() {
        return Err(NetError::DirectTlsNeedsRequire { mode: opts.mode });
    }
    Ok(())
}

fn parse_server_name(host: &str) -> Result<ServerName<'static>, NetError> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare.to_owned()).map_err(|_| NetError::InvalidServerName {
        name: host.to_owned(),
    })
}

/// Sends `SSLRequest` and reads exactly one byte of answer, never more.
async fn ssl_request(tcp: &mut TcpStream) -> Result<u8, NetError> {
    let io = |source: io::Error| NetError::SslRequest { source };
    tcp.write_all(&SSL_REQUEST).await.map_err(io)?;
    tcp.flush().await.map_err(io)?;
    let mut answer = [0u8; 1];
    tcp.read_exact(&mut answer).await.map_err(io)?;
    Ok(answer[0])
}

/// Whether bytes are already waiting on the socket (without consuming or waiting for them).
async fn has_pending_bytes(tcp: &TcpStream) -> Result<bool, NetError> {
    poll_fn(|cx| {
        let mut byte = [0u8; 1];
        let mut buf = ReadBuf::new(&mut byte);
        match tcp.poll_peek(cx, &mut buf) {
            Poll::Pending => Poll::Ready(Ok(false)),
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(n > 0)),
            Poll::Ready(Err(source)) => Poll::Ready(Err(NetError::SslRequest { source })),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_request_code() {
        let code = u32::from_be_bytes([
            SSL_REQUEST[4],
            SSL_REQUEST[5],
            SSL_REQUEST[6],
            SSL_REQUEST[7],
        ]);
        assert_eq!(code, 80_877_103);
        assert_eq!(code, (1234 << 16) | 5679);
    }

    #[test]
    fn direct_handshake_cut_short_is_named() {
        let eof = || io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        assert!(matches!(
            handshake_error(true, eof()),
            NetError::DirectTlsRefused { .. }
        ));
        assert!(matches!(
            handshake_error(false, eof()),
            NetError::Handshake { .. }
        ));
        let bad_cert = io::Error::new(io::ErrorKind::InvalidData, "invalid peer certificate");
        assert!(matches!(
            handshake_error(true, bad_cert),
            NetError::Handshake { .. }
        ));
        let e = handshake_error(true, eof());
        assert!(e.to_string().contains("PostgreSQL 17"), "{e}");
    }

    #[test]
    fn server_names() {
        assert!(matches!(
            parse_server_name("db.example.com").unwrap(),
            ServerName::DnsName(_)
        ));
        assert!(matches!(
            parse_server_name("127.0.0.1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            parse_server_name("[::1]").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            parse_server_name("not a name!").unwrap_err(),
            NetError::InvalidServerName { .. }
        ));
    }
}
