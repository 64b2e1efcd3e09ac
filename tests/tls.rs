//! TLS against real servers: every `sslmode` against a TLS server, a server without TLS and a
//! server whose pg_hba refuses plaintext; certificate and host name verification; client
//! certificate authentication; direct TLS negotiation.
//!
//! A wrong host name for `verify-full` is produced with a TCP relay listening on 127.0.0.2 (any
//! 127/8 address is loopback on Linux) that forwards to the server: the server certificate names
//! `localhost`, `127.0.0.1` and `::1`, so connecting to `127.0.0.2` reaches the right server with
//! the right certificate under a name the certificate lacks.

mod common;

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use common::SCRAM_USER;
use quarry::error::NetError;
use quarry::{Connection, Error};
use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};

const BOUND: Duration = Duration::from_secs(20);

async fn bounded<F: Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(BOUND, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {BOUND:?}"))
}

async fn connect(dsn: &str) -> Result<Connection, Error> {
    bounded(dsn, quarry::connect(dsn)).await
}

async fn ssl_in_use(conn: &mut Connection) -> bool {
    conn.fetch_val(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .await
    .unwrap()
}

/// A server without TLS.
fn plain_server() -> &'static EphemeralServer {
    static SERVER: OnceLock<EphemeralServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        EphemeralServer::builder()
            .tls(false)
            .user(SCRAM_USER.0, Some(SCRAM_USER.1), AuthMethod::ScramSha256)
            .start()
            .unwrap_or_else(|e| panic!("could not start the plain server: {e}"))
    })
}

/// A TLS server (with its own CA) whose pg_hba refuses every plaintext TCP connection.
fn tls_only_server() -> &'static EphemeralServer {
    static SERVER: OnceLock<EphemeralServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        EphemeralServer::builder()
            .tls(true)
            .hba_line("hostnossl all all 127.0.0.1/32 reject")
            .hba_line("hostnossl all all ::1/128 reject")
            .start()
            .unwrap_or_else(|e| panic!("could not start the TLS-only server: {e}"))
    })
}

fn ca_of(server: &EphemeralServer) -> String {
    server.tls().unwrap().ca_cert.display().to_string()
}

/// A superuser DSN for `server` with extra `&`-separated settings.
fn dsn_at(server: &EphemeralServer, host: &str, extra: &str) -> String {
    format!(
        "postgresql://postgres@{host}:{}/postgres?{extra}",
        server.port()
    )
}

#[tokio::test]
async fn every_sslmode_against_a_tls_server() {
    let server = common::server();
    let ca = ca_of(server);
    let cases = [
        ("disable", false),
        ("allow", false), // plain first, and this server accepts plain
        ("prefer", true),
        ("require", true),
        ("verify-ca", true),
        ("verify-full", true),
    ];
    for (mode, encrypted) in cases {
        for host in ["127.0.0.1", "localhost"] {
            let dsn = dsn_at(server, host, &format!("sslmode={mode}&sslrootcert={ca}"));
            let mut conn = connect(&dsn).await.unwrap_or_else(|e| panic!("{dsn}: {e}"));
            assert_eq!(ssl_in_use(&mut conn).await, encrypted, "{dsn}");
        }
    }
}

