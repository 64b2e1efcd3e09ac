//! Connection settings: DSN and key=value parsing, PG* environment variables, .pgpass, hosts.
//!
//! `Config` holds what a connection needs to know before it opens a socket, with libpq's
//! semantics: a DSN (URL or `key=value` form) first, then `PG*` environment variables for what the
//! DSN left unset, then defaults (applied by the getters, never stored). This module only parses
//! and resolves; `net/` and `connection/` act on the result.
//!
//! Files: `dsn_url.rs` and `dsn_keyvalue.rs` split a DSN into key/value pairs, `settings.rs`
//! applies one pair to a `Config`, `env.rs` the environment, `pgpass.rs` reads the password file,
//! `host.rs` resolves hosts into targets, `builder.rs` and `getters.rs` are the public API.

mod balance;
mod builder;
mod dsn_keyvalue;
mod dsn_url;
mod env;
mod error;
mod getters;
mod host;
mod keyword;
mod password;
pub(crate) mod pgpass;
mod session;
mod settings;
mod ssl;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub use balance::{LoadBalanceHosts, Pooler};
pub use error::ConfigError;
pub use host::{Host, Target};
pub use password::Password;
pub use session::TargetSessionAttrs;
pub use ssl::{ChannelBinding, SslMode, SslNegotiation, SslRootCert};

/// Connection settings, as parsed from a DSN, the environment, or set one by one.
///
/// Unset settings take their defaults in the getters (port 5432, `sslmode=prefer`, a statement
/// cache of 100 statements, ...). `Debug` never prints the password.
///
/// ```
/// use quarry_driver::config::{Config, SslMode};
///
/// let config = Config::parse("postgres://alice:secret@db.example.com:5433/app?sslmode=require")?;
/// assert_eq!(config.get_user(), Some("alice"));
/// assert_eq!(config.get_dbname(), Some("app"));
/// assert_eq!(config.get_ports(), &[5433]);
/// assert_eq!(config.get_sslmode(), SslMode::Require);
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), quarry_driver::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Config {
    hosts: Vec<Host>,
    /// The host list came from `hostaddr`, so a later `host` or `hostaddr` replaces it.
    hosts_from_hostaddr: bool,
    ports: Vec<u16>,
    user: Option<String>,
    password: Option<Password>,
    dbname: Option<String>,
    sslmode: Option<SslMode>,
    ssl_root_cert: Option<SslRootCert>,
    ssl_cert: Option<PathBuf>,
    ssl_key: Option<PathBuf>,
    ssl_negotiation: Option<SslNegotiation>,
    channel_binding: Option<ChannelBinding>,
    application_name: Option<String>,
    /// `Some(None)`: set, to "wait forever" (libpq's `connect_timeout=0`), so the environment
    /// does not apply.
    connect_timeout: Option<Option<Duration>>,
    options: Option<String>,
    target_session_attrs: Option<TargetSessionAttrs>,
    load_balance_hosts: Option<LoadBalanceHosts>,
    pooler: Option<Pooler>,
    statement_cache_size: Option<usize>,
    statement_cache_max_lifetime: Option<Duration>,
    statement_cache_max_statement_size: Option<usize>,
    command_timeout: Option<Duration>,
    server_settings: Vec<(String, String)>,
    passfile: Option<PathBuf>,
    /// Transactions read only by default, held by the connection (a pool's replicas).
    read_only_session: bool,
}

impl Config {
    /// An empty config: nothing set, no environment applied.
    ///
    /// ```
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::new().host("localhost").port(5432).user("postgres").dbname("app");
    /// assert_eq!(config.targets().len(), 1);
    /// ```
    pub fn new() -> Config {
        Config::default()
    }

    /// Parses a DSN (`postgres://...` URL or `key=value ...` string) without looking at the
    /// environment. An empty string is an empty config, as in libpq.
    ///
    /// ```
    /// use quarry_driver::config::{Config, Host};
    ///
    /// let config = Config::parse("host=/var/run/postgresql port=5433 dbname='my db'")?;
    /// assert_eq!(config.get_hosts(), &[Host::Unix("/var/run/postgresql".into())]);
    /// assert_eq!(config.get_dbname(), Some("my db"));
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn parse(dsn: &str) -> Result<Config, ConfigError> {
        let mut config = Config::new();
        if dsn_url::is_url(dsn) {
            dsn_url::parse_into(&mut config, dsn)?;
        } else {
            dsn_keyvalue::parse_into(&mut config, dsn)?;
        }
        config.check_port_count()?;
        Ok(config)
    }

