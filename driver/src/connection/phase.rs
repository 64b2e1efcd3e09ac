//! Where a connection stands in the protocol, kept in one place: [`Wire`] counts the answers the
//! server still owes, knows whether a Sync must follow what was written, whether a COPY FROM
//! STDIN or a row stream is open, whether a cancel request is in flight, and whether a
//! transaction start was abandoned before its caller saw the answer. Only the methods here change
//! it; [`Wire::phase`] names the state as a whole.
//!
//! The rules it serves (DESIGN.md, "Cancellation safety"): a request abandoned at any await point
//! is finished before the next one starts, a CancelRequest in flight is settled before new work is
//! sent (so it cannot hit a later query), and a connection whose state is unknown is broken, never
//! guessed at.

use tokio::task::JoinHandle;

use super::reply::ExecuteReply;

/// The protocol state as a whole, derived from [`Wire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Every request is answered: a new one can be written at once.
    Idle,
    /// Requests were written (or must be followed by a Sync) and answers are owed, or a cancel
    /// request is in flight.
    Busy,
    /// A COPY FROM STDIN is open: the server waits for CopyData, CopyDone or CopyFail.
    CopyIn,
    /// A `fetch_stream` reads its rows one by one; its ReadyForQuery has not arrived yet.
    Streaming,
    /// The socket failed, the server went away or the conversation was lost: nothing more can be
    /// sent.
    Broken,
}

/// What is open on the wire besides owed answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    CopyIn,
    Streaming,
}

/// The connection's protocol state. See the module documentation.
#[derive(Debug)]
pub(super) struct Wire {
    /// ReadyForQuery messages still owed for requests already written (or buffered to write).
    owed: usize,
    /// How many of the owed ReadyForQuery messages answer queued SQL (a dropped transaction's
    /// rollback, a pool's reset), not the request being read.
    queued: usize,
    /// Messages were written after the last Sync (a Flush-terminated prepare): a Sync must follow.
    unsynced: bool,
    /// What was written after the last Sync is part of an atomic batch (`execute_many`): if its
    /// caller drops out before writing the Sync, the batch is failed on the server, not
    /// committed halfway.
    unsynced_batch: bool,
    mode: Mode,
    /// The open stream's answer so far, checked against its request.
    stream: ExecuteReply,
    broken: bool,
    /// A CancelRequest sent for an abandoned request: it must be settled (the server has closed
    /// the cancel connection) before anything new is sent, or it could cancel that instead.
    cancel: Option<JoinHandle<()>>,
    /// The rollback that undoes a BEGIN or SAVEPOINT (or a catalog query in a transaction of
    /// its own) whose caller never saw its answer (its future was dropped): run before the next
    /// request when the answer left the session in the state it names.
    abandoned_undo: Option<(String, UndoWhen)>,
}

/// When the rollback of an abandoned request applies, judged by the transaction status its
/// answer left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UndoWhen {
    /// In a transaction: the BEGIN or SAVEPOINT went through.
    InTransaction,
    /// In a failed transaction: the request's own transaction or savepoint failed and its
    /// caller did not undo it.
    Failed,
}

impl UndoWhen {
    /// Whether the rollback applies with the session in `status`.
    pub(super) fn applies(self, status: crate::protocol::TransactionStatus) -> bool {
        use crate::protocol::TransactionStatus;
        match self {
            UndoWhen::InTransaction => status != TransactionStatus::Idle,
            UndoWhen::Failed => status == TransactionStatus::Failed,
        }
    }
}

impl Wire {
    /// The state of a session being opened: the startup's ReadyForQuery is owed.
    pub(super) fn starting() -> Wire {
        Wire {
            owed: 1,
            queued: 0,
            unsynced: false,
            unsynced_batch: false,
            mode: Mode::Plain,
            stream: ExecuteReply::new(),
            broken: false,
            cancel: None,
            abandoned_undo: None,
        }
    }

    /// The state as a whole.
    pub(super) fn phase(&self) -> Phase {
        if self.broken {
            Phase::Broken
        } else {
            match self.mode {
                Mode::CopyIn => Phase::CopyIn,
                Mode::Streaming => Phase::Streaming,
                Mode::Plain if self.owed > 0 || self.unsynced || self.cancel.is_some() => {
                    Phase::Busy
                }
                Mode::Plain => Phase::Idle,
            }
        }
    }

    pub(super) fn is_broken(&self) -> bool {
        self.broken
    }

    /// The conversation is over: nothing more may be sent.
    pub(super) fn set_broken(&mut self) {
        self.broken = true;
        if let Some(cancel) = self.cancel.take() {
            cancel.abort();
        }
    }

    /// ReadyForQuery messages owed.
    pub(super) fn owed(&self) -> usize {
        self.owed
    }

    /// Whether answers to queued SQL come before the current request's.
    pub(super) fn answers_queued(&self) -> bool {
        self.queued > 0
    }

    /// A Sync was written: its ReadyForQuery is owed, and nothing written awaits another Sync.
    pub(super) fn wrote_sync(&mut self) {
        self.owed += 1;
        self.unsynced = false;
        self.unsynced_batch = false;
    }

    /// A simple Query was written: its ReadyForQuery is owed.
    pub(super) fn wrote_query(&mut self) {
        self.owed += 1;
    }

    /// Queued SQL was written ahead of a request: its ReadyForQuery is owed, and skipped.
    pub(super) fn wrote_queued_query(&mut self) {
        self.owed += 1;
        self.queued += 1;
    }

    /// Messages were written with a Flush and no Sync: one must follow.
    pub(super) fn wrote_unsynced(&mut self) {
        self.unsynced = true;
    }

    /// The Binds and Executes of an atomic batch follow, and its Sync at the end.
    pub(super) fn wrote_unsynced_batch(&mut self) {
        self.unsynced = true;
        self.unsynced_batch = true;
    }

