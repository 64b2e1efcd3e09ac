//! Values whose text needs escaping, and fields without a binary codec of Quarry's own: arrays
//! received in text with `\"` and `\\` in their elements decode into `Vec`, `Array` and `Value`;
//! `citext[]` comes in binary; records holding `citext` and `hstore` fields decode into tuples,
//! `#[derive(Type)]` structs and `Value`.

mod common;

use std::collections::BTreeMap;

use quarry::types::{Array, Value};

const TRICKY: [&str; 4] = [r#"a"b"#, r"c\d", r#"\"\"#, "plain"];

#[tokio::test]
async fn text_arrays_with_escaped_elements() {
    let mut conn = common::connect().await;
    conn.execute("CREATE EXTENSION IF NOT EXISTS citext", &[])
        .await
        .unwrap();
    let strings: Vec<String> = TRICKY.iter().map(|s| (*s).to_owned()).collect();
    for ty in ["citext[]", "text[]", "varchar[]"] {
        let sql = format!("SELECT $1::{ty}");
        let back: Vec<String> = conn.fetch_val(sql.as_str(), &[&strings]).await.unwrap();
        assert_eq!(back, strings, "{ty}");
    }
    // jsonpath has no binary codec here: its arrays arrive in text, with escapes.
    let paths = vec![r#"$."a\"b""#.to_owned(), r#"$."c\\d""#.to_owned()];
    let normalised: Vec<String> = conn
        .fetch_val(
            "SELECT array_agg(p::jsonpath::text) FROM unnest($1::text[]) p",
            &[&paths],
        )
        .await
        .unwrap();
    let sql = "SELECT $1::text[]::jsonpath[]";
    let back: Vec<String> = conn.fetch_val(sql, &[&paths]).await.unwrap();
    assert_eq!(back, normalised);
    let array: Array<Option<String>> = conn.fetch_val(sql, &[&paths]).await.unwrap();
    assert_eq!(array.elements.len(), 2);
    assert_eq!(array.elements[0].as_deref(), Some(normalised[0].as_str()));
    let row = conn.fetch_row(sql, &[&paths]).await.unwrap().unwrap();
    let Value::Array(value) = row.value(0).unwrap() else {
        panic!("not an array")
    };
    assert_eq!(value.elements[1], Value::Text(normalised[1].clone()));
    // Sent back: the array goes in text, escaped.
    let same: bool = conn
        .fetch_val(
            "SELECT $1::jsonpath[]::text = $2::text[]::jsonpath[]::text",
            &[&Value::Array(value), &paths],
        )
        .await
        .unwrap();
    assert!(same);
}

#[derive(Debug, PartialEq, quarry::Type)]
#[quarry(type_name = "tagged")]
struct Tagged {
    id: i32,
    name: String,
    attrs: BTreeMap<String, Option<String>>,
}

#[tokio::test]
async fn records_with_citext_and_hstore_fields() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore; \
         CREATE TYPE tagged AS (id int4, name citext, attrs hstore)",
        &[],
    )
    .await
    .unwrap();
    let sql = r#"SELECT ROW(7, 'Mixed "Case"', 'a=>1, b=>NULL')::tagged"#;
    let (id, name, attrs): (i32, String, BTreeMap<String, Option<String>>) =
        conn.fetch_val(sql, &[]).await.unwrap();
    assert_eq!((id, name.as_str()), (7, r#"Mixed "Case""#));
    let want = BTreeMap::from([
        ("a".to_owned(), Some("1".to_owned())),
        ("b".to_owned(), None),
    ]);
    assert_eq!(attrs, want);
    let tagged: Tagged = conn.fetch_val(sql, &[]).await.unwrap();
    assert_eq!(tagged.attrs, want);
    let row = conn.fetch_row(sql, &[]).await.unwrap().unwrap();
    let value = row.value(0).unwrap();
    let Value::Record(fields) = &value else {
        panic!("not a record: {value:?}")
    };
    assert_eq!(fields[2].1, Value::Hstore(want.clone()));
    // And back, typed and dynamic.
    for param in [&tagged as quarry::Param, &value] {
        let same: bool = conn
            .fetch_val(
                format!("SELECT $1::tagged::text = ({sql})::text").as_str(),
                &[param],
            )
            .await
            .unwrap();
        assert!(same);
    }
    // hstore alone still reads as String.
    let s: String = conn.fetch_val("SELECT 'a=>1'::hstore", &[]).await.unwrap();
    assert_eq!(s, r#""a"=>"1""#);
}
