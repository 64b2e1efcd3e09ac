#[derive(quarry::FromRecord)]
struct Pair(i32, String);

fn main() {}
