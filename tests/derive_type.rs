//! `#[derive(Type)]`: Rust enums as PostgreSQL enums (labels, `rename`, `rename_all`, unknown
//! labels), transparent newtypes and domains. Codec checks run on hand-made `PgType`s; the
//! server checks for user types that need the per-connection type registry are in
//! `derive_type_user.rs`.

mod common;

use std::sync::Arc;

use bytes::BytesMut;
use quarry::types::{Decode, Encode, Format, IsNull, Kind, PgType, Type, ValueRef};

#[derive(Debug, PartialEq, Clone, Copy, quarry::Type)]
enum Mood {
    Sad,
    Ok,
    VeryHappy,
}

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(type_name = "public.weather", rename_all = "SCREAMING_SNAKE_CASE")]
enum Weather {
    Sunny,
    #[quarry(rename = "pluie forte ☔")]
    HeavyRain,
    PartlyCloudy,
}

fn enum_type(name: &str, labels: &[&str]) -> PgType {
    let labels = labels.iter().map(|l| (*l).to_owned()).collect();
    PgType::new(70_000, name.to_owned(), "public", Kind::Enum(labels))
}

fn encode<T: Encode>(value: &T, ty: &PgType) -> Vec<u8> {
    let mut buf = BytesMut::new();
    assert!(matches!(value.encode(ty, &mut buf).unwrap(), IsNull::No));
    buf.to_vec()
}

fn decode<'r, T: Decode<'r>>(raw: &'r [u8], ty: &'r PgType, format: Format) -> T {
    assert!(
        T::accepts(ty, format),
        "{} should accept {ty}",
        T::rust_type()
    );
    T::decode(ValueRef::new(Some(raw), format, ty)).unwrap()
}

#[test]
fn enum_labels_default_to_variant_names_and_type_to_snake_case() {
    let ty = enum_type("mood", &["Sad", "Ok", "VeryHappy"]);
    assert!(<Mood as Type>::accepts(&ty));
    assert_eq!(encode(&Mood::VeryHappy, &ty), b"VeryHappy");
    for format in [Format::Binary, Format::Text] {
        assert_eq!(decode::<Mood>(b"Sad", &ty, format), Mood::Sad);
    }
    // Another enum, a type of another kind, or an array are not this enum.
    assert!(!<Mood as Type>::accepts(&enum_type("feeling", &[])));
    assert!(!<Mood as Type>::accepts(&PgType::resolve(25)));
    assert!(!Mood::Ok.accepts(&PgType::resolve(25)));
    // A type the connection has not looked up is matched by name.
    let unknown = PgType::new(70_001, "mood", "public", Kind::Unknown);
    assert!(<Mood as Type>::accepts(&unknown));
}

#[test]
fn enum_rename_rename_all_and_schema() {
    let ty = enum_type("weather", &["SUNNY", "pluie forte ☔", "PARTLY_CLOUDY"]);
    assert!(<Weather as Type>::accepts(&ty));
    assert_eq!(encode(&Weather::PartlyCloudy, &ty), b"PARTLY_CLOUDY");
    assert_eq!(
        encode(&Weather::HeavyRain, &ty),
        "pluie forte ☔".as_bytes()
    );
    assert_eq!(
        decode::<Weather>("pluie forte ☔".as_bytes(), &ty, Format::Binary),
        Weather::HeavyRain
    );
    let elsewhere = PgType::new(70_002, "weather", "other", Kind::Enum(vec![]));
    assert!(!<Weather as Type>::accepts(&elsewhere));
}

#[test]
fn unknown_label_and_null_are_errors() {
    let ty = enum_type("mood", &[]);
    let err = Mood::decode(ValueRef::new(Some(b"meh"), Format::Binary, &ty)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("\"meh\""), "{message}");
    assert!(
        message.contains("mood") && message.contains("Mood"),
        "{message}"
    );
    assert!(Mood::decode(ValueRef::new(None, Format::Binary, &ty)).is_err());
    assert_eq!(
        Option::<Mood>::decode(ValueRef::new(None, Format::Binary, &ty)).unwrap(),
        None
    );
}

