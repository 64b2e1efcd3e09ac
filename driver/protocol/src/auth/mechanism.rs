//! Choosing how to authenticate: which SASL mechanism to use and with what channel binding,
//! and which password methods a channel-binding policy allows (libpq's rules).

use std::fmt;
use std::str::FromStr;

use crate::auth::error::AuthError;
use crate::auth::scram::ChannelBindingData;

/// A SASL mechanism Quarry implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// `SCRAM-SHA-256`.
    ScramSha256,
    /// `SCRAM-SHA-256-PLUS`: SCRAM bound to the TLS channel.
    ScramSha256Plus,
}

/// Whether SCRAM channel binding (`SCRAM-SHA-256-PLUS`) is used: the `channel_binding`
/// connection parameter, spelled as libpq spells it.
///
/// ```
/// use quarry_protocol::auth::ChannelBinding;
///
/// assert_eq!("require".parse::<ChannelBinding>().unwrap(), ChannelBinding::Require);
/// assert_eq!(ChannelBinding::default().as_str(), "prefer");
/// assert!("always".parse::<ChannelBinding>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChannelBinding {
    /// Never use channel binding.
    Disable,
    /// Use channel binding when the connection is TLS and the server offers it (the default).
    #[default]
    Prefer,
    /// Fail unless the exchange is SCRAM-SHA-256-PLUS over TLS.
    Require,
}

impl ChannelBinding {
    /// The accepted spellings, for error messages.
    pub const EXPECTED: &'static str = "disable, prefer or require";

    /// The libpq spelling of this value, as written in a DSN.
    ///
    /// ```
    /// use quarry_protocol::auth::ChannelBinding;
    /// assert_eq!(ChannelBinding::Disable.as_str(), "disable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelBinding::Disable => "disable",
            ChannelBinding::Prefer => "prefer",
            ChannelBinding::Require => "require",
        }
    }
}

impl fmt::Display for ChannelBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChannelBinding {
    type Err = InvalidChannelBinding;

    /// Parses `disable`, `prefer` or `require`, ASCII-case-insensitively as libpq does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        [
            ChannelBinding::Disable,
            ChannelBinding::Prefer,
            ChannelBinding::Require,
        ]
        .into_iter()
        .find(|value| s.eq_ignore_ascii_case(value.as_str()))
        .ok_or_else(|| InvalidChannelBinding {
            value: s.to_owned(),
        })
    }
}

/// A `channel_binding` value other than `disable`, `prefer` or `require`.
///
/// ```
/// use quarry_protocol::auth::ChannelBinding;
///
/// let err = "maybe".parse::<ChannelBinding>().unwrap_err();
/// assert_eq!(err.value, "maybe");
/// assert_eq!(ChannelBinding::EXPECTED, "disable, prefer or require");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid channel_binding value {value:?}: expected {}",
    ChannelBinding::EXPECTED
)]
pub struct InvalidChannelBinding {
    /// The value as given (trimmed).
    pub value: String,
}

/// The way the server asked the client to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// No password: AuthenticationOk came without any exchange.
    Trust,
    /// AuthenticationCleartextPassword.
    Cleartext,
    /// AuthenticationMD5Password.
    Md5,
    /// AuthenticationSASL.
    Sasl,
}

impl Mechanism {
    /// The mechanism's name as sent in SASLInitialResponse.
    ///
    /// ```
    /// use quarry_protocol::auth::Mechanism;
    /// assert_eq!(Mechanism::ScramSha256Plus.name(), "SCRAM-SHA-256-PLUS");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::ScramSha256Plus => "SCRAM-SHA-256-PLUS",
        }
    }
}

/// Picks the SASL mechanism and channel binding from the mechanisms the server offered in
/// AuthenticationSASL, following libpq:
///
/// - `Require`: SCRAM-SHA-256-PLUS with the TLS data, else [`AuthError::ChannelBindingRequired`].
/// - `Prefer`: PLUS when offered and `tls_end_point` is known; with TLS data but no PLUS
///   offered, plain SCRAM saying "I could have bound" (`y`); without TLS, plain SCRAM (`n`).
/// - `Disable`: plain SCRAM (`n`).
///
/// `tls_end_point` is the [`tls_server_end_point`](crate::auth::tls_server_end_point) hash of
/// the server certificate, `None` when the connection is not TLS.
///
/// ```
/// use quarry_protocol::auth::{choose_mechanism, ChannelBindingData, ChannelBinding, Mechanism};
///
/// let offered = vec!["SCRAM-SHA-256-PLUS".to_string(), "SCRAM-SHA-256".to_string()];
/// let hash = [7u8; 32];
/// let (mechanism, binding) = choose_mechanism(&offered, ChannelBinding::Prefer, Some(&hash))?;
/// assert_eq!(mechanism, Mechanism::ScramSha256Plus);
/// assert_eq!(binding, ChannelBindingData::TlsServerEndPoint(hash.to_vec()));
///
/// let (mechanism, binding) = choose_mechanism(&offered, ChannelBinding::Prefer, None)?;
/// assert_eq!((mechanism, binding), (Mechanism::ScramSha256, ChannelBindingData::Unsupported));
/// # Ok::<(), quarry_protocol::auth::AuthError>(())
/// ```
pub fn choose_mechanism(
    offered: &[String],
    channel_binding: ChannelBinding,
    tls_end_point: Option<&[u8]>,
) -> Result<(Mechanism, ChannelBindingData), AuthError> {
    let offers = |mechanism: Mechanism| offered.iter().any(|name| name == mechanism.name());
    let plus = offers(Mechanism::ScramSha256Plus);
    let plain = offers(Mechanism::ScramSha256);
    if !plus && !plain {
        return Err(AuthError::NoSupportedMechanism {
            offered: offered.to_vec(),
        });
    }
    let bound = |hash: &[u8]| {
        (
            Mechanism::ScramSha256Plus,
            ChannelBindingData::TlsServerEndPoint(hash.to_vec()),
        )
    };
    match (channel_binding, tls_end_point) {
        (ChannelBinding::Require, Some(hash)) if plus => Ok(bound(hash)),
        (ChannelBinding::Require, _) => Err(AuthError::ChannelBindingRequired),
        (ChannelBinding::Prefer, Some(hash)) if plus => Ok(bound(hash)),
        (ChannelBinding::Prefer, Some(_)) if plain => {
            Ok((Mechanism::ScramSha256, ChannelBindingData::SupportedNotUsed))
        }
        _ if plain => Ok((Mechanism::ScramSha256, ChannelBindingData::Unsupported)),
        // Only PLUS is offered, but there is no TLS data or binding is disabled.
        _ => Err(AuthError::NoSupportedMechanism {
            offered: offered.to_vec(),
        }),
    }
}

