//! Composites and records: [`CompositeEncoder`] and [`CompositeDecoder`] walk a record field by
//! field. Derived structs (`#[derive(Type)]`) and tuples are built on them.
//!
//! Binary format: the field count, then per field its type OID and its value prefixed by its length
//! (-1 for NULL). Decoding needs no registry: field types come from the composite's
//! [`Kind::Composite`] when known, else from the OIDs in the data (built-in types).
//!
//! **Why a composite may arrive in text, and how it is sent.** In a binary record each field is
//! in its own type's binary form (`jsonpath` is a version byte and the text, `tsvector` a
//! structure of its own), and a type without binary I/O on the server cannot be in one at all.
//! So a composite is asked for in binary only when Quarry decodes every field in binary
//! ([`PgType::has_binary_codec`]); otherwise it arrives in text, whose fields are each field
//! type's text, exact for every type, and the decoder splits it (`record_text.rs`) and hands each
//! field to its Rust type in text. Parameters go in binary; a field value that goes in text (a
//! `String` for `jsonpath`, `macaddr`, `txid_snapshot`, ...) is converted into its type's binary
//! form where that is exact ([`put_text_field`]). Where it is not (`tsvector`, `tsquery`,
//! `money`, whose text only the server can read, or a text-format custom codec), the whole
//! composite goes in text ([`CompositeEncoder::format_for`]): a record literal whose other
//! fields are rendered as their types' text (`text_out.rs`).

use std::borrow::Cow;
use std::sync::OnceLock;

use bytes::{BufMut, BytesMut};

use super::array::element_format;
use super::pg_type::builtin;
use super::record_text;
use super::text_out::{needs_text, put_record_field, put_text};
use super::wire::{Reader, WireError, count, put_value};
use super::{
    BoxError, Decode, Encode, Field, Format, IsNull, Kind, MacAddr, MacAddr8, Oid, PgType,
    ValueRef, oid,
};

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
    /// A record's text form was malformed.
    #[error("malformed record text: {0}")]
    Text(&'static str),
    /// A field value that goes in text has no exact binary form for its type, which a record
    /// written in binary needs (the record was started with [`CompositeEncoder::new`] rather
    /// than in the format [`CompositeEncoder::format_for`] gives).
    #[error(
        "a {rust_type} goes to {pg_type} in text, which cannot be put into a binary record; start the record in the format CompositeEncoder::format_for gives"
    )]
    TextField {
        /// The field's PostgreSQL type.
        pg_type: String,
        /// The Rust type.
        rust_type: &'static str,
    },
    /// A record of an unknown type arrived in text: its number of fields is unknown.
    #[error("record {ty} arrived in text format and its fields are unknown; decode it as String")]
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

/// Writes a composite parameter field by field, in the type's order: in binary, or as a record
/// literal in text when a field can only go in text ([`CompositeEncoder::format_for`]).
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
    format: Format,
    next: usize,
}

impl<'a> CompositeEncoder<'a> {
    /// Starts a value of the composite type `ty` in binary. An anonymous `record` is refused:
    /// PostgreSQL cannot receive one as a parameter.
    pub fn new(ty: &'a PgType, buf: &'a mut BytesMut) -> Result<Self, BoxError> {
        Self::with_format(ty, Format::Binary, buf)
    }

    /// Starts a value of the composite type `ty` in `format`: what [`CompositeEncoder::format_for`]
    /// says of the values, which is the format the parameter is sent in. In text, each field is
    /// written as its type's text, quoted as `record_in` reads it.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use quarry_driver::types::{CompositeEncoder, Field, Format, Kind, PgType};
    /// let ty = PgType::new(90_000, "pair", "public", Kind::Composite(vec![
    ///     Field { name: "a".into(), ty: PgType::resolve(23) },
    ///     Field { name: "b".into(), ty: PgType::resolve(25) },
    /// ]));
    /// let mut buf = BytesMut::new();
    /// let mut enc = CompositeEncoder::with_format(&ty, Format::Text, &mut buf).unwrap();
    /// enc.field("a", &1i32).unwrap();
    /// enc.field("b", "x, y").unwrap();
    /// enc.finish().unwrap();
    /// assert_eq!(&buf[..], br#"(1,"x, y")"#);
    /// ```
    pub fn with_format(
        ty: &'a PgType,
        format: Format,
        buf: &'a mut BytesMut,
    ) -> Result<Self, BoxError> {
        let Some(fields) = composite_fields(ty) else {
            if ty.oid() == oid::RECORD {
                return Err(CompositeError::AnonymousRecordParameter.into());
            }
            return Err(CompositeError::NotComposite {
                ty: ty.name().to_owned(),
            }
            .into());
        };
        if format == Format::Text {
            buf.put_u8(b'(');
        } else {
            buf.put_i32(count(fields.len(), "record")?);
        }
        Ok(CompositeEncoder {
            ty,
            fields,
            buf,
            format,
            next: 0,
        })
    }

