// `name` is NOT NULL: an `Option` argument flowing straight into it is a compile error.
fn main() {
    let name: Option<&str> = None;
    let _ = quarry::query!("INSERT INTO macro_users(name) VALUES ($1)", name);
}
