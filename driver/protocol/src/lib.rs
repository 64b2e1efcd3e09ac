//! quarry-protocol: the pure layers of Quarry's PostgreSQL client — the wire protocol
//! (version 3.0) and the authentication exchanges. Low-level building blocks, not normally used
//! directly: the `quarry` crate drives them.
//!
//! [`frontend`] appends client messages to a caller's `BytesMut`; [`backend`] splits complete
//! server frames off a receive buffer and decodes them into [`backend::Message`]; [`auth`]
//! computes SCRAM and md5 answers. Nothing here knows a socket, a runtime, a value codec or a
//! session: reading and writing sockets, and deciding what a message means for a connection,
//! belong to `quarry-driver`. This crate does not depend on tokio.
//!
//! ```
//! use bytes::BytesMut;
//! use quarry_protocol::frontend;
//!
//! let mut buf = BytesMut::new();
//! frontend::sync(&mut buf);
//! assert_eq!(&buf[..], b"S\0\0\0\x04");
//! ```

pub mod auth;
pub mod backend;
mod error;
pub mod frontend;

pub use error::ProtocolError;

/// A PostgreSQL object identifier, as carried on the wire (for example a type OID).
pub type Oid = u32;

/// The format of a value on the wire: text or binary.
///
/// ```
/// use quarry_protocol::Format;
/// assert_eq!(Format::Binary.code(), 1);
/// assert_eq!(Format::from_code(0), Some(Format::Text));
/// ```
#[repr(i16)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text format (code 0).
    Text = 0,
    /// Binary format (code 1).
    Binary = 1,
}

impl Format {
    /// The format code sent on the wire.
    pub fn code(self) -> i16 {
        self as i16
    }

    /// The format for a wire code, or `None` for a code other than 0 or 1.
    pub fn from_code(code: i16) -> Option<Format> {
        match code {
            0 => Some(Format::Text),
            1 => Some(Format::Binary),
            _ => None,
        }
    }
}

/// Whether a bind parameter written by an encoder is SQL NULL.
///
/// Returned by the `write_param` callback of [`frontend::bind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsNull {
    /// The value is NULL: anything the encoder wrote is dropped and length -1 is sent.
    Yes,
    /// The value is the bytes the encoder wrote.
    No,
}

/// The transaction status the server reports in ReadyForQuery.
///
/// ```
/// use quarry_protocol::TransactionStatus;
/// assert_ne!(TransactionStatus::Idle, TransactionStatus::Failed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// Not in a transaction block (`I`).
    Idle,
    /// In a transaction block (`T`).
    InTransaction,
    /// In a failed transaction block; queries are rejected until it ends (`E`).
    Failed,
}
