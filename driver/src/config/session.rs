//! `target_session_attrs`: which kind of server a multi-host connection should settle on.
//!
//! Parsed and judged here ([`TargetSessionAttrs::accepts`]); the connection code asks the server
//! for its state and skips hosts that do not suit.

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

impl TargetSessionAttrs {
    /// Whether a server in this state suits these attributes, as libpq decides: `read_only` is
    /// `default_transaction_read_only` (or `transaction_read_only` on servers before 14),
    /// `in_hot_standby` whether the server is a standby in recovery. [`Self::PreferStandby`]
    /// accepts any server here; the connection code first looks for a standby on every host.
    ///
    /// ```
    /// use quarry_driver::config::TargetSessionAttrs;
    ///
    /// assert!(TargetSessionAttrs::ReadWrite.accepts(false, false));
    /// assert!(!TargetSessionAttrs::ReadWrite.accepts(true, false));
    /// assert!(TargetSessionAttrs::ReadOnly.accepts(false, true));
    /// assert!(!TargetSessionAttrs::Standby.accepts(true, false));
    /// ```
    pub fn accepts(self, read_only: bool, in_hot_standby: bool) -> bool {
        match self {
            Self::Any | Self::PreferStandby => true,
            Self::ReadWrite => !read_only && !in_hot_standby,
            Self::ReadOnly => read_only || in_hot_standby,
            Self::Primary => !in_hot_standby,
            Self::Standby => in_hot_standby,
        }
    }
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

impl super::Config {
    /// Sets `target_session_attrs` when the DSN or the code left it unset (a pool's replicas
    /// default to `standby`; an explicit `any` is kept).
    pub(crate) fn default_target_session_attrs(&mut self, attrs: TargetSessionAttrs) {
        self.target_session_attrs.get_or_insert(attrs);
    }

    /// Makes the connections' transactions read only by default, held across resets (a
    /// pool's replicas).
    pub(crate) fn set_read_only_session(&mut self) {
        self.read_only_session = true;
    }

    pub(crate) fn read_only_session(&self) -> bool {
        self.read_only_session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_follows_libpq() {
        use TargetSessionAttrs::*;
        // (read_only, in_hot_standby): primary rw, primary ro, standby.
        let states = [(false, false), (true, false), (true, true)];
        let expect = [
            (Any, [true, true, true]),
            (PreferStandby, [true, true, true]),
            (ReadWrite, [true, false, false]),
            (ReadOnly, [false, true, true]),
            (Primary, [true, true, false]),
            (Standby, [false, false, true]),
        ];
        for (attrs, answers) in expect {
            for ((ro, hs), want) in states.iter().zip(answers) {
                assert_eq!(attrs.accepts(*ro, *hs), want, "{attrs} ro={ro} hs={hs}");
            }
        }
    }

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
