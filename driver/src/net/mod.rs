//! Sockets: TCP, Unix-domain sockets and TLS (rustls), behind one [`Stream`] type.
//!
//! This module owns getting a connected, possibly encrypted, byte stream to a PostgreSQL
//! server: name resolution and socket options ([`connect_tcp`], [`connect_unix`]), the
//! `SSLRequest` exchange or direct TLS ([`negotiate_tls`]), and the rustls client
//! configuration with libpq's `sslmode` semantics ([`client_config`]). It knows nothing about
//! the PostgreSQL protocol beyond the 8-byte `SSLRequest` and its one-byte answer; the
//! connection layer decides which host to try and what to do when one fails.
//!
//! TLS is the `tls` feature (on by default). Without it only the plain sockets are here; the
//! connection layer refuses the settings that need TLS before it opens one.
//!
//! ```no_run
//! # #[cfg(feature = "tls")] {
//! use quarry_driver::config::SslMode;
//! use quarry_driver::net::{connect_tcp, negotiate_tls, TlsOptions};
//!
//! # async fn demo() -> Result<(), quarry_driver::net::NetError> {
//! let tcp = connect_tcp("db.example.com", 5432).await?;
//! let opts = TlsOptions { mode: SslMode::VerifyFull, ..TlsOptions::default() };
//! let stream = negotiate_tls(tcp, "db.example.com", &opts).await?;
//! assert!(stream.is_tls());
//! # Ok(()) }
//! # }
//! ```

#[cfg(feature = "tls")]
mod certs;
#[cfg(feature = "tls")]
mod config;
mod error;
#[cfg(feature = "tls")]
mod negotiate;
mod options;
mod socket;
mod stream;
#[cfg(feature = "tls")]
mod verify;

#[cfg(all(test, feature = "tls"))]
mod tests;

#[cfg(feature = "tls")]
pub use config::client_config;
pub use error::NetError;
#[cfg(feature = "tls")]
pub use negotiate::{ALPN_POSTGRESQL, SSL_REQUEST, negotiate_tls, negotiate_tls_with_config};
pub use options::TlsOptions;
pub use socket::{AddressOrder, KEEPALIVE_IDLE, connect_tcp, connect_tcp_ordered, connect_unix};
pub use stream::Stream;
