//! `CommandTag`: the text of CommandComplete ("INSERT 0 5", "SELECT 3", "CREATE TABLE") and the
//! row count it carries.

use std::fmt;

use bytes::Bytes;

use crate::ProtocolError;

/// The command tag of a CommandComplete message, validated as UTF-8 when parsed.
///
/// ```
/// use bytes::BytesMut;
/// use quarry_protocol::backend::{parse_message, Message};
///
/// let mut buf = BytesMut::from(&b"C\0\0\0\x0fINSERT 0 5\0"[..]);
/// let Some(Message::CommandComplete { tag }) = parse_message(&mut buf)? else { panic!() };
/// assert_eq!(tag.as_str(), "INSERT 0 5");
/// assert_eq!(tag.rows(), 5);
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CommandTag(Bytes);

/// Commands whose tag ends with a row count.
const COUNTING_COMMANDS: &[&str] = &[
    "INSERT", "UPDATE", "DELETE", "SELECT", "MOVE", "FETCH", "COPY", "MERGE",
];

impl CommandTag {
    /// Wraps the tag bytes (without the NUL), checking they are UTF-8.
    pub(super) fn new(bytes: Bytes) -> Result<CommandTag, ProtocolError> {
        std::str::from_utf8(&bytes).map_err(|_| ProtocolError::InvalidUtf8 {
            message: "CommandComplete",
        })?;
        Ok(CommandTag(bytes))
    }

    /// A tag for a request that completed without a CommandComplete (an empty query).
    ///
    /// ```
    /// use quarry_protocol::backend::CommandTag;
    /// assert_eq!(CommandTag::empty().as_str(), "");
    /// ```
    pub fn empty() -> CommandTag {
        CommandTag(Bytes::new())
    }

    /// The tag text, for example `"UPDATE 3"`.
    pub fn as_str(&self) -> &str {
        // Validated in `new`; the fallback is never taken.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The command word, for example `"UPDATE"` or `"CREATE"`.
    pub fn command(&self) -> &str {
        self.as_str().split(' ').next().unwrap_or_default()
    }

    /// The number of rows the command affected or returned: the trailing number for INSERT,
    /// UPDATE, DELETE, SELECT, MOVE, FETCH, COPY and MERGE, 0 for any other command.
    pub fn rows(&self) -> u64 {
        let text = self.as_str();
        let mut words = text.split(' ');
        let command = words.next().unwrap_or_default();
        if !COUNTING_COMMANDS.contains(&command) {
            return 0;
        }
        match text.rsplit_once(' ') {
            Some((_, count)) => count.parse().unwrap_or(0),
            None => 0,
        }
    }
}

impl fmt::Debug for CommandTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CommandTag").field(&self.as_str()).finish()
    }
}

impl fmt::Display for CommandTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> CommandTag {
        CommandTag::new(Bytes::copy_from_slice(s.as_bytes())).unwrap()
    }

    #[test]
    fn rows() {
        assert_eq!(tag("INSERT 0 5").rows(), 5);
        assert_eq!(tag("SELECT 3").rows(), 3);
        assert_eq!(tag("UPDATE 0").rows(), 0);
        assert_eq!(tag("MERGE 12").rows(), 12);
        assert_eq!(tag("COPY 18446744073709551615").rows(), u64::MAX);
        assert_eq!(tag("CREATE TABLE").rows(), 0);
        assert_eq!(tag("SELECT").rows(), 0);
        assert_eq!(tag("").rows(), 0);
        assert_eq!(tag("SELECT x").rows(), 0);
        assert_eq!(tag("CREATE TABLE").command(), "CREATE");
        assert_eq!(format!("{:?}", tag("SELECT 1")), "CommandTag(\"SELECT 1\")");
    }

    #[test]
    fn rejects_invalid_utf8() {
        assert!(CommandTag::new(Bytes::from_static(b"\xff")).is_err());
    }
}
