//! Authentication exchanges: SASL SCRAM-SHA-256(-PLUS), md5 and cleartext passwords.
//!
//! Everything here is pure: functions and state machines that compute what to send and check
//! what was received. The connection reads the Authentication* messages, drives these, and
//! writes the replies.

#[cfg(feature = "tls-server-end-point")]
mod channel_binding;
mod error;
mod md5;
mod mechanism;
mod scram;

#[cfg(feature = "tls-server-end-point")]
pub use self::channel_binding::tls_server_end_point;
pub use self::error::{AuthError, ScramMessage};
pub use self::md5::md5_password;
pub use self::mechanism::{
    AuthMethod, ChannelBinding, InvalidChannelBinding, Mechanism, check_method_allowed,
    choose_mechanism,
};
pub use self::scram::{
    ChannelBindingData, ExpectServerFinal, ExpectServerFirst, MAX_ITERATIONS, ScramClient,
};
