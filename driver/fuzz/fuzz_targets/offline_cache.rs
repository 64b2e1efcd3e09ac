//! The offline-cache reader (`macros/describe/src/cache.rs`): the text of a
//! `.quarry/query-<hash>.json` file parsed as `quarry prepare` and the `query!` macros read it
//! (format version check included). A description that parses renders back to text that parses
//! to the same description (the cache's files are deterministic).
//!
//! Input: the file's text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry_describe::cache;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(description) = cache::parse("fuzz.json".into(), text) else {
        return;
    };
    for column in &description.columns {
        let _ = column.ty.is_array();
    }
    let rendered = cache::render(&description);
    let again = cache::parse("fuzz.json".into(), &rendered).expect("a rendered description parses");
    assert_eq!(
        again, description,
        "render then parse changed the description"
    );
    assert_eq!(
        cache::render(&again),
        rendered,
        "rendering is not deterministic"
    );
});
