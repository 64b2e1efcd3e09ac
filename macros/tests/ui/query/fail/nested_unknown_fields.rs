// `Vec<Post>` over `json` whose rows are not built in the SQL: the fields cannot be checked.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
}

fn main() {
    let _ = quarry::query!("SELECT json_agg(p) AS \"posts: Vec<Post>\" FROM macro_posts p");
}
