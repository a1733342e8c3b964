//! `cargo xtask bench <what>`: benchmarks that print figures. Nothing here
//! asserts a time; the figures go in notes and docs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::dist;
use crate::util::{cargo, root, run};

pub fn main(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("bundle") => bundle(args.get(1..).unwrap_or_default()),
        Some("related") => run(
            "related articles on synthetic bundles (release)",
            cargo()
                .args([
                    "bench",
                    "--quiet",
                    "--features",
                    "cli",
                    "--bench",
                    "related",
                    "--",
                ])
                .args(args.get(1..).unwrap_or_default()),
        ),
        Some("images") => run(
            "image cache on synthetic photos from a loopback server (release)",
            cargo()
                .args([
                    "bench",
                    "--quiet",
                    "--features",
                    "cli",
                    "--bench",
                    "images",
                    "--",
                ])
                .args(args.get(1..).unwrap_or_default()),
        ),
        Some(other) => Err(format!(
            "unknown benchmark `{other}` (try: bundle, related, images)"
        )),
        None => Err("usage: cargo xtask bench bundle|related|images [N...]".into()),
    }
}

const TOPICS: [&str; 16] = [
    "Privacy",
    "Open Source",
    "Climate",
    "Space",
    "Web Performance",
    "Accessibility",
    "Cities",
    "Science",
    "Energy",
    "Health",
    "Transport",
    "Education",
    "Security",
    "Design",
    "Oceans",
    "Music",
];
const WORDS: [&str; 32] = [
    "council",
    "harbour",
    "satellite",
    "browser",
    "river",
    "library",
    "startup",
    "volunteers",
    "grid",
    "forest",
    "protocol",
    "museum",
    "bridge",
    "festival",
    "archive",
    "station",
    "garden",
    "reactor",
    "compiler",
    "market",
    "orbit",
    "tram",
    "school",
    "vaccine",
    "storm",
    "glacier",
    "network",
    "studio",
    "island",
    "canal",
    "pixel",
    "engine",
];

/// Deterministic pseudo-random numbers (xorshift), so every run generates
/// the same corpus.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = items.len().max(1) as u64;
        items
            .get((self.next() % len) as usize)
            .copied()
            .unwrap_or_default()
    }
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut out = Vec::with_capacity(words);
    for _ in 0..words {
        out.push(rng.pick(&WORDS));
    }
    let mut text = out.join(" ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + text.get(1..).unwrap_or_default();
    }
    text
}

fn article(i: usize, rng: &mut Rng) -> String {
    let provider = i % 50;
    let day = 1 + (rng.next() % 28);
    let month = 1 + (rng.next() % 12);
    let year = 2020 + (rng.next() % 6);
    let hour = rng.next() % 24;
    let mut text = format!(
        "---\ncategory: news\ntitle: \"{} {i}\"\nexcerpt: \"{}.\"\npublishedDateTime: {year}-{month:02}-{day:02}T{hour:02}:15:00Z\n\
         originalUrl: \"https://news{provider}.example/articles/{i}\"\nwebUrl: \"https://news{provider}.example/articles/{i}\"\n\
         type: article\nquality: {}\nheat: {}\npublished: true\n\nprovider:\n  name: Outlet {provider}\n  domain: news{provider}.example\n  images:\n    - url: \"logos/news{provider}.png\"\n      width: 64\n      height: 64\n\ntopics:\n  - {}\n  - {}\n\nimages:\n  - url: \"images/{i}.jpg\"\n    width: 1200\n    height: 630\n    isCached: true\n",
        sentence(rng, 8),
        sentence(rng, 40),
        rng.next() % 200,
        rng.next() % 300,
        rng.pick(&TOPICS),
        rng.pick(&TOPICS),
    );
    if i.is_multiple_of(4) {
        text.push_str("\nrelated:\n");
        for r in 1..=3 {
            let other = (i + r * 7919) % 1_000_003;
            text.push_str(&format!(
                "  - title: \"{}\"\n    webUrl: \"https://news{}.example/articles/{other}\"\n    type: article\n    provider:\n      name: Outlet {}\n      domain: news{}.example\n",
                sentence(rng, 6),
                other % 50,
                other % 50,
                other % 50
            ));
        }
    }
    text.push_str("\nsecured: \"c2VjdXJlZCBibG9iIGZvciBiZW5jaG1hcmtz\"\n---\n");
    text
}

fn generate(dir: &Path, count: usize) -> Result<(), String> {
    let marker = dir.join(".complete");
    if marker.is_file() {
        return Ok(());
    }
    let _ = fs::remove_dir_all(dir);
    let started = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..count {
        // 1,000 files per folder, like a real archive by month.
        let sub = dir.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            fs::create_dir_all(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
        }
        let path = sub.join(format!("{i:06}.md"));
        fs::write(&path, article(i, &mut rng)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::write(&marker, "").map_err(|e| e.to_string())?;
    eprintln!(
        "generated {count} files in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs a command and returns (wall seconds, peak RSS in KiB) of that one child.
fn measure(cmd: &mut Command) -> Result<(f64, i64), String> {
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("could not start the bundler: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own un-waited child; the pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    if waited != pid {
        return Err("wait4 failed".into());
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("the bundler failed (wait status {status})"));
    }
    std::mem::forget(child);
    Ok((seconds, usage.ru_maxrss))
}

/// `1,000`, `10_000` or `100000` as a number.
fn count(arg: &str) -> Result<usize, String> {
    arg.replace([',', '_'], "")
        .parse()
        .map_err(|_| format!("not a count: {arg}"))
}

/// Builds the release bundler; returns its path (in `CARGO_TARGET_DIR`
/// when set).
fn build_bundler() -> Result<PathBuf, String> {
    run(
        "build the bundler (release)",
        cargo().args([
            "build",
            "--release",
            "--features",
            "cli",
            "--bin",
            "article-cards",
        ]),
    )?;
    Ok(dist::target_dir().join("release/article-cards"))
}

fn bundle(args: &[String]) -> Result<(), String> {
    let sizes: Vec<usize> = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.iter().map(|a| count(a)).collect::<Result<_, _>>()?
    };
    let exe = build_bundler()?;
    let work = root().join("target/bench");
    println!("\n| files | wall time | files/s | peak RSS |\n|---:|---:|---:|---:|");
    for n in sizes {
        let dir: PathBuf = work.join(format!("articles-{n}"));
        generate(&dir, n)?;
        let out = work.join(format!("bundle-{n}.json"));
        let (seconds, rss_kib) = measure(
            Command::new(&exe)
                .arg("bundle")
                .arg(&dir)
                .arg("--out")
                .arg(&out)
                .arg("--quiet"),
        )?;
        println!(
            "| {n} | {seconds:.2} s | {:.0} | {:.0} MiB |",
            n as f64 / seconds.max(1e-9),
            rss_kib as f64 / 1024.0
        );
    }
    Ok(())
}
