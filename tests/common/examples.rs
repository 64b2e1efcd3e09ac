//! Running the repository's examples from tests: build them once, find their binaries.

use std::path::PathBuf;
use std::process::Command;

/// Builds every example once per test binary (cheap when up to date) and returns one's binary.
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let built = *BUILT.get_or_init(|| {
        Command::new(env!("CARGO"))
            // The same package selection as `cargo test --workspace`, so the features resolve
            // alike and the examples that run already built are reused, not rebuilt.
            .args(["build", "--quiet", "--workspace", "--examples"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap_or_else(|e| panic!("could not run cargo build for the examples: {e}"))
            .success()
    });
    assert!(built, "building the examples failed");
    // The test binary lives in <target>/<profile>/deps; examples in <target>/<profile>/examples.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary in <target>/<profile>/deps");
    profile_dir.join("examples").join(name)
}
