//! Parameters encoded before the pipeline that sends them is built: the pool's callers encode
//! theirs against the parameter types learned from an earlier run of the same SQL, then queue
//! them for whichever caller leads the next batch. The pipeline sends them only to a statement
//! with exactly those types.

use std::ops::Range;
use std::sync::Arc;

use bytes::BytesMut;

use super::super::Param;
use super::super::query::{check_param_types, param_formats};
use crate::error::{Error, Result};
use crate::statement::Statement;
use crate::types::PgType;
use quarry_protocol::{Format, IsNull, frontend};

/// Parameter values encoded by the caller before it queues.
#[derive(Debug)]
pub(crate) struct EncodedParams {
    formats: Vec<Format>,
    /// Each value's bytes in `data`; `None` for NULL.
    values: Vec<Option<Range<usize>>>,
    data: BytesMut,
}

impl EncodedParams {
    /// Bytes these parameters add to a write, roughly.
    pub(crate) fn size(&self) -> usize {
        self.data.len() + 4 * self.values.len() + 64
    }
}

/// Checks `params` against `types` (the same errors as running the query) and encodes them.
pub(crate) fn encode_params(
    sql: &str,
    types: &[Arc<PgType>],
    params: &[Param<'_>],
) -> Result<EncodedParams> {
    check_param_types(sql, types, params)?;
    let formats = param_formats(types, params);
    let mut data = BytesMut::new();
    let mut values = Vec::with_capacity(params.len());
    for (i, (param, ty)) in params.iter().zip(types).enumerate() {
        let start = data.len();
        let encode_error = |source| Error::Encode {
            position: i + 1,
            rust_type: param.rust_type(),
            pg_type: ty.to_string(),
            source,
        };
        match param.encode(ty, &mut data).map_err(encode_error)? {
            IsNull::Yes => {
                data.truncate(start);
                values.push(None);
            }
            IsNull::No => {
                if data.len() < start {
                    return Err(encode_error(
                        "the parameter encoder removed bytes it did not write".into(),
                    ));
                }
                values.push(Some(start..data.len()));
            }
        }
    }
    Ok(EncodedParams {
        formats,
        values,
        data,
    })
}

/// Appends a Bind of the unnamed portal to `stmt` with parameters encoded beforehand: the
/// same bytes [`super::super::query::write_bind_to`] writes from the values.
pub(super) fn write_encoded_bind(
    stmt: &Statement,
    params: &EncodedParams,
    buf: &mut BytesMut,
) -> std::result::Result<(), quarry_protocol::ProtocolError> {
    frontend::bind(
        "",
        stmt.name(),
        &params.formats,
        params.values.len(),
        |i, buf| match params.values.get(i) {
            Some(Some(range)) => match params.data.get(range.clone()) {
                Some(bytes) => {
                    buf.extend_from_slice(bytes);
                    Ok(IsNull::No)
                }
                None => Err("a pre-encoded parameter is out of range".into()),
            },
            _ => Ok(IsNull::Yes),
        },
        &stmt.0.result_formats,
        buf,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn statement() -> Statement {
        Statement::new(
            1,
            "quarry_s7".to_owned(),
            "SELECT $1::int4, $2::text, $3::int8".to_owned(),
            vec![oid::INT4, oid::TEXT, oid::INT8],
            vec![
                PgType::resolve(oid::INT4),
                PgType::resolve(oid::TEXT),
                PgType::resolve(oid::INT8),
            ],
            Vec::new(),
            Vec::new(),
        )
    }

    #[test]
    fn pre_encoded_parameters_give_the_same_bind_as_the_values() {
        let stmt = statement();
        let none: Option<i64> = None;
        let rows: [[Param<'_>; 3]; 2] = [[&7i32, &"abc", &none], [&-1i32, &"", &Some(5i64)]];
        for params in &rows {
            let mut direct = BytesMut::new();
            super::super::super::query::write_bind_to("", &stmt, params, &mut direct).unwrap();
            let encoded = encode_params(stmt.sql(), stmt.param_types(), params).unwrap();
            let mut pipelined = BytesMut::new();
            write_encoded_bind(&stmt, &encoded, &mut pipelined).unwrap();
            assert_eq!(direct, pipelined);
        }
    }

    #[test]
    fn parameter_errors_are_those_of_an_ordinary_run() {
        let stmt = statement();
        let short: [Param<'_>; 1] = [&1i32];
        let err = encode_params(stmt.sql(), stmt.param_types(), &short).unwrap_err();
        assert!(
            matches!(
                err,
                Error::ParamCount {
                    expected: 3,
                    found: 1,
                    ..
                }
            ),
            "{err}"
        );
        let wrong: [Param<'_>; 3] = [&"x", &"abc", &1i64];
        let err = encode_params(stmt.sql(), stmt.param_types(), &wrong).unwrap_err();
        let ordinary = super::super::super::query::check_params(&stmt, &wrong).unwrap_err();
        assert_eq!(err.to_string(), ordinary.to_string());
        assert!(matches!(err, Error::ParamType { position: 1, .. }), "{err}");
    }
}
