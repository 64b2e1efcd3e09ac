struct Row {
    name: String,
    tags: Vec<String>,
}

fn main() {
    let rows: Vec<Row> = Vec::new();
    let _ = quarry::query!("INSERT INTO macro_users (name, tags) VALUES :rows(name, tags)");
}