    /// Whether what awaits a Sync is part of an atomic batch whose caller dropped out before
    /// writing it (see [`Wire::wrote_unsynced_batch`]).
    pub(super) fn unsynced_batch(&self) -> bool {
        self.unsynced_batch
    }

    /// Whether a Sync must still be written for what was sent.
    pub(super) fn needs_sync(&self) -> bool {
        self.unsynced
    }

    /// A ReadyForQuery arrived. Returns whether it answered queued SQL. One that nobody owed is
    /// the conversation lost: `Err`, and the connection is broken.
    pub(super) fn received_ready(&mut self) -> Result<bool, ()> {
        if self.owed == 0 {
            self.set_broken();
            return Err(());
        }
        self.owed -= 1;
        if self.queued > 0 {
            self.queued -= 1;
            return Ok(true);
        }
        if self.owed == 0 && self.mode == Mode::Streaming {
            self.mode = Mode::Plain;
        }
        Ok(false)
    }

    /// The server answered a COPY statement with CopyInResponse.
    pub(super) fn enter_copy_in(&mut self) {
        self.mode = Mode::CopyIn;
    }

    /// CopyDone or CopyFail was written (or the server ended the COPY).
    pub(super) fn leave_copy_in(&mut self) {
        if self.mode == Mode::CopyIn {
            self.mode = Mode::Plain;
        }
    }

    /// A `fetch_stream` request was written; its rows are read one by one.
    pub(super) fn open_stream(&mut self) {
        self.mode = Mode::Streaming;
        self.stream = ExecuteReply::new();
    }

    /// What the open stream's answer has shown so far.
    pub(super) fn stream_reply(&mut self) -> &mut ExecuteReply {
        &mut self.stream
    }

    /// The stream was read to its end (or is being finished by `ready()`).
    pub(super) fn close_stream(&mut self) {
        if self.mode == Mode::Streaming {
            self.mode = Mode::Plain;
        }
    }

    /// A cancel request was started for the abandoned request.
    pub(super) fn cancel_started(&mut self, cancel: JoinHandle<()>) {
        self.cancel = Some(cancel);
    }

    /// The cancel request in flight, to wait for it in place (it stays recorded until
    /// [`Wire::take_cancel`]).
    pub(super) fn cancel_in_flight(&mut self) -> Option<&mut JoinHandle<()>> {
        self.cancel.as_mut()
    }

    /// Forgets the cancel request once it is settled.
    pub(super) fn take_cancel(&mut self) -> Option<JoinHandle<()>> {
        self.cancel.take()
    }

    /// Whether a cancel request is in flight.
    pub(super) fn cancelling(&self) -> bool {
        self.cancel.is_some()
    }

    /// A BEGIN or SAVEPOINT is about to be written; `rollback` undoes it if its caller drops out
    /// before seeing the answer and the answer left the session as `when` says.
    pub(super) fn undo_if_abandoned(&mut self, rollback: String, when: UndoWhen) {
        self.abandoned_undo = Some((rollback, when));
    }

    /// The caller saw the BEGIN's answer.
    pub(super) fn answer_seen(&mut self) {
        self.abandoned_undo = None;
    }

    /// The rollback of a transaction start whose caller dropped out, if any.
    pub(super) fn take_abandoned_undo(&mut self) -> Option<(String, UndoWhen)> {
        self.abandoned_undo.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_for_query_nobody_owed_breaks_the_connection() {
        let mut wire = Wire::starting();
        assert_eq!(wire.phase(), Phase::Busy);
        assert_eq!(wire.received_ready(), Ok(false));
        assert_eq!(wire.phase(), Phase::Idle);
        assert_eq!(wire.received_ready(), Err(()));
        assert_eq!(wire.phase(), Phase::Broken);
    }

    #[test]
    fn queued_answers_come_first() {
        let mut wire = Wire::starting();
        wire.received_ready().unwrap();
        wire.wrote_queued_query();
        wire.wrote_unsynced();
        assert_eq!(wire.phase(), Phase::Busy);
        wire.wrote_sync();
        assert!(!wire.needs_sync());
        assert_eq!(wire.received_ready(), Ok(true));
        assert_eq!(wire.received_ready(), Ok(false));
        assert_eq!(wire.phase(), Phase::Idle);
    }

    #[test]
    fn an_unsynced_batch_is_marked_until_its_sync() {
        let mut wire = Wire::starting();
        wire.received_ready().unwrap();
        wire.wrote_unsynced();
        assert!(wire.needs_sync() && !wire.unsynced_batch());
        wire.wrote_unsynced_batch();
        assert!(wire.needs_sync() && wire.unsynced_batch());
        wire.wrote_sync();
        assert!(!wire.needs_sync() && !wire.unsynced_batch());
    }

    #[test]
    fn an_abandoned_start_is_undone_only_in_the_state_it_names() {
        use crate::protocol::TransactionStatus::{Failed, Idle, InTransaction};
        assert!(UndoWhen::InTransaction.applies(InTransaction));
        assert!(UndoWhen::InTransaction.applies(Failed));
        assert!(!UndoWhen::InTransaction.applies(Idle));
        assert!(UndoWhen::Failed.applies(Failed));
        assert!(!UndoWhen::Failed.applies(InTransaction));
        assert!(!UndoWhen::Failed.applies(Idle));
    }

    #[test]
    fn a_stream_ends_with_its_ready_for_query() {
        let mut wire = Wire::starting();
        wire.received_ready().unwrap();
        wire.wrote_sync();
        wire.open_stream();
        assert_eq!(wire.phase(), Phase::Streaming);
        wire.received_ready().unwrap();
        assert_eq!(wire.phase(), Phase::Idle);
    }
}
