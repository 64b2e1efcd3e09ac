#[derive(quarry::Type)]
#[quarry(transparent, type_name = "id")]
struct Id(i64, i64);

fn main() {}
