// The JSON objects have no key `nickname`.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
    nickname: String,
}

fn main() {
    let _ = quarry::query!(
        "SELECT json_agg(json_build_object('id', p.id, 'title', p.title)) AS \"posts: Vec<Post>\"
         FROM macro_posts p GROUP BY p.author"
    );
}
