//! Cancelling a running query: a CancelRequest sent on a new connection to the same server.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{Host, Target};
use crate::error::Result;
use crate::net;
use crate::protocol::frontend;

/// Cancels the query running on the connection it came from ([`super::Connection::cancel_token`]).
///
/// Cancellation is best effort: the query may finish before the request arrives.
#[derive(Clone, Debug)]
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
    /// taken the request (it closes the cancel connection).
    ///
    /// ```no_run
    /// # async fn demo(token: quarry_driver::CancelToken) -> quarry_driver::Result<()> {
    /// token.cancel().await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self) -> Result<()> {
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