    /// The format a composite parameter of type `ty` holding `values` (in the type's field order)
    /// is sent in: text when a value can only go in text (a `String` for `tsvector`, `tsquery`
    /// or `money`, a text-format custom codec, a composite or array that goes in text itself),
    /// binary otherwise. Tuples and `#[derive(Type)]` structs answer [`Encode::format`] with it.
    ///
    /// ```
    /// use quarry_driver::types::{CompositeEncoder, Encode, Field, Format, Kind, PgType, oid};
    /// let ty = PgType::new(90_000, "doc", "public", Kind::Composite(vec![
    ///     Field { name: "id".into(), ty: PgType::resolve(oid::INT4) },
    ///     Field { name: "words".into(), ty: PgType::resolve(oid::TSVECTOR) },
    /// ]));
    /// let words = String::from("'a':1");
    /// assert_eq!(CompositeEncoder::format_for(&ty, &[&1i32, &words]), Format::Text);
    /// assert_eq!(CompositeEncoder::format_for(&ty, &[&1i32, &None::<String>]), Format::Binary);
    /// ```
    pub fn format_for(ty: &PgType, values: &[&dyn Encode]) -> Format {
        let text = composite_fields(ty).is_some_and(|fields| {
            fields
                .iter()
                .zip(values)
                .any(|(field, value)| needs_text(*value, &field.ty))
        });
        if text { Format::Text } else { Format::Binary }
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
        if self.format == Format::Text {
            if self.next > 0 {
                self.buf.put_u8(b',');
            }
            let mut text = BytesMut::new();
            let is_null =
                put_text(value, &field.ty, &mut text).map_err(|source| CompositeError::Field {
                    field: name.to_owned(),
                    source,
                })?;
            if is_null == IsNull::No {
                put_record_field(&text, self.buf);
            }
            self.next += 1;
            return Ok(());
        }
        self.buf.put_u32(field.ty.oid());
        let written = if value.format(&field.ty) == Format::Text {
            put_text_field(value, &field.ty, self.buf)
        } else {
            put_value(value, &field.ty, self.buf, "record field")
        };
        written.map_err(|source| CompositeError::Field {
            field: name.to_owned(),
            source,
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
        if self.format == Format::Text {
            self.buf.put_u8(b')');
        }
        Ok(IsNull::No)
    }
}

/// Reads a composite or record column field by field, in binary or in text (a composite with a
/// field Quarry has no binary codec for; each field is then handed to its Rust type in text).
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
    source: Source<'r>,
    count: usize,
    next: usize,
}

/// Where the fields' bytes come from.
enum Source<'r> {
    /// The binary record, read as the fields are.
    Binary(Reader<'r>),
    /// The text record, split into its fields up front.
    Text(std::vec::IntoIter<Option<Cow<'r, [u8]>>>),
}

/// One field's type and bytes, as [`CompositeDecoder`] hands them out.
struct RawField<'r> {
    ty: &'r PgType,
    bytes: Option<Cow<'r, [u8]>>,
    format: Format,
}

/// Starts reading a binary record (a composite value, or an anonymous `record`) of type `ty`:
/// its field count — checked against the type's fields when it has them — and a reader at the
/// first field (its type OID, then its length word and bytes).
pub(crate) fn binary_record<'r>(
    raw: &'r [u8],
    ty: &PgType,
) -> Result<(usize, Reader<'r>), BoxError> {
    let mut reader = Reader::new(raw, "record");
    let n = reader.i32()?;
    let count = usize::try_from(n).map_err(|_| WireError::NegativeLength {
        what: "record",
        len: n,
    })?;
    if let Some(fields) = composite_fields(ty)
        && fields.len() != count
    {
        return Err(CompositeError::FieldCount {
            ty: ty.name().to_owned(),
            expected: fields.len(),
            found: count,
        }
        .into());
    }
    Ok((count, reader))
}

impl<'r> CompositeDecoder<'r> {
    /// Starts reading a composite value (reads the field count, or splits the text form).
    pub fn new(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let raw = value.non_null()?;
        let ty = value.ty();
        let fields = composite_fields(ty);
        if value.format() == Format::Text {
            let Some(fields) = fields else {
                return Err(CompositeError::TextFormat {
                    ty: ty.name().to_owned(),
                }
                .into());
            };
            let parsed = record_text::parse(raw, fields.len())?;
            return Ok(CompositeDecoder {
                value,
                ty,
                fields: Some(fields),
                count: parsed.len(),
                source: Source::Text(parsed.into_iter()),
                next: 0,
            });
        }
        let (count, reader) = binary_record(raw, ty)?;
        Ok(CompositeDecoder {
            value,
            ty,
            fields,
            source: Source::Binary(reader),
            count,
            next: 0,
        })
    }

