//! quarry-driver: Quarry's run-time PostgreSQL client.
//!
//! Everything that runs when a program talks to PostgreSQL lives here: the wire protocol
//! (`protocol`), authentication (`auth`), connection settings (`config`), sockets and TLS (`net`),
//! the connection and its query paths (`connection`), value codecs (`types`), rows (`record`),
//! transactions and errors. Most users reach it through the `quarry` facade crate.

pub mod auth;
pub mod config;
pub mod error;
pub mod net;
pub mod protocol;

#[cfg(feature = "ephemeral")]
pub mod ephemeral;
