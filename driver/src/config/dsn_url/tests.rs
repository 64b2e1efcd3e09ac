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

#[test]
fn raw_reserved_characters_in_a_password() {
    // libpq reads none of those with `/` or `?`: its userinfo ends at the first `@` before the
    // first `/`, and it would take `@Xyz9q` for the host.
    let reserved = [
        "/", "?", "&", "@", "#", " ", ":", ",", "=", "'", "[", "]", "?/", "//", "/#&", "/?",
        "a/b@c",
    ];
    for r in reserved {
        let password = format!("S3cr3t{r}Xyz9q");
        for dsn in [
            format!("postgresql://user:{password}@host:5433/db?sslmode=require"),
            format!("postgres://user:{password}@host"),
            format!("postgres://user:{password}@/db"),
        ] {
            let c = parse(&dsn).unwrap_or_else(|e| panic!("{dsn}: {e}"));
            assert_eq!(c.get_user(), Some("user"), "{dsn}");
            assert_eq!(
                c.get_password().map(|p| p.as_str()),
                Some(password.as_str()),
                "{dsn}"
            );
            let want_host: &[Host] = if dsn.contains("@host") {
                &[Host::Tcp("host".into())]
            } else {
                &[]
            };
            assert_eq!(c.get_hosts(), want_host, "{dsn}");
        }
    }
    // The test harness's password, unescaped.
    let c = parse("postgresql://quarry_scram:scram:secret@/?@127.0.0.1:5432/db").unwrap();
    assert_eq!(c.get_password().unwrap().as_str(), "scram:secret@/?");
    assert_eq!(c.get_ports(), &[5432]);
    assert_eq!(c.get_dbname(), Some("db"));
}

#[test]
fn an_at_that_may_end_a_password_or_be_in_the_dbname_is_an_error() {
    for dsn in [
        "postgres://h:5432/my@db",
        "postgres://u:pw@h/my@db",
        "postgres://u:1234/S3cr3t@h/d",
        "postgres://u:/S3cr3t@h/d",
        "postgres://u:p@ss/w@h/d",
        "postgres://u:S3cr3t/@/X@h/d",
    ] {
        let err = parse(dsn).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("%2F") && text.contains("%40"),
            "{dsn}: {text}"
        );
        assert!(
            !text.contains("S3cr3t") && !text.contains("my"),
            "{dsn}: {text}"
        );
    }
    // Without a `:` before the first `/` there is no password to end, as in libpq; nor does
    // an `@` in a query value end one.
    assert_eq!(
        parse("postgres://h/my@db").unwrap().get_dbname(),
        Some("my@db")
    );
    for dsn in [
        "postgres://h:5432/d?application_name=me@corp",
        "postgres://u:pw@h/d?application_name=me@corp",
        "postgres://h?application_name=me@corp",
    ] {
        let c = parse(dsn).unwrap();
        assert_eq!(c.get_hosts(), &[tcp("h")], "{dsn}");
        assert_eq!(c.get_application_name(), Some("me@corp"), "{dsn}");
    }
}

#[test]
fn errors_of_urls_no_reading_parses_hide_where_a_password_may_be() {
    let cases = [
        // The usual reading's port is the password's first half.
        ("postgres://u:S3cr3t/Xyz9q@h:x/d", "invalid port `x`"),
        ("postgres://u:S3cr3t/Xyz9q@[::1/d", "invalid host `[::1`"),
        // A `user:password` without `@host` reads as `host:port`.
        ("postgres://u:S3cr3t", "invalid port `<redacted>`"),
        ("postgres://u:S3cr3t,h2/d", "invalid port `<redacted>`"),
        ("postgres://u:S3cr3t/d", "invalid port `<redacted>`"),
        // A `/`, `?` and `=` in a password are not read; the query pair is not quoted.
        (
            "postgres://u:1234/x?sslmode=S3cr3t@h/d",
            "invalid value `<redacted>`",
        ),
        (
            "postgres://u:S3cr3t@h/d?password=x&Xyz9q",
            "missing `=` after `<redacted>`",
        ),
        (
            "postgres://h/d?password=S3cr3t&Xyz9q",
            "missing `=` after `<redacted>`",
        ),
        ("postgres://h/d?password=S3cr3t&Xyz9q%zz=1", "`<redacted>`"),
        (
            "postgres://h/d?password=S3cr3t&'Xyz9q=1",
            "invalid key `<redacted>`",
        ),
        // Errors away from any password still say what they are about.
        (
            "postgres://h/d?password=S3cr3t&port=abc",
            "invalid port `abc`",
        ),
        ("postgres://u:S3cr3t@h:99999/d", "invalid port `99999`"),
        ("postgres://h:99999/d", "invalid port `99999`"),
    ];
    for (dsn, want) in cases {
        let text = parse(dsn).unwrap_err().to_string();
        assert!(text.contains(want), "{dsn}: {text} should contain {want}");
        assert!(
            !text.contains("S3cr3t") && !text.contains("Xyz9q"),
            "{dsn}: {text}"
        );
    }
}