#[tokio::test]
async fn every_sslmode_against_a_server_without_tls() {
    let server = plain_server();
    let ca = ca_of(common::server());
    for mode in ["disable", "allow", "prefer"] {
        let dsn = dsn_at(server, "127.0.0.1", &format!("sslmode={mode}"));
        let mut conn = connect(&dsn).await.unwrap_or_else(|e| panic!("{dsn}: {e}"));
        assert!(!ssl_in_use(&mut conn).await, "{dsn}");
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        let dsn = dsn_at(
            server,
            "127.0.0.1",
            &format!("sslmode={mode}&sslrootcert={ca}"),
        );
        let err = connect(&dsn).await.unwrap_err();
        assert!(
            matches!(err, Error::Net(NetError::TlsRefusedByServer)),
            "{dsn}: {err:?}"
        );
        assert!(err.to_string().contains("does not support TLS"), "{err}");
    }
    // SCRAM works in plaintext, and channel binding cannot be had.
    let scram = server.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1), "postgres");
    let mut conn = connect(&format!("{scram}?sslmode=prefer")).await.unwrap();
    assert!(!ssl_in_use(&mut conn).await);
    let err = connect(&format!("{scram}?sslmode=prefer&channel_binding=require"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
}

#[tokio::test]
async fn sslmodes_against_a_server_that_refuses_plaintext() {
    let server = tls_only_server();
    // `allow` tries plain, is refused by pg_hba, and retries with TLS.
    for mode in ["allow", "prefer", "require"] {
        let dsn = dsn_at(server, "127.0.0.1", &format!("sslmode={mode}"));
        let mut conn = connect(&dsn).await.unwrap_or_else(|e| panic!("{dsn}: {e}"));
        assert!(ssl_in_use(&mut conn).await, "{dsn}");
    }
    let err = connect(&dsn_at(server, "127.0.0.1", "sslmode=disable"))
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "28000", "{err:?}");
    assert!(err.to_string().contains("no encryption"), "{err}");
}

/// Relays every connection accepted on 127.0.0.2 to `127.0.0.1:port`; returns the relay's port.
async fn relay_on_127_0_0_2(port: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let relay_port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    relay_port
}

#[tokio::test]
async fn verify_full_checks_the_host_name() {
    let server = common::server();
    let ca = ca_of(server);
    let relay = relay_on_127_0_0_2(server.port()).await;
    let at = |mode: &str| {
        format!("postgresql://postgres@127.0.0.2:{relay}/postgres?sslmode={mode}&sslrootcert={ca}")
    };
    // The certificate chains to the CA: everything but the host name check passes.
    for mode in ["require", "verify-ca"] {
        let mut conn = connect(&at(mode))
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(ssl_in_use(&mut conn).await);
    }
    let err = connect(&at("verify-full")).await.unwrap_err();
    assert!(
        matches!(err, Error::Net(NetError::Handshake { .. })),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("TLS handshake failed"), "{text}");
    assert!(
        text.to_lowercase().contains("not valid for name") || text.contains("NotValidForName"),
        "{text}"
    );
}

#[tokio::test]
async fn verification_with_the_wrong_ca_fails() {
    let server = common::server();
    let wrong_ca = ca_of(tls_only_server());
    // `require` with a root certificate verifies the chain, as in libpq.
    for mode in ["require", "verify-ca", "verify-full"] {
        for root in [wrong_ca.as_str(), "system"] {
            let dsn = dsn_at(
                server,
                "127.0.0.1",
                &format!("sslmode={mode}&sslrootcert={root}"),
            );
            let err = connect(&dsn).await.unwrap_err();
            assert!(
                matches!(err, Error::Net(NetError::Handshake { .. })),
                "{dsn}: {err:?}"
            );
            // Both ephemeral CAs share a subject name, so the wrong one is found as the issuer
            // and the signature fails (BadSignature); system roots give UnknownIssuer.
            assert!(
                err.to_string().contains("invalid peer certificate"),
                "{dsn}: {err}"
            );
        }
    }
    // A root file that does not exist is named.
    let dsn = dsn_at(
        server,
        "127.0.0.1",
        "sslmode=verify-ca&sslrootcert=/nonexistent/root.crt",
    );
    let err = connect(&dsn).await.unwrap_err();
    assert!(err.to_string().contains("/nonexistent/root.crt"), "{err}");
}

