//! `cargo xtask <task>`: the project's automation, in Rust so it runs
//! wherever cargo does. `main` only dispatches; each task is a module.

mod bench;
mod corpus;
mod demo;
mod dist;
mod e2e;
mod fuzz;
mod release;
mod size;
mod test;
mod tools;
mod util;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  test              install what is missing, then fmt, clippy (native + wasm32) and every test
  demo [--port N]   bundle the example articles and serve the demo
       [--archive N] also generate N articles and serve them as a bundle v2 archive
  dist              build the release wasm and assemble the npm package in pkg/
  size [--check]    print raw/gzip/brotli sizes of wasm, JS and CSS; fail over budget
       [--top [N]]  also list the N largest wasm functions and the code per module
  e2e [NAME...]     build the package, then run the browser end-to-end tests (tests/e2e)
  release [--check] write target/artifacts (npm tarball, static zip, CLI archive, SHA256SUMS, SRI)
                    and pkg/README.md's CDN snippet; --check only fails when the snippet is stale
  codegen           rewrite the generated JSON Schema, TypeScript declarations and option lists
  bench bundle      time `article-cards bundle` on 1,000 / 10,000 / 100,000 synthetic files
       [--peer]     also --related off, --out-dir, a gray-matter Node script and `cat`, interleaved
  bench related     time the related-article computation on synthetic bundles
  bench images      time the image cache (fetch, resize, encode) on synthetic photos
  bench widget      time mount → first 24 cards in headless Chromium (1,000 / 10,000 articles)
  bench shards      v2 archives of 1k / 100k / 1M articles: bytes, time, TBT and memory to 24 cards,
                    widget beside a vanilla-JS peer [--runs N] [--topic NAME] [COUNT...]
  bench hostile     time the bundler on hostile inputs at three sizes each [--exe PATH] [SHAPE...]
  fuzz [--cases N]  the property tests (crates/widget/tests/props.rs) with N cases each (100,000), release
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::main(),
        Some("demo") => demo::main(args.get(1..).unwrap_or_default()),
        Some("codegen") => test::codegen(),
        Some("dist") => dist::main(args.get(1..).unwrap_or_default()),
        Some("size") => size::main(args.get(1..).unwrap_or_default()),
        Some("e2e") => e2e::main(args.get(1..).unwrap_or_default()),
        Some("bench") => bench::main(args.get(1..).unwrap_or_default()),
        Some("release") => release::main(args.get(1..).unwrap_or_default()),
        Some("fuzz") => fuzz::main(args.get(1..).unwrap_or_default()),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
