fn main() {
    let _ = quarry::query!("SELECT id\nFROM macro_users WHER id = 1");
}
