#[derive(quarry::FromRecord)]
enum Shape {
    Circle,
}

fn main() {}
