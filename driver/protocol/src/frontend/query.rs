//! Simple and extended query messages: Query, Parse, Describe, Execute, Close, Sync, Flush and
//! Terminate.

use bytes::{BufMut, BytesMut};

use super::writer::{count_u16, cstr, fixed, message};
use crate::{Oid, ProtocolError};

/// Appends a simple-protocol Query carrying one or more SQL statements.
///
/// ```
/// use bytes::BytesMut;
/// let mut buf = BytesMut::new();
/// quarry_protocol::frontend::query("SELECT 1", &mut buf)?;
/// assert_eq!(&buf[..], b"Q\0\0\0\x0dSELECT 1\0");
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn query(sql: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    message(b'Q', buf, |buf| cstr(sql.as_bytes(), "SQL text", buf))
}

/// Appends a Parse creating prepared statement `name` (empty: the unnamed statement) from `sql`,
/// with `param_types` fixing the types of the first parameters (0 lets the server infer one).
///
/// ```
/// use bytes::BytesMut;
/// let mut buf = BytesMut::new();
/// quarry_protocol::frontend::parse("s1", "SELECT $1", &[23], &mut buf)?;
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn parse(
    name: &str,
    sql: &str,
    param_types: &[Oid],
    buf: &mut BytesMut,
) -> Result<(), ProtocolError> {
    message(b'P', buf, |buf| {
        cstr(name.as_bytes(), "statement name", buf)?;
        cstr(sql.as_bytes(), "SQL text", buf)?;
        buf.put_u16(count_u16(param_types.len(), "parameter types")?);
        for &oid in param_types {
            buf.put_u32(oid);
        }
        Ok(())
    })
}

/// Appends a Describe of prepared statement `name`: the server answers with
/// ParameterDescription then RowDescription or NoData.
pub fn describe_statement(name: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    describe(b'S', name, "statement name", buf)
}

/// Appends a Describe of portal `name`: the server answers with RowDescription or NoData.
pub fn describe_portal(name: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    describe(b'P', name, "portal name", buf)
}

fn describe(
    kind: u8,
    name: &str,
    what: &'static str,
    buf: &mut BytesMut,
) -> Result<(), ProtocolError> {
    message(b'D', buf, |buf| {
        buf.put_u8(kind);
        cstr(name.as_bytes(), what, buf)
    })
}

/// Appends an Execute of portal `portal`, returning at most `max_rows` rows (0: no limit).
pub fn execute(portal: &str, max_rows: i32, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    message(b'E', buf, |buf| {
        cstr(portal.as_bytes(), "portal name", buf)?;
        buf.put_i32(max_rows);
        Ok(())
    })
}

/// Appends a Sync: ends an extended-query pipeline; the server answers with ReadyForQuery.
pub fn sync(buf: &mut BytesMut) {
    fixed(b'S', &[], buf);
}

/// Appends a Flush: asks the server to send what it has produced so far.
pub fn flush(buf: &mut BytesMut) {
    fixed(b'H', &[], buf);
}

/// Appends a Close of prepared statement `name`.
pub fn close_statement(name: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    close(b'S', name, "statement name", buf)
}

/// Appends a Close of portal `name`.
pub fn close_portal(name: &str, buf: &mut BytesMut) -> Result<(), ProtocolError> {
    close(b'P', name, "portal name", buf)
}

fn close(
    kind: u8,
    name: &str,
    what: &'static str,
    buf: &mut BytesMut,
) -> Result<(), ProtocolError> {
    message(b'C', buf, |buf| {
        buf.put_u8(kind);
        cstr(name.as_bytes(), what, buf)
    })
}

/// Appends a Terminate: the polite end of a session.
pub fn terminate(buf: &mut BytesMut) {
    fixed(b'X', &[], buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_bytes() {
        let mut buf = BytesMut::new();
        query("SELECT 1", &mut buf).unwrap();
        assert_eq!(&buf[..], b"Q\0\0\0\x0dSELECT 1\0");
        let err = query("SELECT '\0'", &mut buf).unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::NulInString { what: "SQL text" }
        ));
        assert_eq!(buf.len(), 14);
    }

    #[test]
    fn parse_bytes() {
        let mut buf = BytesMut::new();
        parse("s1", "SELECT $1", &[23, 0], &mut buf).unwrap();
        let want: &[u8] = b"P\0\0\0\x1bs1\0SELECT $1\0\0\x02\0\0\0\x17\0\0\0\0";
        assert_eq!(&buf[..], want);
    }

    #[test]
    fn parse_rejects_too_many_types() {
        let mut buf = BytesMut::new();
        let types = vec![0; 65536];
        let err = parse("", "x", &types, &mut buf).unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::TooManyValues { count: 65536, .. }
        ));
        assert!(buf.is_empty());
        parse("", "x", &types[..65535], &mut buf).unwrap();
    }

    #[test]
    fn describe_execute_close_bytes() {
        let mut buf = BytesMut::new();
        describe_statement("s", &mut buf).unwrap();
        describe_portal("", &mut buf).unwrap();
        execute("", 0, &mut buf).unwrap();
        execute("p", 10, &mut buf).unwrap();
        close_statement("s", &mut buf).unwrap();
        close_portal("", &mut buf).unwrap();
        let want: &[u8] = b"D\0\0\0\x07Ss\0\
            D\0\0\0\x06P\0\
            E\0\0\0\x09\0\0\0\0\0\
            E\0\0\0\x0ap\0\0\0\0\x0a\
            C\0\0\0\x07Ss\0\
            C\0\0\0\x06P\0";
        assert_eq!(&buf[..], want);
    }

    #[test]
    fn fixed_messages() {
        let mut buf = BytesMut::new();
        sync(&mut buf);
        flush(&mut buf);
        terminate(&mut buf);
        assert_eq!(&buf[..], b"S\0\0\0\x04H\0\0\0\x04X\0\0\0\x04");
    }

    #[test]
    fn names_with_nul_are_rejected() {
        let mut buf = BytesMut::new();
        assert!(describe_statement("a\0", &mut buf).is_err());
        assert!(execute("a\0", 0, &mut buf).is_err());
        assert!(close_portal("a\0", &mut buf).is_err());
        assert!(buf.is_empty());
    }
}
