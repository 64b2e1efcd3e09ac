async fn age(conn: &mut quarry::Connection) -> quarry::Result<i32> {
    let row = quarry::query!("SELECT age FROM macro_users LIMIT 1").fetch_one(conn).await?;
    let age: i32 = row.age;
    Ok(age)
}

fn main() {
    let _ = age;
}
