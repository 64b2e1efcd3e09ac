//! A primary and its streaming replica, both throwaway and the test's own (a test may stop or
//! promote either).

use quarry_driver::ephemeral::EphemeralServer;

/// A primary with a hot standby streaming from it.
pub struct Pair {
    pub primary: EphemeralServer,
    pub replica: EphemeralServer,
}

impl Pair {
    /// Starts both (about two seconds), off the async runtime's threads.
    pub async fn start() -> Pair {
        tokio::task::spawn_blocking(|| {
            let primary = EphemeralServer::start()
                .unwrap_or_else(|e| panic!("could not start the primary: {e}"));
            let replica = primary
                .start_replica()
                .unwrap_or_else(|e| panic!("could not start the replica: {e}"));
            Pair { primary, replica }
        })
        .await
        .unwrap()
    }

    /// A `key=value` DSN listing `ports` (127.0.0.1 each) with extra settings.
    pub fn dsn(ports: &[u16], extra: &str) -> String {
        let hosts = vec!["127.0.0.1"; ports.len()].join(",");
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        format!(
            "host={hosts} port={} user=postgres dbname=postgres sslmode=disable connect_timeout=5 {extra}",
            ports.join(",")
        )
    }
}

/// A primary with two hot standbys.
pub struct Trio {
    pub primary: EphemeralServer,
    pub replicas: [EphemeralServer; 2],
}

impl Trio {
    /// Starts all three, off the async runtime's threads.
    pub async fn start() -> Trio {
        tokio::task::spawn_blocking(|| {
            let primary = EphemeralServer::start()
                .unwrap_or_else(|e| panic!("could not start the primary: {e}"));
            let start = || {
                primary
                    .start_replica()
                    .unwrap_or_else(|e| panic!("could not start a replica: {e}"))
            };
            let replicas = [start(), start()];
            Trio { primary, replicas }
        })
        .await
        .unwrap()
    }
}

/// Runs a blocking server operation (stop, restart, promote, psql) off the runtime's threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}