    /// Parses a DSN, then fills what it left unset from the `PG*` environment variables
    /// (libpq's order: DSN, then environment, then defaults).
    ///
    /// ```no_run
    /// use quarry_driver::config::Config;
    ///
    /// // With PGPASSWORD set in the environment, the password comes from there.
    /// let config = Config::from_dsn("postgres://alice@db.example.com/app")?;
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn from_dsn(dsn: &str) -> Result<Config, ConfigError> {
        let mut config = Config::parse(dsn)?;
        config.apply_env_with(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// A config from the `PG*` environment variables only.
    ///
    /// ```no_run
    /// use quarry_driver::config::Config;
    ///
    /// let config = Config::from_env()?;
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_dsn("")
    }

    /// Fills every setting that is still unset from the environment, read through `env`
    /// (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, ...). Empty variables count as
    /// unset.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use quarry_driver::config::Config;
    ///
    /// let env = HashMap::from([("PGUSER", "bob"), ("PGDATABASE", "shop")]);
    /// let mut config = Config::parse("user=alice")?;
    /// config.apply_env_with(|name| env.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(config.get_user(), Some("alice"));
    /// assert_eq!(config.get_dbname(), Some("shop"));
    /// # Ok::<(), quarry_driver::config::ConfigError>(())
    /// ```
    pub fn apply_env_with(
        &mut self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        env::apply(self, env)?;
        self.check_port_count()
    }

    /// One port for all hosts, or one per host.
    fn check_port_count(&self) -> Result<(), ConfigError> {
        let hosts = self.hosts.len().max(1);
        let ports = self.ports.len();
        if ports <= 1 || ports == hosts {
            Ok(())
        } else {
            Err(ConfigError::PortCountMismatch { hosts, ports })
        }
    }
}

impl FromStr for Config {
    type Err = ConfigError;

    /// Same as [`Config::parse`].
    fn from_str(dsn: &str) -> Result<Config, ConfigError> {
        Config::parse(dsn)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("hosts", &self.hosts)
            .field("ports", &self.ports)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| error::REDACTED))
            .field("dbname", &self.dbname)
            .field("sslmode", &self.sslmode)
            .field("ssl_root_cert", &self.ssl_root_cert)
            .field("ssl_cert", &self.ssl_cert)
            .field("ssl_key", &self.ssl_key)
            .field("ssl_negotiation", &self.ssl_negotiation)
            .field("channel_binding", &self.channel_binding)
            .field("application_name", &self.application_name)
            .field("connect_timeout", &self.connect_timeout)
            .field("options", &self.options)
            .field("target_session_attrs", &self.target_session_attrs)
            .field("load_balance_hosts", &self.load_balance_hosts)
            .field("pooler", &self.pooler)
            .field("statement_cache_size", &self.statement_cache_size)
            .field(
                "statement_cache_max_lifetime",
                &self.statement_cache_max_lifetime,
            )
            .field(
                "statement_cache_max_statement_size",
                &self.statement_cache_max_statement_size,
            )
            .field("command_timeout", &self.command_timeout)
            .field("server_settings", &self.server_settings)
            .field("passfile", &self.passfile)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_dsns_give_errors() {
        for dsn in [
            "postgres://[::1",
            "postgres://h:99999",
            "host='unterminated",
            "postgres://h/%zz",
            "%zz",
            "localhost",
            "=",
            "host=a port=1,2,3",
            "postgres://h?sslmode=wrong",
            "client_encoding=SQL_ASCII",
            "ftp://h",
        ] {
            assert!(Config::parse(dsn).is_err(), "{dsn:?} should be rejected");
        }
        assert_eq!("".parse::<Config>().unwrap(), Config::new());
    }

