// `Vec<Post>` over `json` whose rows are a subquery's (no row type): the fields cannot be checked.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
}

fn main() {
    let _ = quarry::query!(
        "SELECT json_agg(q) AS \"posts: Vec<Post>\" FROM (SELECT id FROM macro_posts) q"
    );
}
