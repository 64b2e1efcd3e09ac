struct Row {
    name: String,
}

fn main() {
    let mut buf: Vec<Row> = Vec::new();
    let _ = quarry::query!(
        "INSERT INTO macro_users (name) VALUES :rows(name)",
        rows = buf.drain(..).collect::<Vec<_>>(),
    );
}
