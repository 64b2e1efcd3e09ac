//! The seed's "decoding hstore values" example: the hstore extension's type gets Quarry's
//! built-in hstore codec, so `'a=>1,b=>2'::hstore` decodes into a map.
//!
//! Uses `DATABASE_URL` when it is set; otherwise starts a throwaway local PostgreSQL server.
//!
//! ```text
//! cargo run --example hstore
//! ```

use std::collections::BTreeMap;

use quarry::types::BuiltinCodec;
use quarry_driver::ephemeral::EphemeralServer;

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

    conn.execute("CREATE EXTENSION IF NOT EXISTS hstore", &[])
        .await?;
    conn.set_builtin_type_codec("hstore", BuiltinCodec::Hstore)
        .await?;

    let result: BTreeMap<String, Option<String>> =
        conn.fetch_val("SELECT 'a=>1,b=>2'::hstore", &[]).await?;
    let expected = BTreeMap::from([
        ("a".to_owned(), Some("1".to_owned())),
        ("b".to_owned(), Some("2".to_owned())),
    ]);
    assert_eq!(result, expected);
    println!("{result:?}");

    conn.close().await?;
    Ok(())
}
