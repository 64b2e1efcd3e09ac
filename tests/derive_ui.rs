//! Compile-fail cases for `#[derive(FromRecord)]` and `#[derive(Type)]`: bad attributes and
//! shapes give clear messages, all at once (`macros/tests/ui/fail/*.rs` with their `.stderr`).
//! Regenerate the expected output with `TRYBUILD=overwrite`.

#[test]
fn derive_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("macros/tests/ui/fail/*.rs");
}
