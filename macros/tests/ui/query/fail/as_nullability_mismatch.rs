// `age` is nullable: a `query_as!` target needs an `Option` field for it.
#[derive(quarry::FromRecord)]
struct User {
    id: i32,
    age: i32,
}

fn main() {
    let _ = quarry::query_as!(User, "SELECT id, age FROM macro_users");
}
