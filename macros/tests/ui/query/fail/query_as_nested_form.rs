// `#[quarry(nested)]` reads an array of composites; `json_agg(...)` needs `#[quarry(nested, json)]`.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
}

#[derive(quarry::FromRecord, Debug)]
struct Author {
    #[quarry(nested)]
    posts: Vec<Post>,
}

fn main() {
    let _ = quarry::query_as!(
        Author,
        "SELECT json_agg(json_build_object('id', p.id)) AS posts FROM macro_posts p GROUP BY p.author"
    );
}
