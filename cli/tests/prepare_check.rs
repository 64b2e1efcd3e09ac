//! `quarry prepare --check` on a query with optional fragments: every variant has its own
//! `.quarry/` entry, and a missing one is reported by `--check` (live) and `--check --offline`,
//! naming the variant's SQL.
//!
//! A one-file project in a temporary directory (the dependencies by path, built in this test's
//! target directory: see `support`), its schema on a throwaway server.

use std::fs;
use std::path::Path;

use quarry_driver::ephemeral::EphemeralServer;

mod support;
use support::{quarry, run, write_cargo_config};

const MAIN: &str = r#"fn main() {
    let name: Option<&str> = None;
    let _ = quarry::query_scalar!("SELECT id FROM dyn_items WHERE true { AND name = :name }");
}
"#;

#[test]
fn prepare_check_notices_a_missing_variant() {
    let root = tempfile::tempdir().unwrap();
    write_cargo_config(root.path());
    let project = root.path().join("dynq");
    fs::create_dir_all(project.join("src")).unwrap();
    fs::create_dir_all(project.join("migrations")).unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"dynq\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nquarry = {{ path = {:?} }}\n",
            workspace.to_string_lossy()
        ),
    )
    .unwrap();
    fs::copy(workspace.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    fs::write(project.join("src/main.rs"), MAIN).unwrap();
    fs::write(
        project.join("migrations/0001_items.sql"),
        "CREATE TABLE dyn_items (id int PRIMARY KEY, name text);\n",
    )
    .unwrap();

    let server = EphemeralServer::start().unwrap();
    let url = server.dsn_for("postgres", None, "dynq");
    run(quarry(&project)
        .env("DATABASE_URL", &url)
        .args(["db", "setup"]));
    run(quarry(&project).env("DATABASE_URL", &url).arg("prepare"));

    // One entry per variant: without the fragment, and with it.
    let entries: Vec<(std::path::PathBuf, String)> = fs::read_dir(project.join(".quarry"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (with_fragment, _) = entries
        .iter()
        .find(|(_, text)| text.contains("AND name = $1"))
        .expect("the variant with the fragment has an entry");
    run(quarry(&project)
        .env("DATABASE_URL", &url)
        .args(["prepare", "--check"]));
    fs::remove_file(with_fragment).unwrap();

    for offline in [false, true] {
        let mut command = quarry(&project);
        command.args(["prepare", "--check"]);
        if offline {
            command.arg("--offline");
        } else {
            command.env("DATABASE_URL", &url);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "--check (offline: {offline}) passed without the variant's entry: {stderr}"
        );
        assert!(
            stderr.contains("missing") && stderr.contains("AND name = $1"),
            "--check (offline: {offline}) does not name the missing variant: {stderr}"
        );
    }
}
