//! `hstore` (an extension type, matched by name): `HashMap<String, Option<String>>` and
//! `BTreeMap<String, Option<String>>`, in binary (a count, then per pair a key length and bytes,
//! a value length — -1 for NULL — and bytes) and in text (`"a"=>"1", "b"=>NULL`).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, Kind, PgType, Type, TypeCodec, ValueRef};

/// Whether `ty` is the hstore extension's type.
pub(crate) fn is_hstore(ty: &PgType) -> bool {
    ty.name() == "hstore" && matches!(ty.kind(), Kind::Base | Kind::Unknown)
}

/// A malformed hstore value.
#[derive(Debug, thiserror::Error)]
pub enum HstoreError {
    /// The binary value ended early or a length was invalid.
    #[error("invalid binary hstore value: {0}")]
    Binary(&'static str),
    /// The text value could not be parsed.
    #[error("invalid hstore text at byte {position}: {value:?}")]
    Text {
        /// Where parsing stopped.
        position: usize,
        /// The text received.
        value: String,
    },
    /// A key or value is too long for the wire format.
    #[error("hstore key or value of {0} bytes is too long")]
    TooLong(usize),
}

/// Writes pairs in hstore's binary format.
fn encode_pairs<'a>(
    len: usize,
    pairs: impl Iterator<Item = (&'a String, &'a Option<String>)>,
    buf: &mut BytesMut,
) -> Result<(), BoxError> {
    let count = i32::try_from(len).map_err(|_| HstoreError::TooLong(len))?;
    buf.put_i32(count);
    for (key, value) in pairs {
        put_string(key, buf)?;
        match value {
            Some(v) => put_string(v, buf)?,
            None => buf.put_i32(-1),
        }
    }
    Ok(())
}

fn put_string(s: &str, buf: &mut BytesMut) -> Result<(), BoxError> {
    let len = i32::try_from(s.len()).map_err(|_| HstoreError::TooLong(s.len()))?;
    buf.put_i32(len);
    buf.put_slice(s.as_bytes());
    Ok(())
}

/// Reads hstore's binary format, handing each pair to `push`.
fn decode_binary(
    mut raw: &[u8],
    mut push: impl FnMut(String, Option<String>),
) -> Result<(), BoxError> {
    let count = take_i32(&mut raw)?;
    if count < 0 {
        return Err(HstoreError::Binary("negative pair count").into());
    }
    for _ in 0..count {
        let key = take_string(&mut raw)?.ok_or(HstoreError::Binary("NULL key"))?;
        let value = take_string(&mut raw)?;
        push(key, value);
    }
    if !raw.is_empty() {
        return Err(HstoreError::Binary("trailing bytes").into());
    }
    Ok(())
}

fn take_i32(raw: &mut &[u8]) -> Result<i32, BoxError> {
    let (head, rest) = raw
        .split_first_chunk::<4>()
        .ok_or(HstoreError::Binary("value ends early"))?;
    *raw = rest;
    Ok(i32::from_be_bytes(*head))
}

fn take_string(raw: &mut &[u8]) -> Result<Option<String>, BoxError> {
    let len = take_i32(raw)?;
    if len == -1 {
        return Ok(None);
    }
    let len = usize::try_from(len).map_err(|_| HstoreError::Binary("negative length"))?;
    let (bytes, rest) = raw
        .split_at_checked(len)
        .ok_or(HstoreError::Binary("value ends early"))?;
    *raw = rest;
    Ok(Some(std::str::from_utf8(bytes)?.to_owned()))
}

/// Parses hstore's text form: `"a"=>"1", "b"=>NULL` (unquoted tokens accepted too).
fn decode_text(text: &str, mut push: impl FnMut(String, Option<String>)) -> Result<(), BoxError> {
    let mut parser = TextParser {
        text,
        chars: text.char_indices().peekable(),
    };
    loop {
        parser.skip_ws();
        if parser.chars.peek().is_none() {
            return Ok(());
        }
        let (key, _) = parser.token()?;
        parser.skip_ws();
        parser.expect('=')?;
        parser.expect('>')?;
        parser.skip_ws();
        let (value, quoted) = parser.token()?;
        let value = (quoted || !value.eq_ignore_ascii_case("null")).then_some(value);
        push(key, value);
        parser.skip_ws();
        match parser.chars.next() {
            None => return Ok(()),
            Some((_, ',')) => {}
            Some((i, _)) => return Err(parser.error(i)),
        }
    }
}

struct TextParser<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
}

impl TextParser<'_> {
    fn error(&self, position: usize) -> BoxError {
        Box::new(HstoreError::Text {
            position,
            value: self.text.to_owned(),
        })
    }

    fn skip_ws(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn expect(&mut self, want: char) -> Result<(), BoxError> {
        match self.chars.next() {
            Some((_, c)) if c == want => Ok(()),
            Some((i, _)) => Err(self.error(i)),
            None => Err(self.error(self.text.len())),
        }
    }

    /// A quoted string (with backslash escapes) or a bare word; the flag says which.
    fn token(&mut self) -> Result<(String, bool), BoxError> {
        let mut out = String::new();
        if self.chars.next_if(|(_, c)| *c == '"').is_some() {
            loop {
                match self.chars.next() {
                    Some((_, '"')) => return Ok((out, true)),
                    Some((_, '\\')) => match self.chars.next() {
                        Some((_, c)) => out.push(c),
                        None => return Err(self.error(self.text.len())),
                    },
                    Some((_, c)) => out.push(c),
                    None => return Err(self.error(self.text.len())),
                }
            }
        }
        while let Some((_, c)) = self
            .chars
            .next_if(|(_, c)| !c.is_whitespace() && !matches!(c, '=' | ',' | '>' | '"'))
        {
            out.push(c);
        }
        if out.is_empty() {
            let at = self.chars.peek().map_or(self.text.len(), |(i, _)| *i);
            return Err(self.error(at));
        }
        Ok((out, false))
    }
}

