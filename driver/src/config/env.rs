//! `PG*` environment variables: libpq's fallbacks for settings a DSN left unset.
//!
//! The environment is read through a caller-given function, so tests pass a map and never touch
//! the process environment.

use super::{Config, ConfigError, settings};

/// Each variable and the DSN key word it stands for, in the order they are applied
/// (`PGHOST` before `PGHOSTADDR`, so a host name wins over an address).
const VARIABLES: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGPASSFILE", "passfile"),
    ("PGDATABASE", "dbname"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGSSLNEGOTIATION", "sslnegotiation"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGAPPNAME", "application_name"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGOPTIONS", "options"),
    ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ("PGLOADBALANCEHOSTS", "load_balance_hosts"),
];

/// Sets every still-unset setting whose variable `env` returns non-empty.
pub(super) fn apply(
    config: &mut Config,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    for &(variable, key) in VARIABLES {
        if settings::is_set(config, key) {
            continue;
        }
        if let Some(value) = env(variable).filter(|v| !v.is_empty()) {
            settings::set(config, key, &value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::time::Duration;

    use crate::config::{
        ChannelBinding, Config, Host, SslMode, SslNegotiation, SslRootCert, TargetSessionAttrs,
    };

    fn with_env(dsn: &str, vars: &[(&str, &str)]) -> Config {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut config = Config::parse(dsn).unwrap();
        config
            .apply_env_with(|name| env.get(name).cloned())
            .unwrap();
        config
    }

    #[test]
    fn every_variable_fills_an_empty_config() {
        let c = with_env(
            "",
            &[
                ("PGHOST", "h1,h2"),
                ("PGPORT", "1,2"),
                ("PGUSER", "u"),
                ("PGPASSWORD", "pw"),
                ("PGPASSFILE", "/pass"),
                ("PGDATABASE", "db"),
                ("PGSSLMODE", "verify-ca"),
                ("PGSSLROOTCERT", "system"),
                ("PGSSLCERT", "/c.pem"),
                ("PGSSLKEY", "/k.pem"),
                ("PGSSLNEGOTIATION", "direct"),
                ("PGCHANNELBINDING", "require"),
                ("PGAPPNAME", "app"),
                ("PGCONNECT_TIMEOUT", "7"),
                ("PGOPTIONS", "-c x=y"),
                ("PGTARGETSESSIONATTRS", "standby"),
            ],
        );
        assert_eq!(
            c.get_hosts(),
            &[Host::Tcp("h1".into()), Host::Tcp("h2".into())]
        );
        assert_eq!(c.get_ports(), &[1, 2]);
        assert_eq!(c.get_user(), Some("u"));
        assert_eq!(c.get_password().unwrap().as_str(), "pw");
        assert_eq!(c.get_passfile(), Some(Path::new("/pass")));
        assert_eq!(c.get_dbname(), Some("db"));
        assert_eq!(c.get_sslmode(), SslMode::VerifyCa);
        assert_eq!(c.get_ssl_root_cert(), Some(&SslRootCert::System));
        assert_eq!(c.get_ssl_cert(), Some(Path::new("/c.pem")));
        assert_eq!(c.get_ssl_key(), Some(Path::new("/k.pem")));
        assert_eq!(c.get_ssl_negotiation(), SslNegotiation::Direct);
        assert_eq!(c.get_channel_binding(), ChannelBinding::Require);
        assert_eq!(c.get_application_name(), Some("app"));
        assert_eq!(c.get_connect_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(c.get_options(), Some("-c x=y"));
        assert_eq!(c.get_target_session_attrs(), TargetSessionAttrs::Standby);
    }

    #[test]
    fn dsn_wins_over_env() {
        let c = with_env(
            "postgres://alice@dbhost:6000/app?sslmode=disable&connect_timeout=0",
            &[
                ("PGHOST", "other"),
                ("PGPORT", "7000"),
                ("PGUSER", "bob"),
                ("PGDATABASE", "x"),
                ("PGSSLMODE", "require"),
                ("PGCONNECT_TIMEOUT", "5"),
                ("PGPASSWORD", "pw"),
            ],
        );
        assert_eq!(c.get_hosts(), &[Host::Tcp("dbhost".into())]);
        assert_eq!(c.get_ports(), &[6000]);
        assert_eq!(c.get_user(), Some("alice"));
        assert_eq!(c.get_dbname(), Some("app"));
        assert_eq!(c.get_sslmode(), SslMode::Disable);
        assert_eq!(c.get_connect_timeout(), None);
        assert_eq!(c.get_password().unwrap().as_str(), "pw");
    }

    #[test]
    fn hostaddr_only_when_no_host() {
        let c = with_env("", &[("PGHOSTADDR", "10.0.0.1")]);
        assert_eq!(c.get_hosts(), &[Host::Tcp("10.0.0.1".into())]);
        let c = with_env("", &[("PGHOST", "name"), ("PGHOSTADDR", "10.0.0.1")]);
        assert_eq!(c.get_hosts(), &[Host::Tcp("name".into())]);
        let c = with_env("hostaddr=10.0.0.2", &[("PGHOST", "name")]);
        assert_eq!(c.get_hosts(), &[Host::Tcp("10.0.0.2".into())]);
    }

    #[test]
    fn empty_variables_are_unset_and_bad_ones_fail() {
        let c = with_env("", &[("PGUSER", ""), ("PGHOST", "")]);
        assert_eq!(c.get_user(), None);
        assert!(c.get_hosts().is_empty());
        let mut c = Config::new();
        assert!(
            c.apply_env_with(|n| (n == "PGSSLMODE").then(|| "bogus".to_owned()))
                .is_err()
        );
        let mut c = Config::parse("host=a,b,c").unwrap();
        assert!(
            c.apply_env_with(|n| (n == "PGPORT").then(|| "1,2".to_owned()))
                .is_err()
        );
    }
}
