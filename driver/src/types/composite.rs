//! Composites and records: [`CompositeEncoder`] and [`CompositeDecoder`] walk the binary record
//! format field by field. Derived structs (`#[derive(Type)]`) and tuples are built on them.
//!
//! Binary format: the field count, then per field its type OID and its value prefixed by its length
//! (-1 for NULL). Decoding needs no registry: field types come from the composite's
//! [`Kind::Composite`] when known, else from the OIDs in the data (built-in types).

use std::sync::OnceLock;

use bytes::{BufMut, BytesMut};

use super::array::element_format;
use super::pg_type::builtin;
use super::wire::{Reader, WireError, count, put_value};
use super::{BoxError, Decode, Encode, Field, Format, IsNull, Kind, Oid, PgType, ValueRef, oid};

/// What was wrong with a composite value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompositeError {
    /// The bytes did not follow the record format.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The type is neither a composite type nor `record`.
    #[error("{ty} is not a composite type")]
    NotComposite {
        /// The type's name.
        ty: String,
    },
    /// PostgreSQL cannot receive an anonymous `record` parameter.
    #[error(
        "PostgreSQL cannot receive an anonymous record parameter; cast the parameter to a composite type ($1::my_type)"
    )]
    AnonymousRecordParameter,
    /// The value had a different number of fields than the Rust side.
    #[error("composite {ty} has {expected} fields, the Rust value {found}")]
    FieldCount {
        /// The type's name.
        ty: String,
        /// Fields of the PostgreSQL type (or in the data).
        expected: usize,
        /// Fields the Rust side gave or asked for.
        found: usize,
    },
    /// A field's PostgreSQL type does not fit its Rust type.
    #[error("field {field}: PostgreSQL type {pg_type} does not fit Rust type {rust_type}")]
    FieldType {
        /// The field's name.
        field: String,
        /// The field's PostgreSQL type.
        pg_type: String,
        /// The Rust type.
        rust_type: &'static str,
    },
    /// A field failed to encode or decode.
    #[error("field {field}: {source}")]
    Field {
        /// The field's name.
        field: String,
        /// What went wrong.
        source: BoxError,
    },
    /// Composites arrive in binary; the text form is not decoded field by field.
    #[error("composite {ty} arrived in text format; decode it as String")]
    TextFormat {
        /// The type's name.
        ty: String,
    },
}

/// The fields of a composite type (domains over composites included).
pub(crate) fn composite_fields(ty: &PgType) -> Option<&[Field]> {
    match ty.kind() {
        Kind::Composite(fields) => Some(fields),
        Kind::Domain(base) => composite_fields(base),
        _ => None,
    }
}

/// Writes a composite parameter field by field, in the type's order.
///
/// ```
/// use std::sync::Arc;
/// use bytes::BytesMut;
/// use quarry_driver::types::{CompositeEncoder, Field, Kind, PgType};
/// let ty = PgType::new(90_000, "pair", "public", Kind::Composite(vec![
///     Field { name: "a".into(), ty: PgType::resolve(23) },
///     Field { name: "b".into(), ty: PgType::resolve(25) },
/// ]));
/// let mut buf = BytesMut::new();
/// let mut enc = CompositeEncoder::new(&ty, &mut buf).unwrap();
/// enc.field("a", &1i32).unwrap();
/// enc.field("b", "x").unwrap();
/// enc.finish().unwrap();
/// ```
pub struct CompositeEncoder<'a> {
    ty: &'a PgType,
    fields: &'a [Field],
    buf: &'a mut BytesMut,
    next: usize,
}

impl<'a> CompositeEncoder<'a> {
    /// Starts a value of the composite type `ty`. An anonymous `record` is refused: PostgreSQL
    /// cannot receive one as a parameter.
    pub fn new(ty: &'a PgType, buf: &'a mut BytesMut) -> Result<Self, BoxError> {
        let Some(fields) = composite_fields(ty) else {
            if ty.oid() == oid::RECORD {
                return Err(CompositeError::AnonymousRecordParameter.into());
            }
            return Err(CompositeError::NotComposite {
                ty: ty.name().to_owned(),
            }
            .into());
        };
        buf.put_i32(count(fields.len(), "record")?);
        Ok(CompositeEncoder {
            ty,
            fields,
            buf,
            next: 0,
        })
    }

