fn main() {
    let _ = quarry::query!("SELECT ROW(1, 'x')::macro_pair AS pair");
}