    /// Decodes the next field into `T`; `name` is used in errors.
    pub fn field<T: Decode<'r>>(&mut self, name: &str) -> Result<T, BoxError> {
        let field = self.next_field::<T>(name)?;
        let field_error = |source| CompositeError::Field {
            field: name.to_owned(),
            source,
        };
        match field.bytes {
            Some(Cow::Owned(copy)) => {
                let value = self
                    .value
                    .nested(Some(&copy), field.format, field.ty)
                    .map_err(|e| field_error(e.into()))?;
                T::decode_copy(value).map_err(|source| field_error(source).into())
            }
            bytes => {
                let bytes = match bytes {
                    Some(Cow::Borrowed(bytes)) => Some(bytes),
                    _ => None,
                };
                let value = self
                    .value
                    .nested(bytes, field.format, field.ty)
                    .map_err(|e| field_error(e.into()))?;
                T::decode(value).map_err(|source| field_error(source).into())
            }
        }
    }

    /// Decodes the next field into `T` by [`Decode::decode_copy`]: what a composite decoded
    /// from a copy (an element of a text array written with escapes) reads its fields with.
    ///
    /// ```
    /// use quarry_driver::types::{CompositeDecoder, Field, Format, Kind, PgType, ValueRef};
    /// let ty = PgType::new(90_000, "pair", "public", Kind::Composite(vec![
    ///     Field { name: "a".into(), ty: PgType::resolve(23) },
    ///     Field { name: "b".into(), ty: PgType::resolve(25) },
    /// ]));
    /// let copy = br#"(7,"x ""y""")"#.to_vec();
    /// let mut dec = CompositeDecoder::new(ValueRef::new(Some(&copy), Format::Text, &ty)).unwrap();
    /// assert_eq!(dec.field_copy::<i32>("a").unwrap(), 7);
    /// assert_eq!(dec.field_copy::<String>("b").unwrap(), "x \"y\"");
    /// ```
    pub fn field_copy<'x, T: Decode<'x>>(&mut self, name: &str) -> Result<T, BoxError> {
        let field = self.next_field::<T>(name)?;
        let field_error = |source| CompositeError::Field {
            field: name.to_owned(),
            source,
        };
        let value = self
            .value
            .nested(field.bytes.as_deref(), field.format, field.ty)
            .map_err(|e| field_error(e.into()))?;
        T::decode_copy(value).map_err(|source| field_error(source).into())
    }

    /// The next field, checked to fit `T`.
    fn next_field<'x, T: Decode<'x>>(&mut self, name: &str) -> Result<RawField<'r>, BoxError> {
        let field = self.next_raw(name)?;
        if !T::accepts(field.ty, field.format) {
            return Err(CompositeError::FieldType {
                field: name.to_owned(),
                pg_type: field.ty.name().to_owned(),
                rust_type: T::rust_type(),
            }
            .into());
        }
        Ok(field)
    }

    /// The next field's type, bytes and format.
    fn next_raw(&mut self, name: &str) -> Result<RawField<'r>, BoxError> {
        if self.next >= self.count {
            return Err(CompositeError::FieldCount {
                ty: self.ty.name().to_owned(),
                expected: self.count,
                found: self.next + 1,
            }
            .into());
        }
        let known = self.fields.and_then(|f| f.get(self.next)).map(|f| &*f.ty);
        let field = match &mut self.source {
            Source::Binary(reader) => {
                let field_oid = reader.u32()?;
                let bytes = reader.value()?;
                let ty = known.unwrap_or_else(|| resolve_field(field_oid));
                RawField {
                    ty,
                    bytes: bytes.map(Cow::Borrowed),
                    format: element_format(ty, Format::Binary),
                }
            }
            Source::Text(fields) => RawField {
                ty: known.unwrap_or_else(|| resolve_field(0)),
                bytes: fields.next().flatten(),
                format: Format::Text,
            },
        };
        self.next += 1;
        if self.next == self.count
            && let Source::Binary(reader) = &self.source
        {
            reader.finish().map_err(|e| CompositeError::Field {
                field: name.to_owned(),
                source: e.into(),
            })?;
        }
        Ok(field)
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

