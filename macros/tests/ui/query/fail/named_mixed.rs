fn main() {
    let _ = quarry::query!("SELECT name FROM macro_users WHERE id = :id AND age = $1", id = 1i32);
}
