#[derive(quarry::FromRecord)]
#[quarry(rename_all = "Title Case", rename_all = "camelCase")]
struct User {
    #[quarry(skip, rename = "x")]
    id: i32,
    #[quarry(flatten, try_from = "i64")]
    name: String,
    #[quarry(json, try_from = "not a type!")]
    settings: String,
    #[quarry(default = "yes")]
    age: i32,
    #[quarry(nested, try_from = "Vec<i64>")]
    posts: Vec<i32>,
}

fn main() {}
