//! Authentication against a real server: trust, cleartext password, md5 and SCRAM-SHA-256 users
//! (right, wrong and missing passwords, over TCP, TLS and the Unix socket), SCRAM-SHA-256-PLUS
//! channel binding, and that passwords never leak into `Debug` output or error text.

mod common;

use std::future::Future;
use std::time::Duration;

use common::{MD5_USER, PASSWORD_USER, SCRAM_USER};
use quarry::config::Config;
use quarry::error::AuthError;
use quarry::{Connection, Error};

const BOUND: Duration = Duration::from_secs(20);

async fn bounded<F: Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(BOUND, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {BOUND:?}"))
}

async fn connect(dsn: &str) -> Result<Connection, Error> {
    bounded(dsn, quarry::connect(dsn)).await
}

/// `current_user` and whether the session is encrypted.
async fn whoami(conn: &mut Connection) -> (String, bool) {
    let user: String = conn
        .fetch_val("SELECT current_user::text", &[])
        .await
        .unwrap();
    let ssl: bool = conn
        .fetch_val(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    (user, ssl)
}

const PASSWORD_USERS: [(&str, &str); 3] = [PASSWORD_USER, MD5_USER, SCRAM_USER];

/// Checks an error's text and Debug output hold no password.
fn assert_no_secret(err: &Error, secrets: &[&str]) {
    let shown = format!("{err} {err:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} leaked into {shown}");
    }
}

#[tokio::test]
async fn trust_needs_no_password() {
    let db = common::fresh_db().await;
    let mut conn = connect(&db.dsn()).await.unwrap();
    assert_eq!(whoami(&mut conn).await, ("postgres".into(), false));
    // A password given to a trust user is simply not asked for.
    let mut conn = connect(&format!("{}&password=unused", db.dsn()))
        .await
        .unwrap();
    assert_eq!(whoami(&mut conn).await.0, "postgres");
}

#[tokio::test]
async fn password_methods_matrix() {
    let db = common::fresh_db().await;
    for (user, password) in PASSWORD_USERS {
        for sslmode in ["disable", "require"] {
            let base = db.dsn_for(user, Some(password));
            let mut conn = connect(&format!("{base}?sslmode={sslmode}"))
                .await
                .unwrap_or_else(|e| panic!("{user} with sslmode={sslmode}: {e}"));
            assert_eq!(whoami(&mut conn).await, (user.into(), sslmode == "require"));

            let wrong = format!(
                "{}?sslmode={sslmode}",
                db.dsn_for(user, Some("wrong-password-123"))
            );
            let err = connect(&wrong).await.unwrap_err();
            assert_eq!(
                err.code().map(|c| c.code().to_owned()).as_deref(),
                Some("28P01"),
                "{user}/{sslmode}: {err:?}"
            );
            assert!(err.to_string().contains(user), "{err}");
            assert_no_secret(&err, &["wrong-password-123", password]);

            let none = format!("{}?sslmode={sslmode}", db.dsn_for(user, None));
            let err = connect(&none).await.unwrap_err();
            assert!(
                matches!(&err, Error::PasswordRequired { user: u } if u == user),
                "{user}/{sslmode}: {err:?}"
            );
        }
    }
}

#[tokio::test]
async fn password_methods_over_the_unix_socket() {
    let db = common::fresh_db().await;
    let dir = common::server().socket_dir().display().to_string();
    let port = common::server().port();
    for (user, password) in PASSWORD_USERS {
        let dsn = format!(
            "host={dir} port={port} user={user} password='{}' dbname={}",
            password.replace('\\', "\\\\").replace('\'', "\\'"),
            db.name
        );
        let mut conn = connect(&dsn)
            .await
            .unwrap_or_else(|e| panic!("{user}: {e}"));
        assert_eq!(whoami(&mut conn).await, (user.into(), false));
        let dsn = format!(
            "host={dir} port={port} user={user} password=bad dbname={}",
            db.name
        );
        let err = connect(&dsn).await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "28P01", "{user}: {err}");
    }
}