    /// Writes the next field; `name` is used in errors. The value must fit the field's type.
    pub fn field<T: Encode + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), BoxError> {
        let Some(field) = self.fields.get(self.next) else {
            return Err(CompositeError::FieldCount {
                ty: self.ty.name().to_owned(),
                expected: self.fields.len(),
                found: self.next + 1,
            }
            .into());
        };
        if !value.accepts(&field.ty) {
            return Err(CompositeError::FieldType {
                field: name.to_owned(),
                pg_type: field.ty.name().to_owned(),
                rust_type: value.rust_type(),
            }
            .into());
        }
        self.buf.put_u32(field.ty.oid());
        put_value(value, &field.ty, self.buf, "record field").map_err(|source| {
            CompositeError::Field {
                field: name.to_owned(),
                source,
            }
        })?;
        self.next += 1;
        Ok(())
    }

    /// Ends the value; an error unless every field was written.
    pub fn finish(self) -> Result<IsNull, BoxError> {
        if self.next != self.fields.len() {
            return Err(CompositeError::FieldCount {
                ty: self.ty.name().to_owned(),
                expected: self.fields.len(),
                found: self.next,
            }
            .into());
        }
        Ok(IsNull::No)
    }
}

/// Reads a composite or record column field by field.
///
/// ```
/// use quarry_driver::types::{CompositeDecoder, Format, PgType, ValueRef};
/// // (7, NULL) as an anonymous record: 2 fields, int4 7, then an int4 NULL.
/// let raw = [0, 0, 0, 2, 0, 0, 0, 23, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 23, 255, 255, 255, 255];
/// let record = PgType::resolve(2249);
/// let mut dec = CompositeDecoder::new(ValueRef::new(Some(&raw), Format::Binary, &record)).unwrap();
/// assert_eq!(dec.field::<i32>("a").unwrap(), 7);
/// assert_eq!(dec.field::<Option<i32>>("b").unwrap(), None);
/// assert_eq!(dec.remaining(), 0);
/// ```
pub struct CompositeDecoder<'r> {
    /// The composite value itself: its fields are nested one level deeper.
    value: ValueRef<'r>,
    ty: &'r PgType,
    fields: Option<&'r [Field]>,
    reader: Reader<'r>,
    count: usize,
    next: usize,
}

impl<'r> CompositeDecoder<'r> {
    /// Starts reading a composite value (reads the field count).
    pub fn new(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        let ty = value.ty();
        if value.format() == Format::Text {
            return Err(CompositeError::TextFormat {
                ty: ty.name().to_owned(),
            }
            .into());
        }
        let mut reader = Reader::new(raw, "record");
        let n = reader.i32()?;
        let count = usize::try_from(n).map_err(|_| WireError::NegativeLength {
            what: "record",
            len: n,
        })?;
        let fields = composite_fields(ty);
        if let Some(fields) = fields
            && fields.len() != count
        {
            return Err(CompositeError::FieldCount {
                ty: ty.name().to_owned(),
                expected: fields.len(),
                found: count,
            }
            .into());
        }
        Ok(CompositeDecoder {
            value,
            ty,
            fields,
            reader,
            count,
            next: 0,
        })
    }

