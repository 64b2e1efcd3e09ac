//! `Config`'s setters: building a config in code, as with tokio-postgres.
//!
//! Each setter takes the `Config` by value and returns it, for chaining, as every builder of
//! Quarry's does. `host` and `port` push onto their lists; the others replace.

use std::path::PathBuf;
use std::time::Duration;

use super::{
    ChannelBinding, Config, Host, LoadBalanceHosts, Password, Pooler, SslMode, SslNegotiation,
    SslRootCert, TargetSessionAttrs,
};

impl Config {
    /// Adds a host. A value starting with `/` or `@` is a Unix socket directory; anything else a
    /// host name or IP address.
    ///
    /// ```
    /// use quarry_driver::config::{Config, Host};
    ///
    /// let config = Config::new().host("primary.example.com").host("/var/run/postgresql");
    /// assert_eq!(config.get_hosts()[1], Host::Unix("/var/run/postgresql".into()));
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn host(mut self, host: impl AsRef<str>) -> Config {
        if self.hosts_from_hostaddr {
            self.hosts.clear();
            self.hosts_from_hostaddr = false;
        }
        self.hosts.push(Host::parse(host.as_ref()));
        self
    }

    /// Adds a port: give one for all hosts, or one per host in the same order.
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().host("a").port(5433).host("b").port(5434);
    /// assert_eq!(config.targets()[1].port, 5434);
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn port(mut self, port: u16) -> Config {
        self.ports.push(port);
        self
    }

    /// Sets the user name.
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().user("postgres");
    /// assert_eq!(config.get_user(), Some("postgres"));
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn user(mut self, user: impl Into<String>) -> Config {
        self.user = Some(user.into());
        self
    }

    /// Sets the password (else `.pgpass` is consulted).
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().password("s3cret");
    /// assert_eq!(config.get_password().unwrap().as_str(), "s3cret");
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn password(mut self, password: impl Into<String>) -> Config {
        self.password = Some(Password::new(password));
        self
    }

