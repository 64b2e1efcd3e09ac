fn main() {
    let _ = quarry::query!("SELECT name FROM macro_users WHERE id = :user_id");
}
