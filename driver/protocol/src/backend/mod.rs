//! Backend (server to client) messages: framing a receive buffer into complete messages and
//! decoding each into a [`Message`]. Bodies stay cheap `Bytes` slices of the receive buffer;
//! nothing here reads a socket.
//!
//! ```
//! use bytes::BytesMut;
//! use quarry_protocol::{backend::{self, Message}, TransactionStatus};
//!
//! let mut buf = BytesMut::from(&b"Z\0\0\0\x05IZ\0\0"[..]);
//! let msg = backend::parse_message(&mut buf)?;
//! assert_eq!(msg, Some(Message::ReadyForQuery { status: TransactionStatus::Idle }));
//! // The second frame is incomplete: read more bytes, then call again.
//! assert_eq!(backend::parse_message(&mut buf)?, None);
//! # Ok::<(), quarry_protocol::ProtocolError>(())
//! ```

mod command_tag;
mod data_row;
mod decode;
mod describe;
mod error_fields;
mod reader;

use bytes::{Buf, Bytes, BytesMut};

pub use command_tag::CommandTag;
pub use data_row::DataRow;
pub use describe::{CopyResponse, FieldDescription};
pub use error_fields::{ErrorFieldIter, ErrorFields};

use crate::{Oid, ProtocolError, TransactionStatus};

/// The largest message length accepted from the server (1 GiB), so a corrupt length field
/// cannot make the caller buffer gigabytes.
pub const MAX_MESSAGE_LEN: usize = 1 << 30;

/// A decoded server message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// Authentication succeeded.
    AuthenticationOk,
    /// The server asks for a cleartext password.
    AuthenticationCleartextPassword,
    /// The server asks for an md5-hashed password with this salt.
    AuthenticationMd5Password {
        /// The salt to hash with.
        salt: [u8; 4],
    },
    /// The server starts SASL authentication, offering these mechanisms.
    AuthenticationSasl {
        /// The mechanisms, for example `SCRAM-SHA-256` and `SCRAM-SHA-256-PLUS`.
        mechanisms: Vec<String>,
    },
    /// The next server message of the SASL exchange.
    AuthenticationSaslContinue {
        /// The mechanism's data.
        data: Bytes,
    },
    /// The final server message of the SASL exchange.
    AuthenticationSaslFinal {
        /// The mechanism's data.
        data: Bytes,
    },
    /// The server asks for an authentication method Quarry does not support:
    /// 2 Kerberos V5, 6 SCM credentials, 7 GSSAPI, 8 GSSAPI continue, 9 SSPI.
    AuthenticationUnsupported {
        /// The authentication request code.
        code: i32,
    },
    /// The key to cancel this session's queries with.
    BackendKeyData {
        /// The backend's process id.
        process_id: i32,
        /// The secret key.
        secret_key: i32,
    },
    /// A Bind succeeded.
    BindComplete,
    /// A Close succeeded.
    CloseComplete,
    /// A command finished.
    CommandComplete {
        /// The command tag, for example `INSERT 0 1`.
        tag: CommandTag,
    },
    /// A chunk of COPY data.
    CopyData {
        /// The data.
        data: Bytes,
    },
    /// The server finished sending COPY data.
    CopyDone,
    /// The server is ready for COPY FROM STDIN data.
    CopyInResponse(CopyResponse),
    /// The server starts sending COPY TO STDOUT data.
    CopyOutResponse(CopyResponse),
    /// Both-ways COPY (replication) started.
    CopyBothResponse(CopyResponse),
    /// One result row.
    DataRow(DataRow),
    /// The query string was empty.
    EmptyQueryResponse,
    /// An error; the server discards the rest of the pipeline until Sync.
    ErrorResponse(ErrorFields),
    /// The described statement or portal returns no rows.
    NoData,
    /// A notice or warning.
    NoticeResponse(ErrorFields),
    /// A NOTIFY on a channel this session listens to.
    NotificationResponse {
        /// The notifying backend's process id.
        process_id: i32,
        /// The channel name.
        channel: String,
        /// The payload (may be empty).
        payload: String,
    },
    /// The parameter types of a described statement.
    ParameterDescription {
        /// One type OID per parameter.
        types: Vec<Oid>,
    },
    /// A run-time parameter's current value (for example `server_version`, `TimeZone`).
    ParameterStatus {
        /// The parameter name.
        name: String,
        /// Its value.
        value: String,
    },
    /// A Parse succeeded.
    ParseComplete,
    /// An Execute stopped at its row limit; the portal can be executed again.
    PortalSuspended,
    /// The server is ready for a new query.
    ReadyForQuery {
        /// The transaction status.
        status: TransactionStatus,
    },
    /// The columns of the rows to come.
    RowDescription {
        /// One description per column.
        fields: Vec<FieldDescription>,
    },
    /// The server does not support the requested minor protocol version or some options.
    NegotiateProtocolVersion {
        /// The newest minor protocol version the server supports.
        newest_minor: i32,
        /// The protocol options the server did not recognise.
        unrecognized: Vec<String>,
    },
}

