//! Throwaway local PostgreSQL servers for tests, examples and `quarry db` (feature `ephemeral`).
//!
//! [`EphemeralServer::start`] runs `initdb` into `/tmp/quarry-pg-*`, starts `postgres` on a free
//! loopback port with fast, unsafe-for-production settings (fsync off, …) and waits until it
//! accepts connections (about a second). Plain blocking std code: no runtime needed.
//!
//! * Binaries: `$QUARRY_PG_BINDIR`, `initdb` on `PATH`, `pg_config --bindir`, then the highest
//!   `/usr/lib/postgresql/*/bin`.
//! * As root, the server runs as the `postgres` OS account (or `quarry-pg`, created with
//!   `useradd --system --no-create-home quarry-pg` if neither exists): PostgreSQL refuses root.
//! * Scale-out: [`EphemeralServer::start_replica`] starts a streaming hot standby of a server
//!   (`pg_basebackup -R`), which [`EphemeralServer::promote`] makes a primary; [`PgBouncer`]
//!   runs the distribution's pgbouncer in front of a server, in session or transaction mode.
//! * No orphans: a watchdog `sh` process stops the server and deletes its files when this
//!   process exits for any reason, even if the server lives in a `static` or we are killed.
//!
//! ```no_run
//! use quarry_driver::ephemeral::{AuthMethod, EphemeralServer};
//! let server = EphemeralServer::builder()
//!     .user("app", Some("secret"), AuthMethod::ScramSha256)
//!     .start()?;
//! server.psql("CREATE DATABASE app OWNER app")?;
//! let dsn = server.dsn_for("app", Some("secret"), "app");
//! # drop(dsn);
//! # Ok::<(), quarry_driver::ephemeral::EphemeralError>(())
//! ```

mod account;
mod binaries;
mod builder;
mod conf;
mod error;
mod hba;
mod init;
mod pgbouncer;
mod postmaster;
mod replica;
mod server;
mod tls;
mod watchdog;

pub use builder::ServerBuilder;
pub use error::EphemeralError;
pub use hba::AuthMethod;
pub use pgbouncer::{PgBouncer, PgBouncerBuilder, PoolMode};
pub use server::EphemeralServer;
pub use tls::TlsFiles;
