//! The SCRAM-SHA-256 primitives of RFC 5802 §2.2: `HMAC`, `H` and `Hi` (PBKDF2 with
//! HMAC-SHA-256), plus the password normalisation (SASLprep) PostgreSQL applies.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The output of SHA-256, and so of every SCRAM-SHA-256 key and signature.
pub(super) type Block = [u8; 32];

/// A keyed HMAC-SHA-256, ready for `update`.
pub(super) fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    // HMAC is defined for keys of every length (long keys are hashed first), so this
    // constructor cannot fail whatever the key.
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// `HMAC(key, data)`.
pub(super) fn hmac(key: &[u8], data: &[u8]) -> Block {
    let mut mac = hmac_sha256(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `H(data)`: SHA-256.
pub(super) fn h(data: &[u8]) -> Block {
    Sha256::digest(data).into()
}

/// `Hi(password, salt, iterations)`: PBKDF2-HMAC-SHA-256 with a single output block.
/// `iterations` is at least 1 (checked by the caller).
pub(super) fn hi(password: &[u8], salt: &[u8], iterations: u32) -> Block {
    let prf = hmac_sha256(password);
    let mut mac = prf.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u: Block = mac.finalize().into_bytes().into();
    let mut result = u;
    for _ in 1..iterations {
        let mut mac = prf.clone();
        mac.update(&u);
        u = mac.finalize().into_bytes().into();
        for (r, x) in result.iter_mut().zip(u.iter()) {
            *r ^= x;
        }
    }
    result
}

/// The password as SCRAM hashes it: SASLprep-normalised when it is valid UTF-8 and SASLprep
/// accepts it, the raw bytes otherwise (what PostgreSQL does, so such passwords still work).
pub(super) fn normalize(password: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(password).map(stringprep::saslprep) {
        Ok(Ok(Cow::Borrowed(text))) => Cow::Borrowed(text.as_bytes()),
        Ok(Ok(Cow::Owned(text))) => Cow::Owned(text.into_bytes()),
        _ => Cow::Borrowed(password),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_sha256_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1), first 32 bytes.
        let out = hi(b"passwd", b"salt", 1);
        assert_eq!(out[..8], [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f]);
    }

    #[test]
    fn saslprep_or_raw() {
        // U+00AD SOFT HYPHEN is mapped to nothing by SASLprep.
        assert_eq!(&*normalize("a\u{00AD}b".as_bytes()), b"ab");
        // Not UTF-8: used as is.
        assert_eq!(&*normalize(&[0xff, 0x00]), &[0xff, 0x00]);
        // Prohibited character (U+0007 control): SASLprep fails, raw bytes used.
        assert_eq!(&*normalize(b"a\x07"), b"a\x07");
    }
}
