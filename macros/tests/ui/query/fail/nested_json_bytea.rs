// In JSON rows a `bytea` is its `\x...` hex text: serde reads it as a `String`, not `Vec<u8>`.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
    payload: Option<Vec<u8>>,
}

fn main() {
    let _ = quarry::query!(
        "SELECT json_agg(json_build_object('id', p.id, 'payload', convert_to(p.title, 'UTF8')))
                AS \"posts: Vec<Post>\"
         FROM macro_posts p GROUP BY p.author"
    );
}
