// `query_as!` targets with nested rows: `#[quarry(nested)]` for arrays of composites,
// `#[quarry(nested, json)]` for JSON arrays of objects, `Option` for a column that can be NULL.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
    title: String,
}

#[derive(quarry::FromRecord, Debug)]
struct Author {
    id: i32,
    #[quarry(nested)]
    rows: Vec<Post>,
    #[quarry(nested, json)]
    objects: Option<Vec<Post>>,
}

async fn run(conn: &mut quarry::Connection) -> quarry::Result<()> {
    let authors: Vec<Author> = quarry::query_as!(
        Author,
        "SELECT u.id, array_agg(ROW(p.id, p.title)) AS rows,
                (SELECT json_agg(q) FROM macro_posts q WHERE q.author = u.id) AS objects
         FROM macro_users u JOIN macro_posts p ON p.author = u.id GROUP BY u.id"
    )
    .fetch(conn)
    .await?;
    let _ = authors;
    Ok(())
}

fn main() {
    let _ = run;
}
