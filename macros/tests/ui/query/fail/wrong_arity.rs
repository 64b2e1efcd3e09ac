fn main() {
    let _ = quarry::query!("SELECT name FROM macro_users WHERE id = $1 AND age = $2", 1i32);
}
