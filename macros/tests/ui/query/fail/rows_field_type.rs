struct Row {
    name: i64,
}

fn main() {
    let rows: Vec<Row> = Vec::new();
    let _ = quarry::query!("INSERT INTO macro_users (name) VALUES :rows(name)");
}
