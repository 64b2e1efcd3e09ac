// Nested rows: `array_agg(ROW(...))`, `array_agg(t)`, `json_agg(json_build_object(...))` and
// `json_agg(t)` read as `Vec<Child>`, the children's fields checked.
#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct Post {
    id: i32,
    title: String,
    score: Option<f64>,
}

#[derive(quarry::FromRecord, serde::Deserialize, Debug)]
struct PostRow {
    author: i32,
    #[quarry(rename = "title")]
    #[serde(rename = "title")]
    heading: String,
}

async fn run(conn: &mut quarry::Connection) -> quarry::Result<()> {
    let row = quarry::query!(
        "SELECT u.id,
                array_agg(ROW(p.id, p.title, p.score)) AS \"rows: Vec<Post>\",
                array_agg(p) AS \"table_rows: Vec<PostRow>\",
                (SELECT coalesce(json_agg(json_build_object('id', q.id, 'title', q.title,
                                                            'score', q.score)), '[]')
                   FROM macro_posts q WHERE q.author = u.id) AS \"json: Vec<Post>\"
         FROM macro_users u JOIN macro_posts p ON p.author = u.id GROUP BY u.id"
    )
    .fetch_one(&mut *conn)
    .await?;
    let _: (Vec<Post>, Vec<PostRow>, Vec<Post>) = (row.rows, row.table_rows, row.json);
    let row = quarry::query!(
        "SELECT json_agg(p) AS \"objects: Vec<PostRow>\",
                (SELECT jsonb_agg(q.*) FROM macro_posts q) AS \"all: Vec<Post>\"
         FROM macro_posts p GROUP BY p.author"
    )
    .fetch_one(conn)
    .await?;
    let _: (Vec<PostRow>, Option<Vec<Post>>) = (row.objects, row.all);
    Ok(())
}

fn main() {
    let _ = run;
}
