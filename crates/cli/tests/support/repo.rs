// Each test binary that includes this file uses part of it.
#![allow(dead_code)]

//! The repository root, where the shared test data lives (`tests/fixtures`,
//! `tests/hostile`, the demo's `www/`).

use std::path::Path;
use std::sync::Once;

/// The repository root, as a path from this crate's directory.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Makes the repository root this test binary's working directory, once.
/// Inputs are then named as a user at the root names them
/// (`tests/fixtures/basic/in/a.md`), and so are they in the committed
/// expectations. Every test calls it before using a relative path.
pub fn enter_root() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::env::set_current_dir(Path::new(ROOT)).expect("the repository root exists");
    });
}
