#[derive(quarry::FromRecord)]
#[quarry(rename_al = "camelCase")]
struct User {
    #[quarry(renam = "x", default)]
    id: i32,
}

fn main() {}
