//! Installs what a fresh machine lacks: the wasm32 target, the matching
//! wasm-bindgen CLI, and Chromium with its driver for browser tests.

use std::process::Command;

use crate::util::{output, run, succeeds};

/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

pub fn ensure_wasm_target() -> Result<(), String> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(
        "install the wasm32 target",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// The standard library's source, which `dist` rebuilds for the widget
/// (see `dist::build_with`).
pub fn ensure_rust_src() -> Result<(), String> {
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
    let library = std::path::Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library");
    if library.join("Cargo.lock").is_file() {
        return Ok(());
    }
    run(
        "install the standard library's source (rust-src)",
        Command::new("rustup").args(["component", "add", "rust-src"]),
    )
}

pub fn ensure_wasm_bindgen() -> Result<(), String> {
    let version = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if version.split_whitespace().nth(1) == Some(WASM_BINDGEN_VERSION)
        && succeeds(Command::new("wasm-bindgen-test-runner").arg("--help"))
    {
        return Ok(());
    }
    // `--locked` fails against this CLI's lockfile here; the version pin is exact.
    run(
        "install wasm-bindgen-cli (about 5 minutes, once)",
        Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN_VERSION,
        ]),
    )
}

/// Chromium and chromedriver from Debian, when we are root and they are missing.
pub fn ensure_chromium() -> Result<(), String> {
    if which("chromium").is_some() && which("chromedriver").is_some() {
        return Ok(());
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(
            "Chromium and chromedriver are needed for the browser tests: install them \
             (Debian: `sudo apt-get install chromium chromium-driver`) and run again"
                .into(),
        );
    }
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-q"]),
    )?;
    run(
        "install chromium and chromium-driver",
        Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Where the browser tests and benchmarks look for Chromium unless
/// `CHROMIUM` says otherwise.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// The Chromium the browser tests and benchmarks drive: `CHROMIUM` when set,
/// else the system one (installed by [`ensure_chromium`] when missing).
pub fn chromium() -> Result<String, String> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Ok(path);
    }
    if !std::path::Path::new(DEFAULT_CHROMIUM).is_file() {
        ensure_chromium()?;
    }
    Ok(which("chromium").unwrap_or_else(|| DEFAULT_CHROMIUM.into()))
}

pub fn which(program: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}
