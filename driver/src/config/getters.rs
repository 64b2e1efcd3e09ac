//! `Config`'s getters, with defaults applied, and what is derived from the settings: targets,
//! the password for a target, the effective user and database names.

use std::path::Path;
use std::time::Duration;

use super::host::{self, Host, Target};
use super::pgpass;
use super::{
    ChannelBinding, Config, LoadBalanceHosts, Password, Pooler, SslMode, SslNegotiation,
    SslRootCert, TargetSessionAttrs,
};

/// asyncpg's defaults for the statement cache.
const DEFAULT_STATEMENT_CACHE_SIZE: usize = 100;
const DEFAULT_STATEMENT_CACHE_MAX_LIFETIME: Duration = Duration::from_secs(300);
const DEFAULT_STATEMENT_CACHE_MAX_STATEMENT_SIZE: usize = 15 * 1024;

impl Config {
    /// The hosts, in order; empty when none was given (see [`Config::targets`]).
    pub fn get_hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// The ports as given: none, one for all hosts, or one per host.
    pub fn get_ports(&self) -> &[u16] {
        &self.ports
    }

    /// The user name, if set (see [`Config::user_or_default`]).
    pub fn get_user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The explicit password, if set (see [`Config::password_for`]).
    pub fn get_password(&self) -> Option<&Password> {
        self.password.as_ref()
    }

    /// The database name, if set (see [`Config::dbname_or_default`]).
    pub fn get_dbname(&self) -> Option<&str> {
        self.dbname.as_deref()
    }

    /// The TLS mode (default `prefer`). For a Unix socket use [`Config::sslmode_for`].
    pub fn get_sslmode(&self) -> SslMode {
        self.sslmode.unwrap_or_default()
    }

    /// The TLS mode for one target: always `disable` for a Unix socket, which never uses TLS.
    ///
    /// ```
    /// use quarry_driver::config::{Config, SslMode};
    ///
    /// let config = Config::parse("host=/tmp,db.example.com sslmode=require")?;
    /// let targets = config.targets();
    /// assert_eq!(config.sslmode_for(&targets[0]), SslMode::Disable);
    /// assert_eq!(config.sslmode_for(&targets[1]), SslMode::Require);
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn sslmode_for(&self, target: &Target) -> SslMode {
        if target.host.is_unix() {
            SslMode::Disable
        } else {
            self.get_sslmode()
        }
    }

    /// Where trusted CA certificates come from, if set (unset: `net/` decides).
    pub fn get_ssl_root_cert(&self) -> Option<&SslRootCert> {
        self.ssl_root_cert.as_ref()
    }

    /// The client certificate file, if set.
    pub fn get_ssl_cert(&self) -> Option<&Path> {
        self.ssl_cert.as_deref()
    }

    /// The client private key file, if set.
    pub fn get_ssl_key(&self) -> Option<&Path> {
        self.ssl_key.as_deref()
    }

    /// How TLS is started (default `postgres`).
    pub fn get_ssl_negotiation(&self) -> SslNegotiation {
        self.ssl_negotiation.unwrap_or_default()
    }

    /// Whether SCRAM channel binding is used (default `prefer`).
    pub fn get_channel_binding(&self) -> ChannelBinding {
        self.channel_binding.unwrap_or_default()
    }

    /// `application_name`, if set.
    pub fn get_application_name(&self) -> Option<&str> {
        self.application_name.as_deref()
    }

