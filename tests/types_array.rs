//! Arrays against a real server: parameters round trip and agree with PostgreSQL's own text form;
//! empty arrays, NULL elements, 2-D arrays, lower bounds other than 1, text-format arrays, errors.

mod common;

use quarry::types::{Array, Dimension, Value};

#[tokio::test]
async fn one_dimensional_round_trips() {
    let mut conn = common::connect().await;
    let v = vec![1i32, -2, i32::MAX];
    let row = conn
        .fetch_row("SELECT $1::int4[], $1::int4[]::text", &[&v])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<i32>>(0).unwrap(), v);
    assert_eq!(row.get::<String>(1).unwrap(), "{1,-2,2147483647}");

    let words = ["a b", "\"quoted\"", "back\\slash", ""];
    let row = conn
        .fetch_row("SELECT $1::text[], $1::text[]::text", &[&&words[..]])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<String>>(0).unwrap(), words);
    assert_eq!(
        row.get::<String>(1).unwrap(),
        r#"{"a b","\"quoted\"","back\\slash",""}"#
    );
    let borrowed: Vec<&str> = row.get(0).unwrap();
    assert_eq!(borrowed, words);

    let fixed: [i64; 3] = [1, 2, 3];
    let back: Vec<i64> = conn
        .fetch_val("SELECT $1::int8[]", &[&fixed])
        .await
        .unwrap();
    assert_eq!(back, fixed);
}

#[tokio::test]
async fn empty_arrays_and_nulls() {
    let mut conn = common::connect().await;
    let empty: Vec<i32> = Vec::new();
    let row = conn
        .fetch_row(
            "SELECT $1::int4[], $1::int4[]::text, '{}'::int4[]",
            &[&empty],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(row.get::<Vec<i32>>(0).unwrap().is_empty());
    assert_eq!(row.get::<String>(1).unwrap(), "{}");
    assert!(row.get::<Vec<i32>>(2).unwrap().is_empty());

    let with_nulls = vec![Some("x"), None, Some("NULL")];
    let row = conn
        .fetch_row("SELECT $1::text[], $1::text[]::text", &[&with_nulls])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Vec<Option<&str>>>(0).unwrap(), with_nulls);
    assert_eq!(row.get::<String>(1).unwrap(), r#"{x,NULL,"NULL"}"#);
    // A NULL element into a non-Option element type names the element, column and types.
    let err = row.get::<Vec<String>>(0).unwrap_err().to_string();
    assert!(err.contains("element 1"), "{err}");
    assert!(err.contains("_text") || err.contains("text[]"), "{err}");

    let literal: Vec<Option<i32>> = conn
        .fetch_val("SELECT ARRAY[1, NULL, 3]", &[])
        .await
        .unwrap();
    assert_eq!(literal, [Some(1), None, Some(3)]);
}

#[tokio::test]
async fn two_dimensions_and_lower_bounds() {
    let mut conn = common::connect().await;
    let grid = Array::new(
        vec![
            Dimension {
                len: 2,
                lower_bound: 1,
            },
            Dimension {
                len: 3,
                lower_bound: 1,
            },
        ],
        vec![1i32, 2, 3, 4, 5, 6],
    )
    .unwrap();
    let row = conn
        .fetch_row("SELECT $1::int4[], $1::int4[]::text", &[&grid])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Array<i32>>(0).unwrap(), grid);
    assert_eq!(row.get::<String>(1).unwrap(), "{{1,2,3},{4,5,6}}");
    let err = row.get::<Vec<i32>>(0).unwrap_err().to_string();
    assert!(err.contains("2-dimensional"), "{err}");

    let shifted = Array::new(
        vec![Dimension {
            len: 2,
            lower_bound: -1,
        }],
        vec![10i32, 20],
    )
    .unwrap();
    let row = conn
        .fetch_row(
            "SELECT $1::int4[], $1::int4[]::text, '[0:1][5:6]={{1,2},{3,4}}'::int4[]",
            &[&shifted],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Array<i32>>(0).unwrap(), shifted);
    assert_eq!(row.get::<String>(1).unwrap(), "[-1:0]={10,20}");
    let literal: Array<i32> = row.get(2).unwrap();
    assert_eq!(
        literal.dims,
        [
            Dimension {
                len: 2,
                lower_bound: 0
            },
            Dimension {
                len: 2,
                lower_bound: 5
            }
        ]
    );
    assert_eq!(literal.elements, [1, 2, 3, 4]);
}

#[tokio::test]
async fn values_and_text_format_arrays() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT ARRAY[[1,2],[3,NULL]] AS a, ARRAY['x']::text[] AS t, '{}'::int4[] AS e",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.value("a").unwrap().to_string(), "[[1, 2], [3, None]]");
    assert_eq!(
        row.value("t").unwrap(),
        Value::Array(Array::from_vec(vec![Value::Text("x".into())]))
    );
    assert_eq!(
        row.value("e").unwrap(),
        Value::Array(Array::from_vec(vec![]))
    );

    // tsvector has no binary codec: its arrays arrive as text and still decode into strings.
    let row = conn
        .fetch_row("SELECT ARRAY['a:1'::tsvector, NULL]", &[])
        .await
        .unwrap()
        .unwrap();
    let v: Vec<Option<String>> = row.get(0).unwrap();
    assert_eq!(v, [Some("'a':1".to_owned()), None]);
}

#[tokio::test]
async fn wrong_types_are_errors_and_the_connection_survives() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT ARRAY[1,2]::int4[] AS xs", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<Vec<i64>>("xs").err();
    // int4 widens into i64; a text element type does not fit.
    assert!(err.is_none());
    let err = row.get::<Vec<bool>>("xs").unwrap_err().to_string();
    assert!(err.contains("xs"), "{err}");
    let err = conn
        .fetch_row("SELECT $1::int4[]", &[&vec!["a"]])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("int4") || err.contains("_int4"), "{err}");
    let one: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(one, 1);
}