impl Message {
    /// The protocol name of the message, for errors such as "expected ReadyForQuery, got DataRow".
    pub fn name(&self) -> &'static str {
        match self {
            Message::AuthenticationOk => "AuthenticationOk",
            Message::AuthenticationCleartextPassword => "AuthenticationCleartextPassword",
            Message::AuthenticationMd5Password { .. } => "AuthenticationMD5Password",
            Message::AuthenticationSasl { .. } => "AuthenticationSASL",
            Message::AuthenticationSaslContinue { .. } => "AuthenticationSASLContinue",
            Message::AuthenticationSaslFinal { .. } => "AuthenticationSASLFinal",
            Message::AuthenticationUnsupported { .. } => "Authentication",
            Message::BackendKeyData { .. } => "BackendKeyData",
            Message::BindComplete => "BindComplete",
            Message::CloseComplete => "CloseComplete",
            Message::CommandComplete { .. } => "CommandComplete",
            Message::CopyData { .. } => "CopyData",
            Message::CopyDone => "CopyDone",
            Message::CopyInResponse(_) => "CopyInResponse",
            Message::CopyOutResponse(_) => "CopyOutResponse",
            Message::CopyBothResponse(_) => "CopyBothResponse",
            Message::DataRow(_) => "DataRow",
            Message::EmptyQueryResponse => "EmptyQueryResponse",
            Message::ErrorResponse(_) => "ErrorResponse",
            Message::NoData => "NoData",
            Message::NoticeResponse(_) => "NoticeResponse",
            Message::NotificationResponse { .. } => "NotificationResponse",
            Message::ParameterDescription { .. } => "ParameterDescription",
            Message::ParameterStatus { .. } => "ParameterStatus",
            Message::ParseComplete => "ParseComplete",
            Message::PortalSuspended => "PortalSuspended",
            Message::ReadyForQuery { .. } => "ReadyForQuery",
            Message::RowDescription { .. } => "RowDescription",
            Message::NegotiateProtocolVersion { .. } => "NegotiateProtocolVersion",
        }
    }
}

/// The total size (type byte, length and body) of the frame at the start of `buf`, once its
/// 5-byte header has arrived; `None` if fewer than 5 bytes are buffered or the length is invalid
/// (which [`parse_message`] reports as an error). Use it to `reserve` room for a large frame.
///
/// ```
/// use quarry_protocol::backend::frame_len;
/// assert_eq!(frame_len(b"D\0\0\x10\0"), Some(4097));
/// assert_eq!(frame_len(b"D\0\0"), None);
/// ```
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    let &[tag, a, b, c, d] = buf.get(..5)? else {
        return None;
    };
    let len = usize::try_from(i32::from_be_bytes([a, b, c, d])).ok()?;
    length_allowed(tag, len).then_some(len + 1)
}

/// How many bytes a reader should make room for before reading more, with `buf` holding what
/// arrived so far: the rest of an incomplete frame, but at least `chunk` and never more than
/// [`MAX_READ_AHEAD`] ahead of the bytes received — so memory follows the bytes that actually
/// arrive, whatever length a (corrupt or hostile) header announces.
///
/// ```
/// use quarry_protocol::backend::{read_reserve, MAX_READ_AHEAD};
/// assert_eq!(read_reserve(b"", 16384), 16384);
/// // A DataRow announcing 1 GiB reserves at most MAX_READ_AHEAD until its bytes arrive.
/// assert_eq!(read_reserve(b"D\x3f\xff\xff\xff", 16384), MAX_READ_AHEAD);
/// ```
pub fn read_reserve(buf: &[u8], chunk: usize) -> usize {
    let wanted = frame_len(buf).unwrap_or(0);
    wanted
        .saturating_sub(buf.len())
        .clamp(chunk.min(MAX_READ_AHEAD), MAX_READ_AHEAD)
}

/// The most [`read_reserve`] asks for ahead of the bytes received (256 KiB).
pub const MAX_READ_AHEAD: usize = 256 * 1024;

/// The largest length (counting itself) of messages that are short by nature: command tags,
/// parameter statuses, authentication requests, COPY responses. As libpq does, only messages
/// that carry data (rows, descriptions, errors, notifications, COPY data) may be longer, so a
/// corrupt length on any other message is lost sync at once instead of a wait for gigabytes.
pub const MAX_SHORT_MESSAGE_LEN: usize = 30_000;

