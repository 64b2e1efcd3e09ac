// `point` parameters are checked like every built-in: an `i32` is not a point.
fn main() {
    let _ = quarry::query!("SELECT $1::point AS \"p!\"", 1i32);
}
