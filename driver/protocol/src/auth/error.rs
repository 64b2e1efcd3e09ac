//! `AuthError`: every way an authentication exchange can fail on the client side.
//!
//! No variant carries the password or anything derived from it, so printing an `AuthError` is
//! always safe.

/// Which SCRAM message from the server a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramMessage {
    /// The server-first-message (`r=...,s=...,i=...`), sent in AuthenticationSASLContinue.
    ServerFirst,
    /// The server-final-message (`v=...` or `e=...`), sent in AuthenticationSASLFinal.
    ServerFinal,
}

impl std::fmt::Display for ScramMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScramMessage::ServerFirst => "server-first-message",
            ScramMessage::ServerFinal => "server-final-message",
        })
    }
}

/// An authentication failure detected by the client.
///
/// ```
/// use quarry_protocol::auth::AuthError;
///
/// let err = AuthError::IterationCountTooHigh { count: 4_000_000_000 };
/// assert_eq!(
///     err.to_string(),
///     "the server asked for 4000000000 SCRAM iterations, more than the limit of 1000000"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The server offered none of the SASL mechanisms Quarry implements.
    #[error(
        "the server offered no supported SASL mechanism (offered: {}; supported: SCRAM-SHA-256, SCRAM-SHA-256-PLUS)",
        offered.join(", ")
    )]
    NoSupportedMechanism {
        /// The mechanism names the server listed.
        offered: Vec<String>,
    },
    /// `channel_binding=require`, but the exchange would not use channel binding: the server
    /// asked for a password method other than SASL, did not offer SCRAM-SHA-256-PLUS, or the
    /// connection is not TLS.
    #[error(
        "channel binding is required, but the server did not offer SCRAM-SHA-256-PLUS over TLS \
         (or asked for a password method that cannot bind the channel)"
    )]
    ChannelBindingRequired,
    /// The server's certificate is signed with an algorithm that defines no hash for
    /// `tls-server-end-point` channel binding (Ed25519, Ed448, or an unknown algorithm).
    #[error(
        "the server certificate's signature algorithm {algorithm} has no hash for tls-server-end-point channel binding"
    )]
    ChannelBindingUnsupportedCert {
        /// The signature algorithm's OID, dotted.
        algorithm: String,
    },
    /// The server's certificate is not valid DER X.509.
    #[error("the server certificate could not be parsed as X.509 for channel binding")]
    InvalidCertificate,
    /// A SCRAM message from the server is not UTF-8.
    #[error("the SCRAM {message} is not valid UTF-8")]
    InvalidUtf8 {
        /// The message concerned.
        message: ScramMessage,
    },
    /// A SCRAM message from the server lacks an attribute it must have at that place.
    #[error("the SCRAM {message} has no `{attribute}=` attribute where one is required")]
    MissingAttribute {
        /// The message concerned.
        message: ScramMessage,
        /// The attribute letter (`r`, `s`, `i`, `v`).
        attribute: char,
    },
    /// The server-first-message starts with a mandatory extension (`m=`) Quarry does not know.
    #[error("the SCRAM server-first-message demands an unsupported mandatory extension (m=)")]
    UnsupportedMandatoryExtension,
    /// The server's nonce does not extend the client's nonce: a replayed or forged message.
    #[error("the SCRAM server nonce does not extend the client nonce")]
    NonceMismatch,
    /// The salt is empty or not valid base64.
    #[error("the SCRAM salt is empty or not valid base64")]
    InvalidSalt,
    /// The iteration count is not a positive integer.
    #[error("the SCRAM iteration count {value:?} is not a positive integer")]
    InvalidIterationCount {
        /// The text the server sent.
        value: String,
    },
    /// The iteration count exceeds Quarry's cap: a hostile server could otherwise make the
    /// client spend hours hashing.
    #[error(
        "the server asked for {count} SCRAM iterations, more than the limit of {}",
        crate::auth::scram::MAX_ITERATIONS
    )]
    IterationCountTooHigh {
        /// The iteration count the server asked for.
        count: u64,
    },
    /// The server signature in the server-final-message is not valid base64.
    #[error("the SCRAM server signature is not valid base64")]
    InvalidServerSignature,
    /// The server signature does not match: the server does not know the password, or
    /// someone in the middle tampered with the exchange.
    #[error(
        "the SCRAM server signature does not match: the server could not prove it knows the password"
    )]
    ServerSignatureMismatch,
    /// The server ended the SCRAM exchange with an error (`e=...`).
    #[error("the server rejected the SCRAM exchange: {message}")]
    ServerRejected {
        /// The server's error value, such as `invalid-proof` or `channel-bindings-dont-match`.
        message: String,
    },
}
