// Each test binary that includes this file uses part of it.
#![allow(dead_code)]

//! The repository root, where the shared test data lives (`tests/fixtures`,
//! `tests/hostile`, the demo's `www/`), and the built command run from it.

use std::path::Path;
use std::process::{Command, Output};
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

/// Runs the built `article-cards` with `args` from the repository root.
pub fn run(args: &[&str]) -> Output {
    output(command(args))
}

/// [`run`] with the build time fixed (`SOURCE_DATE_EPOCH`, 2026-03-01), so
/// a manifest's `generatedAt` is the same on every run.
pub fn run_dated(args: &[&str]) -> Output {
    let mut cmd = command(args);
    cmd.env("SOURCE_DATE_EPOCH", "1772323200");
    output(cmd)
}

/// The command's standard error, which must be UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("standard error is UTF-8")
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_article-cards"));
    cmd.current_dir(ROOT).args(args);
    cmd
}

fn output(mut cmd: Command) -> Output {
    cmd.output().expect("the built command runs")
}
