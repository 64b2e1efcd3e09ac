//! `#[derive(FromRecord)]`: columns by field name, `rename`/`rename_all`, `default`, `flatten`,
//! `skip`, `try_from` and `json`, and errors that name the field and the column while the
//! connection stays usable.

mod common;

use quarry::{Error, FromRecord};

#[derive(Debug, PartialEq, FromRecord)]
struct User {
    id: i32,
    name: String,
    email: Option<String>,
}

#[tokio::test]
async fn fields_by_name_in_any_order() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT NULL::text AS email, 'Bob' AS name, 7 AS id", &[])
        .await
        .unwrap()
        .unwrap();
    let user = User::from_record(&row).unwrap();
    assert_eq!(
        user,
        User {
            id: 7,
            name: "Bob".into(),
            email: None
        }
    );
}

#[derive(Debug, PartialEq, FromRecord)]
#[quarry(rename_all = "camelCase")]
struct Renamed {
    user_id: i32,
    #[quarry(rename = "FULL NAME")]
    full_name: String,
    r#type: String,
}

#[tokio::test]
async fn rename_and_rename_all() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            r#"SELECT 1 AS "userId", 'Ann' AS "FULL NAME", 'admin' AS "type""#,
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let r = Renamed::from_record(&row).unwrap();
    assert_eq!(r.user_id, 1);
    assert_eq!(r.full_name, "Ann");
    assert_eq!(r.r#type, "admin");
}

#[derive(Debug, PartialEq, FromRecord)]
#[quarry(rename_all = "SCREAMING_SNAKE_CASE")]
struct Screaming {
    user_id: i32,
}

#[derive(Debug, PartialEq, FromRecord)]
#[quarry(rename_all = "kebab-case")]
struct Kebab {
    user_id: i32,
}

#[tokio::test]
async fn other_cases() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(r#"SELECT 3 AS "USER_ID", 4 AS "user-id""#, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Screaming::from_record(&row).unwrap().user_id, 3);
    assert_eq!(Kebab::from_record(&row).unwrap().user_id, 4);
}

#[derive(Debug, Default, PartialEq)]
struct Cache(Vec<u8>);

#[derive(Debug, PartialEq, FromRecord)]
struct Address {
    city: String,
    zip: String,
}

#[derive(Debug, PartialEq, FromRecord)]
struct Customer {
    id: i64,
    #[quarry(flatten)]
    address: Address,
    #[quarry(default)]
    note: String,
    #[quarry(default)]
    score: Option<i32>,
    #[quarry(skip)]
    cache: Cache,
}

#[tokio::test]
async fn flatten_default_and_skip() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT 9::int8 AS id, 'Oslo' AS city, '0150' AS zip, 5 AS score, 'x' AS cache",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let c = Customer::from_record(&row).unwrap();
    assert_eq!(
        c,
        Customer {
            id: 9,
            address: Address {
                city: "Oslo".into(),
                zip: "0150".into()
            },
            note: String::new(),
            score: Some(5),
            cache: Cache::default(),
        }
    );
    // A column that is there but NULL is not "missing": `default` does not hide it.
    let row = conn
        .fetch_row(
            "SELECT 9::int8 AS id, 'Oslo' AS city, '0150' AS zip, NULL::text AS note",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let err = Customer::from_record(&row).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { column, .. } if column == "note"),
        "{err}"
    );
    assert!(err.to_string().contains("Customer.note"), "{err}");
}

#[derive(Debug, PartialEq, FromRecord)]
struct Counters {
    #[quarry(try_from = "i64")]
    small: u8,
    #[quarry(try_from = "i32")]
    big: u64,
}

#[tokio::test]
async fn try_from_converts_and_names_the_field_on_overflow() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT 200::int8 AS small, 7 AS big", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        Counters::from_record(&row).unwrap(),
        Counters { small: 200, big: 7 }
    );
    let row = conn
        .fetch_row("SELECT 300::int8 AS small, -1 AS big", &[])
        .await
        .unwrap()
        .unwrap();
    let err = Counters::from_record(&row).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, Error::Decode { column, pg_type, rust_type, .. }
            if column == "small" && pg_type == "int8" && rust_type.ends_with("u8")),
        "{message}"
    );
    assert!(message.contains("Counters.small"), "{message}");
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Settings {
    theme: String,
    size: u32,
}

#[derive(Debug, PartialEq, FromRecord)]
struct WithJson {
    #[quarry(json)]
    settings: Settings,
    #[quarry(json)]
    tags: Vec<String>,
    #[quarry(json)]
    extra: Option<Settings>,
    #[quarry(json, default)]
    missing: Option<Vec<i32>>,
}

#[tokio::test]
async fn json_columns_deserialize_with_serde() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            r#"SELECT '{"theme": "dark", "size": 3}'::jsonb AS settings,
                      '["a", "b"]'::json AS tags,
                      NULL::jsonb AS extra"#,
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let v = WithJson::from_record(&row).unwrap();
    assert_eq!(
        v,
        WithJson {
            settings: Settings {
                theme: "dark".into(),
                size: 3
            },
            tags: vec!["a".into(), "b".into()],
            extra: None,
            missing: None,
        }
    );
    let row = conn
        .fetch_row(
            r#"SELECT '{"theme": 1}'::jsonb AS settings, '[]'::json AS tags, NULL::jsonb AS extra"#,
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let err = WithJson::from_record(&row).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { column, .. } if column == "settings"),
        "{err}"
    );
    assert!(err.to_string().contains("WithJson.settings"), "{err}");
}

#[tokio::test]
async fn errors_name_field_and_column_and_the_connection_stays_usable() {
    let mut conn = common::connect().await;
    // Missing column.
    let row = conn
        .fetch_row("SELECT 1 AS id, 'Bob' AS name", &[])
        .await
        .unwrap()
        .unwrap();
    let err = User::from_record(&row).unwrap_err();
    assert!(
        matches!(&err, Error::ColumnNotFound { name, .. } if name == "email"),
        "{err}"
    );
    // NULL into a non-Option field.
    let row = conn
        .fetch_row(
            "SELECT NULL::int4 AS id, 'Bob' AS name, NULL::text AS email",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    let err = User::from_record(&row).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("\"id\""), "{message}");
    assert!(message.contains("User.id"), "{message}");
    assert!(message.contains("NULL"), "{message}");
    // Wrong type.
    let row = conn
        .fetch_row("SELECT 'x' AS id, 'Bob' AS name, NULL::text AS email", &[])
        .await
        .unwrap()
        .unwrap();
    let err = User::from_record(&row).unwrap_err();
    assert!(
        matches!(&err, Error::ColumnType { column, rust_type, .. } if column == "id" && *rust_type == "i32"),
        "{err}"
    );
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn record_is_from_record() {
    let mut conn = common::connect().await;
    let row = conn.fetch_row("SELECT 1 AS a", &[]).await.unwrap().unwrap();
    let same = quarry::Record::from_record(&row).unwrap();
    assert_eq!(same.get::<i32>("a").unwrap(), 1);
}
