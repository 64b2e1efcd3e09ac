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
