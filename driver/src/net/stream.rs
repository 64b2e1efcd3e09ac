//! [`Stream`]: one byte-stream type over TCP, Unix sockets and TLS-over-TCP, so the connection
//! layer reads and writes without caring which it got.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
#[cfg(feature = "tls")]
use tokio_rustls::client::TlsStream;

/// A connected byte stream to the server: plain TCP, a Unix-domain socket, or TLS over TCP.
///
/// It implements tokio's [`AsyncRead`] and [`AsyncWrite`] by delegating to the inner stream.
///
/// ```no_run
/// use quarry_driver::net::{connect_tcp, negotiate_tls, Stream, TlsOptions};
/// use tokio::io::AsyncWriteExt;
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let tcp = connect_tcp("localhost", 5432).await?;
/// let mut stream: Stream = negotiate_tls(tcp, "localhost", &TlsOptions::default()).await?;
/// stream.write_all(b"...").await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Tcp(TcpStream),
    /// A Unix-domain socket.
    Unix(UnixStream),
    /// TLS over TCP (boxed: the rustls session state is large). Only with the `tls` feature.
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// Whether the stream is encrypted.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), quarry_driver::net::NetError> {
    /// let tcp = quarry_driver::net::connect_tcp("localhost", 5432).await?;
    /// assert!(!quarry_driver::net::Stream::Tcp(tcp).is_tls());
    /// # Ok(()) }
    /// ```
    pub fn is_tls(&self) -> bool {
        match self {
            #[cfg(feature = "tls")]
            Self::Tls(_) => true,
            Self::Tcp(_) | Self::Unix(_) => false,
        }
    }

    /// The DER bytes of the server's end-entity certificate when the stream is TLS: the input
    /// of SCRAM's `tls-server-end-point` channel binding.
    ///
    /// ```no_run
    /// # async fn demo(stream: quarry_driver::net::Stream) {
    /// if let Some(der) = stream.peer_certificate() {
    ///     println!("server certificate is {} bytes", der.len());
    /// }
    /// # }
    /// ```
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        match self {
            #[cfg(feature = "tls")]
            Self::Tls(tls) => {
                let certs = tls.get_ref().1.peer_certificates()?;
                certs.first().map(|c| c.as_ref())
            }
            Self::Tcp(_) | Self::Unix(_) => None,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Self::Unix(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Self::Unix(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Tcp(s) => s.is_write_vectored(),
            Self::Unix(s) => s.is_write_vectored(),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_flush(cx),
            Self::Unix(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Self::Unix(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn unix_stream_delegates_io() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let mut s = Stream::Unix(a);
        assert!(!s.is_tls());
        assert!(s.peer_certificate().is_none());
        s.write_all(b"ping").await.unwrap();
        s.flush().await.unwrap();
        let mut buf = [0u8; 4];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        b.write_all(b"pong").await.unwrap();
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
    }
}
