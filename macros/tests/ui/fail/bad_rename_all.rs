#[derive(quarry::Type)]
#[quarry(rename_all = "camelcase")]
enum Mood {
    Sad,
}

fn main() {}