fn decode_into(
    value: ValueRef<'_>,
    push: impl FnMut(String, Option<String>),
) -> Result<(), BoxError> {
    let raw = value.non_null()?;
    match value.format() {
        Format::Binary => decode_binary(raw, push),
        Format::Text => decode_text(std::str::from_utf8(raw)?, push),
    }
}

impl<S: BuildHasher> Type for HashMap<String, Option<String>, S> {
    fn accepts(ty: &PgType) -> bool {
        is_hstore(ty)
    }
}

impl<S: BuildHasher> Encode for HashMap<String, Option<String>, S> {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_pairs(self.len(), self.iter(), buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_hstore(ty)
    }
}

impl<'r, S: BuildHasher + Default> Decode<'r> for HashMap<String, Option<String>, S> {
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_hstore(ty)
    }
    super::decode_copy_owned!();
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let mut map = HashMap::default();
        decode_into(value, |k, v| {
            map.insert(k, v);
        })?;
        Ok(map)
    }
}

impl Type for BTreeMap<String, Option<String>> {
    fn accepts(ty: &PgType) -> bool {
        is_hstore(ty)
    }
}

impl Encode for BTreeMap<String, Option<String>> {
    fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_pairs(self.len(), self.iter(), buf)?;
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_hstore(ty)
    }
}

impl<'r> Decode<'r> for BTreeMap<String, Option<String>> {
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_hstore(ty)
    }
    super::decode_copy_owned!();
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let mut map = BTreeMap::new();
        decode_into(value, |k, v| {
            map.insert(k, v);
        })?;
        Ok(map)
    }
}

/// The built-in hstore codec (`BuiltinCodec::Hstore`): binary, as `BTreeMap<String, Option<String>>`.
pub(super) fn codec() -> TypeCodec {
    TypeCodec::binary(
        |map: &BTreeMap<String, Option<String>>| -> Result<Vec<u8>, BoxError> {
            let mut buf = BytesMut::new();
            encode_pairs(map.len(), map.iter(), &mut buf)?;
            Ok(buf.to_vec())
        },
        |raw: &[u8]| -> Result<BTreeMap<String, Option<String>>, BoxError> {
            let mut map = BTreeMap::new();
            decode_binary(raw, |k, v| {
                map.insert(k, v);
            })?;
            Ok(map)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hstore() -> PgType {
        PgType::new(16_500, "hstore", "public", Kind::Base)
    }

    fn text_map(s: &str) -> Result<BTreeMap<String, Option<String>>, BoxError> {
        let ty = hstore();
        BTreeMap::decode(ValueRef::new(Some(s.as_bytes()), Format::Text, &ty))
    }

    #[test]
    fn parses_text() {
        let map = text_map(r#""a"=>"1", "b"=>NULL, "c\"q"=>"x\\y", d => e"#).unwrap();
        assert_eq!(map.get("a"), Some(&Some("1".to_owned())));
        assert_eq!(map.get("b"), Some(&None));
        assert_eq!(map.get("c\"q"), Some(&Some("x\\y".to_owned())));
        assert_eq!(map.get("d"), Some(&Some("e".to_owned())));
        assert!(text_map("").unwrap().is_empty());
        assert_eq!(
            text_map(r#""n"=>"NULL""#).unwrap()["n"],
            Some("NULL".into())
        );
        for bad in [r#""a"=>"#, r#""a""#, r#""a"=>"1" "b""#, r#""a=>"1""#, "=>"] {
            assert!(text_map(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn binary_rejects_bad_lengths() {
        let ty = hstore();
        for bad in [
            &[][..],
            &[0, 0, 0, 1],
            &[0xff, 0xff, 0xff, 0xff],
            &[0, 0, 0, 1, 0, 0, 0, 5, b'a'],
            &[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0, 0, 0, 0, 1],
        ] {
            let r = HashMap::<String, Option<String>>::decode(ValueRef::new(
                Some(bad),
                Format::Binary,
                &ty,
            ));
            assert!(r.is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accepts_by_name() {
        assert!(<HashMap<String, Option<String>> as Type>::accepts(&hstore()));
        assert!(!<HashMap<String, Option<String>> as Type>::accepts(
            &PgType::resolve(25)
        ));
    }

    proptest! {
        #[test]
        fn binary_round_trip(map in proptest::collection::btree_map(".*", proptest::option::of(".*"), 0..8)) {
            let ty = hstore();
            let mut buf = BytesMut::new();
            map.encode(&ty, &mut buf).unwrap();
            let back = BTreeMap::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
            prop_assert_eq!(&back, &map);
            let hashed: HashMap<String, Option<String>> =
                HashMap::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
            prop_assert_eq!(hashed.len(), map.len());
            let codec = codec();
            let decoded = codec.decode_any(&buf).unwrap();
            prop_assert_eq!(decoded.downcast_ref::<BTreeMap<String, Option<String>>>(), Some(&map));
        }
    }
}
