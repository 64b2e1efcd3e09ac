//! What can go wrong in a COPY on the client side: the source or the output failing, rows that
//! do not fit the table, malformed binary COPY data. Server errors stay [`crate::Error::Db`];
//! [`error_line`] reads the line a COPY FROM error points at.

use crate::error::Error;
use crate::types::BoxError;

/// A COPY failed on the client side.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Reading the data to send failed (the reader, the file or the stream returned an error);
    /// the COPY was aborted with CopyFail and nothing was written.
    #[error("reading the COPY source failed: {0}")]
    Source(#[source] BoxError),
    /// Writing the received data failed; the rest of the COPY was read and dropped.
    #[error("writing the COPY output failed: {0}")]
    Output(#[source] BoxError),
    /// The statement given did not start the COPY direction asked for.
    #[error("not a COPY {expected} statement: {sql}")]
    NotCopy {
        /// `FROM STDIN` or `TO STDOUT`.
        expected: &'static str,
        /// The statement.
        sql: String,
    },
    /// A name or option value contains a NUL byte, which no SQL text can hold.
    #[error("the COPY {what} contains a NUL byte")]
    Nul {
        /// Which name or option.
        what: &'static str,
    },
    /// A row has a different number of values than the COPY has columns.
    #[error("row {row} has {found} value(s) but the COPY has {expected} column(s)")]
    ColumnCount {
        /// 1-based row number.
        row: u64,
        /// Columns in the COPY.
        expected: usize,
        /// Values in the row.
        found: usize,
    },
    /// A value's Rust type cannot be sent as its column's PostgreSQL type.
    #[error("row {row}, column {column:?}: a Rust {rust_type} cannot be sent as {pg_type}")]
    ColumnType {
        /// 1-based row number.
        row: u64,
        /// The column's name.
        column: String,
        /// The value's Rust type.
        rust_type: &'static str,
        /// The column's PostgreSQL type.
        pg_type: String,
    },
    /// Column types were given up front for a different number of columns.
    #[error(
        "{types} column type(s) given for {columns} column(s): name the columns, one type each"
    )]
    ColumnTypes {
        /// Columns named.
        columns: usize,
        /// Types given.
        types: usize,
    },
    /// A value failed to encode.
    #[error(
        "row {row}, column {column:?} ({rust_type} as {pg_type}) could not be encoded: {source}"
    )]
    Encode {
        /// 1-based row number.
        row: u64,
        /// The column's name.
        column: String,
        /// The value's Rust type.
        rust_type: &'static str,
        /// The column's PostgreSQL type.
        pg_type: String,
        /// The codec's error.
        source: BoxError,
    },
    /// An encoded value or row is larger than the protocol allows (1 GB).
    #[error("a COPY value of {len} bytes is too large")]
    TooLarge {
        /// Its size.
        len: usize,
    },
    /// The COPY already ended (an earlier error ended it, or it was finished).
    #[error("the COPY already ended")]
    Ended,
    /// Binary COPY data did not follow the format (signature, field counts, lengths).
    #[error("malformed binary COPY data: {0}")]
    Binary(&'static str),
    /// A column value of binary COPY output could not be decoded.
    #[error(
        "binary COPY column {column} ({pg_type}) could not be decoded into {rust_type}: {source}"
    )]
    Decode {
        /// 0-based column index.
        column: usize,
        /// The column's PostgreSQL type.
        pg_type: String,
        /// The Rust type asked for.
        rust_type: &'static str,
        /// The codec's error.
        source: BoxError,
    },
}

/// The line of the COPY data a server error points at (PostgreSQL's `CONTEXT: COPY t, line N`).
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) {
/// use quarry_driver::copy::{CopyOptions, error_line};
/// let data: &[u8] = b"1\n2\nnot a number\n";
/// if let Err(e) = conn.copy_to_table("t", data, &CopyOptions::new()).await {
///     assert_eq!(error_line(&e), Some(3));
/// }
/// # }
/// ```
pub fn error_line(error: &Error) -> Option<u64> {
    let context = error.as_db_error()?.where_()?;
    context.lines().find_map(parse_line)
}

/// `COPY t, line 3, column a: "x"` -> 3.
fn parse_line(context: &str) -> Option<u64> {
    let rest = context.strip_prefix("COPY ")?;
    let at = rest.find(", line ")?;
    let digits: String = rest
        .get(at + 7..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl From<CopyError> for Error {
    fn from(e: CopyError) -> Error {
        Error::Copy(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_from_context() {
        assert_eq!(parse_line("COPY t, line 3, column a: \"x\""), Some(3));
        assert_eq!(parse_line("COPY my table, line 1000000"), Some(1_000_000));
        assert_eq!(parse_line("SQL function f"), None);
    }
}
