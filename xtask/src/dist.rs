//! `cargo xtask dist`: builds the release wasm and assembles the npm package
//! in `pkg/`. The hand-written files (`pkg/package.json`, `pkg/src/*.js`,
//! `pkg/index.d.ts`, …) are committed; everything generated lands in the
//! git-ignored `pkg/dist/`:
//!
//! - `article_cards.js`: the wasm-bindgen glue (`--target web`), minified
//!   by terser (npm, pinned in `xtask/js`),
//! - `article_cards_bg.wasm`: the wasm after wasm-opt ([`WASM_OPT_PASSES`]),
//!   its function bodies then ordered for compression ([`crate::layout`]),
//! - `index.js`, `element.js`: the ESM API, copied from `pkg/src/`,
//! - `embed.js`: the classic-script loader, minified by terser.
//!
//! Steps whose outputs are newer than their inputs are skipped, so a second
//! run costs one no-op `cargo build`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::imports;
use crate::layout;
use crate::tools;
use crate::util::{cargo, ensure_npm_deps, root, run, up_to_date};

pub const TARGET: &str = "wasm32-unknown-unknown";
pub const PROFILE: &str = "wasm-release";
/// The crate's library name, as rustc and wasm-bindgen spell it.
pub const LIB: &str = "article_cards";
/// wasm-opt features: what wasm32-unknown-unknown from Rust 1.95 emits.
pub const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

/// wasm-opt passes, measured (brotli) on the widget: flattening and
/// re-relooping before two `-Oz` rounds is ~1 KB smaller than one `-Oz`
/// (`-Oz --converge`, `-O4`, `-Os`, `--gufa` were larger or no better);
/// `--converge` after them (repeat until nothing shrinks) takes another
/// 0.4 KiB off the total for ~20 s more (a third `-Oz`, `--monomorphize`,
/// `--dae2` and a second flatten were larger or no better).
///
/// Two pass options, 3.7 KiB less together:
/// - `--one-caller-inline-max-function-size 20`: by default wasm-opt inlines
///   every function that has one caller, however large. That makes fewer,
///   longer functions, with less in common for brotli. Measured before the
///   function reordering: 20 was best (0 and 100 were 0.9 and 1.1 KiB
///   larger, no limit 2.7 KiB); with the reordering it saves 3.0 KiB,
///   although the wasm is 2% larger raw.
/// - `--low-memory-unused`: folds `x + C` (C < 1024) into a load or store's
///   offset (−0.7 KiB). The two differ only when `x + C` wraps around 4 GiB
///   to an address in the first KiB: the add would reach that address, while
///   the offset traps. Rust never computes such a pointer; the low KiB is
///   the bottom of the 1 MiB stack, and these folds leave stack accesses as
///   they were.
pub const WASM_OPT_PASSES: &[&str] = &[
    "--low-memory-unused",
    "--one-caller-inline-max-function-size",
    "20",
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--converge",
];

/// What `dist` produced, for `size` and `e2e`.
pub struct Dist {
    /// `pkg/dist/`.
    pub dir: PathBuf,
    pub wasm: PathBuf,
    pub glue: PathBuf,
    pub embed: PathBuf,
    pub index: PathBuf,
    pub element: PathBuf,
}

pub fn main(args: &[String]) -> Result<(), String> {
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            other => {
                return Err(format!(
                    "dist: unknown option `{other}` (usage: cargo xtask dist [--force])"
                ));
            }
        }
    }
    let dist = build(force)?;
    eprintln!("\npackage assembled in {}", dist.dir.display());
    Ok(())
}

/// Runs every step that is out of date; `force` runs them all.
pub fn build(force: bool) -> Result<Dist, String> {
    build_with(force, None)
}

