fn main() {
    let _ = quarry::query!("SELECT name FROM macro_users WHERE id = :id", id = 1i32, age = 30i32);
}
