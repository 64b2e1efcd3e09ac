fn main() {
    let _ = quarry::query_scalar!("SELECT id, name FROM macro_users");
    let _ = quarry::query!("SELECT 1 + 1");
}