    #[test]
    fn no_input_panics() {
        // Every string built from up to three of these pieces, in both DSN forms.
        let pieces = [
            "",
            "postgres://",
            "postgresql://",
            "[",
            "]",
            ":",
            "@",
            "/",
            "?",
            "&",
            "=",
            "%",
            "%2",
            "%zz",
            "%2F",
            ",",
            "'",
            "\\",
            " ",
            "é",
            "h",
            "5432",
            "99999",
            "host",
            "port",
            "x=",
            "::1",
            "\0",
            "#",
            "*",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let dsn = format!("{a}{b}{c}");
                    if let Ok(config) = Config::parse(&dsn) {
                        let _ = config.targets();
                        let _ = format!("{config:?}");
                    }
                    let _ = Config::parse(&format!("host={a}{b}{c}"));
                    let _ = Config::parse(&format!("postgres://{a}{b}{c}"));
                }
            }
        }
    }

    /// The password of every test DSN below: a reserved character (`{r}`) between two halves,
    /// neither of which may show up anywhere.
    const HALVES: [&str; 2] = ["S3cr3t", "Xyz9q"];

    /// DSNs with a password `S3cr3t{r}Xyz9q`, well-formed or not, in every shape: URLs with and
    /// without a proper scheme, the query string, `key=value` with and without quotes.
    const SHAPES: &[&str] = &[
        "postgresql://user:S3cr3t{r}Xyz9q@host/db",
        "postgresql://user:S3cr3t{r}Xyz9q@host:5433/db?sslmode=require",
        "postgres://user:S3cr3t{r}Xyz9q@host",
        "postgres://user:S3cr3t{r}Xyz9q@",
        "postgresql://user:S3cr3t{r}Xyz9q@/db",
        "postgresql://user:S3cr3t{r}Xyz9q@host:bad/db",
        "postgresql://user:S3cr3t{r}Xyz9q@host/db?sslmode=bad",
        "postgresql://user:S3cr3t{r}Xyz9q@[::1/db",
        "postgresql://user:1234{r}S3cr3t{r}Xyz9q@host/db",
        "postgresql://user:{r}S3cr3t{r}Xyz9q@host/db",
        "postgresql:/user:S3cr3t{r}Xyz9q@host/db",
        "postgresql:user:S3cr3t{r}Xyz9q@host/db",
        "postgres//user:S3cr3t{r}Xyz9q@host/db",
        "//user:S3cr3t{r}Xyz9q@host/db",
        "user:S3cr3t{r}Xyz9q@host/db",
        "user:S3cr3t{r}Xyz9q@host",
        "postgresql://host/db?password=S3cr3t{r}Xyz9q",
        "postgresql://host/db?password=S3cr3t{r}Xyz9q&sslmode=require",
        "postgresql://host/db?user=u&password=S3cr3t{r}Xyz9q&port=bad",
        "postgresql://host/db?sslpassword=S3cr3t{r}Xyz9q",
        "host=h password=S3cr3t{r}Xyz9q dbname=d",
        "host=h password='S3cr3t{r}Xyz9q' dbname=d",
        "host=h password='S3cr3t{r}Xyz9q",
        "host=h password=S3cr3t{r}Xyz9q'",
        "host=h password='S3cr3t'{r}Xyz9q'",
        "host=h password='S3cr3t' {r}Xyz9q' port=5432",
        "password=S3cr3t{r}Xyz9q port=bad",
        "sslpassword=S3cr3t{r}Xyz9q",
        "'password=S3cr3t{r}Xyz9q'",
        "PASSWORD=S3cr3t{r}Xyz9q",
    ];

    /// Shapes without `@host`: with an `@` in `{r}` they are well-formed URLs whose host or
    /// database is the second half, so only the characters without `@` are tried.
    const HOSTLESS: &[&str] = &[
        "postgresql://user:S3cr3t{r}Xyz9q",
        "postgresql://user:S3cr3t{r}Xyz9q/db",
    ];

    /// Reserved characters of URLs and `key=value` strings, alone and together.
    const RESERVED: &[&str] = &[
        "/", "?", "&", "@", "#", " ", ":", ",", "=", "'", "[", "]", "%", "\\", "/?", "@/", "?@",
        "/@/", "%zz",
    ];

    /// Every half of the password `shown` contains, with the DSN, for the failure report.
    fn shown_halves(dsn: &str, shown: &str, leaks: &mut Vec<String>) {
        for half in HALVES {
            if shown.contains(half) {
                leaks.push(format!("{dsn:?} shows {half:?}: {shown}"));
            }
        }
    }

    #[tokio::test]
    async fn no_dsn_shape_shows_the_password() {
        let mut leaks = Vec::new();
        let hostless = HOSTLESS.iter().map(|shape| (shape, false));
        for (shape, any_r) in SHAPES.iter().map(|shape| (shape, true)).chain(hostless) {
            for r in RESERVED.iter().filter(|r| any_r || !r.contains('@')) {
                let dsn = shape.replace("{r}", r);
                match Config::parse(&dsn) {
                    Ok(config) => shown_halves(&dsn, &format!("{config:?}"), &mut leaks),
                    Err(e) => {
                        shown_halves(&dsn, &e.to_string(), &mut leaks);
                        shown_halves(&dsn, &format!("{e:?}"), &mut leaks);
                        // As the connection's error: the parse fails before any socket opens.
                        match crate::connect(&dsn).await {
                            Err(e @ crate::Error::Config(_)) => {
                                shown_halves(&dsn, &e.to_string(), &mut leaks);
                                shown_halves(&dsn, &format!("{e:?}"), &mut leaks);
                            }
                            other => leaks.push(format!("{dsn:?}: connect gave {other:?}")),
                        }
                    }
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "{} leaks:\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }

    #[test]
    fn errors_never_show_the_password() {
        for dsn in [
            "postgres://u:hunter2@h:99999/d",
            "postgres://u:hunter2@[::1/d",
            "postgres://u:hunter2@h/%zz",
            "postgres://u:hunter2@h/d?sslmode=x",
            "password=hunter2 port=x",
            "password='hunter2",
        ] {
            let err = Config::parse(dsn).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{dsn}: {err}");
            assert!(!format!("{err:?}").contains("hunter2"), "{dsn}: {err:?}");
        }
    }
}