/// [`build`], with the wasm profile's `opt-level` overridden (`"s"`, `"z"`,
/// …) through cargo's `CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL`.
pub fn build_with(force: bool, opt_level: Option<&str>) -> Result<Dist, String> {
    let root = root();
    let pkg = root.join("pkg");
    let out = pkg.join("dist");
    let tools_dir = root.join("xtask/js");

    tools::ensure_wasm_target()?;
    tools::ensure_rust_src()?;
    tools::ensure_wasm_bindgen()?;
    ensure_npm_deps(&tools_dir, "wasm-opt (binaryen), terser")?;

    // Cargo knows best when the wasm is stale; a no-op build is quick.
    let mut build = cargo();
    build.args(["build", "--lib", "--target", TARGET, "--profile", PROFILE]);
    // The standard library rebuilt for size, with panics compiled to a bare
    // trap: no panic message formatting, location strings or unwinding
    // tables are linked (about 12 KiB brotli of the wasm, measured). These
    // are unstable flags on our pinned stable toolchain, hence
    // RUSTC_BOOTSTRAP; only this build uses them, and a panic was already
    // an abort (`panic = "abort"`), so behaviour is unchanged. Without the
    // reference-types feature, wasm-bindgen keeps JS values in a table in
    // the glue instead of an externref table with a shim per export:
    // 0.7 KiB less in all (`-multivalue` as well was 0.1 KiB more).
    build
        .env("RUSTC_BOOTSTRAP", "1")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Ctarget-feature=-reference-types",
        )
        .args([
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
        ]);
    if let Some(level) = opt_level {
        build.env("CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL", level);
    }
    run("build the widget (wasm32, wasm-release)", &mut build)?;
    let raw_wasm = target_dir()
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{LIB}.wasm"));
    if !raw_wasm.is_file() {
        return Err(format!("the build did not produce {}", raw_wasm.display()));
    }

    // wasm-bindgen writes next to the raw wasm, not into pkg/: only the
    // optimised wasm is shipped.
    let bindgen_dir = target_dir().join("wasm-bindgen");
    let bindgen_wasm = bindgen_wasm();
    let bindgen_js = bindgen_dir.join(format!("{LIB}.js"));
    // Cargo may swap the output back to an older artifact (another
    // opt-level) without making it newer: compare a stamp of the input
    // instead of timestamps alone.
    let stamp_file = target_dir().join("wasm-bindgen.stamp");
    let stamp = stamp_of(&raw_wasm);
    let same_input = fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp);
    // The renaming is part of this step: a change to it reruns the step.
    let renamer = root.join("xtask/src/imports.rs");
    if force || !same_input || !up_to_date(&[&bindgen_wasm, &bindgen_js], &[&raw_wasm, &renamer]) {
        if bindgen_dir.exists() {
            fs::remove_dir_all(&bindgen_dir)
                .map_err(|e| format!("cannot clear {}: {e}", bindgen_dir.display()))?;
        }
        run(
            "generate the JS bindings (wasm-bindgen --target web)",
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--out-dir"])
                .arg(&bindgen_dir)
                .arg(&raw_wasm),
        )?;
        shorten_imports(&bindgen_wasm, &bindgen_js)?;
        write(&stamp_file, &stamp)?;
    } else {
        eprintln!("\n==> wasm-bindgen: up to date");
    }

    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let wasm = out.join(format!("{LIB}_bg.wasm"));
    let this_file = root.join(file!());
    if force || !up_to_date(&[&wasm], &[&bindgen_wasm, &this_file]) {
        wasm_opt(&bindgen_wasm, &wasm, false)?;
        layout::reorder(&wasm, WASM_FEATURES)?;
    } else {
        eprintln!("\n==> wasm-opt: up to date");
    }

    // Any snippets wasm-bindgen emitted, as generated; the glue minified
    // (an ES module: terser keeps its exports and the
    // `new URL("…_bg.wasm", import.meta.url)` that bundlers look for).
    copy_tree(&bindgen_dir, &out, &|p: &Path| {
        p != bindgen_wasm && p != bindgen_js
    })?;
    let glue = out.join(format!("{LIB}.js"));
    if force || !up_to_date(&[&glue], &[&bindgen_js, &this_file]) {
        run(
            "minify the JS glue (terser)",
            Command::new("node")
                .arg(tools_dir.join("node_modules/terser/bin/terser"))
                .arg(&bindgen_js)
                .args(["--module", "--compress", "--mangle", "-o"])
                .arg(&glue),
        )?;
    }

    let src = pkg.join("src");
    let index = out.join("index.js");
    let element = out.join("element.js");
    let embed = out.join("embed.js");
    copy_if_changed(&src.join("index.js"), &index)?;
    copy_if_changed(&src.join("element.js"), &element)?;
    let embed_src = src.join("embed.js");
    if force || !up_to_date(&[&embed], &[&embed_src, &this_file]) {
        // A classic script (one IIFE): its names are all local, so terser
        // may shorten them (0.14 KiB brotli less than dropping comments
        // and spaces alone).
        run(
            "minify the loader (terser)",
            Command::new("node")
                .arg(tools_dir.join("node_modules/terser/bin/terser"))
                .arg(&embed_src)
                .args(["--compress", "--mangle", "-o"])
                .arg(&embed),
        )?;
    }

    Ok(Dist {
        glue,
        dir: out,
        wasm,
        embed,
        index,
        element,
    })
}