/// Writes a field value that goes in text (its Rust type sends this type in text format) into a
/// binary record, prefixed by its length: the text converted into the type's binary form where
/// that is exact, else [`CompositeError::TextField`].
fn put_text_field<T: Encode + ?Sized>(
    value: &T,
    ty: &PgType,
    buf: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let mut text = BytesMut::new();
    if let IsNull::Yes = value.encode(ty, &mut text)? {
        buf.put_i32(-1);
        return Ok(IsNull::Yes);
    }
    let refused = || CompositeError::TextField {
        pg_type: ty.name().to_owned(),
        rust_type: value.rust_type(),
    };
    let start = buf.len();
    buf.put_i32(0);
    if ty.codec().is_some() {
        return Err(refused().into());
    }
    let text = std::str::from_utf8(&text)?;
    match ty.base_oid() {
        oid::MACADDR => buf.put_slice(&text.parse::<MacAddr>()?.0),
        oid::MACADDR8 => buf.put_slice(&text.parse::<MacAddr8>()?.0),
        // jsonpath_recv: a version byte, then the text.
        oid::JSONPATH => {
            buf.put_u8(1);
            buf.put_slice(text.as_bytes());
        }
        // textrecv.
        oid::REFCURSOR => buf.put_slice(text.as_bytes()),
        oid::TXID_SNAPSHOT | oid::PG_SNAPSHOT => put_snapshot(text, buf)?,
        _ => return Err(refused().into()),
    }
    let len = buf.len() - start - 4;
    let len = i32::try_from(len).map_err(|_| WireError::TooLarge {
        what: "record field",
        len,
    })?;
    if let Some(slot) = buf.get_mut(start..start + 4) {
        slot.copy_from_slice(&len.to_be_bytes());
    }
    Ok(IsNull::No)
}

/// The text of a value [`put_text_field`] converted into its binary form (met again when a
/// record holding it is rendered as text, `text_out.rs`): `None` for the other types.
pub(crate) fn text_from_binary(ty: &PgType, raw: &[u8]) -> Option<Result<String, BoxError>> {
    let utf8 = |raw: &[u8]| {
        std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(Into::into)
    };
    Some(match ty.base_oid() {
        oid::JSONPATH => match raw.split_first() {
            Some((1, text)) => utf8(text),
            _ => Err("unsupported jsonpath binary version".into()),
        },
        oid::REFCURSOR => utf8(raw),
        oid::TXID_SNAPSHOT | oid::PG_SNAPSHOT => snapshot_text(raw),
        _ => return None,
    })
}

/// `pg_snapshot_send`'s form back to `xmin:xmax:xip,...`.
fn snapshot_text(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader::new(raw, "snapshot");
    let n = r.i32()?;
    let (xmin, xmax) = (r.u64()?, r.u64()?);
    let mut text = format!("{xmin}:{xmax}:");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&r.u64()?.to_string());
    }
    r.finish()?;
    Ok(text)
}

/// `txid_snapshot` / `pg_snapshot` from `xmin:xmax:xip,...` to `pg_snapshot_recv`'s form: the
/// number of in-progress ids (`int4`), `xmin`, `xmax`, then each id (`int8`s).
fn put_snapshot(text: &str, buf: &mut BytesMut) -> Result<(), BoxError> {
    let invalid = || format!("invalid snapshot text {text:?}");
    let mut parts = text.splitn(3, ':');
    let (Some(xmin), Some(xmax), Some(xip)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid().into());
    };
    let xips = xip
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.trim().parse::<u64>())
        .collect::<Result<Vec<u64>, _>>()
        .map_err(|_| invalid())?;
    let xmin = xmin.trim().parse::<u64>().map_err(|_| invalid())?;
    let xmax = xmax.trim().parse::<u64>().map_err(|_| invalid())?;
    buf.put_i32(count(xips.len(), "snapshot")?);
    buf.put_u64(xmin);
    buf.put_u64(xmax);
    for x in xips {
        buf.put_u64(x);
    }
    Ok(())
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
    fn text_fields_converted_to_binary_read_back_as_text() {
        for (oid, text) in [
            (oid::TXID_SNAPSHOT, "10:20:10,14"),
            (oid::PG_SNAPSHOT, "10:20:"),
            (oid::JSONPATH, "$.a"),
            (oid::REFCURSOR, "cur"),
        ] {
            let ty = PgType::resolve(oid);
            let mut buf = BytesMut::new();
            put_text_field(text, &ty, &mut buf).unwrap();
            let back = text_from_binary(&ty, &buf[4..]).unwrap().unwrap();
            assert_eq!(back, text);
        }
        assert!(text_from_binary(&PgType::resolve(oid::INT4), b"").is_none());
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
