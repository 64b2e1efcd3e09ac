// `query_as!` checks the target's fields against the columns, honouring `FromRecord`
// attributes: rename, rename_all, try_from, default, skip, flatten, and `Option` fields for
// NOT NULL columns.
#[derive(quarry::FromRecord)]
#[quarry(rename_all = "camelCase")]
struct Author {
    #[quarry(rename = "author")]
    author_id: i32,
}

#[derive(quarry::FromRecord)]
#[allow(dead_code)]
struct Post {
    #[quarry(try_from = "i32")]
    id: i64,
    title: Option<String>,
    score: Option<f64>,
    #[quarry(flatten)]
    author: Author,
    #[quarry(default)]
    missing: Option<String>,
    #[quarry(skip)]
    local: u8,
}

#[allow(dead_code)]
async fn posts(conn: &mut quarry::Connection) -> quarry::Result<Vec<Post>> {
    quarry::query_as!(Post, "SELECT id, title, score, author FROM macro_posts")
        .fetch(conn)
        .await
}

fn main() {}