/// Checks that the password method the server asked for is acceptable under the
/// channel-binding policy: with `Require`, only SASL can bind the channel, so trust,
/// cleartext and md5 are refused with [`AuthError::ChannelBindingRequired`].
///
/// ```
/// use quarry_protocol::auth::{check_method_allowed, AuthError, AuthMethod, ChannelBinding};
///
/// assert!(check_method_allowed(AuthMethod::Md5, ChannelBinding::Prefer).is_ok());
/// assert_eq!(
///     check_method_allowed(AuthMethod::Md5, ChannelBinding::Require),
///     Err(AuthError::ChannelBindingRequired)
/// );
/// ```
pub fn check_method_allowed(method: AuthMethod, policy: ChannelBinding) -> Result<(), AuthError> {
    match (policy, method) {
        (ChannelBinding::Require, AuthMethod::Trust | AuthMethod::Cleartext | AuthMethod::Md5) => {
            Err(AuthError::ChannelBindingRequired)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChannelBinding::*;

    const HASH: &[u8] = &[1, 2, 3];

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn choose(
        offered: &[&str],
        policy: ChannelBinding,
        tls: Option<&[u8]>,
    ) -> Result<(Mechanism, ChannelBindingData), AuthError> {
        choose_mechanism(&names(offered), policy, tls)
    }

    const BOTH: &[&str] = &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"];
    const PLAIN: &[&str] = &["SCRAM-SHA-256"];
    const PLUS: &[&str] = &["SCRAM-SHA-256-PLUS"];

    fn bound() -> (Mechanism, ChannelBindingData) {
        (
            Mechanism::ScramSha256Plus,
            ChannelBindingData::TlsServerEndPoint(HASH.to_vec()),
        )
    }

    fn plain(data: ChannelBindingData) -> (Mechanism, ChannelBindingData) {
        (Mechanism::ScramSha256, data)
    }

    #[test]
    fn require() {
        assert_eq!(choose(BOTH, Require, Some(HASH)), Ok(bound()));
        assert_eq!(choose(PLUS, Require, Some(HASH)), Ok(bound()));
        assert_eq!(
            choose(BOTH, Require, None),
            Err(AuthError::ChannelBindingRequired)
        );
        assert_eq!(
            choose(PLAIN, Require, Some(HASH)),
            Err(AuthError::ChannelBindingRequired)
        );
    }

    #[test]
    fn prefer() {
        assert_eq!(choose(BOTH, Prefer, Some(HASH)), Ok(bound()));
        assert_eq!(
            choose(PLAIN, Prefer, Some(HASH)),
            Ok(plain(ChannelBindingData::SupportedNotUsed))
        );
        assert_eq!(
            choose(BOTH, Prefer, None),
            Ok(plain(ChannelBindingData::Unsupported))
        );
        assert!(matches!(
            choose(PLUS, Prefer, None),
            Err(AuthError::NoSupportedMechanism { .. })
        ));
    }

    #[test]
    fn disable() {
        assert_eq!(
            choose(BOTH, Disable, Some(HASH)),
            Ok(plain(ChannelBindingData::Unsupported))
        );
        assert_eq!(
            choose(PLAIN, Disable, None),
            Ok(plain(ChannelBindingData::Unsupported))
        );
        assert!(matches!(
            choose(PLUS, Disable, Some(HASH)),
            Err(AuthError::NoSupportedMechanism { .. })
        ));
    }

    #[test]
    fn nothing_supported() {
        let err = choose(&["OAUTHBEARER"], Prefer, None).unwrap_err();
        assert_eq!(
            err,
            AuthError::NoSupportedMechanism {
                offered: names(&["OAUTHBEARER"])
            }
        );
        assert!(err.to_string().contains("OAUTHBEARER"));
        assert!(choose(&[], Disable, None).is_err());
    }

    #[test]
    fn methods_under_require() {
        for method in [AuthMethod::Trust, AuthMethod::Cleartext, AuthMethod::Md5] {
            assert_eq!(
                check_method_allowed(method, Require),
                Err(AuthError::ChannelBindingRequired)
            );
            assert_eq!(check_method_allowed(method, Prefer), Ok(()));
            assert_eq!(check_method_allowed(method, Disable), Ok(()));
        }
        assert_eq!(check_method_allowed(AuthMethod::Sasl, Require), Ok(()));
    }
}
