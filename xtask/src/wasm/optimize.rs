//! wasm-opt (binaryen, pinned in `xtask/js`) with the shipped settings.
//! Why these passes and options, and what each gains: docs/size.md.

use std::path::Path;
use std::process::Command;

use crate::util::{root, run};

/// wasm-opt features: what wasm32-unknown-unknown from Rust 1.95 emits.
pub const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

/// The passes, in order (docs/size.md, "Build and toolchain").
///
/// `--low-memory-unused` folds `x + C` (C < 1024) into a load or store's
/// offset. The two differ only when `x + C` wraps around 4 GiB to an
/// address in the first KiB: the add would reach that address, while the
/// offset traps. Rust never computes such a pointer; the low KiB is the
/// bottom of the stack, and these folds leave stack accesses as they were.
///
/// `--one-caller-inline-max-function-size 20`: by default wasm-opt
/// inlines every function that has one caller, however large, which makes
/// fewer, longer functions with less in common for brotli.
pub const PASSES: &[&str] = &[
    "--low-memory-unused",
    "--one-caller-inline-max-function-size",
    "20",
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--converge",
];

/// `wasm-opt` with the shipped features enabled.
pub fn command() -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(root().join("xtask/js/node_modules/binaryen/bin/wasm-opt"))
        .args(FEATURES);
    cmd
}

/// Runs wasm-opt with the shipped passes on `input`; `keep_names` keeps the
/// function names (`-g`, for `cargo xtask size --top`) instead of
/// stripping them, so the code is the same as shipped, with names.
pub fn wasm_opt(input: &Path, output: &Path, keep_names: bool) -> Result<(), String> {
    let mut cmd = command();
    cmd.arg(input).args(PASSES);
    if keep_names {
        cmd.arg("-g");
    } else {
        cmd.arg("--strip-debug");
    }
    cmd.args(["--strip-producers", "-o"]).arg(output);
    let what = if keep_names {
        "optimise the wasm, keeping names (wasm-opt -g)"
    } else {
        "optimise the wasm (wasm-opt)"
    };
    run(what, &mut cmd)
}