#[tokio::test]
async fn verifying_modes_need_a_root_certificate() {
    let home_root =
        std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".postgresql/root.crt"));
    if home_root.is_some_and(|p| p.exists()) {
        // The default root file applies; nothing to check without touching the user's files.
        return;
    }
    for mode in ["verify-ca", "verify-full"] {
        let err = connect(&dsn_at(
            common::server(),
            "127.0.0.1",
            &format!("sslmode={mode}"),
        ))
        .await
        .unwrap_err();
        assert!(
            matches!(err, Error::Net(NetError::MissingRootCert)),
            "{mode}: {err:?}"
        );
    }
}

#[tokio::test]
async fn client_certificate_authentication() {
    let server = common::server();
    let tls = server.tls().unwrap();
    let ca = ca_of(server);
    let (cert, key) = tls.client_cert_for(common::CERT_USER).unwrap();
    let base = format!(
        "postgresql://{}@127.0.0.1:{}/postgres",
        common::CERT_USER,
        server.port()
    );
    for mode in ["require", "verify-full"] {
        let dsn = format!(
            "{base}?sslmode={mode}&sslrootcert={ca}&sslcert={}&sslkey={}",
            cert.display(),
            key.display()
        );
        let mut conn = connect(&dsn).await.unwrap_or_else(|e| panic!("{dsn}: {e}"));
        let user: String = conn
            .fetch_val("SELECT current_user::text", &[])
            .await
            .unwrap();
        assert_eq!(user, common::CERT_USER);
        let client_dn: String = conn
            .fetch_val(
                "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap();
        assert!(client_dn.contains(common::CERT_USER), "{client_dn}");
    }
    // No certificate: the server refuses.
    let err = connect(&format!("{base}?sslmode=require"))
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "28000", "{err:?}");
    // A certificate for someone else: the server refuses.
    let (other_cert, other_key) = tls.client_cert_for("someone_else").unwrap();
    let err = connect(&format!(
        "{base}?sslmode=require&sslcert={}&sslkey={}",
        other_cert.display(),
        other_key.display()
    ))
    .await
    .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "28000", "{err:?}");
    // A certificate file that does not exist is named.
    let err = connect(&format!(
        "{base}?sslmode=require&sslcert=/nonexistent/client.crt&sslkey={}",
        key.display()
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/client.crt"), "{err}");
}

#[tokio::test]
async fn direct_tls_negotiation() {
    let server = common::server();
    let ca = ca_of(server);
    let major: u32 = server
        .version()
        .split('.')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap();
    let dsn = dsn_at(
        server,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}&sslnegotiation=direct&connect_timeout=10"),
    );
    let started = std::time::Instant::now();
    let result = connect(&dsn).await;
    if major >= 17 {
        let mut conn = result.unwrap();
        assert!(ssl_in_use(&mut conn).await);
    } else {
        // PostgreSQL before 17 reads the ClientHello as a startup packet and gives up: a clean
        // error, well before the connect timeout.
        let err = result.err().unwrap();
        assert!(
            matches!(err, Error::Net(NetError::DirectTlsRefused { .. })),
            "PostgreSQL {major} with direct TLS: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("sslnegotiation=direct needs PostgreSQL 17"),
            "{text}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    // Direct TLS with a mode that allows plaintext is refused before connecting.
    let err = connect(&dsn_at(
        server,
        "127.0.0.1",
        "sslmode=prefer&sslnegotiation=direct",
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Net(NetError::DirectTlsNeedsRequire { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn tls_sessions_run_queries() {
    // A larger exchange over TLS: many rows and a large value both ways.
    let db = common::fresh_db().await;
    let dsn = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        db.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1)),
        ca_of(common::server())
    );
    let mut conn = connect(&dsn).await.unwrap();
    assert!(ssl_in_use(&mut conn).await);
    let big = "x".repeat(1 << 20);
    let len: i32 = conn
        .fetch_val("SELECT length($1::text)", &[&big.as_str()])
        .await
        .unwrap();
    assert_eq!(len, 1 << 20);
    let rows = conn
        .fetch(
            "SELECT g, repeat('y', 100) FROM generate_series(1, 20000) g",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 20000);
    bounded("close", conn.close()).await.unwrap();
}
