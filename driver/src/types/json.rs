//! `json` and `jsonb` as `serde_json::Value` and as [`Json<T>`] for any serde type.
//!
//! Both travel as JSON text; `jsonb`'s binary form adds a version byte (1) in front. Raw JSON as
//! `String`/`&str` is handled with the other text types (types/text.rs).

use std::ops::{Deref, DerefMut};

use bytes::{BufMut, BytesMut};
use serde::{Deserialize, Serialize};

use super::text::{JSONB_VERSION, json_text};
use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid};

/// A value sent and received as `json`/`jsonb` through serde.
///
/// ```no_run
/// use quarry_driver::types::Json;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Tags { names: Vec<String> }
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// let tags = Json(Tags { names: vec!["a".into()] });
/// let row = conn.fetch_row("SELECT $1::jsonb AS tags", &[&tags]).await?.unwrap();
/// let Json(back): Json<Tags> = row.get("tags")?;
/// assert_eq!(back.names, ["a"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Json<T>(pub T);

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

fn is_json(ty: &PgType) -> bool {
    matches!(ty.base_oid(), oid::JSON | oid::JSONB)
}

fn encode_json<T: Serialize + ?Sized>(
    value: &T,
    ty: &PgType,
    buf: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    if ty.base_oid() == oid::JSONB {
        buf.put_u8(JSONB_VERSION);
    }
    serde_json::to_writer(buf.writer(), value)?;
    Ok(IsNull::No)
}

impl<T> Type for Json<T> {
    fn accepts(ty: &PgType) -> bool {
        is_json(ty)
    }
}

impl<T: Serialize> Encode for Json<T> {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_json(&self.0, ty, buf)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_json(ty)
    }
}

impl<'r, T: Deserialize<'r>> Decode<'r> for Json<T> {
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_json(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(Json(serde_json::from_slice(json_text(&value)?)?))
    }
}

impl Type for serde_json::Value {
    fn accepts(ty: &PgType) -> bool {
        is_json(ty)
    }
}

impl Encode for serde_json::Value {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_json(self, ty, buf)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_json(ty)
    }
}

impl<'r> Decode<'r> for serde_json::Value {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_json(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        Ok(serde_json::from_slice(json_text(&value)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        #[test]
        fn round_trip(s in any::<String>(), n in any::<i64>(), b in any::<bool>()) {
            for oid in [oid::JSON, oid::JSONB] {
                let ty = PgType::resolve(oid);
                let v = Json((s.clone(), n, b));
                let mut buf = BytesMut::new();
                v.encode(&ty, &mut buf).unwrap();
                let back: Json<(String, i64, bool)> =
                    Json::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap();
                prop_assert_eq!(back, v);
            }
        }
    }

    #[test]
    fn jsonb_has_a_version_byte() {
        let jsonb = PgType::resolve(oid::JSONB);
        let mut buf = BytesMut::new();
        json!({"a": [1, null]}).encode(&jsonb, &mut buf).unwrap();
        assert_eq!(&buf[..], b"\x01{\"a\":[1,null]}");
        let back =
            serde_json::Value::decode(ValueRef::new(Some(&buf), Format::Binary, &jsonb)).unwrap();
        assert_eq!(back, json!({"a": [1, null]}));
        let raw = String::decode(ValueRef::new(Some(&buf), Format::Binary, &jsonb)).unwrap();
        assert_eq!(raw, "{\"a\":[1,null]}");
        assert!(
            serde_json::Value::decode(ValueRef::new(Some(b"\x02{}"), Format::Binary, &jsonb))
                .is_err()
        );
        assert!(
            serde_json::Value::decode(ValueRef::new(Some(b""), Format::Binary, &jsonb)).is_err()
        );
    }

    #[test]
    fn json_is_plain_text_and_typed() {
        let json_ty = PgType::resolve(oid::JSON);
        let mut buf = BytesMut::new();
        Json(vec![1, 2]).encode(&json_ty, &mut buf).unwrap();
        assert_eq!(&buf[..], b"[1,2]");
        let Json(v): Json<Vec<i32>> =
            Json::decode(ValueRef::new(Some(&buf), Format::Binary, &json_ty)).unwrap();
        assert_eq!(v, [1, 2]);
        let borrowed: Json<&str> =
            Json::decode(ValueRef::new(Some(b"\"hi\""), Format::Text, &json_ty)).unwrap();
        assert_eq!(borrowed.0, "hi");
        assert!(
            Json::<i32>::decode(ValueRef::new(Some(b"\"x\""), Format::Text, &json_ty)).is_err()
        );
        let mut jsonb = BytesMut::new();
        "[]".encode(&PgType::resolve(oid::JSONB), &mut jsonb)
            .unwrap();
        assert_eq!(&jsonb[..], b"\x01[]");
    }
}
