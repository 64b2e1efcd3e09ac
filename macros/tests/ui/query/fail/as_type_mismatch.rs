// `name` is `text`: an `i64` field cannot hold it.
#[derive(quarry::FromRecord)]
struct User {
    id: i32,
    #[quarry(rename = "name")]
    label: i64,
}

fn main() {
    let _ = quarry::query_as!(User, "SELECT id, name FROM macro_users");
}
