//! pgbouncer in front of the test binary's server, one per pooling mode, started on first use.

use std::sync::OnceLock;

use quarry_driver::ephemeral::{PgBouncer, PoolMode};

use super::{TestDb, server};

static SESSION: OnceLock<PgBouncer> = OnceLock::new();
static TRANSACTION: OnceLock<PgBouncer> = OnceLock::new();

/// Server connections pgbouncer keeps per database: fewer than the clients of the tests, so
/// transaction pooling really hands backends from one client to another.
pub const POOL_SIZE: u32 = 6;

/// The test binary's pgbouncer in `mode` (stock settings but the pool size).
pub fn bouncer(mode: PoolMode) -> &'static PgBouncer {
    let cell = match mode {
        PoolMode::Session => &SESSION,
        PoolMode::Transaction => &TRANSACTION,
    };
    cell.get_or_init(|| {
        PgBouncer::builder(server(), mode)
            .pool_size(POOL_SIZE)
            .start()
            .unwrap_or_else(|e| panic!("could not start pgbouncer ({}): {e}", mode.as_str()))
    })
}

impl TestDb {
    /// A DSN for this database through the pgbouncer in `mode` (TLS off: pgbouncer has none).
    pub fn dsn_through(&self, mode: PoolMode) -> String {
        format!("{}?sslmode=disable", bouncer(mode).dsn_for(&self.name))
    }
}
