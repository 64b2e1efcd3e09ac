// `json_agg(p)`: the keys and types are the table's; `title` is `text`, a JSON string.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
    title: i64,
}

fn main() {
    let _ = quarry::query!(
        "SELECT json_agg(p) AS \"posts: Vec<Post>\" FROM macro_posts p GROUP BY p.author"
    );
}
