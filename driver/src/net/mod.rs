//! Sockets: TCP, Unix-domain sockets and TLS (rustls), behind one [`Stream`] type.
//!
//! This module owns getting a connected, possibly encrypted, byte stream to a PostgreSQL
//! server: name resolution and socket options ([`connect_tcp`], [`connect_unix`]), the
//! `SSLRequest` exchange or direct TLS ([`negotiate_tls`]), and the rustls client
//! configuration with libpq's `sslmode` semantics ([`client_config`]). It knows nothing about
//! the PostgreSQL protocol beyond the 8-byte `SSLRequest` and its one-byte answer; the
//! connection layer decides which host to try and what to do when one fails.
//!
//! ```no_run
//! use quarry_driver::config::SslMode;
//! use quarry_driver::net::{connect_tcp, negotiate_tls, TlsOptions};
//!
//! # async fn demo() -> Result<(), quarry_driver::net::NetError> {
//! let tcp = connect_tcp("db.example.com", 5432).await?;
//! let opts = TlsOptions { mode: SslMode::VerifyFull, ..TlsOptions::default() };
//! let stream = negotiate_tls(tcp, "db.example.com", &opts).await?;
//! assert!(stream.is_tls());
//! # Ok(()) }
//! ```

mod certs;
mod config;
mod error;
mod negotiate;
mod options;
mod socket;
mod stream;
mod verify;

#[cfg(test)]
mod tests;

pub use config::client_config;
pub use error::NetError;
pub use negotiate::{ALPN_POSTGRESQL, SSL_REQUEST, negotiate_tls, negotiate_tls_with_config};
pub use options::TlsOptions;
pub use socket::{KEEPALIVE_IDLE, connect_tcp, connect_unix};
pub use stream::Stream;
