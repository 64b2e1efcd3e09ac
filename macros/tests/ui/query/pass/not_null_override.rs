// `arg as _` skips the parameter check: the escape hatch for an `Option` into a NOT NULL column
// that the caller knows is `Some`.
#[allow(dead_code)]
async fn insert(conn: &mut quarry::Connection, name: Option<&str>) -> quarry::Result<()> {
    quarry::query!("INSERT INTO macro_users(name) VALUES ($1)", name as _)
        .execute(&mut *conn)
        .await?;
    quarry::query!("UPDATE macro_users SET name = $1 WHERE id = $2", "Ann", 1i32)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn main() {}
