#[derive(quarry::Choice)]
enum Sort {
    Name,
    Age,
}

fn main() {
    let sort = Sort::Name;
    let _ = quarry::query!("SELECT name FROM macro_users ORDER BY {:sort => name | age | id}");
}
