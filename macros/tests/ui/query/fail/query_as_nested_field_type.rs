// A `#[quarry(nested)]` field's children are checked like a `query!` child: `title` is `text`.
#[derive(quarry::FromRecord, Debug)]
struct Post {
    id: i32,
    title: i64,
}

#[derive(quarry::FromRecord, Debug)]
struct Author {
    #[quarry(nested)]
    posts: Vec<Post>,
}

fn main() {
    let _ = quarry::query_as!(
        Author,
        "SELECT array_agg(ROW(p.id, p.title)) AS posts FROM macro_posts p GROUP BY p.author"
    );
}
