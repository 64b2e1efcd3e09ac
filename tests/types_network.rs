//! Network types against a real server: `inet`/`cidr` as `IpNetwork` and `IpAddr`, `macaddr` and
//! `macaddr8` as `MacAddr`/`MacAddr8` and `String`; each value sent as a parameter, read back in
//! binary, and compared with the server's own text and with a literal decoded by Quarry.

mod common;

use std::net::IpAddr;

use quarry::types::{Decode, Encode, Format, IpNetwork, MacAddr, MacAddr8, Value};
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

#[tokio::test]
async fn inet_and_cidr_round_trip() {
    let mut conn = common::connect().await;
    for (ty, text) in [
        ("cidr", "10.0.0.0/8"),
        ("cidr", "2001:db8::/32"),
        ("cidr", "0.0.0.0/0"),
        ("inet", "192.168.1.5/24"),
        ("inet", "127.0.0.1/32"),
        ("inet", "::1/128"),
        ("inet", "fe80::1:2:3:4/64"),
        ("inet", "::ffff:1.2.3.4/128"),
    ] {
        let net: IpNetwork = text.parse().unwrap();
        let (back, server_text) = round_trip(&mut conn, ty, &net).await;
        assert_eq!(back, net, "{ty} {text}");
        assert_eq!(server_text, text, "{ty} {text}");
        assert_eq!(net.to_string(), text);
        let lit: IpNetwork = literal(&mut conn, text, ty).await;
        assert_eq!(lit, net, "literal {ty} {text}");
    }
}

#[tokio::test]
async fn host_addresses_as_ip_addr() {
    let mut conn = common::connect().await;
    for text in ["127.0.0.1", "2001:db8::42"] {
        let addr: IpAddr = text.parse().unwrap();
        let (back, server_text) = round_trip(&mut conn, "inet", &addr).await;
        assert_eq!(back, addr);
        assert_eq!(
            server_text,
            format!("{text}/{}", IpNetwork::host(addr).prefix())
        );
        let lit: IpAddr = literal(&mut conn, text, "inet").await;
        assert_eq!(lit, addr);
    }
    // A host address also goes into a cidr with the full prefix.
    let addr: IpAddr = "10.1.2.3".parse().unwrap();
    let (back, server_text) = round_trip(&mut conn, "cidr", &addr).await;
    assert_eq!((back, server_text.as_str()), (addr, "10.1.2.3/32"));
}

