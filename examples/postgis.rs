//! The seed's "automatic conversion of PostGIS types" example: a binary codec for `geometry`
//! that reads and writes WKB points (a tiny WKB codec written here), then a record holding the
//! Empire State Building's location.
//!
//! Needs the PostGIS extension on the server (Debian: `postgresql-15-postgis-3`).
//! Uses `DATABASE_URL` when it is set; otherwise starts a throwaway local PostgreSQL server.
//!
//! ```text
//! cargo run --example postgis
//! ```

use quarry::types::{BoxError, Custom, TypeCodec};
use quarry_driver::ephemeral::EphemeralServer;

/// A 2-D point, as PostGIS sends it in (E)WKB.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

/// WKB geometry type code of a point.
const WKB_POINT: u32 = 1;
/// EWKB flag: an SRID follows the type code.
const EWKB_SRID: u32 = 0x2000_0000;

impl Point {
    /// Little-endian WKB: byte order 1, type 1, x, y.
    fn to_wkb(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(21);
        out.push(1);
        out.extend_from_slice(&WKB_POINT.to_le_bytes());
        out.extend_from_slice(&self.x.to_le_bytes());
        out.extend_from_slice(&self.y.to_le_bytes());
        out
    }

    /// Reads a WKB or EWKB point in either byte order.
    fn from_wkb(raw: &[u8]) -> Result<Point, BoxError> {
        let (&order, mut rest) = raw.split_first().ok_or("empty WKB")?;
        let little = match order {
            0 => false,
            1 => true,
            _ => return Err(format!("bad WKB byte order {order}").into()),
        };
        let mut take = |n: usize| -> Result<&[u8], BoxError> {
            let (head, tail) = rest.split_at_checked(n).ok_or("WKB ends early")?;
            rest = tail;
            Ok(head)
        };
        let u32_at = |b: &[u8]| -> Result<u32, BoxError> {
            let b: [u8; 4] = b.try_into()?;
            Ok(if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            })
        };
        let f64_at = |b: &[u8]| -> Result<f64, BoxError> {
            let b: [u8; 8] = b.try_into()?;
            Ok(if little {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            })
        };
        let ty = u32_at(take(4)?)?;
        if ty & EWKB_SRID != 0 {
            take(4)?; // the SRID
        }
        if ty & 0xffff != WKB_POINT || ty & 0xc000_0000 != 0 {
            return Err(format!("not a 2-D point (WKB type {ty:#x})").into());
        }
        let x = f64_at(take(8)?)?;
        let y = f64_at(take(8)?)?;
        if !rest.is_empty() {
            return Err("trailing bytes after the WKB point".into());
        }
        Ok(Point { x, y })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the server (if we started one) alive until the end of main.
    let (dsn, _server) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = EphemeralServer::start()?;
            (server.dsn(), Some(server))
        }
    };
    let mut conn = quarry::connect(&dsn).await?;
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis", &[])
        .await?;

    conn.set_type_codec(
        "geometry",
        TypeCodec::binary(
            |p: &Point| -> Result<Vec<u8>, BoxError> { Ok(p.to_wkb()) },
            Point::from_wkb,
        ),
    )
    .await?;

    let data = Point {
        x: -73.985661,
        y: 40.748447,
    };
    let res = conn
        .fetch_row(
            "SELECT 'Empire State Building' AS name,
                    $1::geometry            AS coordinates",
            &[&Custom(data)],
        )
        .await?
        .ok_or("no row")?;
    let Custom(back): Custom<Point> = res.get("coordinates")?;
    assert_eq!(back, data);
    println!("{res:?}");

    conn.close().await?;
    Ok(())
}
