//! Connecting against real servers: every DSN form (URL, percent-encoding, IPv6, key=value,
//! multi-host), `PG*` environment variables, `.pgpass`, TCP and Unix sockets, the failures a user
//! meets (wrong password, unknown database, closed port, a server that never answers, malformed
//! DSNs), the session parameters, and closing.

mod common;

use std::future::Future;
use std::time::Duration;

use common::{MD5_USER, PASSWORD_USER, SCRAM_USER};
use quarry::config::{Config, ConfigError};
use quarry::error::NetError;
use quarry::{Connection, Error};

/// Anything that talks to a server must finish well within this.
const BOUND: Duration = Duration::from_secs(20);

async fn bounded<F: Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(BOUND, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {BOUND:?}"))
}

async fn connect(dsn: &str) -> Result<Connection, Error> {
    bounded(dsn, quarry::connect(dsn)).await
}

async fn current_user(conn: &mut Connection) -> String {
    conn.fetch_val("SELECT current_user::text", &[])
        .await
        .unwrap()
}

/// A TCP port on 127.0.0.1 nobody listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn port() -> u16 {
    common::server().port()
}

#[tokio::test]
async fn url_with_percent_encoded_user_and_password() {
    let db = common::fresh_db().await;
    // The harness encodes the password "scram:secret@/?"; the user is encoded by hand here
    // (`%5F` is `_`) to check the user part is decoded too.
    let dsn =
        db.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1))
            .replacen("quarry_scram", "quarry%5Fscram", 1);
    assert!(
        dsn.contains("quarry%5Fscram:scram%3Asecret%40%2F%3F@"),
        "{dsn}"
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_scram");
    let dbname: String = conn
        .fetch_val("SELECT current_database()::text", &[])
        .await
        .unwrap();
    assert_eq!(dbname, db.name);
}

#[tokio::test]
async fn url_with_ipv6_literal() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        // The server listens on ::1 only when the machine has IPv6 loopback; without it there is
        // nothing to connect to. Check instead that the URL parses into the IPv6 host.
        let config = Config::parse("postgresql://u@[::1]:5/db").unwrap();
        assert_eq!(
            config.get_hosts(),
            &[quarry::config::Host::Tcp("::1".into())]
        );
        return;
    }
    let db = common::fresh_db().await;
    let dsn = format!(
        "postgresql://postgres@[::1]:{}/{}?sslmode=disable",
        port(),
        db.name
    );
    let mut conn = connect(&dsn).await.unwrap();
    let addr: String = conn
        .fetch_val("SELECT host(inet_client_addr())", &[])
        .await
        .unwrap();
    assert_eq!(addr, "::1");
    // In a multi-host list, after a dead host; and with TLS verified against the ::1 SAN.
    let ca = common::server()
        .tls()
        .unwrap()
        .ca_cert
        .display()
        .to_string();
    let dsn = format!(
        "postgresql://postgres@[::1]:{},[::1]:{}/{}?sslmode=verify-full&sslrootcert={ca}",
        closed_port(),
        port(),
        db.name
    );
    let mut conn = connect(&dsn).await.unwrap();
    let ssl: bool = conn
        .fetch_val(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(ssl);
    let kv = format!(
        "host=::1 port={} user=postgres dbname={} sslmode=disable",
        port(),
        db.name
    );
    let mut conn = connect(&kv).await.unwrap();
    assert_eq!(current_user(&mut conn).await, "postgres");
}

