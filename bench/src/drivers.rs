//! The three drivers under test, each with one open connection reused for every round.

use crate::error::BenchError;

/// Which driver a measurement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Driver {
    /// quarry_driver.
    Quarry,
    /// tokio-postgres 0.7.
    TokioPostgres,
    /// sqlx 0.9 (postgres).
    Sqlx,
}

impl Driver {
    /// Every driver, in the order they run within a round.
    pub(crate) const ALL: [Driver; 3] = [Driver::Quarry, Driver::TokioPostgres, Driver::Sqlx];

    /// The driver named `name` (as in the report).
    pub(crate) fn parse(name: &str) -> Option<Driver> {
        Driver::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The driver's name in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Driver::Quarry => "quarry",
            Driver::TokioPostgres => "tokio-postgres",
            Driver::Sqlx => "sqlx",
        }
    }
}

/// One open connection per driver, all to the same server.
pub(crate) struct Connections {
    /// Quarry's connection.
    pub(crate) quarry: quarry_driver::Connection,
    /// tokio-postgres's client; its connection task runs on the same (single-threaded) runtime.
    pub(crate) tokio_pg: tokio_postgres::Client,
    /// sqlx's connection.
    pub(crate) sqlx: sqlx::PgConnection,
    /// The server, for workloads that open their own connections (pools).
    pub(crate) dsn: String,
    /// A pgbouncer in transaction mode in front of the server, when one was started.
    pub(crate) bouncer_dsn: Option<String>,
}

impl Connections {
    /// Opens the three connections (without TLS: `dsn` should say `sslmode=disable`).
    ///
    /// Call it on the benchmark's current-thread runtime: tokio-postgres's connection future is
    /// spawned there, so its work is counted on the same thread as everyone else's.
    pub(crate) async fn open(dsn: &str) -> Result<Connections, BenchError> {
        use sqlx::Connection as _;
        let quarry = quarry_driver::connect(dsn).await?;
        let (tokio_pg, connection) = tokio_postgres::connect(dsn, tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("tokio-postgres connection ended: {e}");
            }
        });
        let sqlx = sqlx::PgConnection::connect(dsn).await?;
        Ok(Connections {
            quarry,
            tokio_pg,
            sqlx,
            dsn: dsn.to_owned(),
            bouncer_dsn: None,
        })
    }
}

/// `dsn` with `sslmode=disable` added unless it already names an sslmode.
pub(crate) fn without_tls(dsn: &str) -> String {
    if dsn.contains("sslmode=") {
        dsn.to_owned()
    } else if dsn.contains('?') {
        format!("{dsn}&sslmode=disable")
    } else {
        format!("{dsn}?sslmode=disable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_added_once() {
        assert_eq!(
            without_tls("postgresql://u@h:1/d"),
            "postgresql://u@h:1/d?sslmode=disable"
        );
        assert_eq!(
            without_tls("postgresql://u@h:1/d?x=1"),
            "postgresql://u@h:1/d?x=1&sslmode=disable"
        );
        assert_eq!(
            without_tls("postgresql://u@h/d?sslmode=require"),
            "postgresql://u@h/d?sslmode=require"
        );
    }
}
