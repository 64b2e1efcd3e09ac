//! The one seam where protocol meets the runtime: buffered reads of whole backend messages and
//! buffered writes of encoded frontend messages over a [`Stream`].
//!
//! Both halves are cancel safe: bytes read stay in `read_buf` until a whole message is there, and
//! bytes not yet written stay in `write_buf` for the next flush.

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Error, Result};
use crate::net::Stream;
use quarry_protocol::backend::{self, DataRow, Message};

const READ_CHUNK: usize = 16 * 1024;

/// A socket with its read and write buffers.
pub(crate) struct MessageIo {
    stream: Stream,
    read_buf: BytesMut,
    pub(crate) write_buf: BytesMut,
}

impl MessageIo {
    pub(crate) fn new(stream: Stream) -> MessageIo {
        MessageIo {
            stream,
            read_buf: BytesMut::with_capacity(READ_CHUNK),
            write_buf: BytesMut::with_capacity(READ_CHUNK),
        }
    }

    #[cfg(feature = "tls")]
    pub(crate) fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Writes everything buffered and flushes the socket (and TLS) buffers.
    pub(crate) async fn flush(&mut self) -> Result<()> {
        if !self.write_buf.is_empty() {
            self.stream.write_all_buf(&mut self.write_buf).await?;
        }
        self.stream.flush().await?;
        Ok(())
    }

    /// The next message, reading from the socket as needed.
    pub(crate) async fn recv(&mut self) -> Result<Message> {
        loop {
            if let Some(message) = backend::parse_message(&mut self.read_buf)? {
                return Ok(message);
            }
            // Room for the rest of a frame, but never far ahead of the bytes that arrived.
            self.read_buf
                .reserve(backend::read_reserve(&self.read_buf, READ_CHUNK));
            let n = self.stream.read_buf(&mut self.read_buf).await?;
            if n == 0 {
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                )));
            }
        }
    }

    /// Reads whatever the socket holds right now, without waiting: `Ok(None)` when nothing is
    /// there, `Ok(Some(0))` at end of stream. Used to check idle pooled connections.
    pub(crate) fn read_now(&mut self) -> std::io::Result<Option<usize>> {
        use std::task::{Context, Poll, Waker};
        use tokio::io::{AsyncRead, ReadBuf};

        let mut chunk = [0u8; 512];
        let mut buf = ReadBuf::new(&mut chunk);
        let mut cx = Context::from_waker(Waker::noop());
        match std::pin::Pin::new(&mut self.stream).poll_read(&mut cx, &mut buf) {
            Poll::Pending => Ok(None),
            Poll::Ready(Ok(())) => {
                let filled = buf.filled();
                self.read_buf.extend_from_slice(filled);
                Ok(Some(filled.len()))
            }
            Poll::Ready(Err(e)) => Err(e),
        }
    }

    /// Splits the next complete message off the read buffer, without reading from the socket.
    pub(crate) fn buffered_message(&mut self) -> Result<Option<Message>> {
        Ok(backend::parse_message(&mut self.read_buf)?)
    }

    /// The next message if it is a DataRow already in the buffer (no I/O, no [`Message`]).
    pub(crate) fn buffered_data_row(&mut self) -> Option<DataRow> {
        backend::parse_data_row(&mut self.read_buf)
    }

    /// Shuts the socket down (after a Terminate was flushed).
    pub(crate) async fn shutdown(&mut self) -> Result<()> {
        self.stream.shutdown().await?;
        Ok(())
    }
}
