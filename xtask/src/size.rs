//! `cargo xtask size`: size report and budget of the shipped widget.
//!
//! Runs `dist`, then prints raw, gzip (level 9) and brotli (quality 11)
//! sizes of what a page downloads, and fails when
//! - the wasm + its JS glue + the loader exceed [`BUDGET_TOTAL`] brotli
//!   (the stylesheet is compiled into the wasm, so it is counted there and
//!   shown on its own line for information), or
//! - the loader `embed.js` exceeds [`BUDGET_LOADER`] brotli.
//!
//! `--check` prints only the verdict (for the test task);
//! `--compare-opt-levels` builds with rustc `opt-level` "s" and "z" in turn
//! and prints both (the profile's own level is rebuilt last); `--top [N]`
//! also lists the N (default 40) largest functions of the wasm and its
//! code per module (see [`crate::wasm::breakdown`]).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dist::{self, Dist};
use crate::util::root;

/// wasm + glue + loader, brotli: the project's size policy (its history is
/// in docs/, not here).
pub const BUDGET_TOTAL: usize = 96 * 1024;
/// `embed.js`, brotli.
pub const BUDGET_LOADER: usize = 3 * 1024;

pub fn main(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut compare = false;
    let mut top = None;
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--compare-opt-levels" => compare = true,
            "--top" => {
                let n = args.peek().and_then(|a| a.parse::<usize>().ok());
                if n.is_some() {
                    args.next();
                }
                top = Some(n.unwrap_or(40));
            }
            other => {
                return Err(format!(
                    "size: unknown option `{other}` \
                     (usage: cargo xtask size [--check] [--compare-opt-levels] [--top [N]])"
                ));
            }
        }
    }
    if compare {
        let mut reports = Vec::new();
        for level in ["s", "z"] {
            let dist = dist::build_with(false, Some(level))?;
            reports.push((level, measure(&dist)?));
        }
        // Leave pkg/dist as the profile builds it.
        let dist = dist::build(false)?;
        let report = measure(&dist)?;
        for (level, report) in &reports {
            println!("\nrustc opt-level = \"{level}\" (then wasm-opt):");
            print_table(report);
        }
        return verdict(&report);
    }
    let dist = dist::build(false)?;
    let report = measure(&dist)?;
    if !check {
        println!();
        print_table(&report);
    }
    if let Some(n) = top {
        println!("\n{}", crate::wasm::breakdown::top(n)?);
    }
    verdict(&report)
}

/// Raw, gzip and brotli sizes of one file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, o: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + o.raw,
            gzip: self.gzip + o.gzip,
            brotli: self.brotli + o.brotli,
        }
    }
}

pub struct Report {
    pub wasm: Sizes,
    pub glue: Sizes,
    pub loader: Sizes,
    pub api: Sizes,
    pub css: Sizes,
}

impl Report {
    /// What the script-tag embed downloads: loader, glue and wasm (which
    /// holds the CSS).
    pub fn total(&self) -> Sizes {
        self.wasm + self.glue + self.loader
    }
}

pub fn measure(dist: &Dist) -> Result<Report, String> {
    let of = |p: &Path| read(p).map(|bytes| sizes(&bytes));
    Ok(Report {
        wasm: of(&dist.wasm)?,
        glue: of(&dist.glue)?,
        loader: of(&dist.embed)?,
        api: of(&dist.index)? + of(&dist.element)?,
        css: of(&css_path())?,
    })
}

fn css_path() -> PathBuf {
    root().join("crates/widget/src/style.css")
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn sizes(bytes: &[u8]) -> Sizes {
    Sizes {
        raw: bytes.len(),
        gzip: gzip(bytes),
        brotli: brotli(bytes),
    }
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().map_or(0, |v| v.len())
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut input = bytes;
    match brotli::BrotliCompress(&mut input, &mut out, &params) {
        Ok(_) => out.len(),
        Err(_) => 0,
    }
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn print_table(r: &Report) {
    let row = |name: &str, s: Sizes| {
        println!(
            "  {name:<38} {:>11} {:>11} {:>11}",
            kib(s.raw),
            kib(s.gzip),
            kib(s.brotli)
        );
    };
    println!(
        "  {:<38} {:>11} {:>11} {:>11}",
        "", "raw", "gzip -9", "brotli 11"
    );
    row("article_cards_bg.wasm", r.wasm);
    row("article_cards.js (wasm-bindgen glue)", r.glue);
    row("embed.js (loader)", r.loader);
    row("= script-tag embed total", r.total());
    row("style.css (source; minified into wasm)", r.css);
    row("index.js + element.js (npm API)", r.api);
}

fn verdict(r: &Report) -> Result<(), String> {
    let total = r.total().brotli;
    let loader = r.loader.brotli;
    println!(
        "\nbudget: wasm + JS + CSS {} ({total} bytes) of {} brotli; embed.js {} of {} brotli",
        kib(total),
        kib(BUDGET_TOTAL),
        kib(loader),
        kib(BUDGET_LOADER)
    );
    let mut over = Vec::new();
    if total > BUDGET_TOTAL {
        over.push(format!(
            "wasm + JS + CSS is {} brotli, over the {} budget by {}",
            kib(total),
            kib(BUDGET_TOTAL),
            kib(total - BUDGET_TOTAL)
        ));
    }
    if loader > BUDGET_LOADER {
        over.push(format!(
            "embed.js is {} brotli, over the {} budget",
            kib(loader),
            kib(BUDGET_LOADER)
        ));
    }
    if over.is_empty() {
        println!("size budget: ok");
        Ok(())
    } else {
        Err(over.join("; "))
    }
}
