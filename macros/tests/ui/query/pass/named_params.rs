// Named parameters: bound by `name = value`, or by the variable of that name in scope; a name
// used twice binds once; `IN (:list)` takes a slice; `::` casts, strings and comments are left
// alone.
#[allow(dead_code)]
async fn named(conn: &mut quarry::Connection) -> quarry::Result<()> {
    let name = "Ann";
    let ids = vec![1i32, 2, 3];
    let rows = quarry::query!(
        "SELECT id, name FROM macro_users -- :not_a_parameter
         WHERE (name = :name OR name || ':x' = :name) AND id IN (:ids) AND age > :min::int4",
        min = 18,
    )
    .fetch(&mut *conn)
    .await?;
    let _: Vec<(i32, String)> = rows.into_iter().map(|r| (r.id, r.name)).collect();
    let _: i64 = quarry::query_scalar!(
        "SELECT count(*) FROM macro_users WHERE id NOT IN (:ids)",
        ids = &ids[..1],
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

fn main() {}