#[tokio::test]
async fn a_network_is_no_host_address() {
    let mut conn = common::connect().await;
    let row = conn
        .fetch_row("SELECT '10.0.0.0/8'::inet AS net, 1 AS n", &[])
        .await
        .unwrap()
        .unwrap();
    let err = row.get::<IpAddr>("net").unwrap_err();
    match &err {
        Error::Decode {
            column, pg_type, ..
        } => {
            assert_eq!((column.as_str(), pg_type.as_str()), ("net", "inet"));
            assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(matches!(
        row.get::<IpNetwork>("n"),
        Err(Error::ColumnType { .. })
    ));
    assert_eq!(
        row.get::<IpNetwork>("net").unwrap().to_string(),
        "10.0.0.0/8"
    );
    // A cidr with host bits set is refused by the server; the connection stays usable.
    let bad: IpNetwork = "10.1.0.0/8".parse().unwrap();
    assert!(conn.fetch_row("SELECT $1::cidr", &[&bad]).await.is_err());
    let n: i32 = conn.fetch_val("SELECT 1", &[]).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn mac_addresses() {
    let mut conn = common::connect().await;
    let mac: MacAddr = "08:00:2b:01:02:03".parse().unwrap();
    let (back, server_text) = round_trip(&mut conn, "macaddr", &mac).await;
    assert_eq!((back, server_text.as_str()), (mac, "08:00:2b:01:02:03"));
    let lit: MacAddr = literal(&mut conn, "08-00-2B-01-02-03", "macaddr").await;
    assert_eq!(lit, mac);
    // As the seed maps it: a string.
    let s: String = literal(&mut conn, "08002b010203", "macaddr").await;
    assert_eq!(s, "08:00:2b:01:02:03");

    let mac8: MacAddr8 = "08:00:2b:01:02:03:04:05".parse().unwrap();
    let (back, server_text) = round_trip(&mut conn, "macaddr8", &mac8).await;
    assert_eq!(
        (back, server_text.as_str()),
        (mac8, "08:00:2b:01:02:03:04:05")
    );
    let s: String = literal(&mut conn, "08:00:2b:01:02:03:04:05", "macaddr8").await;
    assert_eq!(s, mac8.to_string());
}

#[tokio::test]
async fn nulls_and_dynamic_values() {
    let mut conn = common::connect().await;
    let none: Option<IpNetwork> = None;
    let row = conn
        .fetch_row(
            "SELECT $1::inet AS a, '10.0.0.0/8'::cidr AS b, '08:00:2b:01:02:03'::macaddr AS m",
            &[&none],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Option<IpNetwork>>("a").unwrap(), None);
    assert!(row.get::<IpNetwork>("a").is_err());
    assert_eq!(
        row.value("b").unwrap(),
        Value::Network("10.0.0.0/8".parse().unwrap())
    );
    assert_eq!(
        row.value("m").unwrap(),
        Value::MacAddr("08:00:2b:01:02:03".parse().unwrap())
    );
    let debug = format!("{row:?}");
    assert!(debug.contains("b=10.0.0.0/8"), "{debug}");
}

/// `macaddr` and `macaddr8` have binary I/O: columns, arrays and records of them arrive in
/// binary, and a `String` still reads them as the server prints them and is sent to them (in
/// text), alone, in arrays and in records.
#[tokio::test]
async fn mac_addresses_travel_in_binary_and_string_still_works() {
    let mut conn = common::connect().await;
    conn.execute(
        "CREATE TYPE nic AS (name text, mac macaddr, mac8 macaddr8)",
        &[],
    )
    .await
    .unwrap();
    let row = conn
        .fetch_row(
            "SELECT '08:00:2b:01:02:03'::macaddr AS m, '08:00:2b:01:02:03:04:05'::macaddr8 AS m8, \
             ARRAY['08:00:2b:01:02:03'::macaddr, NULL] AS ms, \
             ROW('eth0', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05')::nic AS n",
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    for column in row.columns() {
        assert_eq!(column.format(), Format::Binary, "{}", column.name());
    }
    let mac = "08:00:2b:01:02:03";
    let mac8 = "08:00:2b:01:02:03:04:05";
    assert_eq!(row.get::<String>("m").unwrap(), mac);
    assert_eq!(row.get::<String>("m8").unwrap(), mac8);
    assert_eq!(
        row.get::<Vec<Option<String>>>("ms").unwrap(),
        [Some(mac.to_owned()), None]
    );
    assert_eq!(
        row.get::<Vec<Option<MacAddr>>>("ms").unwrap(),
        [Some(mac.parse().unwrap()), None]
    );
    let nic: (String, String, String) = row.get("n").unwrap();
    assert_eq!(nic, ("eth0".to_owned(), mac.to_owned(), mac8.to_owned()));
    let typed: (String, MacAddr, MacAddr8) = row.get("n").unwrap();
    assert_eq!(typed.1.to_string(), mac);
    // Back as parameters: a String in text (any spelling the server reads), alone, in an array
    // and as a record field.
    let back: String = conn
        .fetch_val("SELECT $1::macaddr::text", &[&"08-00-2B-01-02-03"])
        .await
        .unwrap();
    assert_eq!(back, mac);
    let back: String = conn
        .fetch_val("SELECT $1::macaddr[]::text", &[&vec![Some(mac), None]])
        .await
        .unwrap();
    assert_eq!(back, "{08:00:2b:01:02:03,NULL}");
    for param in [&nic as quarry::Param, &typed, &row.value("n").unwrap()] {
        let back: String = conn
            .fetch_val("SELECT $1::nic::text", &[param])
            .await
            .unwrap();
        assert_eq!(back, "(eth0,08:00:2b:01:02:03,08:00:2b:01:02:03:04:05)");
    }
}
