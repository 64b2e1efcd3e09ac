//! `#[derive(Type)]` against the server for user types: enums (labels with spaces and non-ASCII),
//! arrays of derived enums, composites with NULL fields and nested composites.
//! They rest on the type registry (user types resolved by name per connection), the array codecs
//! and the composite encoder/decoder.

mod common;

use quarry::Connection;

#[derive(Debug, PartialEq, Clone, Copy, quarry::Type)]
#[quarry(type_name = "mood", rename_all = "lowercase")]
enum Mood {
    Sad,
    Ok,
    Happy,
    #[quarry(rename = "très content ☺")]
    Ecstatic,
}

async fn with_mood(conn: &mut Connection) {
    conn.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très content ☺')",
        &[],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn enum_round_trip_agrees_with_the_server() {
    let mut conn = common::connect().await;
    with_mood(&mut conn).await;
    for (value, label) in [
        (Mood::Sad, "sad"),
        (Mood::Happy, "happy"),
        (Mood::Ecstatic, "très content ☺"),
    ] {
        let row = conn
            .fetch_row("SELECT $1::mood AS m, $1::mood::text AS t", &[&value])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Mood>("m").unwrap(), value);
        assert_eq!(row.get::<&str>("t").unwrap(), label);
        // A SQL literal decoded by Quarry.
        let literal = format!("SELECT '{label}'::mood AS m");
        let row = conn
            .fetch_row(literal.as_str(), &[])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Mood>("m").unwrap(), value);
    }
    let none: Option<Mood> = None;
    let row = conn
        .fetch_row("SELECT $1::mood AS m", &[&none])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Option<Mood>>("m").unwrap(), None);
}

#[tokio::test]
async fn enum_errors_name_the_label_and_keep_the_connection() {
    let mut conn = common::connect().await;
    conn.execute("CREATE TYPE mood AS ENUM ('sad', 'meh')", &[])
        .await
        .unwrap();
    let row = conn
        .fetch_row("SELECT 'meh'::mood AS m, NULL::mood AS n", &[])
        .await
        .unwrap()
        .unwrap();
    let message = row.get::<Mood>("m").unwrap_err().to_string();
    assert!(
        message.contains("\"meh\"") && message.contains("\"m\""),
        "{message}"
    );
    let message = row.get::<Mood>("n").unwrap_err().to_string();
    assert!(message.contains("NULL"), "{message}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn arrays_of_derived_enums() {
    let mut conn = common::connect().await;
    with_mood(&mut conn).await;
    let moods = vec![Mood::Ok, Mood::Ecstatic, Mood::Sad];
    let row = conn
        .fetch_row("SELECT $1::mood[] AS a, $1::mood[]::text AS t", &[&moods])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<Mood>>("a").unwrap(), moods);
    assert_eq!(
        row.get::<&str>("t").unwrap(),
        r#"{ok,"très content ☺",sad}"#
    );
    let with_null = vec![Some(Mood::Happy), None];
    let row = conn
        .fetch_row("SELECT $1::mood[] AS a", &[&with_null])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<Option<Mood>>>("a").unwrap(), with_null);
}

#[derive(Debug, PartialEq, Clone, quarry::Type)]
#[quarry(type_name = "address")]
struct Address {
    street: Option<String>,
    #[quarry(rename = "zip code")]
    zip: i32,
}

#[derive(Debug, PartialEq, Clone, quarry::Type)]
struct Customer {
    id: i64,
    mood: Mood,
    home: Option<Address>,
    tags: Vec<String>,
}

async fn with_composites(conn: &mut Connection) {
    with_mood(conn).await;
    for sql in [
        r#"CREATE TYPE address AS (street text, "zip code" int4)"#,
        "CREATE TYPE customer AS (id int8, mood mood, home address, tags text[])",
    ] {
        conn.execute(sql, &[]).await.unwrap();
    }
}

#[tokio::test]
async fn composites_with_null_fields_and_nesting() {
    let mut conn = common::connect().await;
    with_composites(&mut conn).await;
    let customer = Customer {
        id: 7,
        mood: Mood::Ecstatic,
        home: Some(Address {
            street: None,
            zip: 1234,
        }),
        tags: vec!["a b".into(), "c".into()],
    };
    let row = conn
        .fetch_row(
            "SELECT $1::customer AS c, $1::customer::text AS t",
            &[&customer],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Customer>("c").unwrap(), customer);
    assert_eq!(
        row.get::<&str>("t").unwrap(),
        r#"(7,"très content ☺","(,1234)","{""a b"",c}")"#
    );
    let row = conn
        .fetch_row(
            "SELECT ROW(1, 'sad', NULL, '{}')::customer AS c, ROW('Main St', 5)::address AS a",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<Customer>("c").unwrap(),
        Customer {
            id: 1,
            mood: Mood::Sad,
            home: None,
            tags: vec![]
        }
    );
    assert_eq!(
        row.get::<Address>("a").unwrap(),
        Address {
            street: Some("Main St".into()),
            zip: 5
        }
    );
    // NULL into a non-Option composite field names the field.
    let row = conn
        .fetch_row("SELECT ROW('x', NULL)::address AS a", &[])
        .await
        .unwrap()
        .unwrap();
    let message = row.get::<Address>("a").unwrap_err().to_string();
    assert!(message.contains("zip code"), "{message}");
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}
