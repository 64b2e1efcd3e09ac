//! The COPY sub-protocol on a connection, as small steps `crate::copy` composes: start a COPY
//! statement, stream CopyData in (flushing in bounded chunks, noticing an early server error) or
//! out, finish with CopyDone or abort with CopyFail. The connection's phase marks an open COPY
//! FROM STDIN ([`super::phase::Phase::CopyIn`]) so that a dropped future is aborted by the next
//! `ready()`.

use bytes::Bytes;
use futures_util::FutureExt;

use super::Connection;
use crate::error::Result;
use quarry_protocol::backend::{CommandTag, Message};
use quarry_protocol::frontend;

/// Buffered COPY bytes that make the connection write them out.
pub(crate) const COPY_FLUSH: usize = 64 * 1024;

/// What the server answered to a COPY statement.
pub(crate) enum CopyStart {
    /// COPY FROM STDIN: the server waits for data.
    In,
    /// COPY TO STDOUT: the server sends data.
    Out,
    /// The statement was not a COPY to or from the client.
    Other,
}

/// One step of a COPY TO STDOUT.
pub(crate) enum CopyOutItem {
    /// A chunk of data (a row in text and csv formats).
    Data(Bytes),
    /// The COPY finished; the connection is ready again.
    Done(CommandTag),
}

impl Connection {
    /// Sends `sql` (a COPY statement, simple protocol) and waits for the server to enter copy mode.
    pub(crate) async fn copy_start(&mut self, sql: &str) -> Result<CopyStart> {
        self.ready().await?;
        frontend::query(sql, &mut self.io.write_buf)?;
        self.wire.wrote_query();
        self.send().await?;
        loop {
            match self.recv().await? {
                Message::CopyInResponse(_) => {
                    self.wire.enter_copy_in();
                    return Ok(CopyStart::In);
                }
                Message::CopyOutResponse(_) => return Ok(CopyStart::Out),
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, Some(sql));
                    self.drain_to_ready().await?;
                    return Err(error);
                }
                Message::CommandComplete { .. }
                | Message::RowDescription { .. }
                | Message::DataRow(_)
                | Message::EmptyQueryResponse => {}
                Message::ReadyForQuery { status } => {
                    self.on_ready(status)?;
                    return Ok(CopyStart::Other);
                }
                other => return Err(self.unexpected("a COPY response", &other)),
            }
        }
    }

    /// The write buffer, for appending whole CopyData messages during a COPY FROM STDIN (no
    /// await may happen while a message is half written).
    pub(crate) fn copy_buf(&mut self) -> &mut bytes::BytesMut {
        &mut self.io.write_buf
    }

    /// Appends one CopyData message with `data`, writing out when the buffer is full.
    pub(crate) async fn copy_in_data(&mut self, data: &[u8], sql: &str) -> Result<()> {
        frontend::copy_data(data, &mut self.io.write_buf)?;
        if self.io.write_buf.len() >= COPY_FLUSH {
            self.copy_in_flush(sql).await?;
        }
        Ok(())
    }

    /// Writes the buffered CopyData out. A server error that already arrived (bad data at some
    /// line) ends the COPY: the error is returned and the connection is ready again.
    pub(crate) async fn copy_in_flush(&mut self, sql: &str) -> Result<()> {
        self.send().await?;
        // Poll once, without waiting: the server only speaks during COPY IN to reject it.
        let early = self.recv_any().now_or_never();
        match early {
            None => Ok(()),
            Some(Err(e)) => Err(e),
            Some(Ok(Message::ErrorResponse(fields))) => {
                let error = self.db_error(&fields, Some(sql));
                // The server skips the rest of the data up to CopyDone, then answers ReadyForQuery.
                self.wire.leave_copy_in();
                frontend::copy_done(&mut self.io.write_buf);
                self.send().await?;
                self.drain_to_ready().await?;
                Err(error)
            }
            Some(Ok(other)) => Err(self.unexpected("nothing during COPY FROM STDIN", &other)),
        }
    }

    /// Ends a COPY FROM STDIN with CopyDone and returns its tag (`COPY n`).
    pub(crate) async fn copy_in_finish(&mut self, sql: &str) -> Result<CommandTag> {
        self.wire.leave_copy_in();
        frontend::copy_done(&mut self.io.write_buf);
        self.send().await?;
        let mut tag = None;
        let mut error = None;
        loop {
            match self.recv().await? {
                Message::CommandComplete { tag: t } => {
                    self.set_last_rows(t.rows());
                    tag = Some(t);
                }
                Message::ErrorResponse(fields) => error = Some(self.db_error(&fields, Some(sql))),
                Message::ReadyForQuery { status } => {
                    self.on_ready(status)?;
                    break;
                }
                other => return Err(self.unexpected("the end of a COPY", &other)),
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(tag.unwrap_or_else(CommandTag::empty)),
        }
    }

    /// Aborts a COPY FROM STDIN with CopyFail; the server rolls the COPY back.
    pub(crate) async fn copy_in_fail(&mut self, reason: &str) -> Result<()> {
        self.wire.leave_copy_in();
        // A reason with a NUL byte cannot be sent: send a fixed one instead.
        if frontend::copy_fail(reason, &mut self.io.write_buf).is_err() {
            frontend::copy_fail("COPY aborted by the client", &mut self.io.write_buf)?;
        }
        self.send().await?;
        // The expected ErrorResponse (57014, "COPY from stdin failed") is dropped on the way.
        self.drain_to_ready().await
    }

    /// The next step of a COPY TO STDOUT; a server error ends it (the connection is ready again).
    pub(crate) async fn copy_out_next(&mut self, sql: &str) -> Result<CopyOutItem> {
        loop {
            match self.recv().await? {
                Message::CopyData { data } => return Ok(CopyOutItem::Data(data)),
                Message::CopyDone => {}
                Message::CommandComplete { tag } => {
                    self.set_last_rows(tag.rows());
                    self.drain_to_ready().await?;
                    return Ok(CopyOutItem::Done(tag));
                }
                Message::ErrorResponse(fields) => {
                    let error = self.db_error(&fields, Some(sql));
                    self.drain_to_ready().await?;
                    return Err(error);
                }
                other => return Err(self.unexpected("COPY data", &other)),
            }
        }
    }

    /// The statement for `sql` through the statement cache (unnamed when the cache declines it),
    /// for learning the column types of a COPY.
    pub(crate) async fn describe_for_copy(&mut self, sql: &str) -> Result<crate::Statement> {
        self.ready().await?;
        self.statement_for(sql, false).await
    }
}
