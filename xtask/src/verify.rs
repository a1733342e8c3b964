//! `cargo xtask test`: every check the project has, in the order that fails
//! fastest, after installing what a fresh machine lacks.

use std::path::Path;
use std::time::Instant;

use crate::tools;
use crate::util::{cargo, root, run};

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

    if root().join("tests/web.rs").is_file() {
        let mut browser = cargo();
        browser.args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "web",
        ]);
        if std::env::var_os("CHROMEDRIVER").is_none() {
            if let Some(driver) = tools::which("chromedriver") {
                browser.env("CHROMEDRIVER", driver);
            }
        }
        run(
            "browser tests (wasm-bindgen-test, headless Chromium)",
            &mut browser,
        )?;
    }

    eprintln!(
        "\nall checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Rewrites the generated schema files from `src/bundle.rs`.
pub fn codegen() -> Result<(), String> {
    run(
        "regenerate docs/bundle.schema.json and pkg/bundle.d.ts",
        cargo()
            .args(["test", "--features", "schema", "--test", "codegen"])
            .env("UPDATE_EXPECT", "1"),
    )?;
    for file in ["docs/bundle.schema.json", "pkg/bundle.d.ts"] {
        if !Path::new(&root().join(file)).is_file() {
            return Err(format!("{file} was not written"));
        }
    }
    Ok(())
}