/// The exact length of messages with no body or a fixed one, `None` for the others.
fn fixed_len(tag: u8) -> Option<usize> {
    match tag {
        // ParseComplete, BindComplete, CloseComplete, NoData, PortalSuspended,
        // EmptyQueryResponse, CopyDone: no body.
        b'1' | b'2' | b'3' | b'n' | b's' | b'I' | b'c' => Some(4),
        // ReadyForQuery: the transaction status byte.
        b'Z' => Some(5),
        // BackendKeyData: process id and secret key.
        b'K' => Some(12),
        _ => None,
    }
}

/// Whether a message of type `tag` may declare length `len` (which counts itself).
fn length_allowed(tag: u8, len: usize) -> bool {
    match fixed_len(tag) {
        Some(fixed) => len == fixed,
        None => {
            let max = match tag {
                // DataRow, CopyData, RowDescription, ParameterDescription, ErrorResponse,
                // NoticeResponse, NotificationResponse.
                b'D' | b'd' | b'T' | b't' | b'E' | b'N' | b'A' => MAX_MESSAGE_LEN,
                _ => MAX_SHORT_MESSAGE_LEN,
            };
            (4..=max).contains(&len)
        }
    }
}

/// Splits the first complete message off `buf` and decodes it.
///
/// Returns `Ok(None)` when `buf` does not yet hold a complete frame (read more bytes and call
/// again). An unknown message type, a length below 4, a length other than the fixed one of a
/// fixed-size message, above [`MAX_SHORT_MESSAGE_LEN`] for a message that is short by nature or
/// above [`MAX_MESSAGE_LEN`] for any, or a malformed body is an error; a frame whose body fails
/// to decode has been consumed.
pub fn parse_message(buf: &mut BytesMut) -> Result<Option<Message>, ProtocolError> {
    let Some(&[tag, a, b, c, d]) = buf.get(..5) else {
        return Ok(None);
    };
    if !decode::is_known_tag(tag) {
        return Err(ProtocolError::UnknownMessage { tag });
    }
    let declared = i32::from_be_bytes([a, b, c, d]);
    let len = match usize::try_from(declared) {
        Ok(len) if len >= 4 => len,
        _ => {
            return Err(ProtocolError::InvalidLength { tag, len: declared });
        }
    };
    if !length_allowed(tag, len) {
        return Err(if fixed_len(tag).is_some() || len <= MAX_MESSAGE_LEN {
            ProtocolError::InvalidLength { tag, len: declared }
        } else {
            ProtocolError::MessageTooLarge { tag, len }
        });
    }
    let total = len + 1;
    if buf.len() < total {
        return Ok(None);
    }
    // The small fixed answers of every request (BindComplete, ParseComplete, ReadyForQuery...)
    // are decoded in place: no frame is split off the buffer for them.
    if len == 4 {
        buf.advance(5);
        return decode::decode(tag, Bytes::new()).map(Some);
    }
    if tag == b'Z'
        && len == 5
        && let Some(&byte) = buf.get(5)
    {
        buf.advance(6);
        return decode::transaction_status(byte)
            .map(|status| Some(Message::ReadyForQuery { status }));
    }
    let mut frame = buf.split_to(total);
    frame.advance(5);
    decode::decode(tag, frame.freeze()).map(Some)
}

/// Splits the first message off `buf` if it is a complete DataRow: the fast path for result
/// rows, with no [`Message`] in between. `None` when the next message is anything else, is
/// incomplete or is malformed (then [`parse_message`] reads or names it).
///
/// ```
/// use bytes::BytesMut;
/// use quarry_protocol::backend::parse_data_row;
/// let mut buf = BytesMut::from(&b"D\0\0\0\x0c\0\x01\0\0\0\x02hiZ"[..]);
/// let row = parse_data_row(&mut buf).unwrap();
/// assert_eq!(row.len(), 1);
/// assert_eq!(&buf[..], b"Z");
/// assert!(parse_data_row(&mut buf).is_none());
/// ```
pub fn parse_data_row(buf: &mut BytesMut) -> Option<DataRow> {
    let &[b'D', a, b, c, d, hi, lo] = buf.get(..7)? else {
        return None;
    };
    let len = usize::try_from(i32::from_be_bytes([a, b, c, d])).ok()?;
    if !(6..=MAX_MESSAGE_LEN).contains(&len) || buf.len() <= len {
        return None;
    }
    let mut frame = buf.split_to(len + 1).freeze();
    frame.advance(7);
    Some(DataRow::new(u16::from_be_bytes([hi, lo]), frame))
}

#[cfg(test)]
mod tests;
