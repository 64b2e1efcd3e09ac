//! The one error type of Quarry and its parts.

mod db;
mod sqlstate;

pub use db::{DbError, ErrorPosition, MissingField, Severity};
pub use sqlstate::SqlState;
