//! README "Start a new project", run step by step in a temporary directory: `cargo new`, Quarry
//! in `Cargo.toml`, `quarry migrate add`, `quarry db setup`, `query!`, `cargo run`,
//! `quarry prepare`, then CI in a fresh copy with no database: `quarry prepare --check`,
//! `cargo build`, `cargo test`.
//!
//! The file contents (Cargo.toml lines, the migration, `src/main.rs`, `tests/todos.rs`) are read
//! from the README's code blocks, and the README's shell lines must be the commands this test
//! runs, in order: the README cannot drift from what is tested.
//!
//! Test plumbing, not README steps: `quarry` is the binary this package built; the
//! dependencies are the workspace's by path, at the workspace's locked versions, and the nested
//! builds share this test's target directory (a `.cargo/config.toml` above the project), so only
//! the new crate and the quarry crates are compiled for it; the "export DATABASE_URL" database is
//! a throwaway server.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use quarry_driver::ephemeral::EphemeralServer;

mod support;
use support::{cargo, quarry, run, write_cargo_config};

/// The README's shell lines in the section, without their comments: exactly what `main` runs.
const COMMANDS: &[&str] = &[
    "cargo new todos && cd todos",
    "quarry migrate add create_todos",
    "export DATABASE_URL=postgresql://postgres@localhost/todos",
    "quarry db setup",
    "cargo run",
    "quarry prepare",
    "git add migrations .quarry",
    "quarry prepare --check",
    "cargo build",
    "cargo test",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The code blocks of the README's "Start a new project" section: (language, content).
fn readme_blocks() -> Vec<(String, String)> {
    let readme = fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let start = readme
        .find("\n## Start a new project\n")
        .expect("README has a section \"Start a new project\"");
    let section = &readme[start + 1..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |e| e + 1)];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((lang.to_owned(), body.join("\n") + "\n"));
        }
    }
    blocks
}

fn blocks_of<'a>(blocks: &'a [(String, String)], lang: &str) -> Vec<&'a str> {
    blocks
        .iter()
        .filter(|(l, _)| l == lang)
        .map(|(_, b)| b.as_str())
        .collect()
}

/// Copies what a checkout of the project holds (what `git add` and `cargo new` put in it).
fn checkout(from: &Path, to: &Path) {
    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    fs::create_dir_all(to).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", ".gitignore"] {
        if from.join(file).exists() {
            fs::copy(from.join(file), to.join(file)).unwrap();
        }
    }
    for dir in ["src", "tests", "migrations", ".quarry"] {
        copy_dir(&from.join(dir), &to.join(dir));
    }
}

#[test]
fn start_a_new_project() {
    let started = Instant::now();
    let blocks = readme_blocks();
    let readme_commands: Vec<String> = blocks_of(&blocks, "sh")
        .iter()
        .flat_map(|block| block.lines())
        .map(|line| line.split(" #").next().unwrap().trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(
        readme_commands, COMMANDS,
        "the README's steps changed: change this test with them"
    );
    let [toml] = blocks_of(&blocks, "toml")[..] else {
        panic!("one toml block")
    };
    let [migration] = blocks_of(&blocks, "sql")[..] else {
        panic!("one sql block")
    };
    let [main_rs, test_rs] = blocks_of(&blocks, "rust")[..] else {
        panic!("two rust blocks: src/main.rs, tests/todos.rs")
    };

    let root = tempfile::tempdir().unwrap();
    write_cargo_config(root.path());

    // cargo new todos && cd todos
    run(cargo(root.path()).args(["new", "todos"]));
    let project = root.path().join("todos");
    // Plumbing: the workspace's versions of every dependency, already downloaded and built.
    fs::copy(
        workspace_root().join("Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .unwrap();

    // Quarry in `Cargo.toml` (by path: this checkout), in place of `cargo new`'s empty
    // `[dependencies]`.
    let quarry_path = format!("path = {:?}", workspace_root().to_string_lossy());
    let toml = toml
        .replace("quarry = \"0.1\"", &format!("quarry = {{ {quarry_path} }}"))
        .replace("version = \"0.1\"", &quarry_path);
    let manifest = fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let manifest = manifest
        .trim_end()
        .strip_suffix("[dependencies]")
        .expect("cargo new's Cargo.toml ends with [dependencies]");
    fs::write(project.join("Cargo.toml"), format!("{manifest}{toml}")).unwrap();

    // quarry migrate add create_todos      # created migrations/<timestamp>_create_todos.sql
    let output = run(quarry(&project).args(["migrate", "add", "create_todos"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let created = stdout
        .trim()
        .strip_prefix("created ")
        .unwrap_or_else(|| panic!("unexpected output {stdout:?}"));
    let created = project.join(created);
    assert!(
        created.starts_with(project.join("migrations"))
            && created.to_string_lossy().ends_with("_create_todos.sql"),
        "{}",
        created.display()
    );
    fs::write(&created, migration).unwrap();

    // export DATABASE_URL=postgresql://postgres@localhost/todos  (here: a throwaway server)
    let server = EphemeralServer::start().unwrap();
    let url = server.dsn_for("postgres", None, "todos");

    // quarry db setup                      # creates the database, applies migrations/
    run(quarry(&project)
        .env("DATABASE_URL", &url)
        .args(["db", "setup"]));

    // src/main.rs and tests/todos.rs
    fs::write(project.join("src/main.rs"), main_rs).unwrap();
    fs::create_dir_all(project.join("tests")).unwrap();
    fs::write(project.join("tests/todos.rs"), test_rs).unwrap();

    // cargo run                            # 1 try quarry false
    let output = run(cargo(&project)
        .env("DATABASE_URL", &url)
        .args(["run", "-q"]));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 try quarry false\n"
    );

    // quarry prepare                       # writes .quarry/: one description per query
    run(quarry(&project).env("DATABASE_URL", &url).arg("prepare"));
    let entries = fs::read_dir(project.join(".quarry")).unwrap().count();
    assert_eq!(
        entries, 3,
        "one entry per query of main.rs and tests/todos.rs"
    );

    // git add migrations .quarry           # commit them with the code
    // CI: a fresh checkout of what was committed, and no database anywhere.
    drop(server);
    let ci = root.path().join("ci").join("todos");
    checkout(&project, &ci);

    // quarry prepare --check               # a throwaway server, migrated from migrations/, ...
    let output = run(quarry(&ci).args(["prepare", "--check"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no database configured"),
        "prepare --check did not start its own server: {stderr}"
    );

    // cargo build                          # the queries checked against .quarry/
    run(cargo(&ci).arg("build"));

    // cargo test                           # #[quarry::test] starts its own throwaway server
    let output = run(cargo(&ci).arg("test"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("test new_todos_are_not_done ... ok"),
        "{stdout}"
    );

    eprintln!(
        "README \"Start a new project\": {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