#[tokio::test]
async fn password_from_config_setter() {
    let db = common::fresh_db().await;
    let config = Config::new()
        .host("127.0.0.1")
        .port(common::server().port())
        .user(SCRAM_USER.0)
        .password(SCRAM_USER.1)
        .dbname(&db.name);
    let mut conn = bounded("connect", Connection::connect(&config))
        .await
        .unwrap();
    assert_eq!(whoami(&mut conn).await.0, "quarry_scram");
    assert!(!format!("{config:?}").contains(SCRAM_USER.1));
}

#[tokio::test]
async fn scram_plus_with_channel_binding_required() {
    let db = common::fresh_db().await;
    let base = db.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1));
    for sslmode in ["require", "prefer"] {
        let mut conn = connect(&format!("{base}?sslmode={sslmode}&channel_binding=require"))
            .await
            .unwrap_or_else(|e| panic!("sslmode={sslmode}: {e}"));
        assert_eq!(whoami(&mut conn).await, ("quarry_scram".into(), true));
    }
    // A wrong password is still the server's refusal with channel binding.
    let wrong = db.dsn_for(SCRAM_USER.0, Some("nope"));
    let err = connect(&format!("{wrong}?sslmode=require&channel_binding=require"))
        .await
        .unwrap_err();
    assert_eq!(err.code().unwrap().code(), "28P01", "{err:?}");
    // channel_binding=disable over TLS still authenticates (plain SCRAM-SHA-256).
    let mut conn = connect(&format!("{base}?sslmode=require&channel_binding=disable"))
        .await
        .unwrap();
    assert_eq!(whoami(&mut conn).await, ("quarry_scram".into(), true));
}

#[tokio::test]
async fn channel_binding_required_is_refused_without_tls() {
    let db = common::fresh_db().await;
    let base = db.dsn_for(SCRAM_USER.0, Some(SCRAM_USER.1));
    let err = connect(&format!("{base}?sslmode=disable&channel_binding=require"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth(AuthError::ChannelBindingRequired)),
        "{err:?}"
    );
    assert!(err.to_string().contains("channel binding"), "{err}");
    assert_no_secret(&err, &[SCRAM_USER.1]);
}

#[tokio::test]
async fn channel_binding_required_is_refused_for_non_scram_methods() {
    let db = common::fresh_db().await;
    for (user, password) in [PASSWORD_USER, MD5_USER] {
        let base = db.dsn_for(user, Some(password));
        let err = connect(&format!("{base}?sslmode=require&channel_binding=require"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Auth(AuthError::ChannelBindingRequired)),
            "{user}: {err:?}"
        );
        assert_no_secret(&err, &[password]);
    }
    // Trust authenticates without any exchange, so nothing binds the channel either.
    let err = connect(&format!(
        "{}?sslmode=require&channel_binding=require",
        common::server().dsn_for("postgres", None, &db.name)
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Auth(AuthError::ChannelBindingRequired)),
        "{err:?}"
    );
}

#[tokio::test]
async fn passwords_never_leak_into_debug_or_errors() {
    let secret = "Sup3r-S3cret-Pw";
    // Config Debug, both DSN forms.
    for dsn in [
        format!("postgresql://someone:{secret}@127.0.0.1:1/x"),
        format!("host=127.0.0.1 port=1 user=someone password={secret}"),
    ] {
        let config = Config::parse(&dsn).unwrap();
        assert!(
            !format!("{config:?} {config:#?}").contains(secret),
            "{config:?}"
        );
        // A refused connection.
        let err = connect(&dsn).await.unwrap_err();
        assert_no_secret(&err, &[secret]);
    }
    // Malformed DSNs that contain the password.
    for dsn in [
        format!("postgresql://someone:{secret}@127.0.0.1:notaport/x"),
        format!("postgresql://someone:{secret}%ZZ@127.0.0.1/x"),
        format!("postgresql://someone:{secret}%00@127.0.0.1/x"),
        format!("host=h password={secret} sslmode=bogus"),
        format!("host=h password='{secret}"),
    ] {
        let err = connect(&dsn).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{dsn}: {err:?}");
        assert_no_secret(&err, &[secret]);
    }
    // Server refusals, for every method.
    let db = common::fresh_db().await;
    for (user, _) in PASSWORD_USERS {
        let err = connect(&db.dsn_for(user, Some(secret))).await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "28P01");
        assert_no_secret(&err, &[secret]);
    }
}
