//! Messages of the startup and authentication phase: StartupMessage, SSLRequest, CancelRequest,
//! PasswordMessage and the SASL responses.

use bytes::{BufMut, BytesMut};

use super::writer::{cstr, framed, len_i32, message};
use crate::ProtocolError;

/// Protocol version 3.0, as sent in the StartupMessage.
const PROTOCOL_VERSION: i32 = 196_608;
/// The SSLRequest code.
const SSL_REQUEST_CODE: i32 = 80_877_103;
/// The CancelRequest code.
const CANCEL_REQUEST_CODE: i32 = 80_877_102;

/// Appends a StartupMessage (protocol 3.0) with the given parameters, for example
/// `("user", "alice")`, `("database", "app")`.
///
/// ```
/// use bytes::BytesMut;
/// let mut buf = BytesMut::new();
/// quarry_protocol::frontend::startup(&[("user", "al")], &mut buf)?;
/// assert_eq!(&buf[..], b"\0\0\0\x11\0\x03\0\0user\0al\0\0");
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn startup(params: &[(&str, &str)], buf: &mut BytesMut) -> Result<(), ProtocolError> {
    framed(0, buf, |buf| {
        buf.put_i32(PROTOCOL_VERSION);
        for (name, value) in params {
            cstr(name.as_bytes(), "startup parameter name", buf)?;
            cstr(value.as_bytes(), "startup parameter value", buf)?;
        }
        buf.put_u8(0);
        Ok(())
    })
}

/// Appends an SSLRequest; the server answers with a single byte `S` or `N`.
pub fn ssl_request(buf: &mut BytesMut) {
    buf.put_i32(8);
    buf.put_i32(SSL_REQUEST_CODE);
}

/// Appends a CancelRequest for the backend identified by BackendKeyData.
pub fn cancel_request(process_id: i32, secret_key: i32, buf: &mut BytesMut) {
    buf.put_i32(16);
    buf.put_i32(CANCEL_REQUEST_CODE);
    buf.put_i32(process_id);
    buf.put_i32(secret_key);
}

/// Appends a PasswordMessage carrying a cleartext or md5-hashed password.
///
/// ```
/// use bytes::BytesMut;
/// let mut buf = BytesMut::new();
/// quarry_protocol::frontend::password(b"pw", &mut buf)?;
/// assert_eq!(&buf[..], b"p\0\0\0\x07pw\0");
/// # Ok::<(), quarry_protocol::ProtocolError>(())
/// ```
pub fn password(password: &[u8], buf: &mut BytesMut) -> Result<(), ProtocolError> {
    message(b'p', buf, |buf| cstr(password, "password", buf))
}

/// Appends a SASLInitialResponse choosing `mechanism` (for example `SCRAM-SHA-256`) with the
/// client's first message `data`.
pub fn sasl_initial_response(
    mechanism: &str,
    data: &[u8],
    buf: &mut BytesMut,
) -> Result<(), ProtocolError> {
    message(b'p', buf, |buf| {
        cstr(mechanism.as_bytes(), "SASL mechanism name", buf)?;
        buf.put_i32(len_i32(data.len())?);
        buf.put_slice(data);
        Ok(())
    })
}

/// Appends a SASLResponse carrying the next client message of the SASL exchange.
pub fn sasl_response(data: &[u8], buf: &mut BytesMut) -> Result<(), ProtocolError> {
    message(b'p', buf, |buf| {
        len_i32(data.len())?;
        buf.put_slice(data);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_bytes() {
        let mut buf = BytesMut::new();
        startup(&[("user", "bob"), ("database", "db")], &mut buf).unwrap();
        let mut want = Vec::new();
        let body = b"\0\x03\0\0user\0bob\0database\0db\0\0";
        want.extend_from_slice(&i32::try_from(body.len() + 4).unwrap().to_be_bytes());
        want.extend_from_slice(body);
        assert_eq!(&buf[..], &want[..]);
    }

    #[test]
    fn startup_rejects_nul() {
        let mut buf = BytesMut::new();
        let err = startup(&[("user", "b\0b")], &mut buf).unwrap_err();
        assert!(matches!(err, ProtocolError::NulInString { .. }));
        assert!(buf.is_empty());
    }

    #[test]
    fn ssl_and_cancel_bytes() {
        let mut buf = BytesMut::new();
        ssl_request(&mut buf);
        assert_eq!(&buf[..], &[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
        buf.clear();
        cancel_request(7, -1, &mut buf);
        assert_eq!(
            &buf[..],
            &[
                0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 7, 255, 255, 255, 255
            ]
        );
    }

    #[test]
    fn password_bytes() {
        let mut buf = BytesMut::new();
        password(b"secret", &mut buf).unwrap();
        assert_eq!(&buf[..], b"p\0\0\0\x0bsecret\0");
        assert!(password(b"a\0", &mut buf).is_err());
        assert_eq!(&buf[..], b"p\0\0\0\x0bsecret\0");
    }

    #[test]
    fn sasl_bytes() {
        let mut buf = BytesMut::new();
        sasl_initial_response("SCRAM-SHA-256", b"n,,n=,r=x", &mut buf).unwrap();
        assert_eq!(
            &buf[..],
            b"p\0\0\0\x1fSCRAM-SHA-256\0\0\0\0\x09n,,n=,r=x".as_slice()
        );
        buf.clear();
        sasl_response(b"c=biws", &mut buf).unwrap();
        assert_eq!(&buf[..], b"p\0\0\0\x0ac=biws");
    }
}
