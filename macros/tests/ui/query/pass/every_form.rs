// Every macro form compiles against the test schema; nothing runs (no database at run time).
#[derive(quarry::FromRecord)]
struct User {
    id: i32,
    name: String,
}

#[allow(dead_code)]
async fn all(conn: &mut quarry::Connection) -> quarry::Result<()> {
    let id = 1i32;
    let name: &str = "Ann";
    let row = quarry::query!("SELECT id AS \"id!\", email FROM macro_users WHERE id = $1", id)
        .fetch_one(&mut *conn)
        .await?;
    let _: (i32, Option<String>) = (row.id, row.email);
    let _: Vec<User> = quarry::query_as!(User, "SELECT id, name FROM macro_users WHERE name = $1", name)
        .fetch(&mut *conn)
        .await?;
    let _: Option<i64> = quarry::query_scalar!("SELECT count(*) AS \"n?\" FROM macro_users")
        .fetch_one(&mut *conn)
        .await?;
    quarry::query!("DELETE FROM macro_users WHERE id = $1", Some(id)).execute(&mut *conn).await?;
    quarry::query_unchecked!("DELETE FROM macro_users WHERE id = $1", 1i64 as _).execute(&mut *conn).await?;
    let mut tx = conn.transaction().await?;
    let _ = quarry::query_scalar!("SELECT name AS \"name!\" FROM macro_users WHERE id = ANY($1)", vec![1i32, 2])
        .fetch_row(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn main() {}
