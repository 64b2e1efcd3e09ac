//! Nullability on a corpus written blind (tests/nullability_corpus): 250 everyday and harder
//! queries over an application schema (partitioned and inherited tables, views over outer
//! joins, domains, generated columns, CHECKs, foreign keys NOT NULL and nullable), written by a
//! reviewer who did not read the analysis. Every column is checked against three data states
//! (the data, an empty database, the data plus `data_alt.sql`, which even stores NULL in a NOT
//! NULL domain column the way PostgreSQL allows), and a fourth, the data plus an order placed at
//! `'infinity'` (`data_infinite.sql`), which only adds observations: a query that fails on it
//! (`extract(...)::int` of infinity, say) counts no row there:
//! - no column described NOT NULL ever holds NULL (soundness);
//! - a column described nullable that holds no NULL in any state is one of the reviewed
//!   `imprecise.tsv` (argued never NULL in any database state), so precision cannot slip
//!   unnoticed, and precision over the corpus stays at or above 95%.

mod common;

use quarry::Connection;
use quarry_describe::Describer;

const SCHEMA: &str = include_str!("nullability_corpus/schema.sql");
const DATA: &str = include_str!("nullability_corpus/data.sql");
const DATA_ALT: &str = include_str!("nullability_corpus/data_alt.sql");
const DATA_INFINITE: &str = include_str!("nullability_corpus/data_infinite.sql");
const QUERIES: &str = include_str!("nullability_corpus/queries.sql");
const IMPRECISE: &str = include_str!("nullability_corpus/imprecise.tsv");

async fn state(data: &[&str]) -> (common::TestDb, Connection) {
    let db = common::fresh_db().await;
    let mut conn = db.connect().await;
    conn.execute(SCHEMA, &[]).await.unwrap();
    for sql in data {
        conn.execute(*sql, &[]).await.unwrap();
    }
    (db, conn)
}

/// How many rows of `sql` have each column NULL.
async fn nulls(conn: &mut Connection, sql: &str, columns: usize) -> quarry::Result<Vec<i64>> {
    let names: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
    let counts: Vec<String> = (0..columns)
        .map(|c| format!("count(*) FILTER (WHERE c{c} IS NULL)"))
        .collect();
    let check = format!(
        "SELECT {} FROM ({sql}) AS q({})",
        counts.join(", "),
        names.join(", ")
    );
    let row = conn.fetch_row(check.as_str(), &[]).await?.unwrap();
    Ok((0..columns).map(|c| row.get::<i64>(c).unwrap()).collect())
}

#[tokio::test]
async fn a_corpus_written_blind_is_sound_and_precise() {
    let (_full_db, mut full) = state(&[DATA]).await;
    let (_empty_db, mut empty) = state(&[]).await;
    let (_alt_db, mut alt) = state(&[DATA, DATA_ALT]).await;
    let (_inf_db, mut inf) = state(&[DATA, DATA_INFINITE]).await;
    let imprecise: Vec<(usize, &str)> = IMPRECISE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let column = parts.next().unwrap().parse().unwrap();
            let _cause = parts.next().unwrap();
            (column, parts.next().unwrap())
        })
        .collect();
    let mut describer = Describer::new();
    let (mut unsound, mut unexpected) = (Vec::new(), Vec::new());
    let (mut not_null, mut never_null) = (0usize, 0usize);
    let queries: Vec<&str> = QUERIES.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(queries.len(), 250);
    for sql in &queries {
        let d = describer
            .describe(&mut full, sql)
            .await
            .unwrap_or_else(|e| panic!("describe {sql}: {e}"));
        let n = d.columns.len();
        let mut seen = nulls(&mut full, sql, n)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        for conn in [&mut empty, &mut alt] {
            let more = nulls(conn, sql, n)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            for (s, more) in seen.iter_mut().zip(more) {
                *s += more;
            }
        }
        if let Ok(more) = nulls(&mut inf, sql, n).await {
            for (s, more) in seen.iter_mut().zip(more) {
                *s += more;
            }
        }
        for (i, (column, null_rows)) in d.columns.iter().zip(&seen).enumerate() {
            match (column.nullable, *null_rows > 0) {
                (false, true) => unsound.push(format!("{sql}: column {i} ({})", column.name)),
                (false, false) => {
                    not_null += 1;
                    never_null += 1;
                }
                (true, false) => {
                    never_null += 1;
                    if !imprecise.contains(&(i, *sql)) {
                        unexpected.push(format!("{sql}: column {i} ({})", column.name));
                    }
                }
                (true, true) => {}
            }
        }
    }
    assert!(
        unsound.is_empty(),
        "NOT NULL but NULL:\n{}",
        unsound.join("\n")
    );
    assert!(
        unexpected.is_empty(),
        "nullable, never NULL, not among the reviewed imprecise columns:\n{}",
        unexpected.join("\n")
    );
    let precision = not_null as f64 / never_null as f64;
    println!("precision {not_null}/{never_null} = {precision:.3}");
    assert!(
        precision >= 0.95,
        "precision {not_null}/{never_null} = {precision:.3}"
    );
}
