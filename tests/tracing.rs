//! `tracing` output: every request (queries, COPY) runs in a DEBUG `query` span of target
//! `quarry::query` carrying its SQL, closed by an event with the rows; checked with a small
//! subscriber that records what it is given.

mod common;

use std::sync::{Arc, Mutex};

use quarry::copy::CopyOptions;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// What the subscriber saw: (span name, target, sql field) and event fields as text.
#[derive(Default)]
struct Seen {
    spans: Vec<(String, String, String)>,
    events: Vec<String>,
}

struct Recorder {
    seen: Arc<Mutex<Seen>>,
    next: Mutex<u64>,
}

/// Collects a span's or event's fields as `name=value` text.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("quarry")
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        let sql = fields
            .0
            .iter()
            .find(|(name, _)| name == "sql")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.seen.lock().unwrap().spans.push((
            span.metadata().name().to_owned(),
            span.metadata().target().to_owned(),
            sql,
        ));
        let mut next = self.next.lock().unwrap();
        *next += 1;
        Id::from_u64(*next)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let text: Vec<String> = fields.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.seen.lock().unwrap().events.push(text.join(" "));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn queries_and_copies_are_traced_in_query_spans() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let _guard = tracing::subscriber::set_default(Recorder {
        seen: seen.clone(),
        next: Mutex::new(0),
    });
    let mut conn = common::connect().await;
    conn.execute("CREATE TABLE t (a int4, b text)", &[])
        .await
        .unwrap();
    let n: i64 = conn
        .fetch_val("SELECT count(*) FROM generate_series(1, $1)", &[&7i32])
        .await
        .unwrap();
    assert_eq!(n, 7);
    let copied = conn
        .copy_to_table("t", &b"1,a\n2,b\n"[..], &CopyOptions::csv())
        .await
        .unwrap();
    assert_eq!(copied, 2);
    let seen = seen.lock().unwrap();
    let queries: Vec<&str> = seen
        .spans
        .iter()
        .filter(|(name, target, _)| name == "query" && target == "quarry::query")
        .map(|(_, _, sql)| sql.as_str())
        .collect();
    for expected in [
        "CREATE TABLE t (a int4, b text)",
        "SELECT count(*) FROM generate_series(1, $1)",
        "COPY \"t\" FROM STDIN (FORMAT csv)",
    ] {
        assert!(
            queries.iter().any(|sql| sql.contains(expected)),
            "no span for {expected:?} in {queries:?}"
        );
    }
    assert!(
        seen.events.iter().any(|e| e.contains("rows=2")),
        "no event with the COPY's rows in {:?}",
        seen.events
    );
}
