//! # Quarry
//!
//! A PostgreSQL toolkit for Rust: an async driver with everything asyncpg offers
//! ([`connect`], [`Connection`], transactions, prepared statements, a statement cache, ...),
//! compile-time checked queries (the `quarry-macros` crate) and the `quarry` command.
//!
//! ```no_run
//! # async fn demo() -> quarry::Result<()> {
//! let mut conn = quarry::connect("postgresql://postgres@localhost/test").await?;
//! conn.execute("CREATE TABLE users(id serial PRIMARY KEY, name text)", &[]).await?;
//! conn.execute("INSERT INTO users(name) VALUES ($1)", &[&"Bob"]).await?;
//! let row = conn.fetch_row("SELECT * FROM users WHERE name = $1", &[&"Bob"]).await?;
//! println!("{row:?}"); // Record(id=1, name='Bob')
//! # Ok(()) }
//! ```
//!
//! This crate only re-exports: the driver lives in `quarry-driver`, the macros in `quarry-macros`.

pub use quarry_driver::*;
pub use quarry_macros::{CopyRow, FromRecord, Type};
pub use quarry_macros::{
    migrate, query, query_as, query_as_unchecked, query_file, query_file_as,
    query_file_as_unchecked, query_file_scalar, query_file_scalar_unchecked, query_file_unchecked,
    query_scalar, query_scalar_unchecked, query_unchecked, test,
};
