// `tags` is `text[] NOT NULL`, but the catalog says nothing of its elements: they may be NULL,
// so a `query_as!` target needs `Vec<Option<String>>` (or an override) to read it.
#[derive(quarry::FromRecord)]
struct Tagged {
    id: i32,
    tags: Vec<String>,
}

fn main() {
    let _ = quarry::query_as!(Tagged, "SELECT id, tags FROM macro_users");
}
