// `tid` columns are checked like every built-in: an `i64` field cannot hold one.
#[derive(quarry::FromRecord)]
struct Row {
    t: i64,
}

fn main() {
    let _ = quarry::query_as!(Row, "SELECT '(0,1)'::tid AS t");
}
