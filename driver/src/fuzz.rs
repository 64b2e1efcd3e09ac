//! Entry points for the `cargo fuzz` targets in `driver/fuzz/`: the few parsers they drive that
//! are not public API. Everything else the targets reach (`protocol::backend`, `types`,
//! `Config::parse`, `quarry_describe::cache::parse`) they call directly.
//!
//! Not part of Quarry's API: hidden from the docs, not covered by semver, and not to be called by
//! anything but the fuzz targets. Each function is a thin wrapper over the crate-private code.

use std::sync::Arc;

use crate::config::{Password, Target};
use crate::record::Record;
use crate::statement::Column;
use crate::types::PgType;
use quarry_protocol::ProtocolError;
use quarry_protocol::backend::{DataRow, FieldDescription};

/// A [`Record`] for `row`, whose columns are `fields` with the types `types` (paired in order,
/// as a prepared statement pairs a RowDescription with the types the connection resolved).
/// Fails as a connection receiving the row would: on a column count or framing mismatch.
pub fn record(
    fields: Vec<FieldDescription>,
    types: Vec<Arc<PgType>>,
    row: DataRow,
) -> Result<Record, ProtocolError> {
    let columns: Arc<[Column]> = fields
        .into_iter()
        .zip(types)
        .map(|(field, ty)| Column::from_field(field, ty))
        .collect();
    Record::from_row(&columns, row)
}

/// The password the `.pgpass` file text `content` gives for `target`, `dbname` and `user`.
pub fn pgpass_password(
    content: &str,
    target: &Target,
    dbname: &str,
    user: &str,
) -> Option<Password> {
    crate::config::pgpass::find_in(
        content,
        &crate::config::pgpass::Lookup {
            target,
            dbname,
            user,
        },
    )
}
