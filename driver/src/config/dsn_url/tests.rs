//! Tests of URL DSN parsing: every form, every malformed case.

use super::*;
use crate::config::{SslMode, Target};
use std::time::Duration;

fn parse(dsn: &str) -> Result<Config, ConfigError> {
    Config::parse(dsn)
}

fn tcp(name: &str) -> Host {
    Host::Tcp(name.into())
}

#[test]
fn full_url() {
    let c = parse("postgresql://alice:s%40cret@db.example.com:5433/my%20db?sslmode=verify-full&application_name=app").unwrap();
    assert_eq!(c.get_user(), Some("alice"));
    assert_eq!(c.get_password().unwrap().as_str(), "s@cret");
    assert_eq!(c.get_hosts(), &[tcp("db.example.com")]);
    assert_eq!(c.get_ports(), &[5433]);
    assert_eq!(c.get_dbname(), Some("my db"));
    assert_eq!(c.get_sslmode(), SslMode::VerifyFull);
    assert_eq!(c.get_application_name(), Some("app"));
}

#[test]
fn minimal_urls() {
    assert_eq!(parse("postgres://").unwrap(), Config::new());
    assert_eq!(parse("postgresql:///").unwrap(), Config::new());
    let c = parse("postgres://h").unwrap();
    assert_eq!(c.get_hosts(), &[tcp("h")]);
    assert!(c.get_ports().is_empty());
    let c = parse("postgres://:5433/db").unwrap();
    assert!(c.get_hosts().is_empty());
    assert_eq!(c.get_ports(), &[5433]);
    let c = parse("postgres://user@/db").unwrap();
    assert_eq!(c.get_user(), Some("user"));
    assert!(c.get_hosts().is_empty());
    let c = parse("POSTGRES://h/d").unwrap();
    assert_eq!(c.get_dbname(), Some("d"));
}

#[test]
fn password_with_raw_at_and_colon() {
    let c = parse("postgres://u:p@ss:w@h/d").unwrap();
    assert_eq!(c.get_user(), Some("u"));
    assert_eq!(c.get_password().unwrap().as_str(), "p@ss:w");
    assert_eq!(c.get_hosts(), &[tcp("h")]);
}

#[test]
fn multi_host() {
    let c = parse("postgres://a:1,b:2/d").unwrap();
    let t = c.targets();
    assert_eq!(
        t,
        vec![
            Target {
                host: tcp("a"),
                port: 1
            },
            Target {
                host: tcp("b"),
                port: 2
            }
        ]
    );
    let c = parse("postgres://a,b:7/d").unwrap();
    assert_eq!(c.get_ports(), &[5432, 7]);
    let c = parse("postgres://a,b/d?port=7").unwrap();
    assert!(c.targets().iter().all(|t| t.port == 7));
    assert!(matches!(
        parse("postgres://a,b,c/d?port=1,2"),
        Err(ConfigError::PortCountMismatch { hosts: 3, ports: 2 })
    ));
}

#[test]
fn ipv6() {
    let c = parse("postgres://[::1]:5433/d").unwrap();
    assert_eq!(
        c.targets(),
        vec![Target {
            host: tcp("::1"),
            port: 5433
        }]
    );
    let c = parse("postgres://[fe80::1%25eth0],[::2]:6/d").unwrap();
    assert_eq!(c.get_hosts(), &[tcp("fe80::1%eth0"), tcp("::2")]);
    assert_eq!(c.get_ports(), &[5432, 6]);
}

