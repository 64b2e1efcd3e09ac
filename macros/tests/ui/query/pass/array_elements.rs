// Array elements: `Vec<Option<T>>` for a column's elements, `Vec<T>` where the query proves them
// non-NULL, or an override.
#[derive(quarry::FromRecord)]
struct Tagged {
    id: i32,
    tags: Vec<Option<String>>,
}

#[derive(quarry::FromRecord)]
struct Names {
    names: Option<Vec<String>>,
}

fn main() {
    let _ = quarry::query_as!(Tagged, "SELECT id, tags FROM macro_users");
    let _ = quarry::query_as!(Names, "SELECT array_agg(name) AS names FROM macro_users");
    let _ = quarry::query!("SELECT tags AS \"tags: Vec<String>\" FROM macro_users");
}
