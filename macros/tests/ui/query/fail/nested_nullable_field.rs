// `score` can be NULL: the child's field must be an `Option`.
#[derive(quarry::FromRecord, Debug)]
struct Post {
    id: i32,
    score: f64,
}

fn main() {
    let _ = quarry::query!(
        "SELECT array_agg(ROW(p.id, p.score)) AS \"posts: Vec<Post>\" FROM macro_posts p GROUP BY p.author"
    );
}
