//! Geometric types against a real server: each value sent as a parameter, read back in binary,
//! and compared with the server's own text and with a literal decoded by Quarry.

mod common;

use quarry::types::{Box, Circle, Decode, Encode, Line, LineSegment, Path, Point, Polygon, Value};
use quarry::{Connection, Error};

/// Sends `v` as `$1::ty` and returns it read back, with the server's text for it.
async fn round_trip<T>(conn: &mut Connection, ty: &str, v: &T) -> (T, String)
where
    T: Encode + Sync + for<'r> Decode<'r>,
{
    let sql = format!("SELECT $1::{ty}, $1::{ty}::text");
    let row = conn.fetch_row(sql.as_str(), &[v]).await.unwrap().unwrap();
    (row.get(0).unwrap(), row.get(1).unwrap())
}

/// Decodes the SQL literal `'text'::ty`.
async fn literal<T: for<'r> Decode<'r>>(conn: &mut Connection, text: &str, ty: &str) -> T {
    let sql = format!("SELECT '{text}'::{ty}");
    conn.fetch_val(sql.as_str(), &[]).await.unwrap()
}

/// Round trips `v` as `ty`, checks the server prints `text`, and that the literal decodes to `v`.
async fn check<T>(conn: &mut Connection, ty: &str, v: T, text: &str)
where
    T: Encode + Sync + for<'r> Decode<'r> + PartialEq + std::fmt::Debug + std::fmt::Display,
{
    let (back, server_text) = round_trip(conn, ty, &v).await;
    assert_eq!(back, v, "{ty} {text}");
    assert_eq!(server_text, text, "{ty}");
    assert_eq!(v.to_string(), text, "{ty} Display");
    let lit: T = literal(conn, text, ty).await;
    assert_eq!(lit, v, "literal {ty} {text}");
}

fn p(x: f64, y: f64) -> Point {
    Point { x, y }
}

#[tokio::test]
async fn every_geometric_type_round_trips() {
    let mut conn = common::connect().await;
    check(&mut conn, "point", p(1.5, -2.0), "(1.5,-2)").await;
    check(&mut conn, "point", p(0.1, 1e-5), "(0.1,1e-05)").await;
    check(
        &mut conn,
        "line",
        Line {
            a: 1.0,
            b: -1.0,
            c: 0.5,
        },
        "{1,-1,0.5}",
    )
    .await;
    let seg = LineSegment {
        start: p(0.0, 0.0),
        end: p(3.0, 4.0),
    };
    check(&mut conn, "lseg", seg, "[(0,0),(3,4)]").await;
    let b = Box {
        high: p(3.0, 4.0),
        low: p(1.0, 2.0),
    };
    check(&mut conn, "box", b, "(3,4),(1,2)").await;
    let open = Path {
        points: vec![p(0.0, 0.0), p(1.0, 1.0), p(2.0, 0.0)],
        closed: false,
    };
    check(&mut conn, "path", open, "[(0,0),(1,1),(2,0)]").await;
    let closed = Path {
        points: vec![p(0.0, 0.0), p(1.0, 1.0), p(2.0, 0.0)],
        closed: true,
    };
    check(&mut conn, "path", closed, "((0,0),(1,1),(2,0))").await;
    let poly = Polygon {
        points: vec![p(0.0, 0.0), p(0.0, 1.0), p(1.0, 1.0), p(1.0, 0.0)],
    };
    check(&mut conn, "polygon", poly, "((0,0),(0,1),(1,1),(1,0))").await;
    let circle = Circle {
        center: p(1.0, 2.0),
        radius: 3.5,
    };
    check(&mut conn, "circle", circle, "<(1,2),3.5>").await;
}

#[tokio::test]
async fn special_floats_and_box_corners() {
    let mut conn = common::connect().await;
    let (back, text) = round_trip(&mut conn, "point", &p(f64::INFINITY, f64::NAN)).await;
    assert_eq!(back.x, f64::INFINITY);
    assert!(back.y.is_nan());
    assert_eq!(text, "(Infinity,NaN)");
    let lit: Point = literal(&mut conn, "(-Infinity,-0)", "point").await;
    assert_eq!(lit.x, f64::NEG_INFINITY);
    assert!(lit.y == 0.0 && lit.y.is_sign_negative());
    // The server orders a box's corners: high is the upper right.
    let b = Box {
        high: p(1.0, 4.0),
        low: p(3.0, 2.0),
    };
    let (back, text) = round_trip(&mut conn, "box", &b).await;
    assert_eq!(
        back,
        Box {
            high: p(3.0, 4.0),
            low: p(1.0, 2.0)
        }
    );
    assert_eq!(text, "(3,4),(1,2)");
}

#[tokio::test]
async fn errors_and_dynamic_values() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row(
            "SELECT '(1,2)'::point AS pt, '<(0,0),1>'::circle AS c, NULL::path AS n",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        row.get::<Circle>("pt"),
        Err(Error::ColumnType { .. })
    ));
    assert!(matches!(row.get::<Path>("n"), Err(Error::Decode { .. })));
    assert_eq!(row.get::<Option<Path>>("n").unwrap(), None);
    assert_eq!(row.value("pt").unwrap(), Value::Point(p(1.0, 2.0)));
    let debug = format!("{row:?}");
    assert!(debug.contains("c=<(0,0),1>"), "{debug}");
    // A line with a = b = 0 is refused by the server; the connection stays usable.
    let bad = Line {
        a: 0.0,
        b: 0.0,
        c: 1.0,
    };
    assert!(conn.fetch_row("SELECT $1::line", &[&bad]).await.is_err());
    let n: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn float_text_matches_the_server() {
    let mut conn = common::connect().await;
    for (x, y) in [
        (1e-5, 1.5e15),
        (-0.0, 123_456_789_012_345.0),
        (1e300, 0.0001),
        (-1.234_567_890_123_456_7e-200, f64::MAX),
        (f64::MIN_POSITIVE, 1.0 / 3.0),
    ] {
        let v = p(x, y);
        let (back, text) = round_trip(&mut conn, "point", &v).await;
        assert_eq!(
            (back.x.to_bits(), back.y.to_bits()),
            (x.to_bits(), y.to_bits())
        );
        assert_eq!(v.to_string(), text);
    }
}