/// Runs wasm-opt with the shipped passes on `input`; `keep_names` keeps the
/// function names (`-g`, for `cargo xtask size --top`) instead of
/// stripping them, so the code is the same as shipped, with names.
pub fn wasm_opt(input: &Path, output: &Path, keep_names: bool) -> Result<(), String> {
    let tools_dir = root().join("xtask/js");
    let mut cmd = Command::new("node");
    cmd.arg(tools_dir.join("node_modules/binaryen/bin/wasm-opt"))
        .arg(input)
        .args(WASM_FEATURES)
        .args(WASM_OPT_PASSES);
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

/// Renames the glue's imports and exports in wasm-bindgen's output, in place (see
/// [`crate::imports`]).
fn shorten_imports(wasm_path: &Path, js_path: &Path) -> Result<(), String> {
    eprintln!("\n==> shorten the import names of the wasm and its glue");
    let wasm =
        fs::read(wasm_path).map_err(|e| format!("cannot read {}: {e}", wasm_path.display()))?;
    let js = read(js_path)?;
    let (wasm, js, renamed) = imports::shorten(&wasm, &js, &imports::glue_module(LIB))?;
    fs::write(wasm_path, wasm).map_err(|e| format!("cannot write {}: {e}", wasm_path.display()))?;
    write(js_path, &js)?;
    eprintln!(
        "    {} imports and {} exports renamed",
        renamed.imports, renamed.exports
    );
    Ok(())
}

/// The wasm-bindgen output `wasm_opt` starts from (in `target/wasm-bindgen/`).
pub fn bindgen_wasm() -> PathBuf {
    target_dir()
        .join("wasm-bindgen")
        .join(format!("{LIB}_bg.wasm"))
}

/// Where cargo puts build output.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// Length and modification time: changes whenever cargo relinks or swaps
/// the artifact.
fn stamp_of(path: &Path) -> String {
    let meta = fs::metadata(path).ok();
    let len = meta.as_ref().map_or(0, |m| m.len());
    let modified = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{len} {modified}")
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Copies when the content differs (keeps timestamps of unchanged files).
fn copy_if_changed(from: &Path, to: &Path) -> Result<(), String> {
    let new = fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    if fs::read(to).is_ok_and(|old| old == new) {
        return Ok(());
    }
    fs::write(to, new).map_err(|e| format!("cannot write {}: {e}", to.display()))
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<(), String> {
    let entries = fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            fs::create_dir_all(&dest)
                .map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
            copy_tree(&path, &dest, keep)?;
        } else if keep(&path) {
            copy_if_changed(&path, &dest)?;
        }
    }
    Ok(())
}
