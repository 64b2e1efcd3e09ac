//! `quarry`: the command-line companion of the Quarry PostgreSQL toolkit.

fn main() {}
