//! Checking each answer against its request: the replies to one Bind/Execute (or one simple
//! Query) must come in the protocol's order, with one completion per Execute and as many rows as
//! the CommandComplete reports. A reply that does not fit — a ReadyForQuery left over from an
//! earlier request, rows before their BindComplete, a second CommandComplete — means client and
//! server disagree on where the conversation is; the caller breaks the connection rather than
//! hand out someone else's rows.

use crate::error::Error;
use quarry_protocol::backend::CommandTag;

/// What the answer to one Bind + Execute has shown so far.
#[derive(Debug, Default)]
pub(crate) struct ExecuteReply {
    bound: bool,
    ended: bool,
    failed: bool,
    rows: u64,
}

impl ExecuteReply {
    /// A fresh check for a Bind + Execute.
    pub(crate) fn new() -> ExecuteReply {
        ExecuteReply::default()
    }

    /// A fresh check for an Execute of a portal bound earlier (a cursor's fetch).
    pub(crate) fn bound() -> ExecuteReply {
        ExecuteReply {
            bound: true,
            ..ExecuteReply::default()
        }
    }

    /// BindComplete arrived.
    pub(crate) fn on_bind_complete(&mut self) -> Result<(), Error> {
        if self.bound || self.ended {
            return Err(lost("a BindComplete where none was due"));
        }
        self.bound = true;
        Ok(())
    }

    /// A DataRow arrived.
    pub(crate) fn on_row(&mut self) -> Result<(), Error> {
        if !self.bound || self.ended {
            return Err(lost(if self.ended {
                "a row after its command completed"
            } else {
                "a row before its BindComplete"
            }));
        }
        self.rows += 1;
        Ok(())
    }

    /// CommandComplete (`Some`), EmptyQueryResponse or PortalSuspended (`None`) arrived.
    /// `returns_rows`: the statement's description has result columns, so a counting tag must
    /// count exactly the rows delivered.
    pub(crate) fn on_end(
        &mut self,
        tag: Option<&CommandTag>,
        returns_rows: bool,
    ) -> Result<(), Error> {
        if !self.bound || self.ended {
            return Err(lost(if self.ended {
                "a second completion for one Execute"
            } else {
                "a completion before its BindComplete"
            }));
        }
        self.ended = true;
        if let Some(tag) = tag
            && returns_rows
            && counts_rows(tag)
            && tag.rows() != self.rows
        {
            return Err(Error::LostSync {
                detail: format!(
                    "the server reported {:?} after delivering {} rows",
                    tag.as_str(),
                    self.rows
                ),
            });
        }
        Ok(())
    }

    /// An ErrorResponse arrived: the rest up to ReadyForQuery is skipped by the server.
    pub(crate) fn on_error(&mut self) {
        self.failed = true;
    }

    /// ReadyForQuery arrived: the Execute must have ended (or failed) before it.
    pub(crate) fn on_ready(&self) -> Result<(), Error> {
        if self.ended || self.failed {
            Ok(())
        } else {
            Err(lost("a ReadyForQuery before its Execute completed"))
        }
    }

    /// Rows delivered so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }
}

/// Whether a command tag's number counts the rows the command returned (when it returns any).
fn counts_rows(tag: &CommandTag) -> bool {
    matches!(
        tag.command(),
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "FETCH"
    )
}

fn lost(what: &str) -> Error {
    Error::LostSync {
        detail: format!("the server sent {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> CommandTag {
        let mut frame = bytes::BytesMut::from(&b"C"[..]);
        let len = i32::try_from(text.len() + 5).unwrap();
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(text.as_bytes());
        frame.extend_from_slice(b"\0");
        match quarry_protocol::backend::parse_message(&mut frame) {
            Ok(Some(quarry_protocol::backend::Message::CommandComplete { tag })) => tag,
            other => panic!("not a CommandComplete: {other:?}"),
        }
    }

    #[test]
    fn an_ordinary_answer_passes() {
        let mut reply = ExecuteReply::new();
        reply.on_bind_complete().unwrap();
        reply.on_row().unwrap();
        reply.on_row().unwrap();
        reply.on_end(Some(&tag("SELECT 2")), true).unwrap();
        reply.on_ready().unwrap();
    }

    #[test]
    fn a_ready_for_query_before_the_completion_is_lost_sync() {
        let reply = ExecuteReply::new();
        assert!(matches!(reply.on_ready(), Err(Error::LostSync { .. })));
        let mut bound = ExecuteReply::new();
        bound.on_bind_complete().unwrap();
        assert!(bound.on_ready().is_err());
    }

    #[test]
    fn rows_before_bind_complete_are_lost_sync() {
        let mut reply = ExecuteReply::new();
        assert!(reply.on_row().is_err());
    }

    #[test]
    fn a_row_count_that_differs_is_lost_sync() {
        let mut reply = ExecuteReply::new();
        reply.on_bind_complete().unwrap();
        reply.on_row().unwrap();
        let err = reply.on_end(Some(&tag("SELECT 2")), true).unwrap_err();
        assert!(err.to_string().contains("SELECT 2"), "{err}");
        // Commands without result columns report affected rows, not delivered ones.
        let mut insert = ExecuteReply::new();
        insert.on_bind_complete().unwrap();
        insert.on_end(Some(&tag("INSERT 0 5")), false).unwrap();
    }

    #[test]
    fn an_error_ends_the_answer() {
        let mut reply = ExecuteReply::new();
        reply.on_error();
        reply.on_ready().unwrap();
    }
}
