// A child's field must fit its field of the nested rows: `title` is `text`.
#[derive(quarry::FromRecord, Debug)]
struct Post {
    id: i32,
    title: i64,
}

fn main() {
    let _ = quarry::query!(
        "SELECT array_agg(ROW(p.id, p.title)) AS \"posts: Vec<Post>\" FROM macro_posts p GROUP BY p.author"
    );
}