    /// Sets the database name (default: the user name).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn dbname(mut self, dbname: impl Into<String>) -> Config {
        self.dbname = Some(dbname.into());
        self
    }

    /// Sets the TLS mode (default `prefer`).
    ///
    /// ```
    /// use quarry_driver::config::{Config, SslMode};
    ///
    /// let config = Config::new().sslmode(SslMode::VerifyFull);
    /// assert_eq!(config.get_sslmode(), SslMode::VerifyFull);
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn sslmode(mut self, sslmode: SslMode) -> Config {
        self.sslmode = Some(sslmode);
        self
    }

    /// Sets where trusted CA certificates come from.
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn ssl_root_cert(mut self, root_cert: SslRootCert) -> Config {
        self.ssl_root_cert = Some(root_cert);
        self
    }

    /// Sets the client certificate file (PEM) for TLS client authentication.
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn ssl_cert(mut self, path: impl Into<PathBuf>) -> Config {
        self.ssl_cert = Some(path.into());
        self
    }

    /// Sets the client private key file (PEM) for TLS client authentication.
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn ssl_key(mut self, path: impl Into<PathBuf>) -> Config {
        self.ssl_key = Some(path.into());
        self
    }

    /// Sets how TLS is started (default `postgres`).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn ssl_negotiation(mut self, negotiation: SslNegotiation) -> Config {
        self.ssl_negotiation = Some(negotiation);
        self
    }

    /// Sets whether SCRAM channel binding is used (default `prefer`).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn channel_binding(mut self, channel_binding: ChannelBinding) -> Config {
        self.channel_binding = Some(channel_binding);
        self
    }

    /// Sets `application_name`, shown in `pg_stat_activity`.
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn application_name(mut self, name: impl Into<String>) -> Config {
        self.application_name = Some(name.into());
        self
    }

    /// Sets how long to wait for each host to accept a connection (default: no limit).
    /// A zero duration means no limit.
    ///
    /// ```
    /// use std::time::Duration;
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().connect_timeout(Duration::from_secs(10));
    /// assert_eq!(config.get_connect_timeout(), Some(Duration::from_secs(10)));
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn connect_timeout(mut self, timeout: Duration) -> Config {
        self.connect_timeout = Some((!timeout.is_zero()).then_some(timeout));
        self
    }

    /// Sets the `options` startup parameter (command-line options for the server backend,
    /// e.g. `-c search_path=app`).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn options(mut self, options: impl Into<String>) -> Config {
        self.options = Some(options.into());
        self
    }

    /// Sets the kind of server wanted when several hosts are listed (default `any`).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn target_session_attrs(mut self, attrs: TargetSessionAttrs) -> Config {
        self.target_session_attrs = Some(attrs);
        self
    }

    /// Sets the order in which hosts are tried (default `disable`: as listed; `random`: a new
    /// random order for each connection, libpq 16's `load_balance_hosts`).
    ///
    /// ```
    /// use quarry_driver::config::{Config, LoadBalanceHosts};
    ///
    /// let config = Config::new().host("a").host("b").load_balance_hosts(LoadBalanceHosts::Random);
    /// assert_eq!(config.get_load_balance_hosts(), LoadBalanceHosts::Random);
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn load_balance_hosts(mut self, mode: LoadBalanceHosts) -> Config {
        self.load_balance_hosts = Some(mode);
        self
    }

    /// Says what stands between Quarry and the server (default [`Pooler::Auto`]: detected when
    /// a session-only feature such as `LISTEN` is used). `Pooler::Transaction` refuses
    /// session-only features and makes the statement cache default to 0.
    ///
    /// ```
    /// use quarry_driver::config::{Config, Pooler};
    ///
    /// let config = Config::new().host("pgbouncer").port(6432).pooler(Pooler::Transaction);
    /// assert_eq!(config.get_statement_cache_size(), 0);
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn pooler(mut self, pooler: Pooler) -> Config {
        self.pooler = Some(pooler);
        self
    }

    /// Sets how many prepared statements each connection caches (default 100; 0 turns the
    /// cache off, as needed behind pgbouncer in transaction mode).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn statement_cache_size(mut self, size: usize) -> Config {
        self.statement_cache_size = Some(size);
        self
    }

    /// Sets how long a cached statement may live (default 300 s; zero means forever).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn statement_cache_max_lifetime(mut self, lifetime: Duration) -> Config {
        self.statement_cache_max_lifetime = Some(lifetime);
        self
    }

    /// Sets the longest SQL text, in bytes, whose statement is cached (default 15 KiB; 0 means
    /// no limit).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn statement_cache_max_statement_size(mut self, bytes: usize) -> Config {
        self.statement_cache_max_statement_size = Some(bytes);
        self
    }

    /// Sets the default time limit for each command (default: none). Zero means none.
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn command_timeout(mut self, timeout: Duration) -> Config {
        self.command_timeout = (!timeout.is_zero()).then_some(timeout);
        self
    }

    /// Sets a server setting sent in the startup packet (e.g. `search_path`), replacing an
    /// earlier value of the same name.
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().server_setting("search_path", "app,public");
    /// assert_eq!(config.server_settings()[0].1, "app,public");
    /// ```
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn server_setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Config {
        let name = name.into();
        self.server_settings.retain(|(n, _)| *n != name);
        self.server_settings.push((name, value.into()));
        self
    }

    /// Sets the password file (default `$HOME/.pgpass`).
    #[must_use = "a Config setter returns the changed Config: chain it or assign the result"]
    pub fn passfile(mut self, path: impl Into<PathBuf>) -> Config {
        self.passfile = Some(path.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setter_round_trips() {
        let c = Config::new()
            .host("h")
            .port(1)
            .user("u")
            .password("p")
            .dbname("d")
            .sslmode(SslMode::Require)
            .ssl_root_cert(SslRootCert::File("/ca".into()))
            .ssl_cert("/c")
            .ssl_key("/k")
            .ssl_negotiation(SslNegotiation::Direct)
            .channel_binding(ChannelBinding::Disable)
            .application_name("a")
            .connect_timeout(Duration::from_secs(3))
            .options("-c x=1")
            .target_session_attrs(TargetSessionAttrs::Primary)
            .statement_cache_size(5)
            .statement_cache_max_lifetime(Duration::from_secs(9))
            .statement_cache_max_statement_size(10)
            .command_timeout(Duration::from_millis(20))
            .server_setting("search_path", "a")
            .server_setting("search_path", "b")
            .passfile("/pp");
        assert_eq!(c.get_hosts(), &[Host::Tcp("h".into())]);
        assert_eq!(c.get_ports(), &[1]);
        assert_eq!(c.get_user(), Some("u"));
        assert_eq!(c.get_password(), Some(&Password::new("p")));
        assert_eq!(c.get_dbname(), Some("d"));
        assert_eq!(c.get_sslmode(), SslMode::Require);
        assert_eq!(
            c.get_ssl_root_cert(),
            Some(&SslRootCert::File("/ca".into()))
        );
        assert_eq!(c.get_ssl_cert(), Some(std::path::Path::new("/c")));
        assert_eq!(c.get_ssl_key(), Some(std::path::Path::new("/k")));
        assert_eq!(c.get_ssl_negotiation(), SslNegotiation::Direct);
        assert_eq!(c.get_channel_binding(), ChannelBinding::Disable);
        assert_eq!(c.get_application_name(), Some("a"));
        assert_eq!(c.get_connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(c.get_options(), Some("-c x=1"));
        assert_eq!(c.get_target_session_attrs(), TargetSessionAttrs::Primary);
        assert_eq!(c.get_statement_cache_size(), 5);
        assert_eq!(c.get_statement_cache_max_lifetime(), Duration::from_secs(9));
        assert_eq!(c.get_statement_cache_max_statement_size(), 10);
        assert_eq!(c.get_command_timeout(), Some(Duration::from_millis(20)));
        assert_eq!(
            c.server_settings(),
            &[("search_path".to_owned(), "b".to_owned())]
        );
        assert_eq!(c.get_passfile(), Some(std::path::Path::new("/pp")));
    }

    #[test]
    fn defaults() {
        let c = Config::new();
        assert!(c.get_hosts().is_empty());
        assert_eq!(c.get_sslmode(), SslMode::Prefer);
        assert_eq!(c.get_statement_cache_size(), 100);
        assert_eq!(
            c.get_statement_cache_max_lifetime(),
            Duration::from_secs(300)
        );
        assert_eq!(c.get_statement_cache_max_statement_size(), 15 * 1024);
        assert_eq!(c.get_connect_timeout(), None);
        assert_eq!(c.get_command_timeout(), None);
        assert_eq!(c.get_target_session_attrs(), TargetSessionAttrs::Any);
    }
}
