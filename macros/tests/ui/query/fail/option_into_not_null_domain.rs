// `nn_int` is a NOT NULL domain: binding NULL to a parameter of that type is an error at run
// time, so an `Option` argument is a compile error.
fn main() {
    let v: Option<i32> = None;
    let _ = quarry::query!("SELECT $1::nn_int AS v", v);
}
