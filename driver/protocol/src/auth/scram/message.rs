//! Parsing the two SCRAM messages the server sends (RFC 5802 §7). Pure and panic-free: every
//! malformed input becomes an [`AuthError`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::MAX_ITERATIONS;
use crate::auth::error::{AuthError, ScramMessage};

/// The attributes of a server-first-message that the client uses.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ServerFirst<'a> {
    /// The combined nonce (client nonce + server nonce).
    pub(super) nonce: &'a str,
    /// The decoded salt.
    pub(super) salt: Vec<u8>,
    /// The iteration count, in `1..=MAX_ITERATIONS`.
    pub(super) iterations: u32,
}

/// What a server-final-message says.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ServerFinal {
    /// `v=`: the decoded server signature.
    Verifier(Vec<u8>),
    /// `e=`: the server's error value.
    Error(String),
}

/// Parses `[m=...,]r=<nonce>,s=<salt>,i=<count>[,extensions]`, checking that the nonce
/// extends `client_nonce`.
pub(super) fn parse_server_first<'a>(
    bytes: &'a [u8],
    client_nonce: &str,
) -> Result<ServerFirst<'a>, AuthError> {
    const MESSAGE: ScramMessage = ScramMessage::ServerFirst;
    let text =
        std::str::from_utf8(bytes).map_err(|_| AuthError::InvalidUtf8 { message: MESSAGE })?;
    if text.starts_with("m=") {
        return Err(AuthError::UnsupportedMandatoryExtension);
    }
    let mut attributes = text.split(',');
    let nonce = attribute(attributes.next(), 'r', MESSAGE)?;
    let salt = attribute(attributes.next(), 's', MESSAGE)?;
    let iterations = attribute(attributes.next(), 'i', MESSAGE)?;
    // Anything after `i=` is an optional extension, which RFC 5802 says to ignore.

    if nonce.len() <= client_nonce.len() || !nonce.starts_with(client_nonce) {
        return Err(AuthError::NonceMismatch);
    }
    let salt = STANDARD
        .decode(salt)
        .ok()
        .filter(|salt| !salt.is_empty())
        .ok_or(AuthError::InvalidSalt)?;
    Ok(ServerFirst {
        nonce,
        salt,
        iterations: iteration_count(iterations)?,
    })
}

/// Parses `v=<signature>[,extensions]` or `e=<error>[,extensions]`.
pub(super) fn parse_server_final(bytes: &[u8]) -> Result<ServerFinal, AuthError> {
    const MESSAGE: ScramMessage = ScramMessage::ServerFinal;
    let text =
        std::str::from_utf8(bytes).map_err(|_| AuthError::InvalidUtf8 { message: MESSAGE })?;
    let first = text.split(',').next();
    if let Some(error) = first.and_then(|a| a.strip_prefix("e=")) {
        return Ok(ServerFinal::Error(error.to_owned()));
    }
    let verifier = attribute(first, 'v', MESSAGE)?;
    STANDARD
        .decode(verifier)
        .map(ServerFinal::Verifier)
        .map_err(|_| AuthError::InvalidServerSignature)
}

/// The value of `name=value` when `part` is that attribute.
fn attribute(part: Option<&str>, name: char, message: ScramMessage) -> Result<&str, AuthError> {
    part.and_then(|part| part.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('='))
        .ok_or(AuthError::MissingAttribute {
            message,
            attribute: name,
        })
}

/// Reads `i=`: a positive integer no larger than [`MAX_ITERATIONS`].
fn iteration_count(value: &str) -> Result<u32, AuthError> {
    let invalid = || AuthError::InvalidIterationCount {
        value: value.to_owned(),
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    // All digits but too long for u64: certainly above the cap.
    let count: u64 = value.parse().unwrap_or(u64::MAX);
    if count == 0 {
        return Err(invalid());
    }
    if count > u64::from(MAX_ITERATIONS) {
        return Err(AuthError::IterationCountTooHigh { count });
    }
    u32::try_from(count).map_err(|_| AuthError::IterationCountTooHigh { count })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_NONCE: &str = "abc";

    fn first(text: &str) -> Result<ServerFirst<'_>, AuthError> {
        parse_server_first(text.as_bytes(), CLIENT_NONCE)
    }

    #[test]
    fn server_first_ok_with_extension() {
        let parsed = first("r=abcdef,s=c2FsdA==,i=4096,x=ext").unwrap();
        assert_eq!(parsed.nonce, "abcdef");
        assert_eq!(parsed.salt, b"salt");
        assert_eq!(parsed.iterations, 4096);
    }

    #[test]
    fn server_first_malformed() {
        use AuthError::*;
        let missing = |attribute| MissingAttribute {
            message: ScramMessage::ServerFirst,
            attribute,
        };
        assert_eq!(first(""), Err(missing('r')));
        assert_eq!(first("r=abcdef"), Err(missing('s')));
        assert_eq!(first("r=abcdef,s=c2FsdA=="), Err(missing('i')));
        assert_eq!(first("s=c2FsdA==,r=abcdef,i=1"), Err(missing('r')));
        assert_eq!(
            first("m=x,r=abcdef,s=c2FsdA==,i=1"),
            Err(UnsupportedMandatoryExtension)
        );
        assert_eq!(first("r=abc,s=c2FsdA==,i=1"), Err(NonceMismatch));
        assert_eq!(first("r=xbcdef,s=c2FsdA==,i=1"), Err(NonceMismatch));
        assert_eq!(first("r=ab,i=1"), Err(missing('s')));
        assert_eq!(first("r=abcdef,s=!!,i=1"), Err(InvalidSalt));
        assert_eq!(first("r=abcdef,s=,i=1"), Err(InvalidSalt));
        for bad in ["0", "-1", "", "1e3", " 1", "+5"] {
            let text = format!("r=abcdef,s=c2FsdA==,i={bad}");
            assert_eq!(
                first(&text),
                Err(InvalidIterationCount { value: bad.into() }),
                "{bad}"
            );
        }
        assert_eq!(
            first("r=abcdef,s=c2FsdA==,i=1000001"),
            Err(IterationCountTooHigh { count: 1_000_001 })
        );
        assert_eq!(
            first("r=abcdef,s=c2FsdA==,i=99999999999999999999999"),
            Err(IterationCountTooHigh { count: u64::MAX })
        );
        assert_eq!(
            parse_server_first(&[0xff], CLIENT_NONCE),
            Err(InvalidUtf8 {
                message: ScramMessage::ServerFirst
            })
        );
        assert_eq!(
            first("r=abcdef,s=c2FsdA==,i=1000000").unwrap().iterations,
            1_000_000
        );
    }

    #[test]
    fn server_final() {
        assert_eq!(
            parse_server_final(b"v=c2ln,x=1"),
            Ok(ServerFinal::Verifier(b"sig".to_vec()))
        );
        assert_eq!(
            parse_server_final(b"e=invalid-proof"),
            Ok(ServerFinal::Error("invalid-proof".into()))
        );
        assert_eq!(
            parse_server_final(b"v=***"),
            Err(AuthError::InvalidServerSignature)
        );
        assert_eq!(
            parse_server_final(b""),
            Err(AuthError::MissingAttribute {
                message: ScramMessage::ServerFinal,
                attribute: 'v'
            })
        );
        assert_eq!(
            parse_server_final(&[b'v', b'=', 0xc3]),
            Err(AuthError::InvalidUtf8 {
                message: ScramMessage::ServerFinal
            })
        );
    }
}
