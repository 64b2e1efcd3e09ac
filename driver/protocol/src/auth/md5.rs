//! The `md5` password method: the hash PostgreSQL expects in reply to AuthenticationMD5Password.

use md5::{Digest, Md5};

/// Computes the reply to AuthenticationMD5Password:
/// `"md5" + hex(md5(hex(md5(password + user)) + salt))`.
///
/// ```
/// use quarry_protocol::auth::md5_password;
///
/// let reply = md5_password("postgres", b"secret", [0x01, 0x02, 0x03, 0x04]);
/// assert!(reply.starts_with("md5"));
/// assert_eq!(reply.len(), 35);
/// ```
pub fn md5_password(user: &str, password: &[u8], salt: [u8; 4]) -> String {
    let mut inner = Md5::new();
    inner.update(password);
    inner.update(user.as_bytes());
    let inner_hex = hex(&inner.finalize());

    let mut outer = Md5::new();
    outer.update(inner_hex.as_bytes());
    outer.update(salt);
    let mut reply = String::with_capacity(35);
    reply.push_str("md5");
    reply.push_str(&hex(&outer.finalize()));
    reply
}

/// Lower-case hexadecimal, as PostgreSQL writes md5 digests.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // The vector rust-postgres tests against, checked with Python's hashlib.
        assert_eq!(
            md5_password("md5_user", b"password", [0x2a, 0x3d, 0x8f, 0xe0]),
            "md562af4dd09bbb41884907a838a3233294"
        );
        assert_eq!(
            md5_password("postgres", b"secret", [1, 2, 3, 4]),
            "md5bb41a296aab6baccb36ff243a562abff"
        );
    }
}