    /// The time limit for connecting to each host; `None` means no limit (the default).
    pub fn get_connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout.flatten()
    }

    /// The `options` startup parameter, if set.
    pub fn get_options(&self) -> Option<&str> {
        self.options.as_deref()
    }

    /// The kind of server wanted (default `any`).
    pub fn get_target_session_attrs(&self) -> TargetSessionAttrs {
        self.target_session_attrs.unwrap_or_default()
    }

    /// The order in which hosts are tried (default `disable`: as listed).
    pub fn get_load_balance_hosts(&self) -> LoadBalanceHosts {
        self.load_balance_hosts.unwrap_or_default()
    }

    /// What stands between Quarry and the server (default [`Pooler::Auto`]).
    pub fn get_pooler(&self) -> Pooler {
        self.pooler.unwrap_or_default()
    }

    /// How many prepared statements each connection caches (default 100, or 0 with
    /// `pooler=transaction`; 0 = off).
    pub fn get_statement_cache_size(&self) -> usize {
        let default = match self.get_pooler() {
            Pooler::Transaction => 0,
            _ => DEFAULT_STATEMENT_CACHE_SIZE,
        };
        self.statement_cache_size.unwrap_or(default)
    }

    /// How long a cached statement may live (default 300 s; zero = forever).
    pub fn get_statement_cache_max_lifetime(&self) -> Duration {
        self.statement_cache_max_lifetime
            .unwrap_or(DEFAULT_STATEMENT_CACHE_MAX_LIFETIME)
    }

    /// The longest SQL text, in bytes, whose statement is cached (default 15 KiB; 0 = no limit).
    pub fn get_statement_cache_max_statement_size(&self) -> usize {
        self.statement_cache_max_statement_size
            .unwrap_or(DEFAULT_STATEMENT_CACHE_MAX_STATEMENT_SIZE)
    }

    /// The default time limit for each command; `None` means no limit (the default).
    pub fn get_command_timeout(&self) -> Option<Duration> {
        self.command_timeout
    }

    /// The password file, if set (default `$HOME/.pgpass`).
    pub fn get_passfile(&self) -> Option<&Path> {
        self.passfile.as_deref()
    }

    /// Server settings sent in the startup packet, in order (every DSN key that is not a
    /// connection setting, plus [`Config::server_setting`] calls).
    pub fn server_settings(&self) -> &[(String, String)] {
        &self.server_settings
    }

    /// The places to try, in order: each host with its port. With no host, each default Unix
    /// socket directory (`/run/postgresql`, `/var/run/postgresql`, `/tmp`) whose socket file
    /// exists, then `localhost` over TCP.
    ///
    /// ```
    /// use quarry_driver::config::{Config, Host, Target};
    ///
    /// let config = Config::parse("postgres://a:5433,[::1]/app")?;
    /// assert_eq!(config.targets(), vec![
    ///     Target { host: Host::Tcp("a".into()), port: 5433 },
    ///     Target { host: Host::Tcp("::1".into()), port: 5432 },
    /// ]);
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn targets(&self) -> Vec<Target> {
        host::resolve(&self.hosts, &self.ports)
    }

    /// The password to use for `target`: the explicit one, else the first matching line of the
    /// password file, else `None`.
    ///
    /// ```no_run
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::from_dsn("postgres://alice@db.example.com/app")?;
    /// let target = &config.targets()[0];
    /// let password = config.password_for(target); // from ~/.pgpass if it has a line
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn password_for(&self, target: &Target) -> Option<Password> {
        if let Some(password) = &self.password {
            return Some(password.clone());
        }
        let path = pgpass::default_path(self.passfile.as_deref())?;
        let user = self.user_or_default();
        let dbname = self.dbname_or_default();
        let lookup = pgpass::Lookup {
            target,
            dbname: &dbname,
            user: &user,
        };
        pgpass::find(&path, &lookup)
    }

    /// The user name: the one set, else `$USER`, `$LOGNAME` or `$USERNAME`, else `postgres`.
    pub fn user_or_default(&self) -> String {
        if let Some(user) = &self.user {
            return user.clone();
        }
        ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|name| !name.is_empty())
            .unwrap_or_else(|| "postgres".to_owned())
    }

    /// The database name: the one set, else the user name.
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::parse("user=alice")?;
    /// assert_eq!(config.dbname_or_default(), "alice");
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn dbname_or_default(&self) -> String {
        self.dbname
            .clone()
            .unwrap_or_else(|| self.user_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_password() {
        let c = Config::parse("postgres://u:topsecret@h/d").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("topsecret"));
        assert!(shown.contains("<redacted>"));
        let shown = format!("{:#?}", c.get_password());
        assert!(!shown.contains("topsecret"));
    }

    #[test]
    fn unix_targets_never_use_tls() {
        let c = Config::parse("host=@abstract sslmode=verify-full").unwrap();
        let t = &c.targets()[0];
        assert_eq!(c.sslmode_for(t), SslMode::Disable);
        assert_eq!(
            t.socket_path().unwrap(),
            Path::new("@abstract/.s.PGSQL.5432")
        );
    }

    #[test]
    fn dbname_defaults_to_user() {
        assert_eq!(Config::parse("user=x").unwrap().dbname_or_default(), "x");
        assert_eq!(
            Config::parse("user=x dbname=y")
                .unwrap()
                .dbname_or_default(),
            "y"
        );
        assert!(!Config::new().user_or_default().is_empty());
    }
}
