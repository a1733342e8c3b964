//! `cargo xtask e2e [NAME…]`: the end-to-end tests in `tests/e2e/`. Builds
//! the package (`dist`), installs the test tools from the committed
//! lockfile when needed (`npm ci`), then runs Node's test runner, which
//! drives the system Chromium with playwright-core (no browser download, no
//! internet). `NAME`s pick test files by substring (`cargo xtask e2e csp`).
//! `shards.test.js` also gets generated version 2 archives (see
//! [`shard_archives`]).

use std::path::PathBuf;
use std::process::Command;

use crate::dist;
use crate::tools;
use crate::util::{ensure_npm_deps, root, run};

/// The archives `shards.test.js` compares: one small, one a hundred times
/// larger, so that what the first screen fetches visibly does not follow
/// the archive's size.
const SHARD_ARCHIVES: [usize; 2] = [1_000, 100_000];

pub fn main(args: &[String]) -> Result<(), String> {
    let dir = root().join("tests/e2e");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.js"))
        .filter(|name| args.is_empty() || args.iter().any(|a| name.contains(a.as_str())))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no test file in tests/e2e matches {args:?}"));
    }

    let built = dist::build(false)?;
    ensure_npm_deps(&dir, "the end-to-end test tools")?;
    if files.iter().any(|f| f.starts_with("frameworks")) {
        // The framework apps install the package as users get it; the
        // static zip's page is tested beside them.
        crate::release::pack_for_tests(&built)?;
        ensure_npm_deps(&dir.join("frameworks"), "the framework apps' packages")?;
    }
    let mut node = Command::new("node");
    if files.iter().any(|f| f.starts_with("shards")) {
        node.env("E2E_SHARDS", shard_archives()?);
    }
    let chromium = tools::chromium()?;
    run(
        "end-to-end tests (node --test, headless Chromium)",
        node.current_dir(&dir)
            .env("CHROMIUM", chromium)
            .args(["--test", "--test-concurrency=1"])
            .args(&files),
    )
}

/// [`SHARD_ARCHIVES`] as version 2 archives in `target/e2e-shards/N/`
/// (`bench::v2_archive`: the bench's corpus, bundled with `--related off`,
/// again only when the bundler or the corpus changed); returns the folder.
fn shard_archives() -> Result<PathBuf, String> {
    let exe = crate::bench::build_bundler()?;
    let work = root().join("target/e2e-shards");
    for n in SHARD_ARCHIVES {
        crate::bench::v2_archive(&exe, &work, n, "off")?;
    }
    Ok(work)
}