    /// Decodes the next field into `T`; `name` is used in errors.
    pub fn field<T: Decode<'r>>(&mut self, name: &str) -> Result<T, BoxError> {
        let (ty, bytes) = self.next_raw(name)?;
        let format = element_format(ty, Format::Binary);
        if !T::accepts(ty, format) {
            return Err(CompositeError::FieldType {
                field: name.to_owned(),
                pg_type: ty.name().to_owned(),
                rust_type: T::rust_type(),
            }
            .into());
        }
        let field_error = |source| CompositeError::Field {
            field: name.to_owned(),
            source,
        };
        let field = self
            .value
            .nested(bytes, format, ty)
            .map_err(|e| field_error(e.into()))?;
        T::decode(field).map_err(|source| field_error(source).into())
    }

    /// The next field's type, name (from the composite type, when known) and bytes.
    pub(crate) fn next_raw(
        &mut self,
        name: &str,
    ) -> Result<(&'r PgType, Option<&'r [u8]>), BoxError> {
        if self.next >= self.count {
            return Err(CompositeError::FieldCount {
                ty: self.ty.name().to_owned(),
                expected: self.count,
                found: self.next + 1,
            }
            .into());
        }
        let field_oid = self.reader.u32()?;
        let bytes = self.reader.value()?;
        let ty = match self.fields.and_then(|f| f.get(self.next)) {
            Some(field) => &*field.ty,
            None => resolve_field(field_oid),
        };
        self.next += 1;
        if self.next == self.count {
            self.reader.finish().map_err(|e| CompositeError::Field {
                field: name.to_owned(),
                source: e.into(),
            })?;
        }
        Ok((ty, bytes))
    }

    /// The name of the next field, when the composite type is known.
    pub(crate) fn next_name(&self) -> Option<&'r str> {
        self.fields
            .and_then(|f| f.get(self.next))
            .map(|f| f.name.as_str())
    }

    /// Fields not read yet.
    pub fn remaining(&self) -> usize {
        self.count - self.next
    }
}

/// The type of an anonymous record's field: a built-in, or a placeholder for a user type.
fn resolve_field(field_oid: Oid) -> &'static PgType {
    static UNKNOWN: OnceLock<PgType> = OnceLock::new();
    builtin(field_oid).unwrap_or_else(|| {
        UNKNOWN.get_or_init(|| PgType::new(0, "unknown record field type", "", Kind::Unknown))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn pair() -> PgType {
        PgType::new(
            90_000,
            "pair",
            "public",
            Kind::Composite(vec![
                Field {
                    name: "a".into(),
                    ty: PgType::resolve(oid::INT4),
                },
                Field {
                    name: "b".into(),
                    ty: PgType::resolve(oid::TEXT),
                },
            ]),
        )
    }

    #[test]
    fn encode_then_decode() {
        let ty = pair();
        let mut buf = BytesMut::new();
        let mut enc = CompositeEncoder::new(&ty, &mut buf).unwrap();
        enc.field("a", &5i32).unwrap();
        enc.field("b", &None::<String>).unwrap();
        enc.finish().unwrap();
        let mut dec =
            CompositeDecoder::new(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
        assert_eq!(dec.field::<i32>("a").unwrap(), 5);
        assert_eq!(dec.remaining(), 1);
        let err = dec.field::<String>("b").unwrap_err().to_string();
        assert!(err.contains("field b") && err.contains("NULL"), "{err}");
    }

    #[test]
    fn checks_counts_and_types() {
        let ty = pair();
        let mut buf = BytesMut::new();
        let mut enc = CompositeEncoder::new(&ty, &mut buf).unwrap();
        let err = enc.field("a", "text").unwrap_err().to_string();
        assert!(err.contains("int4") && err.contains("&str"), "{err}");
        enc.field("a", &1i32).unwrap();
        assert!(enc.finish().is_err());
        let record = PgType::resolve(oid::RECORD);
        assert!(CompositeEncoder::new(&record, &mut BytesMut::new()).is_err());
        let nested = Arc::new(pair());
        assert!(matches!(nested.kind(), Kind::Composite(f) if f.len() == 2));
    }

    #[test]
    fn truncated_records_are_errors() {
        let ty = pair();
        let mut buf = BytesMut::new();
        let mut enc = CompositeEncoder::new(&ty, &mut buf).unwrap();
        enc.field("a", &5i32).unwrap();
        enc.field("b", "hello").unwrap();
        enc.finish().unwrap();
        for cut in 0..buf.len() {
            let result =
                CompositeDecoder::new(ValueRef::new(Some(&buf[..cut]), Format::Binary, &ty))
                    .and_then(|mut d| Ok((d.field::<i32>("a")?, d.field::<String>("b")?)));
            assert!(result.is_err(), "cut at {cut}");
        }
    }
}
