//! `load_balance_hosts` and `pooler`: how a multi-host connection spreads over its hosts, and
//! what stands between Quarry and the server.
//!
//! Both are parsed here; `connection/startup.rs` orders the hosts, and the session-only features
//! (`LISTEN`) consult [`Pooler`] before they run.

use super::keyword::keyword_enum;

/// The order in which the hosts of a multi-host DSN are tried (`load_balance_hosts`, libpq 16's
/// meaning).
///
/// ```
/// use quarry_driver::config::{Config, LoadBalanceHosts};
///
/// let config = Config::parse("postgres://a,b,c/app?load_balance_hosts=random")?;
/// assert_eq!(config.get_load_balance_hosts(), LoadBalanceHosts::Random);
/// assert_eq!(LoadBalanceHosts::default(), LoadBalanceHosts::Disable);
/// # Ok::<(), quarry_driver::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LoadBalanceHosts {
    /// The hosts are tried in the order given (the default).
    #[default]
    Disable,
    /// The hosts are tried in a random order, drawn anew for each connection, so connections
    /// spread over the hosts. `target_session_attrs` still applies to each host tried.
    Random,
}

keyword_enum!(LoadBalanceHosts, key = "load_balance_hosts",
    expected = "disable or random", {
    Disable => "disable",
    Random => "random",
});

/// What stands between Quarry and the PostgreSQL server (`pooler`): Quarry's own setting,
/// consulted by the features that need a server session of their own (`LISTEN`).
///
/// In [`Pooler::Auto`] (the default) such a feature first checks whether the connection really
/// reaches one backend: behind pgbouncer or another pooler, the process id the pooler announced
/// at startup is not the backend's `pg_backend_pid()`. A connection through a pooler then gets
/// [`Error::SessionFeatureThroughPooler`](crate::Error::SessionFeatureThroughPooler) unless the DSN
/// says `pooler=session`. `pooler=transaction` refuses those features without asking the server,
/// and makes the statement cache default to 0 (unnamed statements).
///
/// ```
/// use quarry_driver::config::{Config, Pooler};
///
/// let config = Config::parse("postgres://pgbouncer:6432/app?pooler=transaction")?;
/// assert_eq!(config.get_pooler(), Pooler::Transaction);
/// assert_eq!(config.get_statement_cache_size(), 0);
/// # Ok::<(), quarry_driver::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pooler {
    /// Detect a pooler when a session-only feature is used (the default).
    #[default]
    Auto,
    /// The connection goes straight to the server: no check.
    None,
    /// A pooler in session mode (each client keeps one server session): session features work.
    Session,
    /// A pooler in transaction (or statement) mode: a server session lasts one transaction, so
    /// session-only features are refused.
    Transaction,
}

keyword_enum!(Pooler, key = "pooler",
    expected = "auto, none, session or transaction", {
    Auto => "auto",
    None => "none",
    Session => "session",
    Transaction => "transaction",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn spellings_round_trip() {
        for mode in [LoadBalanceHosts::Disable, LoadBalanceHosts::Random] {
            assert_eq!(mode.as_str().parse::<LoadBalanceHosts>().unwrap(), mode);
        }
        for pooler in [
            Pooler::Auto,
            Pooler::None,
            Pooler::Session,
            Pooler::Transaction,
        ] {
            assert_eq!(pooler.as_str().parse::<Pooler>().unwrap(), pooler);
        }
        assert!("roundrobin".parse::<LoadBalanceHosts>().is_err());
        assert!("statement".parse::<Pooler>().is_err());
    }

    #[test]
    fn neither_is_sent_to_the_server() {
        for dsn in [
            "postgres://a,b/app?load_balance_hosts=random&pooler=transaction",
            "host=a,b load_balance_hosts=disable pooler=session",
        ] {
            let config = Config::parse(dsn).unwrap();
            assert!(config.server_settings().is_empty(), "{dsn}: {config:?}");
        }
        let err = Config::parse("host=a load_balance_hosts=sometimes").unwrap_err();
        assert!(err.to_string().contains("disable or random"), "{err}");
    }

    #[test]
    fn transaction_pooler_turns_the_statement_cache_off_unless_set() {
        let config = Config::parse("host=a pooler=transaction").unwrap();
        assert_eq!(config.get_statement_cache_size(), 0);
        let config = Config::parse("host=a pooler=transaction statement_cache_size=5").unwrap();
        assert_eq!(config.get_statement_cache_size(), 5);
        let config = Config::parse("host=a pooler=session").unwrap();
        assert_eq!(config.get_statement_cache_size(), 100);
    }
}
