//! SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677) as a state machine: one struct
//! per state, named for the message it waits for; each transition consumes the state.
//!
//! The connection sends and receives the bytes (SASLInitialResponse, SASLResponse,
//! AuthenticationSASLContinue, AuthenticationSASLFinal); this module only computes them.

mod crypto;
mod message;

use rand::Rng;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;

use self::crypto::{Block, h, hi, hmac, hmac_sha256, normalize};
use self::message::{ServerFinal, parse_server_final, parse_server_first};
use crate::auth::error::AuthError;

/// The largest iteration count Quarry agrees to compute. PostgreSQL's default is 4096; a
/// hostile server could ask for billions to stall the client.
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// What the client tells the server about channel binding, in the GS2 header of its first
/// message.
#[derive(Clone, PartialEq, Eq)]
pub enum ChannelBindingData {
    /// `n,,`: the client does not support channel binding (no TLS, or binding disabled).
    Unsupported,
    /// `y,,`: the client could bind the channel but the server did not offer
    /// SCRAM-SHA-256-PLUS. A server that did offer it will then detect a downgrade.
    SupportedNotUsed,
    /// `p=tls-server-end-point,,`: bind to the TLS connection, with this hash of the server's
    /// certificate (see [`tls_server_end_point`](crate::auth::tls_server_end_point)).
    TlsServerEndPoint(Vec<u8>),
}

/// The entry point of a SCRAM exchange.
///
/// ```
/// use quarry_protocol::auth::{ChannelBindingData, ScramClient};
///
/// let (client_first, state) = ScramClient::start(b"pencil", ChannelBindingData::Unsupported);
/// assert!(client_first.starts_with(b"n,,n=,r="));
/// // Send `client_first` in SASLInitialResponse, then, with the server's reply:
/// // let (client_final, state) = state.handle(&server_first)?;
/// // send `client_final` in SASLResponse, then:
/// // state.verify(&server_final)?;
/// # let _ = state;
/// ```
#[derive(Debug)]
pub struct ScramClient;

/// Waiting for the server-first-message (AuthenticationSASLContinue).
pub struct ExpectServerFirst {
    password: Vec<u8>,
    channel_binding: ChannelBindingData,
    client_nonce: String,
    client_first_bare: String,
}

/// Waiting for the server-final-message (AuthenticationSASLFinal).
pub struct ExpectServerFinal {
    server_key: Block,
    auth_message: Vec<u8>,
}

impl ScramClient {
    /// Starts an exchange; returns the client-first-message and the next state.
    ///
    /// The user name in the message is empty: PostgreSQL takes it from the startup message.
    /// The password is normalised with SASLprep, or used as raw bytes when SASLprep refuses
    /// it, as PostgreSQL does.
    pub fn start(
        password: &[u8],
        channel_binding: ChannelBindingData,
    ) -> (Vec<u8>, ExpectServerFirst) {
        // The OS generator; it fails only where the OS has no randomness at all.
        let nonce: [u8; 24] = rand::TryRngCore::unwrap_err(rand::rngs::OsRng).random();
        Self::start_with_nonce("", password, STANDARD.encode(nonce), channel_binding)
    }

    /// [`start`](Self::start) with a chosen user name and nonce, for test vectors.
    pub(crate) fn start_with_nonce(
        user: &str,
        password: &[u8],
        client_nonce: String,
        channel_binding: ChannelBindingData,
    ) -> (Vec<u8>, ExpectServerFirst) {
        let client_first_bare = format!("n={user},r={client_nonce}");
        let mut client_first = gs2_header(&channel_binding).to_vec();
        client_first.extend_from_slice(client_first_bare.as_bytes());
        let state = ExpectServerFirst {
            password: normalize(password).into_owned(),
            channel_binding,
            client_nonce,
            client_first_bare,
        };
        (client_first, state)
    }
}

impl ExpectServerFirst {
    /// Checks the server-first-message and computes the client-final-message (with the
    /// proof), returning it and the next state.
    ///
    /// This runs the iterated hash, up to [`MAX_ITERATIONS`] rounds; a larger count is
    /// refused with [`AuthError::IterationCountTooHigh`].
    pub fn handle(self, server_first: &[u8]) -> Result<(Vec<u8>, ExpectServerFinal), AuthError> {
        let parsed = parse_server_first(server_first, &self.client_nonce)?;

        let salted_password = hi(&self.password, &parsed.salt, parsed.iterations);
        let client_key = hmac(&salted_password, b"Client Key");
        let stored_key = h(&client_key);
        let server_key = hmac(&salted_password, b"Server Key");

        let mut binding = gs2_header(&self.channel_binding).to_vec();
        if let ChannelBindingData::TlsServerEndPoint(hash) = &self.channel_binding {
            binding.extend_from_slice(hash);
        }
        let client_final_without_proof =
            format!("c={},r={}", STANDARD.encode(binding), parsed.nonce);

        let mut auth_message = Vec::with_capacity(
            self.client_first_bare.len()
                + server_first.len()
                + client_final_without_proof.len()
                + 2,
        );
        auth_message.extend_from_slice(self.client_first_bare.as_bytes());
        auth_message.push(b',');
        auth_message.extend_from_slice(server_first);
        auth_message.push(b',');
        auth_message.extend_from_slice(client_final_without_proof.as_bytes());

        let client_signature = hmac(&stored_key, &auth_message);
        let mut proof = client_key;
        for (p, s) in proof.iter_mut().zip(client_signature.iter()) {
            *p ^= s;
        }

        let client_final = format!("{client_final_without_proof},p={}", STANDARD.encode(proof));
        Ok((
            client_final.into_bytes(),
            ExpectServerFinal {
                server_key,
                auth_message,
            },
        ))
    }
}

