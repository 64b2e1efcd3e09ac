//! The template a test's database is cloned from: named by the checksums of its migrations and
//! fixtures, built once (under an advisory lock, so concurrent test binaries build it once), then
//! marked a template that takes no connections.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::TestSpec;
use crate::quote_ident;
use crate::{Config, Connection, Error};

/// What this process knows of each template: ready (not looked up again), or failed to build
/// with why (the other tests fail with the same error at once rather than each building it).
static KNOWN: Mutex<Option<HashMap<String, Result<(), String>>>> = Mutex::new(None);

/// The template for `spec`'s migrations and fixtures: known ready, found ready, or built now.
pub(super) async fn ensure(base: &Config, spec: &TestSpec) -> Result<String, String> {
    let key = key(spec);
    let name = format!("quarry_tpl_{}", hex(&key[..8]));
    let known = KNOWN
        .lock()
        .ok()
        .and_then(|known| known.as_ref()?.get(&name).cloned());
    match known {
        Some(Ok(())) => return Ok(name),
        Some(Err(why)) => {
            return Err(format!(
                "{why} (building the template failed for an earlier test)"
            ));
        }
        None => {}
    }
    let mut admin = super::maintenance(base).await.map_err(|e| e.to_string())?;
    let built = build(&mut admin, base, spec, &name, &key).await;
    let _ = admin.close().await;
    if let Ok(mut known) = KNOWN.lock() {
        known
            .get_or_insert_with(HashMap::new)
            .insert(name.clone(), built.clone());
    }
    built?;
    Ok(name)
}

/// Finds the template ready, or builds it under the lock `key` names.
async fn build(
    admin: &mut Connection,
    base: &Config,
    spec: &TestSpec,
    name: &str,
    key: &[u8; 32],
) -> Result<(), String> {
    let lock = i64::from_be_bytes(key[..8].try_into().unwrap_or([0; 8]));
    let ready = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)";
    let db = |e: Error| e.to_string();
    if admin.fetch_val::<bool>(ready, &[&name]).await.map_err(db)? {
        return Ok(());
    }
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&lock])
        .await
        .map_err(db)?;
    let built = async {
        if admin.fetch_val::<bool>(ready, &[&name]).await.map_err(db)? {
            return Ok(());
        }
        // A template a crashed run left half-built is dropped and built again.
        let quoted = quote_ident(name);
        admin
            .execute(
                format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)").as_str(),
                &[],
            )
            .await
            .map_err(db)?;
        admin
            .execute(format!("CREATE DATABASE {quoted}").as_str(), &[])
            .await
            .map_err(|e| super::keeper::hint(&e))?;
        let started = std::time::Instant::now();
        let config = base.clone().dbname(name);
        let mut conn = Connection::connect(&config).await.map_err(db)?;
        let filled = fill(&mut conn, spec).await;
        let _ = conn.close().await;
        filled?;
        admin
            .execute(
                format!("ALTER DATABASE {quoted} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
                    .as_str(),
                &[],
            )
            .await
            .map_err(db)?;
        eprintln!(
            "quarry::test: built template {name} ({} migrations, {} fixtures) in {:.0?}",
            spec.migrator.as_ref().map_or(0, |m| m.migrations().len()),
            spec.fixtures.len(),
            started.elapsed()
        );
        Ok::<(), String>(())
    }
    .await;
    let unlocked = admin
        .execute("SELECT pg_advisory_unlock($1)", &[&lock])
        .await;
    built?;
    unlocked.map_err(db)?;
    Ok(())
}

/// Applies the migrations, then the fixtures.
async fn fill(conn: &mut Connection, spec: &TestSpec) -> Result<(), String> {
    if let Some(migrator) = &spec.migrator {
        migrator
            .run(&mut *conn)
            .await
            .map_err(|e| format!("migrations: {e}"))?;
    }
    for (fixture, sql) in spec.fixtures {
        conn.execute(*sql, &[])
            .await
            .map_err(|e| format!("fixture {fixture}: {e}"))?;
    }
    Ok(())
}

/// SHA-256 over every migration's identity and checksum and every fixture.
fn key(spec: &TestSpec) -> [u8; 32] {
    let mut hash = Sha256::new();
    if let Some(migrator) = &spec.migrator {
        for m in migrator.migrations() {
            hash.update(m.file().as_bytes());
            hash.update(m.checksum());
        }
    }
    hash.update(b"\0fixtures");
    for (name, sql) in spec.fixtures {
        hash.update(name.as_bytes());
        hash.update(crate::migrate::checksum(sql));
    }
    hash.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
