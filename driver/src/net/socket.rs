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
    connect_tcp_ordered(host, port, AddressOrder::Resolver).await
}

/// The order in which the addresses a host name resolves to are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressOrder {
    /// As the resolver returns them.
    Resolver,
    /// A random order per connection (libpq 16's `load_balance_hosts=random` shuffles the
    /// addresses of each host as well as the hosts).
    Random,
}

/// [`connect_tcp`], trying the resolved addresses in `order`.
///
/// ```no_run
/// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
/// use quarry_driver::net::{connect_tcp_ordered, AddressOrder};
/// let tcp = connect_tcp_ordered("db.example.com", 5432, AddressOrder::Random).await?;
/// # Ok(()) }
/// ```
pub async fn connect_tcp_ordered(
    host: &str,
    port: u16,
    order: AddressOrder,
) -> Result<tokio::net::TcpStream, NetError> {
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
    for addr in in_order(addrs.collect(), order) {
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

/// `addrs` in `order`.
fn in_order(
    mut addrs: Vec<std::net::SocketAddr>,
    order: AddressOrder,
) -> Vec<std::net::SocketAddr> {
    if order == AddressOrder::Random {
        use rand::seq::SliceRandom;
        addrs.shuffle(&mut rand::TryRngCore::unwrap_err(rand::rngs::OsRng));
    }
    addrs
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

    #[test]
    fn random_order_shuffles_the_addresses_and_resolver_order_keeps_them() {
        let addrs: Vec<std::net::SocketAddr> = (1..=4)
            .map(|k| std::net::SocketAddr::from(([127, 0, 0, k], 5432)))
            .collect();
        assert_eq!(in_order(addrs.clone(), AddressOrder::Resolver), addrs);
        let firsts: std::collections::HashSet<_> = (0..200)
            .map(|_| in_order(addrs.clone(), AddressOrder::Random)[0])
            .collect();
        assert_eq!(firsts.len(), 4, "every address comes first sometimes");
        let mut shuffled = in_order(addrs.clone(), AddressOrder::Random);
        shuffled.sort();
        assert_eq!(shuffled, addrs, "the same addresses");
    }
}
