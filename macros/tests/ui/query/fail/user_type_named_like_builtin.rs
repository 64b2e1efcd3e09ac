// `macro_labels.label` is `public.box`, a domain over text: a `String`, not the built-in `box`.
async fn label(conn: &mut quarry::Connection) -> quarry::Result<quarry::types::Box> {
    let row = quarry::query!("SELECT label FROM macro_labels").fetch_one(conn).await?;
    Ok(row.label)
}

fn main() {
    let _ = label;
}
