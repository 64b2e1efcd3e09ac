fn main() {
    let (a, b, c, d, e, f, g) = (Some(1i32), Some(1i32), Some(1i32), Some(1i32), Some(1i32), Some(1i32), Some(1i32));
    let _ = quarry::query!(
        "SELECT name FROM macro_users WHERE true {AND id = :a} {AND id = :b} {AND id = :c} {AND id = :d} {AND id = :e} {AND id = :f} {AND id = :g}"
    );
}
