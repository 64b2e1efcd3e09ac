// The target reads `email`, which the query does not return.
#[derive(quarry::FromRecord)]
struct User {
    id: i32,
    email: Option<String>,
}

fn main() {
    let _ = quarry::query_as!(User, "SELECT id FROM macro_users");
}
