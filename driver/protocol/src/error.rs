//! `ProtocolError`: every way a message can violate the wire format, in either direction.

/// A violation of the PostgreSQL wire format: a malformed server message, or a frontend
/// message that cannot be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The server sent a message type this driver does not know.
    #[error("the server sent an unknown message type {:?} (byte {tag})", char::from(*tag))]
    UnknownMessage {
        /// The message type byte.
        tag: u8,
    },
    /// A message is larger than the 1 GiB limit, or a frontend message does not fit its length field.
    #[error("message {:?} is {len} bytes long, more than the protocol allows", char::from(*tag))]
    MessageTooLarge {
        /// The message type byte (0 for the untagged startup message).
        tag: u8,
        /// The length of the message.
        len: usize,
    },
    /// A DataRow has a different number of columns than the RowDescription before it.
    #[error("the server sent a row of {found} columns for a result of {expected}")]
    ColumnCountMismatch {
        /// Columns in the result's description.
        expected: usize,
        /// Columns in the row.
        found: usize,
    },
    /// The length field of a server message is below 4 (it counts itself).
    #[error("message {:?} declares an invalid length {len}", char::from(*tag))]
    InvalidLength {
        /// The message type byte.
        tag: u8,
        /// The declared length.
        len: i32,
    },
    /// A message body ended before all its fields were read.
    #[error("{message} message ended before all its fields were read")]
    Truncated {
        /// The message being decoded.
        message: &'static str,
    },
    /// A message body has bytes left after its last field.
    #[error("{message} message has unexpected bytes after its last field")]
    TrailingBytes {
        /// The message being decoded.
        message: &'static str,
    },
    /// A string in a message is not valid UTF-8.
    #[error("{message} message contains a string that is not valid UTF-8")]
    InvalidUtf8 {
        /// The message being decoded.
        message: &'static str,
    },
    /// A string in a message is not terminated by a NUL byte.
    #[error("{message} message contains a string without its terminating NUL byte")]
    MissingNul {
        /// The message being decoded.
        message: &'static str,
    },
    /// The server asks for an authentication method code this driver does not know.
    #[error("the server asks for unknown authentication method {code}")]
    UnknownAuthentication {
        /// The authentication request code.
        code: i32,
    },
    /// ReadyForQuery carries a status byte other than `I`, `T` or `E`.
    #[error("ReadyForQuery carries an invalid transaction status byte {byte}")]
    InvalidTransactionStatus {
        /// The status byte.
        byte: u8,
    },
    /// A format code other than 0 (text) or 1 (binary).
    #[error("{message} message carries an invalid format code {code}")]
    InvalidFormat {
        /// The message being decoded.
        message: &'static str,
        /// The format code.
        code: i16,
    },
    /// A count field in a server message is negative.
    #[error("{message} message declares a negative count {count}")]
    NegativeCount {
        /// The message being decoded.
        message: &'static str,
        /// The declared count.
        count: i32,
    },
    /// A DataRow column has a negative length other than -1 (NULL).
    #[error("DataRow column {column} declares an invalid length {len}")]
    InvalidValueLength {
        /// The zero-based column index.
        column: usize,
        /// The declared length.
        len: i32,
    },
    /// A string argument of a frontend message contains a NUL byte, which PostgreSQL cannot carry.
    #[error("the {what} contains a NUL byte, which PostgreSQL cannot carry")]
    NulInString {
        /// What the string is (for example "SQL text").
        what: &'static str,
    },
    /// More values than a frontend message can carry (for example over 65535 parameters).
    #[error("too many {what}: {count}, the protocol allows at most 65535")]
    TooManyValues {
        /// What is being counted.
        what: &'static str,
        /// How many were given.
        count: usize,
    },
    /// A value or payload is longer than a length field can describe (i32::MAX bytes).
    #[error("a value of {len} bytes is too large for the protocol")]
    ValueTooLarge {
        /// The length of the value.
        len: usize,
    },
    /// The parameter format list of a Bind is neither uniform nor one entry per parameter.
    #[error("{formats} parameter formats given for {params} parameters")]
    FormatCountMismatch {
        /// How many formats were given.
        formats: usize,
        /// How many parameters are bound.
        params: usize,
    },
    /// Encoding bind parameter `index` failed.
    #[error("failed to encode parameter ${}", index + 1)]
    EncodeParam {
        /// The zero-based parameter index.
        index: usize,
        /// The encoder's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_happened() {
        let e = ProtocolError::UnknownMessage { tag: b'!' };
        assert_eq!(
            e.to_string(),
            "the server sent an unknown message type '!' (byte 33)"
        );
        let e = ProtocolError::EncodeParam {
            index: 0,
            source: "bad".into(),
        };
        assert_eq!(e.to_string(), "failed to encode parameter $1");
        assert!(std::error::Error::source(&e).is_some());
    }
}
