//! `cargo xtask test`: every check the project has, in the order that fails
//! fastest, after installing what a fresh machine lacks.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::dist::WIDGET_PACKAGE;
use crate::tools;
use crate::util::{cargo, root, run};

/// The browser test files (`wasm-bindgen-test`, headless Chromium).
const BROWSER_TESTS: [&str; 3] = ["web", "web_carousel", "web_shards"];

pub fn main() -> Result<(), String> {
    let started = Instant::now();
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_chromium()?;

    run("rustfmt", cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(
        "clippy (native, all features)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run(
        "clippy (wasm32)",
        cargo().args([
            "clippy",
            "-p",
            "article-cards-bundle",
            "-p",
            WIDGET_PACKAGE,
            "--lib",
            "--tests",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    let mut native = cargo();
    native.args(["test", "--workspace", "--all-features"]);
    if std::env::var_os("ARTICLE_CARDS_CORPUS").is_none() {
        let default_corpus = root().join("../shared/corpus");
        if default_corpus.is_dir() {
            eprintln!(
                "note: ARTICLE_CARDS_CORPUS not set; using {}",
                default_corpus.display()
            );
            native.env("ARTICLE_CARDS_CORPUS", default_corpus);
        }
    }
    run("native tests", &mut native)?;

    run(
        "browser tests (wasm-bindgen-test, headless Chromium)",
        &mut browser_tests(),
    )?;
    crate::size::main(&["--check".to_owned()])?;
    crate::release::check()?;
    crate::e2e::main(&[])?;

    eprintln!(
        "\nall checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn browser_tests() -> Command {
    let mut cmd = cargo();
    cmd.args([
        "test",
        "-p",
        WIDGET_PACKAGE,
        "--target",
        "wasm32-unknown-unknown",
    ]);
    for name in BROWSER_TESTS {
        let file = format!("crates/widget/tests/{name}.rs");
        if root().join(file).is_file() {
            cmd.args(["--test", name]);
        }
    }
    if std::env::var_os("CHROMEDRIVER").is_none()
        && let Some(driver) = tools::which("chromedriver")
    {
        cmd.env("CHROMEDRIVER", driver);
    }
    cmd
}

/// Rewrites the generated files: the schema files from
/// `crates/bundle/src/lib.rs`, and the options regions of `pkg/` from the
/// options table in `crates/widget/src/options.rs`.
pub fn codegen() -> Result<(), String> {
    run(
        "regenerate the bundle's JSON Schemas (docs/), pkg/bundle.d.ts and the options in pkg/",
        cargo()
            .args([
                "test",
                "-p",
                WIDGET_PACKAGE,
                "--features",
                "schema",
                "--test",
                "codegen",
            ])
            .env("UPDATE_EXPECT", "1"),
    )?;
    for file in [
        "docs/bundle.schema.json",
        "docs/bundle-v2-manifest.schema.json",
        "docs/bundle-v2-page.schema.json",
        "pkg/bundle.d.ts",
    ] {
        if !Path::new(&root().join(file)).is_file() {
            return Err(format!("{file} was not written"));
        }
    }
    Ok(())
}