#[test]
fn enum_domain() {
    let base = Arc::new(enum_type("mood", &[]));
    let domain = PgType::new(70_003, "calm_mood", "public", Kind::Domain(base));
    assert!(<Mood as Type>::accepts(&domain));
    assert_eq!(encode(&Mood::Ok, &domain), b"Ok");
}

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct UserId(i64);

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct Email {
    address: String,
}

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct Name<'a>(&'a str);

#[test]
fn transparent_is_its_field() {
    let int8 = PgType::resolve(20);
    assert!(<UserId as Type>::accepts(&int8));
    assert!(!<UserId as Type>::accepts(&PgType::resolve(23)));
    assert_eq!(encode(&UserId(5), &int8), 5i64.to_be_bytes());
    assert_eq!(
        decode::<UserId>(&5i64.to_be_bytes(), &int8, Format::Binary),
        UserId(5)
    );
    let text = PgType::resolve(25);
    let email = Email {
        address: "a@b.c".into(),
    };
    assert!(email.accepts(&text));
    assert_eq!(decode::<Email>(b"a@b.c", &text, Format::Binary), email);
    // Borrowing newtypes borrow from the row.
    let raw = b"Ann".to_vec();
    assert_eq!(decode::<Name<'_>>(&raw, &text, Format::Binary), Name("Ann"));
}

#[test]
fn transparent_accepts_a_domain_over_its_field() {
    let domain = PgType::new(
        70_004,
        "user_id",
        "public",
        Kind::Domain(PgType::resolve(20)),
    );
    assert!(<UserId as Type>::accepts(&domain));
    assert!(UserId(1).accepts(&domain));
    assert_eq!(encode(&UserId(9), &domain), 9i64.to_be_bytes());
    assert_eq!(
        decode::<UserId>(&9i64.to_be_bytes(), &domain, Format::Binary),
        UserId(9)
    );
    let other = PgType::new(70_005, "label", "public", Kind::Domain(PgType::resolve(25)));
    assert!(!<UserId as Type>::accepts(&other));
}

#[tokio::test]
async fn transparent_round_trips_through_the_server() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT $1::int8 AS id, $1::int8::text AS t", &[&UserId(42)])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<UserId>("id").unwrap(), UserId(42));
    assert_eq!(row.get::<&str>("t").unwrap(), "42");
    let row = conn
        .fetch_row("SELECT 'x@y.z'::text AS e", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Name<'_>>("e").unwrap(), Name("x@y.z"));
    // A domain column arrives as its base type.
    conn.execute("CREATE DOMAIN positive_id AS int8 CHECK (VALUE > 0)", &[])
        .await
        .unwrap();
    let row = conn
        .fetch_row("SELECT 7::positive_id AS id", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<UserId>("id").unwrap(), UserId(7));
    // Wrong type: the error names column and both types; the connection stays usable.
    let row = conn
        .fetch_row("SELECT 'x'::text AS id", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<UserId>("id").unwrap_err();
    assert!(
        matches!(&err, quarry::Error::ColumnType { column, pg_type, rust_type }
            if column == "id" && pg_type == "text" && rust_type.ends_with("UserId")),
        "{err}"
    );
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

/// A transparent newtype over an `Option` encodes `None` as SQL NULL (its
/// `encode` forwards), but the derive does not forward `Encode::is_null`, whose default is
/// `false`. A `query!` optional fragment decided by such a value is kept with NULL in it:
/// `{ AND owner = :owner }` with `owner = OwnerFilter(None)` runs `AND owner = NULL` and
/// silently returns no rows instead of leaving the filter out (see
/// `tests/macros_query.rs::a_transparent_none_leaves_its_fragment_out`).
#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(transparent)]
struct MaybeName(Option<String>);

#[test]
fn transparent_none_is_null() {
    let text = PgType::resolve(25);
    let none = MaybeName(None);
    let mut buf = BytesMut::new();
    assert!(matches!(none.encode(&text, &mut buf), Ok(IsNull::Yes)));
    assert!(
        none.is_null(),
        "encodes NULL, but `is_null` says it is not: a fragment it decides stays in"
    );
    assert!(!MaybeName(Some("Ann".into())).is_null());
}
