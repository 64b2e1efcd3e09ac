//! Opening plain sockets: [`connect_tcp`] (resolution, address fallback, `TCP_NODELAY`,
//! keepalive) and [`connect_unix`].

use std::io;
use std::path::Path;
use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};
use tokio::net::{TcpStream, UnixStream};

use super::error::NetError;

/// Idle time before the first TCP keepalive probe on connections from [`connect_tcp`].
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);

/// Resolves `host` and connects to the first address that accepts, in resolver order.
///
/// The socket gets `TCP_NODELAY` (the protocol sends small messages and waits for answers) and
/// TCP keepalive after [`KEEPALIVE_IDLE`] of silence. When every address fails, the error names
/// `host:port` and carries the last address's error.
///
/// ```no_run
/// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
/// let tcp = quarry_driver::net::connect_tcp("localhost", 5432).await?;
/// # Ok(()) }
/// ```
pub async fn connect_tcp(host: &str, port: u16) -> Result<tokio::net::TcpStream, NetError> {
    // A bracketed IPv6 literal ("[::1]") is accepted as well as a bare one.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|source| NetError::Resolve {
            host: host.to_owned(),
            source,
        })?;

    let mut last_error = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                configure(&stream).map_err(|source| NetError::Connect {
                    host: host.to_owned(),
                    port,
                    source,
                })?;
                return Ok(stream);
            }
            Err(e) => {
                tracing::debug!(%addr, error = %e, "connect failed, trying next address");
                last_error = Some(e);
            }
        }
    }
    Err(match last_error {
        Some(source) => NetError::Connect {
            host: host.to_owned(),
            port,
            source,
        },
        None => NetError::Resolve {
            host: host.to_owned(),
            source: io::Error::new(io::ErrorKind::NotFound, "no addresses found"),
        },
    })
}

fn configure(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    SockRef::from(stream).set_tcp_keepalive(&TcpKeepalive::new().with_time(KEEPALIVE_IDLE))
}

/// Connects to a Unix-domain socket, for example `/var/run/postgresql/.s.PGSQL.5432`.
///
/// ```no_run
/// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
/// use std::path::Path;
/// let sock = quarry_driver::net::connect_unix(Path::new("/var/run/postgresql/.s.PGSQL.5432")).await?;
/// # Ok(()) }
/// ```
pub async fn connect_unix(socket_path: &Path) -> Result<UnixStream, NetError> {
    UnixStream::connect(socket_path)
        .await
        .map_err(|source| NetError::UnixConnect {
            path: socket_path.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::{TcpListener, UnixListener};

    #[tokio::test]
    async fn closed_port_names_host_and_port() {
        // Bind then drop to find a port nobody listens on.
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap().port()
        };
        let err = connect_tcp("127.0.0.1", port).await.unwrap_err();
        assert!(matches!(err, NetError::Connect { port: p, .. } if p == port));
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn connects_and_sets_nodelay() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let s = connect_tcp("localhost", port).await;
        // "localhost" may resolve to ::1 first; the fallback must reach 127.0.0.1.
        let s = s.unwrap();
        assert!(s.nodelay().unwrap());
        assert!(SockRef::from(&s).keepalive().unwrap());
    }

    #[tokio::test]
    async fn bad_host_is_a_resolve_error() {
        let err = connect_tcp("no-such-host.invalid", 5432).await.unwrap_err();
        assert!(matches!(err, NetError::Resolve { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn unix_socket_roundtrip_and_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".s.PGSQL.5432");
        let err = connect_unix(&path).await.unwrap_err();
        assert!(err.to_string().contains(".s.PGSQL.5432"));
        let _l = UnixListener::bind(&path).unwrap();
        connect_unix(&path).await.unwrap();
    }
}
