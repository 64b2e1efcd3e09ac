fn main() {
    let ids = vec!["one"];
    let _ = quarry::query!("SELECT name FROM macro_users WHERE id IN (:ids)");
}