#[tokio::test]
async fn cancel_token_cancels_over_tcp_tls_and_unix_socket() {
    let db = common::fresh_db().await;
    let dir = common::server().socket_dir().display().to_string();
    let dsns = [
        db.dsn(),
        format!(
            "{}?sslmode=require",
            db.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1))
        ),
        format!(
            "host={dir} port={} user=postgres dbname={}",
            port(),
            db.name
        ),
    ];
    for dsn in dsns {
        let mut conn = connect(&dsn).await.unwrap();
        let token = conn.cancel_token();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel().await
        });
        let err = bounded("cancelled query", conn.execute("SELECT pg_sleep(30)", &[]))
            .await
            .unwrap_err();
        assert_eq!(err.code().unwrap().code(), "57014", "{dsn}: {err:?}");
        canceller.await.unwrap().unwrap();
        // The session is still usable.
        let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
        assert_eq!(one, 1);
    }
}

#[tokio::test]
async fn key_value_dsn_with_quoted_values() {
    let db = common::fresh_db().await;
    let dsn = format!(
        "host=127.0.0.1 port={} user={} password='{}' dbname={} application_name='key value app'",
        port(),
        MD5_USER.0,
        MD5_USER.1,
        db.name
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_md5");
    let name: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
    assert_eq!(name, "key value app");
}

#[tokio::test]
async fn multi_host_skips_a_dead_first_host() {
    let db = common::fresh_db().await;
    let dead = closed_port();
    let url = format!(
        "postgresql://postgres@127.0.0.1:{dead},127.0.0.1:{}/{}?sslmode=disable",
        port(),
        db.name
    );
    let kv = format!(
        "host=127.0.0.1,127.0.0.1 port={dead},{} user=postgres dbname={} sslmode=disable",
        port(),
        db.name
    );
    for dsn in [url, kv] {
        let mut conn = connect(&dsn).await.unwrap();
        let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
        assert_eq!(one, 1, "{dsn}");
    }
    // Every host dead: one error per host, each naming its host and port.
    let other = closed_port();
    let err = connect(&format!(
        "host=127.0.0.1,127.0.0.1 port={dead},{other} user=postgres sslmode=disable"
    ))
    .await
    .unwrap_err();
    match &err {
        Error::Connect { attempts } => assert_eq!(attempts.len(), 2),
        other => panic!("expected Error::Connect, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{dead}")), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{other}")), "{text}");
}

#[tokio::test]
async fn environment_fills_what_the_dsn_leaves_out() {
    let db = common::fresh_db().await;
    let port = port().to_string();
    let env = std::collections::HashMap::from([
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", port.as_str()),
        ("PGUSER", PASSWORD_USER.0),
        ("PGPASSWORD", PASSWORD_USER.1),
        ("PGDATABASE", db.name.as_str()),
        ("PGAPPNAME", "from env"),
        ("PGSSLMODE", "disable"),
    ]);
    let lookup = |name: &str| env.get(name).map(|v| v.to_string());

    let mut config = Config::parse("").unwrap();
    config.apply_env_with(lookup).unwrap();
    let mut conn = bounded("env connect", Connection::connect(&config))
        .await
        .unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_password");
    let app: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
    assert_eq!(app, "from env");
    let ssl: bool = conn
        .fetch_val(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(!ssl);

    // The DSN wins over the environment.
    let mut config = Config::parse(&format!(
        "user={} password='{}' application_name=dsn",
        SCRAM_USER.0, SCRAM_USER.1
    ))
    .unwrap();
    config.apply_env_with(lookup).unwrap();
    let mut conn = bounded("env connect", Connection::connect(&config))
        .await
        .unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_scram");
    let app: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
    assert_eq!(app, "dsn");
}

const CHILD_MARKER: &str = "QUARRY_CONNTEST_CHILD";

/// The real process environment, in a child process (tests share the process environment, so it
/// is never changed here): the test binary runs itself with `PG*` variables and this test's name.
#[tokio::test]
async fn real_environment_in_a_child_process() {
    if std::env::var_os(CHILD_MARKER).is_some() {
        // The child: everything comes from the environment.
        let mut conn = quarry::connect("").await.unwrap();
        let user = current_user(&mut conn).await;
        let app: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
        println!("child-connected user={user} app={app}");
        return;
    }
    let db = common::fresh_db().await;
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(exe)
        .args([
            "real_environment_in_a_child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MARKER, "1")
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", port().to_string())
        .env("PGUSER", SCRAM_USER.0)
        .env("PGPASSWORD", SCRAM_USER.1)
        .env("PGDATABASE", &db.name)
        .env("PGAPPNAME", "child app")
        .env("PGSSLMODE", "require")
        .env_remove("PGSERVICE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("child-connected user=quarry_scram app=child app"),
        "{stdout}"
    );
}

fn write_passfile(dir: &tempfile::TempDir, content: &str, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.path().join("pgpass");
    std::fs::write(&path, content).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[tokio::test]
async fn pgpass_supplies_the_password() {
    let db = common::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    // `:` in the password is escaped as `\:`; a non-matching line comes first.
    let content = format!(
        "# comment\n127.0.0.1:{p}:{d}:someone_else:nope\n127.0.0.1:{p}:{d}:{u}:{pw}\n",
        p = port(),
        d = db.name,
        u = SCRAM_USER.0,
        pw = SCRAM_USER.1.replace('\\', "\\\\").replace(':', "\\:"),
    );
    let path = write_passfile(&dir, &content, 0o600);
    let dsn = format!(
        "host=127.0.0.1 port={} user={} dbname={} passfile='{}'",
        port(),
        SCRAM_USER.0,
        db.name,
        path.display()
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_scram");

    // Wildcards, and the URL form of `passfile`.
    let path = write_passfile(
        &dir,
        &format!("*:*:*:{}:{}\n", MD5_USER.0, MD5_USER.1),
        0o600,
    );
    let dsn = format!(
        "postgresql://{}@127.0.0.1:{}/{}?passfile={}",
        MD5_USER.0,
        port(),
        db.name,
        path.display()
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert_eq!(current_user(&mut conn).await, "quarry_md5");

    // A file others can read is ignored, as libpq does: no password at all.
    write_passfile(
        &dir,
        &format!("*:*:*:{}:{}\n", MD5_USER.0, MD5_USER.1),
        0o644,
    );
    let err = connect(&dsn).await.unwrap_err();
    assert!(matches!(err, Error::PasswordRequired { .. }), "{err:?}");
}

#[tokio::test]
async fn unix_socket() {
    let db = common::fresh_db().await;
    let dir = common::server().socket_dir().display().to_string();
    let kv = format!(
        "host={dir} port={} user={} password='{}' dbname={}",
        port(),
        PASSWORD_USER.0,
        PASSWORD_USER.1,
        db.name
    );
    let url = format!(
        "postgresql:///{}?host={dir}&port={}&user=postgres",
        db.name,
        port()
    );
    // libpq also takes a percent-encoded socket directory in the host part of a URL.
    let encoded = format!(
        "postgresql://postgres@{}:{}/{}",
        dir.replace('/', "%2F"),
        port(),
        db.name
    );
    // sslmode applies to TCP only: a Unix socket connects unencrypted whatever it says.
    let required = format!("{kv} sslmode=require");
    for (dsn, user) in [
        (kv, "quarry_password"),
        (url, "postgres"),
        (encoded, "postgres"),
        (required, "quarry_password"),
    ] {
        let mut conn = connect(&dsn).await.unwrap();
        assert_eq!(current_user(&mut conn).await, user);
        let unix: bool = conn
            .fetch_val("SELECT inet_client_addr() IS NULL", &[])
            .await
            .unwrap();
        assert!(unix, "{dsn} should use the Unix socket");
    }
    // A directory without the socket names the socket file.
    let empty = tempfile::tempdir().unwrap();
    let err = connect(&format!(
        "host={} port=5999 user=postgres",
        empty.path().display()
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Net(NetError::UnixConnect { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains(".s.PGSQL.5999"), "{err}");
}

#[tokio::test]
async fn wrong_password_and_unknown_database_are_server_errors() {
    let db = common::fresh_db().await;
    let err = connect(&db.dsn_for(SCRAM_USER.0, Some("not the password")))
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "28P01", "{err}");
    assert!(!err.to_string().contains("not the password"), "{err}");

    let err = connect(&common::server().dsn_for("postgres", None, "no_such_database"))
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "3D000", "{err}");
    assert!(err.to_string().contains("no_such_database"), "{err}");
}

#[tokio::test]
async fn closed_port_fails_fast_and_names_the_address() {
    let dead = closed_port();
    let err = connect(&format!("postgresql://postgres@127.0.0.1:{dead}/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Net(NetError::Connect { port, .. }) if port == dead),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{dead}")),
        "{err}"
    );
}

#[tokio::test]
async fn connect_timeout_against_a_server_that_never_answers() {
    // Accepts connections and never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = listener.local_addr().unwrap().port();
    let accept = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    for sslmode in ["disable", "prefer"] {
        let started = std::time::Instant::now();
        let err = connect(&format!(
            "host=127.0.0.1 port={silent} user=postgres connect_timeout=1 sslmode={sslmode}"
        ))
        .await
        .unwrap_err();
        // libpq raises a timeout below 2 s to 2 s.
        assert!(
            matches!(err, Error::ConnectTimeout(d) if d == Duration::from_secs(2)),
            "{err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
        assert!(err.to_string().contains("timed out"), "{err}");
    }
    // With a second, working host the silent one is skipped after its timeout.
    let db = common::fresh_db().await;
    let mut conn = connect(&format!(
        "host=127.0.0.1,127.0.0.1 port={silent},{} user=postgres dbname={} connect_timeout=1 sslmode=disable",
        port(),
        db.name
    ))
    .await
    .unwrap();
    assert_eq!(current_user(&mut conn).await, "postgres");
    accept.abort();
}

#[tokio::test]
async fn unresolvable_host_is_a_clear_error() {
    let err = connect("postgresql://postgres@no-such-host.invalid:5432/x?connect_timeout=10")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Net(NetError::Resolve { .. }) | Error::ConnectTimeout(_)
        ),
        "{err:?}"
    );
    if let Error::Net(_) = err {
        assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
    }
}

#[tokio::test]
async fn malformed_dsns_name_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("mysql://u@h/d", "mysql"),
        ("postgresql://u@h:99999/d", "99999"),
        ("postgresql://u@h:abc/d", "abc"),
        ("postgresql://u@[::1/d", "::1"),
        ("postgresql://u@h/d?sslmode=sometimes", "sslmode"),
        ("postgresql://u@h/d?connect_timeout=soon", "connect_timeout"),
        ("postgresql://u%ZZ@h/d", "user"),
        ("host=h port=1,2,3 host=a,b", "ports"),
        ("host=h dbname='unterminated", "dbname"),
        ("host=h dbname", "dbname"),
        ("host=h =x", "="),
        ("host=h client_encoding=LATIN1", "LATIN1"),
        ("host=h channel_binding=maybe", "channel_binding"),
        ("host=h sslnegotiation=fast", "sslnegotiation"),
    ];
    for (dsn, named) in cases {
        let err = connect(dsn).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{dsn}: {err:?}");
        let text = err.to_string();
        assert!(text.contains(named), "{dsn}: {text} should name {named}");
    }
    let err = Config::parse("postgresql://u@h:99999/d").unwrap_err();
    assert!(matches!(err, ConfigError::InvalidPort { .. }), "{err:?}");
}

/// A password with raw reserved characters is read where the URL allows one reading (the
/// harness's `scram:secret@/?` authenticates unescaped), and no error of a malformed DSN shows
/// it, not even in part.
#[tokio::test]
async fn raw_password_characters_authenticate_and_never_show_in_errors() {
    let db = common::fresh_db().await;
    let (user, password) = SCRAM_USER;
    let host = common::server().host();
    let dsn = format!(
        "postgresql://{user}:{password}@{host}:{}/{}",
        port(),
        db.name
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert_eq!(current_user(&mut conn).await, user);

    for dsn in [
        "postgresql:/user:S3cr3t/Xyz9q@localhost/db",
        "user:S3cr3t@localhost/db",
        "postgresql://user:S3cr3t/Xyz9q@localhost:bad/db",
        "postgresql://user:1234/S3cr3t@localhost/db",
        "postgresql://user:S3cr3t",
        "postgresql://localhost/db?password=S3cr3t&Xyz9q",
        "host=localhost password=S3cr3t Xyz9q",
    ] {
        let err = connect(dsn).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{dsn}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                !shown.contains("S3cr3t") && !shown.contains("Xyz9q"),
                "{dsn}: {shown}"
            );
        }
    }
}

#[tokio::test]
async fn session_parameters() {
    let db = common::fresh_db().await;
    let dsn = format!(
        "{}&application_name=param%20test&search_path=foo&options=-c%20work_mem%3D12MB",
        db.dsn()
    );
    let mut conn = connect(&dsn).await.unwrap();
    let version = conn.server_version().unwrap().to_owned();
    let server_version: String = conn.fetch_val("SHOW server_version", &[]).await.unwrap();
    assert_eq!(version, server_version);
    assert!(
        version.starts_with(common::server().version()),
        "{version} vs {}",
        common::server().version()
    );
    let num: String = conn
        .fetch_val("SHOW server_version_num", &[])
        .await
        .unwrap();
    assert_eq!(conn.server_version_num(), Some(num.parse().unwrap()));
    let pid: i32 = conn
        .fetch_val("SELECT pg_backend_pid()", &[])
        .await
        .unwrap();
    assert_eq!(conn.server_pid(), pid);
    assert_eq!(conn.parameter("client_encoding"), Some("UTF8"));
    assert_eq!(conn.parameter("application_name"), Some("param test"));
    assert_eq!(conn.parameter("no_such_parameter"), None);
    let app: String = conn.fetch_val("SHOW application_name", &[]).await.unwrap();
    assert_eq!(app, "param test");
    let path: String = conn.fetch_val("SHOW search_path", &[]).await.unwrap();
    assert_eq!(path, "foo");
    let mem: String = conn.fetch_val("SHOW work_mem", &[]).await.unwrap();
    assert_eq!(mem, "12MB");

    // An unknown server setting is the server's error, named.
    let err = connect(&format!("{}&no_such_setting=1", db.dsn()))
        .await
        .unwrap_err();
    assert!(err.code().is_some(), "{err:?}");
    assert!(err.to_string().contains("no_such_setting"), "{err}");
}

#[tokio::test]
async fn close_ends_the_session_on_the_server() {
    let db = common::fresh_db().await;
    let mut watcher = db.connect().await;
    let conn = db.connect().await;
    let pid = conn.server_pid();
    let alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1";
    let count: i64 = watcher.fetch_val(alive, &[&pid]).await.unwrap();
    assert_eq!(count, 1);
    bounded("close", conn.close()).await.unwrap();
    let gone = bounded("session to end", async {
        loop {
            let count: i64 = watcher.fetch_val(alive, &[&pid]).await.unwrap();
            if count == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    gone.await;
}

#[tokio::test]
async fn terminated_backend_marks_the_connection_closed() {
    let db = common::fresh_db().await;
    let mut admin = db.connect().await;
    let mut conn = db.connect().await;
    assert!(!conn.is_closed());
    let pid = conn.server_pid();
    let killed: bool = admin
        .fetch_val("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    assert!(killed);
    let err = bounded(
        "query on a killed session",
        conn.fetch_val::<i32>("SELECT 1", &[]),
    )
    .await
    .unwrap_err();
    assert!(conn.is_closed(), "after {err:?}");
    // The server's FATAL (57P01) when it was read before the socket failed; either way fatal.
    assert!(err.is_fatal(), "{err:?}");
    // The next call fails at once, without touching the socket.
    let again = bounded("query on a closed session", conn.execute("SELECT 1", &[]))
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Closed), "{again:?}");
}

/// `target_session_attrs` picks the host whose server suits, skipping the others. A second server
/// with `default_transaction_read_only=on` plays the read-only host (a standby would need
/// replication; no host here is one).
#[tokio::test]
async fn target_session_attrs_choose_the_host() {
    let read_only = tokio::task::spawn_blocking(|| {
        quarry_driver::ephemeral::EphemeralServer::builder()
            .setting("default_transaction_read_only", "on")
            .start()
            .unwrap()
    })
    .await
    .unwrap();
    let (ro, rw) = (read_only.port(), port());
    let server_port = async |dsn: &str| -> Result<i32, Error> {
        let mut conn = connect(dsn).await?;
        Ok(conn
            .fetch_val("SELECT inet_server_port()", &[])
            .await
            .unwrap())
    };
    let list = |first: u16, second: u16, attrs: &str| {
        format!(
            "host=127.0.0.1,127.0.0.1 port={first},{second} user=postgres dbname=postgres \
             sslmode=disable target_session_attrs={attrs}"
        )
    };
    let cases = [
        (ro, rw, "any", ro),
        (ro, rw, "read-write", rw),
        (rw, ro, "read-only", ro),
        (ro, rw, "primary", ro),
        (rw, ro, "prefer-standby", rw),
    ];
    for (first, second, attrs, expected) in cases {
        let got = server_port(&list(first, second, attrs)).await.unwrap();
        assert_eq!(got, i32::from(expected), "target_session_attrs={attrs}");
    }
    // No host suits: one error per host, saying why.
    let err = server_port(&list(ro, rw, "standby")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connect { attempts } if attempts.len() == 2),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("target_session_attrs=standby"), "{text}");
    assert!(
        text.contains("read-only primary") && text.contains("read-write primary"),
        "{text}"
    );
    let err = server_port(&list(ro, ro, "read-write")).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("read-only primary, but target_session_attrs=read-write"),
        "{err}"
    );
}

/// `load_balance_hosts=random` (libpq 16): each connection tries the hosts in a fresh random
/// order; it is a connection setting, never sent to the server; `disable` keeps the given order.
#[tokio::test]
async fn load_balance_hosts_random_shuffles_the_hosts_per_connection() {
    let (a, b) = (closed_port(), closed_port());
    let dsn = |mode: &str| {
        format!(
            "host=127.0.0.1,127.0.0.1 port={a},{b} user=postgres sslmode=disable \
             load_balance_hosts={mode}"
        )
    };
    // Both hosts dead: the order of the attempts shows the order tried.
    let first_tried = async |mode: &str| -> u16 {
        match connect(&dsn(mode)).await.unwrap_err() {
            Error::Connect { attempts } => {
                assert_eq!(attempts.len(), 2, "{attempts:?}");
                let host = &attempts[0].0;
                host.rsplit(':').next().unwrap().parse().unwrap()
            }
            other => panic!("expected Error::Connect, got {other:?}"),
        }
    };
    let mut firsts = std::collections::HashSet::new();
    for _ in 0..64 {
        firsts.insert(first_tried("random").await);
    }
    assert_eq!(
        firsts.len(),
        2,
        "64 random orders all began with {firsts:?}"
    );
    for _ in 0..8 {
        assert_eq!(first_tried("disable").await, a);
    }
    // With one live host, every random order connects (to it), and the server never hears of
    // the setting.
    let db = common::fresh_db().await;
    let live = format!(
        "host=127.0.0.1,127.0.0.1 port={a},{} user=postgres dbname={} sslmode=disable \
         load_balance_hosts=random",
        port(),
        db.name
    );
    for _ in 0..8 {
        let mut conn = connect(&live).await.unwrap();
        let got: i32 = conn
            .fetch_val("SELECT inet_server_port()", &[])
            .await
            .unwrap();
        assert_eq!(got, i32::from(port()));
    }
    let err = Config::parse("host=a load_balance_hosts=round-robin").unwrap_err();
    assert!(err.to_string().contains("disable or random"), "{err}");
}

/// Quarry reads text dates in ISO form. It does not ask for DateStyle in the startup packet (a
/// pooler tracking DateStyle would then send a SET before every transaction); a server whose
/// default is not ISO gets `SET DateStyle = 'ISO'` after startup, keeping its day/month order,
/// and a pooled connection keeps ISO across the pool's `RESET ALL`.
#[tokio::test]
async fn a_server_without_iso_dates_is_switched_to_iso_output() {
    let server = tokio::task::spawn_blocking(|| {
        quarry_driver::ephemeral::EphemeralServer::builder()
            .setting("DateStyle", "SQL, DMY")
            .start()
            .unwrap()
    })
    .await
    .unwrap();
    let dsn = format!("{}?sslmode=disable", server.dsn());
    let check = async |conn: &mut Connection| {
        let text: String = conn
            .fetch_val("SELECT '01/02/2024'::date::text", &[])
            .await
            .unwrap();
        assert_eq!(
            text, "2024-02-01",
            "ISO output, the server's DMY input order"
        );
    };
    let mut conn = connect(&dsn).await.unwrap();
    check(&mut conn).await;
    let pool = quarry::Pool::builder()
        .max_size(1)
        .build(&dsn)
        .await
        .unwrap();
    {
        let mut conn = pool.acquire().await.unwrap();
        conn.execute("SET DateStyle = 'German'", &[]).await.unwrap();
    }
    let mut conn = pool.acquire().await.unwrap();
    check(&mut conn).await;
    drop(conn);
    // The session's own resets bring back the server's default; ISO is held again before the
    // next request (a startup-packet setting would have survived them the same way).
    let mut conn = connect(&dsn).await.unwrap();
    for reset in [
        "RESET ALL",
        "DISCARD ALL",
        "RESET DateStyle",
        "SET DateStyle TO DEFAULT",
    ] {
        conn.execute(reset, &[]).await.unwrap();
        check(&mut conn).await;
    }
    // In a transaction, after it ends.
    conn.execute("BEGIN", &[]).await.unwrap();
    conn.execute("RESET ALL", &[]).await.unwrap();
    conn.execute("COMMIT", &[]).await.unwrap();
    check(&mut conn).await;
    // A style chosen on purpose is the user's.
    conn.execute("SET DateStyle = 'German'", &[]).await.unwrap();
    let german: String = conn
        .fetch_val("SELECT '01/02/2024'::date::text", &[])
        .await
        .unwrap();
    assert_eq!(german, "01.02.2024");
    // A pool with its own reset (DISCARD ALL) keeps ISO too.
    let pool = quarry::Pool::builder()
        .max_size(1)
        .reset(|conn| Box::pin(async move { conn.execute("DISCARD ALL", &[]).await.map(drop) }))
        .build(&dsn)
        .await
        .unwrap();
    for _ in 0..2 {
        let mut conn = pool.acquire().await.unwrap();
        check(&mut conn).await;
        conn.execute("SET work_mem = '8MB'", &[]).await.unwrap();
    }
    // On an ISO server nothing is set: the session's DateStyle is the server's own.
    let mut direct = connect(&format!("{}?sslmode=disable", common::server().dsn()))
        .await
        .unwrap();
    let source: String = direct
        .fetch_val(
            "SELECT source FROM pg_settings WHERE name = 'DateStyle'",
            &[],
        )
        .await
        .unwrap();
    assert_ne!(source, "session", "DateStyle was set on an ISO server");
}
