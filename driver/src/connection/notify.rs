//! Waiting for notifications on an otherwise idle connection: what a
//! [`Listener`](crate::Listener) polls. Any request still owed answers is finished first.

use super::{Connection, Notification};
use crate::error::{Error, Result};
use quarry_protocol::backend::Message;

impl Connection {
    /// The next notification not taken by a channel callback: a queued one, or the next one the
    /// server sends. Cancel safe at every await (a listener polls a fresh future each time):
    /// state only changes when a whole message has been read.
    pub(crate) async fn next_notification(&mut self) -> Result<Notification> {
        loop {
            if let Some(notification) = self.notifications.pop_front() {
                return Ok(notification);
            }
            if self.wire.is_broken() {
                return Err(Error::Closed);
            }
            if self.wire.phase() != super::phase::Phase::Idle
                || !self.io.write_buf.is_empty()
                || !self.pending_sql.is_empty()
            {
                // A request abandoned halfway, or queued SQL: finish it before waiting.
                self.ready().await?;
                continue;
            }
            match self.recv_raw().await? {
                Message::NotificationResponse {
                    process_id,
                    channel,
                    payload,
                } => {
                    let notification = Notification {
                        process_id,
                        channel,
                        payload,
                    };
                    if !self.hooks.dispatch(&notification) {
                        return Ok(notification);
                    }
                }
                Message::ErrorResponse(fields) => {
                    // Only a FATAL (the backend terminated) can arrive unasked.
                    let error = self.db_error(&fields, None);
                    self.wire.set_broken();
                    return Err(error);
                }
                other => return Err(self.unexpected("a notification", &other)),
            }
        }
    }

    /// The oldest queued notification, if any.
    pub(crate) fn take_one_notification(&mut self) -> Option<Notification> {
        self.notifications.pop_front()
    }
}