impl ExpectServerFinal {
    /// Checks the server-final-message: the server must prove it knows the password (its
    /// signature is compared in constant time). An `e=` message becomes
    /// [`AuthError::ServerRejected`].
    pub fn verify(self, server_final: &[u8]) -> Result<(), AuthError> {
        match parse_server_final(server_final)? {
            ServerFinal::Error(message) => Err(AuthError::ServerRejected { message }),
            ServerFinal::Verifier(signature) => {
                let mut mac = hmac_sha256(&self.server_key);
                mac.update(&self.auth_message);
                mac.verify_slice(&signature)
                    .map_err(|_| AuthError::ServerSignatureMismatch)
            }
        }
    }
}

/// The GS2 header that opens the client-first-message and, base64-encoded with the binding
/// data, the `c=` attribute of the client-final-message.
fn gs2_header(channel_binding: &ChannelBindingData) -> &'static [u8] {
    match channel_binding {
        ChannelBindingData::Unsupported => b"n,,",
        ChannelBindingData::SupportedNotUsed => b"y,,",
        ChannelBindingData::TlsServerEndPoint(_) => b"p=tls-server-end-point,,",
    }
}

// The states hold the password or keys derived from it: their Debug output leaves them out.

impl fmt::Debug for ChannelBindingData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelBindingData::Unsupported => f.write_str("Unsupported"),
            ChannelBindingData::SupportedNotUsed => f.write_str("SupportedNotUsed"),
            ChannelBindingData::TlsServerEndPoint(hash) => {
                write!(f, "TlsServerEndPoint({} bytes)", hash.len())
            }
        }
    }
}

impl fmt::Debug for ExpectServerFirst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectServerFirst")
            .field("channel_binding", &self.channel_binding)
            .field("client_nonce", &self.client_nonce)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ExpectServerFinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectServerFinal").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7677 §3.
    const NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
    const SERVER_FIRST: &[u8] =
        b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &[u8] = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &[u8] = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_start() -> (Vec<u8>, ExpectServerFirst) {
        ScramClient::start_with_nonce(
            "user",
            b"pencil",
            NONCE.into(),
            ChannelBindingData::Unsupported,
        )
    }

    #[test]
    fn rfc7677_vector() {
        let (client_first, state) = rfc_start();
        assert_eq!(client_first, b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let (client_final, state) = state.handle(SERVER_FIRST).unwrap();
        assert_eq!(client_final, CLIENT_FINAL);
        state.verify(SERVER_FINAL).unwrap();
    }

    #[test]
    fn wrong_server_signature_is_refused() {
        let (_, state) = rfc_start();
        let (_, state) = state.handle(SERVER_FIRST).unwrap();
        let forged = b"v=AAAATRBi23WpRR/wqIxZ5kZyZePSuYbzHA6bdhmMgFE=";
        assert_eq!(
            state.verify(forged),
            Err(AuthError::ServerSignatureMismatch)
        );

        let (_, state) = rfc_start();
        let (_, state) = state.handle(SERVER_FIRST).unwrap();
        assert_eq!(
            state.verify(b"v=c2ln"),
            Err(AuthError::ServerSignatureMismatch)
        );
    }

    #[test]
    fn server_error_is_reported() {
        let (_, state) = rfc_start();
        let (_, state) = state.handle(SERVER_FIRST).unwrap();
        assert_eq!(
            state.verify(b"e=invalid-proof"),
            Err(AuthError::ServerRejected {
                message: "invalid-proof".into()
            })
        );
    }

    #[test]
    fn gs2_headers_and_binding_attribute() {
        let (first, _) = ScramClient::start(b"pw", ChannelBindingData::SupportedNotUsed);
        assert!(first.starts_with(b"y,,n=,r="));
        // 24 random bytes are 32 base64 characters.
        assert_eq!(first.len(), b"y,,n=,r=".len() + 32);

        let hash = vec![0xAB; 32];
        let (first, state) = ScramClient::start_with_nonce(
            "",
            b"pw",
            "abc".into(),
            ChannelBindingData::TlsServerEndPoint(hash.clone()),
        );
        assert_eq!(first, b"p=tls-server-end-point,,n=,r=abc");
        let (client_final, _) = state.handle(b"r=abcdef,s=c2FsdA==,i=1").unwrap();
        let mut binding = b"p=tls-server-end-point,,".to_vec();
        binding.extend_from_slice(&hash);
        let expected = format!("c={},r=abcdef,p=", STANDARD.encode(binding));
        assert!(client_final.starts_with(expected.as_bytes()));
    }

    #[test]
    fn malformed_server_first_is_an_error() {
        for bad in [
            &b""[..],
            b"garbage",
            b"r=rOprNGfwEbeRWgbNEkqO",
            b"r=other,s=c2FsdA==,i=1",
            b"r=rOprNGfwEbeRWgbNEkqOx,s=c2FsdA==,i=2000000",
            &[0xff, 0xfe],
        ] {
            let (_, state) = rfc_start();
            assert!(state.handle(bad).is_err());
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let (_, state) = rfc_start();
        let text = format!("{state:?}");
        assert!(!text.contains("pencil"));
    }
}
