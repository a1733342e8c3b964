//! `cargo xtask fuzz [--cases N]`: the property tests of `crates/widget/tests/props.rs`
//! (the widget's JSON reader against `serde_json`, `safe_url` against the
//! WHATWG parser, text cleaning) with many more cases than `cargo test`
//! runs, in release mode, from a fresh seed each time (give
//! `PROPTEST_RNG_SEED` to replay one). A task to run by hand, not part of
//! `cargo xtask test`.

use crate::util::{cargo, run};

/// Cases per property unless `--cases` says otherwise.
const DEFAULT_CASES: u64 = 100_000;

pub fn main(args: &[String]) -> Result<(), String> {
    let mut cases = DEFAULT_CASES;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--cases" => {
                let value = rest.next().ok_or("--cases needs a number")?;
                cases = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--cases: `{value}` is not a positive number"))?;
            }
            other => return Err(format!("fuzz: unknown argument `{other}`")),
        }
    }
    run(
        &format!("property tests, {cases} cases each (release)"),
        cargo().env("PROPTEST_CASES", cases.to_string()).args([
            "test",
            "--release",
            "-p",
            "article-cards-widget",
            "--test",
            "props",
        ]),
    )
}