#[test]
fn unix_socket_hosts() {
    let c = parse("postgres://%2Fvar%2Frun%2Fpostgresql:5433/d").unwrap();
    assert_eq!(c.get_hosts(), &[Host::Unix("/var/run/postgresql".into())]);
    let t = &c.targets()[0];
    assert_eq!(
        t.socket_path().unwrap(),
        std::path::Path::new("/var/run/postgresql/.s.PGSQL.5433")
    );
    let c = parse("postgres:///d?host=/tmp&port=6000").unwrap();
    assert_eq!(c.get_hosts(), &[Host::Unix("/tmp".into())]);
    assert_eq!(
        c.targets()[0].socket_path().unwrap(),
        std::path::Path::new("/tmp/.s.PGSQL.6000")
    );
    let c = parse("postgres://ignored/d?host=%2Ftmp").unwrap();
    assert_eq!(c.get_hosts(), &[Host::Unix("/tmp".into())]);
}

#[test]
fn query_options_and_server_settings() {
    let c = parse(
        "postgres://h/d?search_path=foo%2Cbar&statement_cache_size=0&command_timeout=1.5\
         &connect_timeout=10&options=-c%20geqo%3Doff&ssl=true&&client_encoding=UTF8&keepalives=1",
    )
    .unwrap();
    assert_eq!(
        c.server_settings(),
        &[("search_path".to_owned(), "foo,bar".to_owned())]
    );
    assert_eq!(c.get_statement_cache_size(), 0);
    assert_eq!(c.get_command_timeout(), Some(Duration::from_millis(1500)));
    assert_eq!(c.get_connect_timeout(), Some(Duration::from_secs(10)));
    assert_eq!(c.get_options(), Some("-c geqo=off"));
    assert_eq!(c.get_sslmode(), SslMode::Require);
}

#[test]
fn malformed_urls() {
    let cases: &[&str] = &[
        "postgres://[::1",
        "postgres://[::1]x/d",
        "postgres://[]/d",
        "postgres://h:99999",
        "postgres://h:0",
        "postgres://h:-1",
        "postgres://h:port",
        "postgres://h:1:2",
        "postgres://h/%zz",
        "postgres://h/%",
        "postgres://h/%4",
        "postgres://h/%ff",
        "postgres://h/%00",
        "postgres://%zz/d",
        "postgres://u%/d",
        "postgres://h/d?sslmode",
        "postgres://h/d?sslmode=nope",
        "postgres://h/d?port=x",
        "postgres://h/d?ssl=false",
        "postgres://h/d?client_encoding=LATIN1",
        "postgres://h/d?connect_timeout=soon",
        "postgres://h/d?statement_cache_size=-1",
        "postgres://h/d?command_timeout=-2",
        "mysql://h/d",
        "http://x",
    ];
    for dsn in cases {
        assert!(parse(dsn).is_err(), "{dsn} should be rejected");
    }
    assert!(
        matches!(parse("mysql://h"), Err(ConfigError::InvalidScheme { found }) if found == "mysql")
    );
    assert!(
        matches!(parse("postgres://h:99999"), Err(ConfigError::InvalidPort { value }) if value == "99999")
    );
    assert!(matches!(
        parse("postgres://[::1"),
        Err(ConfigError::InvalidHost { .. })
    ));
    assert!(matches!(
        parse("postgres://h/%zz"),
        Err(ConfigError::InvalidPercentEncoding {
            component: "dbname",
            ..
        })
    ));
}

#[test]
fn bad_password_encoding_is_not_shown() {
    let err = parse("postgres://u:hunter%zz2@h/d").unwrap_err();
    assert!(matches!(
        err,
        ConfigError::InvalidPercentEncoding {
            component: "password",
            ..
        }
    ));
    assert!(!err.to_string().contains("hunter"));
    assert!(!format!("{err:?}").contains("hunter"));
    let err = parse("postgres://h/d?password=hunter%zz").unwrap_err();
    assert!(!err.to_string().contains("hunter"));
}

#[test]
fn detection() {
    assert!(is_url("postgres://x"));
    assert!(is_url("  postgresql://x"));
    assert!(is_url("jdbc:postgresql://x"));
    assert!(!is_url("host=x options='a://b'"));
    assert!(!is_url(""));
    assert!(!is_url("://x"));
}
