//! The shared test harness: one throwaway PostgreSQL server per test binary (TLS on, a user per
//! password method), and a fresh database per test so tests run in parallel.
// Each test binary uses a different part of the harness, and `pub` here means "for the test files".
#![allow(dead_code, unreachable_pub)]

pub mod examples;
pub mod fault_proxy;
pub mod pooler;
pub mod replica;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use quarry::Connection;
use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};

/// Users every harness server has, with their password and method.
pub const PASSWORD_USER: (&str, &str) = ("quarry_password", "pass word");
pub const MD5_USER: (&str, &str) = ("quarry_md5", "md5 secret");
pub const SCRAM_USER: (&str, &str) = ("quarry_scram", "scram:secret@/?");
pub const CERT_USER: &str = "quarry_cert";

static SERVER: OnceLock<EphemeralServer> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// The test binary's server, started on first use.
pub fn server() -> &'static EphemeralServer {
    SERVER.get_or_init(|| {
        EphemeralServer::builder()
            .tls(true)
            .user(PASSWORD_USER.0, Some(PASSWORD_USER.1), AuthMethod::Password)
            .user(MD5_USER.0, Some(MD5_USER.1), AuthMethod::Md5)
            .user(SCRAM_USER.0, Some(SCRAM_USER.1), AuthMethod::ScramSha256)
            .user(CERT_USER, None, AuthMethod::Cert)
            .start()
            .unwrap_or_else(|e| panic!("could not start the test server: {e}"))
    })
}

/// A database of one's own, on the test binary's server.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    /// A DSN for the superuser on this database (TCP, TLS off).
    pub fn dsn(&self) -> String {
        format!(
            "{}?sslmode=disable",
            server().dsn_for("postgres", None, &self.name)
        )
    }

    /// A DSN for `user`/`password` on this database (TCP, sslmode from the default).
    pub fn dsn_for(&self, user: &str, password: Option<&str>) -> String {
        server().dsn_for(user, password, &self.name)
    }

    /// A superuser connection to this database.
    pub async fn connect(&self) -> Connection {
        quarry::connect(&self.dsn())
            .await
            .unwrap_or_else(|e| panic!("could not connect to {}: {e}", self.name))
    }
}

/// Creates a fresh database for one test.
pub async fn fresh_db() -> TestDb {
    let server = server();
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = quarry::connect(&format!("{}?sslmode=disable", server.dsn()))
        .await
        .unwrap_or_else(|e| panic!("could not connect to the test server: {e}"));
    admin
        .execute(&format!("CREATE DATABASE {name}"), &[])
        .await
        .unwrap_or_else(|e| panic!("could not create database {name}: {e}"));
    admin.close().await.ok();
    TestDb { name }
}

/// A superuser connection to a fresh database.
pub async fn connect() -> Connection {
    fresh_db().await.connect().await
}
