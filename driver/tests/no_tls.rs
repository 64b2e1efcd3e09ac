//! quarry-driver built without its `tls` feature: `disable`, `allow` and `prefer` connect in
//! plain text to a server that offers TLS, and every setting that needs TLS fails by name,
//! never falling back to plain text. Run by `scripts/test` as
//! `cargo test -p quarry-driver --no-default-features --features ephemeral --test no_tls`.
#![cfg(all(feature = "ephemeral", not(feature = "tls")))]

use std::time::Duration;

use quarry_driver::config::ConfigError;
use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};
use quarry_driver::{Error, connect};

/// A server with TLS on, and a role the server lets in over TLS only.
fn server() -> EphemeralServer {
    EphemeralServer::builder()
        .tls(true)
        .hba_line("hostnossl all tls_only all reject")
        .user("tls_only", None, AuthMethod::Trust)
        .start()
        .unwrap()
}

fn is_tls_not_built(error: &Error, setting: &str) -> bool {
    matches!(error, Error::Config(ConfigError::TlsNotBuilt { .. }))
        && error.to_string().contains(setting)
        && error.to_string().contains("`tls` feature")
}

#[tokio::test]
async fn plain_modes_connect_in_plain_text() {
    let server = server();
    for mode in ["disable", "allow", "prefer"] {
        let dsn = format!("{}?sslmode={mode}", server.dsn());
        let mut conn = connect(&dsn).await.unwrap();
        let ssl: bool = conn
            .fetch_val(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap();
        assert!(
            !ssl,
            "sslmode={mode} must be plain text without the tls feature"
        );
    }
}

#[tokio::test]
async fn settings_that_need_tls_fail_before_connecting() {
    // Nothing may be sent: a listener that is never accepted from proves no socket was opened.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    for (options, setting) in [
        ("sslmode=require", "sslmode=require"),
        ("sslmode=verify-ca", "sslmode=verify-ca"),
        ("sslmode=verify-full", "sslmode=verify-full"),
        ("sslrootcert=system", "sslrootcert=system"),
        ("sslcert=/nonexistent/c.pem", "sslcert=/nonexistent/c.pem"),
        ("sslnegotiation=direct", "sslnegotiation=direct"),
        ("channel_binding=require", "channel_binding=require"),
    ] {
        let dsn = format!("postgresql://postgres@127.0.0.1:{port}/postgres?{options}");
        let error = connect(&dsn).await.unwrap_err();
        assert!(is_tls_not_built(&error, setting), "{options}: {error}");
    }
    let accepted = tokio::time::timeout(Duration::from_millis(50), listener.accept()).await;
    assert!(accepted.is_err(), "a connection was opened");
}

#[tokio::test]
async fn allow_refused_in_plain_text_names_the_feature() {
    let server = server();
    let dsn = format!(
        "{}?sslmode=allow",
        server.dsn_for("tls_only", None, "postgres")
    );
    let error = connect(&dsn).await.unwrap_err();
    assert!(is_tls_not_built(&error, "sslmode=allow"), "{error}");
    // With sslmode=disable the server's own refusal comes through, as it would with TLS built.
    let dsn = format!(
        "{}?sslmode=disable",
        server.dsn_for("tls_only", None, "postgres")
    );
    let error = connect(&dsn).await.unwrap_err();
    let code = error.code().map(|c| c.code().to_owned());
    assert_eq!(code.as_deref(), Some("28000"), "{error}");
}
