//! LISTEN/NOTIFY: per-channel callbacks on any connection
//! ([`Connection::add_listener`](crate::Connection::add_listener)), a [`Listener`] that owns a
//! connection and is a `Stream` of notifications, and a [`ReconnectingListener`] that survives
//! lost connections and says when notifications may have been missed.

mod listener;
mod reconnect;

use std::sync::Arc;

pub use crate::connection::Notification;
pub use listener::Listener;
pub use reconnect::{ListenerEvent, ReconnectingListener};

/// A callback registered with [`Connection::add_listener`](crate::Connection::add_listener).
pub type NotificationCallback = Arc<dyn Fn(&Notification) + Send + Sync>;

/// Quotes `name` as an SQL identifier (`"` doubled inside), so channel names keep their case
/// and cannot inject SQL.
pub(crate) fn quote_ident(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for c in name.chars() {
        if c == '"' {
            quoted.push('"');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("jobs"), "\"jobs\"");
        assert_eq!(quote_ident("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(quote_ident("a\"b; DROP"), "\"a\"\"b; DROP\"");
        assert_eq!(quote_ident(""), "\"\"");
    }
}
