//! What the tests that build a project of their own share: running `cargo` and `quarry` in it as
//! a shell would (none of Cargo's variables for this test, no database), and a Cargo
//! configuration that reuses this test's target directory.
// Each test binary uses a part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// Runs a command, failing the test with its output when it fails; returns its output.
pub(crate) fn run(command: &mut Command) -> Output {
    let started = Instant::now();
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("could not run {command:?}: {e}"));
    eprintln!("{:>6.1} s  {command:?}", started.elapsed().as_secs_f64());
    assert!(
        output.status.success(),
        "{command:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `cargo` in `dir`, with no database configured unless the step sets one.
pub(crate) fn cargo(dir: &Path) -> Command {
    in_a_shell(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())),
        dir,
    )
}

/// `quarry` (this package's binary) in `dir`, with no database configured unless the step sets
/// one.
pub(crate) fn quarry(dir: &Path) -> Command {
    in_a_shell(Command::new(env!("CARGO_BIN_EXE_quarry")), dir)
}

/// The environment of a shell in `dir`: none of the variables Cargo set for this test (they
/// would differ from the workspace's builds and make Cargo rebuild shared dependencies), no
/// database, no offline switch.
fn in_a_shell(mut command: Command, dir: &Path) -> Command {
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_by_cargo = name.starts_with("CARGO_")
            && ![
                "CARGO_HOME",
                "CARGO_NET_",
                "CARGO_HTTP_",
                "CARGO_REGISTR",
                "CARGO_TERM_",
            ]
            .iter()
            .any(|keep| name.starts_with(keep));
        if set_by_cargo || name == "OUT_DIR" {
            command.env_remove(&*name);
        }
    }
    for name in ["DATABASE_URL", "QUARRY_OFFLINE", "QUARRY_OFFLINE_DIR"] {
        command.env_remove(name);
    }
    command
}

/// The target directory this test binary was built in: `<target>/<profile>/deps/<test>`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_owned()
}

/// Plumbing: the nested builds use this test's target directory, no network, and the
/// workspace's profile (no debug info for dependencies), so the dependencies already built for
/// the workspace are reused. The quarry crates, members there (line tables) and dependencies
/// here (no debug info), get artifacts of their own, so neither build invalidates the other's
/// (Cargo fingerprints a path crate by its path relative to the workspace root, which differs);
/// they are built once, without incremental caches, which would only take disk.
pub(crate) fn write_cargo_config(root: &Path) {
    fs::create_dir_all(root.join(".cargo")).unwrap();
    let target = target_dir().to_string_lossy().replace('\\', "/");
    fs::write(
        root.join(".cargo/config.toml"),
        format!(
            "[build]\ntarget-dir = \"{target}\"\nincremental = false\n\n[net]\noffline = true\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n\
             [profile.dev.package.\"*\"]\ndebug = false\n"
        ),
    )
    .unwrap();
}
