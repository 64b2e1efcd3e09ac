//! Integration tests of the ephemeral server, checked with the real `psql` client.
#![cfg(feature = "ephemeral")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use quarry_driver::ephemeral::{AuthMethod, EphemeralError, EphemeralServer};

/// Runs `psql` with a libpq conninfo string, returning stdout or stdout+stderr on failure.
fn psql(
    server: &EphemeralServer,
    conninfo: &str,
    password: Option<&str>,
    sql: &str,
) -> Result<String, String> {
    let mut cmd = Command::new(server.bin_dir().join("psql"));
    cmd.args([
        "-X",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        conninfo,
        "-c",
        sql,
    ]);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
    }
}

fn tcp(server: &EphemeralServer, user: &str) -> String {
    format!(
        "host=127.0.0.1 port={} user={user} dbname=postgres sslmode=disable connect_timeout=10",
        server.port()
    )
}

fn postmaster_pid(data_dir: &Path) -> u32 {
    let text = std::fs::read_to_string(data_dir.join("postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

fn wait_gone(path: &Path, timeout: Duration) -> bool {
    let started = Instant::now();
    while path.exists() {
        if started.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn starts_and_runs_sql() {
    let server = EphemeralServer::start().unwrap();
    assert_eq!(server.psql("select 1").unwrap(), "1");
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(server.superuser(), "postgres");
    assert!(server.version().parse::<u32>().unwrap() >= 10);
    assert_eq!(
        server.dsn(),
        format!("postgresql://postgres@127.0.0.1:{}/postgres", server.port())
    );
    assert!(
        server
            .socket_dir()
            .join(format!(".s.PGSQL.{}", server.port()))
            .exists()
    );
    assert!(server.data_dir().join("PG_VERSION").is_file());
    assert!(server.tls().is_none());
    // Superuser over TCP with trust.
    assert_eq!(
        psql(&server, &tcp(&server, "postgres"), None, "select 2").unwrap(),
        "2"
    );
    // Several statements and a failing one.
    assert_eq!(
        server
            .psql("create table t(x int); insert into t values (7); select x from t")
            .unwrap(),
        "7"
    );
    match server.psql("select * from missing_table") {
        Err(EphemeralError::Psql { output, .. }) => {
            assert!(output.contains("missing_table"), "{output}")
        }
        other => panic!("expected a psql error, got {other:?}"),
    }
}

#[test]
fn password_md5_and_scram_users() {
    let server = EphemeralServer::builder()
        .user("pw_user", Some("pw secret"), AuthMethod::Password)
        .user("md5_user", Some("md5'secret"), AuthMethod::Md5)
        .user("scram_user", Some("scram-secret"), AuthMethod::ScramSha256)
        .setting("work_mem", "8MB")
        .start()
        .unwrap();
    for (user, password) in [
        ("pw_user", "pw secret"),
        ("md5_user", "md5'secret"),
        ("scram_user", "scram-secret"),
    ] {
        let who = psql(
            &server,
            &tcp(&server, user),
            Some(password),
            "select current_user",
        )
        .unwrap();
        assert_eq!(who, user);
        let err = psql(&server, &tcp(&server, user), Some("wrong"), "select 1").unwrap_err();
        assert!(err.contains("authentication failed"), "{user}: {err}");
    }
    let stored = |user: &str| {
        server
            .psql(&format!(
                "select rolpassword from pg_authid where rolname = '{user}'"
            ))
            .unwrap()
    };
    assert!(stored("md5_user").starts_with("md5"));
    assert!(stored("scram_user").starts_with("SCRAM-SHA-256$"));
    assert_eq!(server.psql("show work_mem").unwrap(), "8MB");
    assert_eq!(server.psql("show fsync").unwrap(), "off");
}

#[test]
fn tls_and_client_certificates() {
    let server = EphemeralServer::builder()
        .tls(true)
        .user("cert_user", None, AuthMethod::Cert)
        .user("scram_user", Some("secret"), AuthMethod::ScramSha256)
        .start()
        .unwrap();
    let tls = server.tls().unwrap();
    let ca = tls.ca_cert.display().to_string();
    let verified = |user: &str, extra: &str| {
        format!(
            "host=localhost port={} user={user} dbname=postgres sslmode=verify-full sslrootcert={ca} {extra}",
            server.port()
        )
    };
    let ssl = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
    assert_eq!(
        psql(&server, &verified("postgres", ""), None, ssl).unwrap(),
        "t"
    );
    assert_eq!(
        psql(&server, &verified("scram_user", ""), Some("secret"), ssl).unwrap(),
        "t"
    );
    // Verifying by IP address works too (SAN 127.0.0.1).
    let by_ip = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert={ca}",
        server.port()
    );
    assert_eq!(psql(&server, &by_ip, None, ssl).unwrap(), "t");

    let (cert, key) = tls.client_cert_for("cert_user").unwrap();
    let with_cert = verified(
        "cert_user",
        &format!("sslcert={} sslkey={}", cert.display(), key.display()),
    );
    assert_eq!(
        psql(&server, &with_cert, None, "select current_user").unwrap(),
        "cert_user"
    );
    // No client certificate: rejected. A certificate for another CN: rejected.
    let missing = verified("cert_user", "sslcert=/nonexistent sslkey=/nonexistent");
    assert!(psql(&server, &missing, None, "select 1").is_err());
    let (other, other_key) = tls.client_cert_for("someone_else").unwrap();
    let wrong = verified(
        "cert_user",
        &format!("sslcert={} sslkey={}", other.display(), other_key.display()),
    );
    assert!(psql(&server, &wrong, None, "select 1").is_err());
}

#[test]
fn cert_user_without_tls_is_rejected() {
    let err = EphemeralServer::builder()
        .user("c", None, AuthMethod::Cert)
        .start()
        .unwrap_err();
    assert!(
        matches!(err, EphemeralError::CertWithoutTls { .. }),
        "{err}"
    );
}

#[test]
fn stop_and_restart_on_the_same_port() {
    let mut server = EphemeralServer::builder()
        .hba_line("# an extra line")
        .start()
        .unwrap();
    let port = server.port();
    server
        .psql("create table kept(x int); insert into kept values (42)")
        .unwrap();
    server.stop().unwrap();
    assert!(matches!(
        server.psql("select 1"),
        Err(EphemeralError::NotRunning)
    ));
    assert!(psql(&server, &tcp(&server, "postgres"), None, "select 1").is_err());
    server.restart().unwrap();
    assert_eq!(server.port(), port);
    assert_eq!(server.psql("select x from kept").unwrap(), "42");
    // Restart while running also works.
    server.restart().unwrap();
    assert_eq!(
        psql(
            &server,
            &tcp(&server, "postgres"),
            None,
            "select x from kept"
        )
        .unwrap(),
        "42"
    );
}

#[test]
fn drop_removes_files_and_processes() {
    let server = EphemeralServer::start().unwrap();
    let data_dir: PathBuf = server.data_dir().to_path_buf();
    let root = data_dir.parent().unwrap().to_path_buf();
    let pid = postmaster_pid(&data_dir);
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(server);
    assert!(!root.exists());
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn two_servers_in_parallel() {
    let a = std::thread::spawn(|| EphemeralServer::start().unwrap());
    let b = std::thread::spawn(|| EphemeralServer::start().unwrap());
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_ne!(a.port(), b.port());
    assert_ne!(a.data_dir(), b.data_dir());
    assert_eq!(a.psql("select 1").unwrap(), "1");
    assert_eq!(b.psql("select 1").unwrap(), "1");
}

/// Not a test on its own: run by `watchdog_cleans_up_after_a_killed_process` in a child process,
/// which starts a server and exits without dropping it.
#[test]
fn abandoned_server_child() {
    if std::env::var_os("QUARRY_EPHEMERAL_ABANDON").is_none() {
        return;
    }
    let server = EphemeralServer::start().unwrap();
    println!("DATA={}", server.data_dir().display());
    println!("PID={}", postmaster_pid(server.data_dir()));
    std::mem::forget(server);
    std::process::exit(0);
}

#[test]
fn watchdog_cleans_up_after_an_exit_without_drop() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "abandoned_server_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QUARRY_EPHEMERAL_ABANDON", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(name).map(|(_, v)| v.trim()))
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
            .to_owned()
    };
    let data = PathBuf::from(field("DATA="));
    let pid = field("PID=");
    assert!(
        wait_gone(&data, Duration::from_secs(20)),
        "data dir left behind"
    );
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    assert!(
        wait_gone(&proc_dir, Duration::from_secs(20)),
        "postgres {pid} still running"
    );
}

#[test]
fn start_errors_carry_the_server_log() {
    let err = EphemeralServer::builder()
        .setting("shared_buffers", "not-a-size")
        .start()
        .unwrap_err();
    match err {
        EphemeralError::Start { log_tail, .. } => {
            assert!(log_tail.contains("shared_buffers"), "{log_tail}")
        }
        other => panic!("expected a start error, got {other}"),
    }
    let err = EphemeralServer::builder()
        .setting("bad name", "1")
        .start()
        .unwrap_err();
    assert!(
        matches!(err, EphemeralError::InvalidSetting { .. }),
        "{err}"
    );
}

#[test]
fn server_can_live_in_a_static() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<EphemeralServer>();
    assert_send_sync::<EphemeralError>();
    static SERVER: std::sync::OnceLock<EphemeralServer> = std::sync::OnceLock::new();
    let server = SERVER.get_or_init(|| EphemeralServer::start().unwrap());
    assert_eq!(server.psql("select 3").unwrap(), "3");
}
