fn main() {
    let _ = quarry::query!("SELECT name FROM macro_users WHERE true { AND age IS NOT NULL }");
}
