//! Cancelling a running query: a CancelRequest sent on a new connection to the same server.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{Host, Target};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::net;
use quarry_protocol::frontend;

/// Cancels the query running on the connection it came from ([`super::Connection::cancel_token`]).
///
/// Cancellation is best effort: the query may finish before the request arrives. Its `Debug`
/// output leaves out the secret key.
#[derive(Clone)]
pub struct CancelToken {
    target: Target,
    process_id: i32,
    secret_key: i32,
}

impl CancelToken {
    pub(super) fn new(target: Target, process_id: i32, secret_key: i32) -> CancelToken {
        CancelToken {
            target,
            process_id,
            secret_key,
        }
    }

    /// Asks the server to cancel the connection's current query, and waits until the server has
    /// taken the request (it closes the cancel connection), for at most
    /// [`CancelToken::DEFAULT_LIMIT`].
    ///
    /// ```no_run
    /// # async fn demo(token: quarry_driver::CancelToken) -> quarry_driver::Result<()> {
    /// token.cancel().await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self) -> Result<()> {
        self.cancel_within(Self::DEFAULT_LIMIT).await
    }

    /// How long [`CancelToken::cancel`] waits for the server at most.
    pub const DEFAULT_LIMIT: Duration = Duration::from_secs(10);

    /// [`CancelToken::cancel`] within `limit`: connecting, sending the request and waiting for
    /// the server to close the cancel connection all count. When `limit` elapses the result is
    /// an I/O error of kind `TimedOut` (the request may or may not have been taken).
    ///
    /// ```no_run
    /// # async fn demo(token: quarry_driver::CancelToken) -> quarry_driver::Result<()> {
    /// token.cancel_within(std::time::Duration::from_secs(2)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_within(&self, limit: Duration) -> Result<()> {
        match tokio::time::timeout(limit, self.send_cancel()).await {
            Ok(result) => result,
            Err(_) => Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the server did not take the cancel request within {limit:?}"),
            ))),
        }
    }

    async fn send_cancel(&self) -> Result<()> {
        let mut buf = bytes::BytesMut::with_capacity(16);
        frontend::cancel_request(self.process_id, self.secret_key, &mut buf);
        // PostgreSQL reads a CancelRequest before any authentication or TLS, so a plain socket
        // to the same host and port reaches the right postmaster.
        match &self.target.host {
            Host::Tcp(host) => {
                let mut socket = net::connect_tcp(host, self.target.port).await?;
                socket.write_all(&buf).await?;
                let mut sink = [0u8; 16];
                let _ = socket.read(&mut sink).await;
            }
            Host::Unix(dir) => {
                let path = self.target.socket_path().unwrap_or_else(|| dir.clone());
                let mut socket = net::connect_unix(&path).await?;
                socket.write_all(&buf).await?;
                let mut sink = [0u8; 16];
                let _ = socket.read(&mut sink).await;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("target", &self.target)
            .field("process_id", &self.process_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_leaves_out_the_secret_key() {
        let config = crate::config::Config::from_dsn("postgresql://u@localhost:5432/db").unwrap();
        let target = config.targets().into_iter().next().unwrap();
        let token = CancelToken::new(target, 4242, 987_654_321);
        let shown = format!("{token:?}");
        assert!(shown.contains("4242"), "{shown}");
        assert!(!shown.contains("987654321"), "{shown}");
    }
}
