//! `target_session_attrs`: which kind of server a multi-host connection should settle on.
//!
//! Parsed here; the connection code checks the server against it.

use super::keyword::keyword_enum;

/// The kind of session wanted when several hosts are listed (`target_session_attrs`).
///
/// ```
/// use quarry_driver::config::TargetSessionAttrs;
///
/// let attrs: TargetSessionAttrs = "read-write".parse().unwrap();
/// assert_eq!(attrs, TargetSessionAttrs::ReadWrite);
/// assert_eq!(TargetSessionAttrs::default(), TargetSessionAttrs::Any);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TargetSessionAttrs {
    /// Any server will do (the default).
    #[default]
    Any,
    /// A server that accepts writes.
    ReadWrite,
    /// A server in read-only mode (a standby, or `default_transaction_read_only`).
    ReadOnly,
    /// A server that is not in recovery.
    Primary,
    /// A server in recovery (a hot standby).
    Standby,
    /// A standby if one is reachable, else any server.
    PreferStandby,
}

keyword_enum!(TargetSessionAttrs, key = "target_session_attrs",
    expected = "any, read-write, read-only, primary, standby or prefer-standby", {
    Any => "any",
    ReadWrite => "read-write",
    ReadOnly => "read-only",
    Primary => "primary",
    Standby => "standby",
    PreferStandby => "prefer-standby",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for attrs in [
            TargetSessionAttrs::Any,
            TargetSessionAttrs::ReadWrite,
            TargetSessionAttrs::ReadOnly,
            TargetSessionAttrs::Primary,
            TargetSessionAttrs::Standby,
            TargetSessionAttrs::PreferStandby,
        ] {
            assert_eq!(attrs.as_str().parse::<TargetSessionAttrs>().unwrap(), attrs);
        }
        assert!("read_write".parse::<TargetSessionAttrs>().is_err());
    }
}
