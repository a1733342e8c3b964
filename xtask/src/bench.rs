//! `cargo xtask bench <what>`: benchmarks that print figures. Nothing here
//! asserts a time; the figures go in notes and docs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::corpus::{Images, Rng, SHARED_IMAGES, TOPICS, generate, sentence, write_images};
use crate::util::count;
use crate::util::{cargo, ensure_npm_deps, root, run};
use crate::{dist, tools};

pub fn main(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("bundle") => bundle(args.get(1..).unwrap_or_default()),
        Some("related") => run(
            "related articles on synthetic bundles (release)",
            cargo()
                .args([
                    "bench",
                    "--quiet",
                    "-p",
                    "article-cards",
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
                    "-p",
                    "article-cards",
                    "--bench",
                    "images",
                    "--",
                ])
                .args(args.get(1..).unwrap_or_default()),
        ),
        Some("widget") => widget(args.get(1..).unwrap_or_default()),
        Some("hostile") => hostile(args.get(1..).unwrap_or_default()),
        Some("shards") => shards(args.get(1..).unwrap_or_default()),
        Some("prerender") => prerender(args.get(1..).unwrap_or_default()),
        Some(other) => Err(format!(
            "unknown benchmark `{other}` (try: bundle, related, images, widget, shards, hostile)"
        )),
        None => Err(
            "usage: cargo xtask bench bundle|related|images|widget|shards|hostile [N...] (bundle: [--peer] [--rounds N]; widget, shards: [--runs N])"
                .into(),
        ),
    }
}

/// What one run of a child cost: wall and CPU seconds, peak RSS (KiB) and
/// exit code. CPU and RSS include the child's own children (`wait4` counts
/// the descendants it waited for), so `sh -c "… | xargs cat"` counts its
/// `cat`s.
struct Cost {
    wall: f64,
    cpu: f64,
    rss_kib: i64,
    code: i32,
}

/// Runs a command to its end and measures it (see [`Cost`]).
fn measure(cmd: &mut Command) -> Result<Cost, String> {
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("could not start {:?}: {e}", cmd.get_program()))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own un-waited child; the pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    if waited != pid {
        return Err("wait4 failed".into());
    }
    std::mem::forget(child);
    if !libc::WIFEXITED(status) {
        return Err(format!(
            "{:?} was killed (wait status {status})",
            cmd.get_program()
        ));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Cost {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        rss_kib: usage.ru_maxrss,
        code: libc::WEXITSTATUS(status),
    })
}

/// Builds the release bundler; returns its path (in `CARGO_TARGET_DIR`
/// when set). `release` packs the same build.
pub fn build_bundler() -> Result<PathBuf, String> {
    run(
        "build the bundler (release)",
        cargo().args([
            "build",
            "--release",
            "-p",
            "article-cards",
            "--bin",
            "article-cards",
        ]),
    )?;
    Ok(dist::target_dir()
        .join("release")
        .join(format!("article-cards{}", std::env::consts::EXE_SUFFIX)))
}

/// One way of turning the generated files into JSON, timed by `bench bundle`.
#[derive(Clone, Copy, PartialEq)]
enum Runner {
    /// Our bundler, related articles as by default.
    Ours,
    /// Our bundler with `--related off`.
    RelatedOff,
    /// Our bundler writing bundle v2 (`--out-dir`) into an empty directory.
    OutDir,
    /// The same archive plus one newer article, rebuilt into the
    /// directory `OutDir` just wrote (its parse cache, its shards).
    Incremental,
    /// The gray-matter Node script (`xtask/bench-peer/peer.mjs`).
    Peer,
    /// `cat` of every file: reading the input, the floor.
    Cat,
}

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Ours => "article-cards (related: default)",
            Runner::RelatedOff => "article-cards --related off",
            Runner::OutDir => "article-cards --out-dir (v2)",
            Runner::Incremental => "--out-dir again, +1 newer file",
            Runner::Peer => "peer: gray-matter (Node)",
            Runner::Cat => "floor: cat",
        }
    }

    fn command(self, exe: &Path, input: &Path, out: &Path, extra: &Path) -> Command {
        let mut cmd = match self {
            Runner::Peer => {
                let mut cmd = Command::new("node");
                cmd.arg(root().join(PEER_DIR).join("peer.mjs"))
                    .arg(input)
                    .arg(out);
                cmd
            }
            Runner::Cat => {
                let mut cmd = Command::new("sh");
                cmd.arg("-c")
                    .arg("find \"$1\" -type f -name '*.md' -print0 | xargs -0 cat > /dev/null")
                    .arg("sh")
                    .arg(input);
                cmd
            }
            _ => {
                let mut cmd = Command::new(exe);
                cmd.arg("bundle").arg(input).arg("--quiet");
                match self {
                    Runner::OutDir => cmd.arg("--out-dir").arg(out),
                    Runner::Incremental => cmd.arg(extra).arg("--out-dir").arg(out),
                    Runner::RelatedOff => cmd.arg("--out").arg(out).args(["--related", "off"]),
                    _ => cmd.arg("--out").arg(out),
                };
                cmd
            }
        };
        cmd.stdout(std::process::Stdio::null());
        cmd
    }
}

/// Where the peer's Node script and its pinned gray-matter live.
const PEER_DIR: &str = "xtask/bench-peer";

/// `cargo xtask bench bundle [--peer] [--rounds N] [COUNT...]`: the release
/// bundler on generated archives (1,000, 10,000 and 100,000 files by
/// default), as a version 1 bundle, as a version 2 archive into an empty
/// directory, and again into that directory with one newer file (the
/// incremental build: its wall time beside the full one's, and the files it
/// wrote beside the chains the new article is in). With `--peer`, also
/// `--related off`, the gray-matter script and `cat`, in interleaved rounds
/// (every runner once per round, in turn, so a slow minute of the machine
/// hits all of them), and the medians side by side with their ratio to the
/// peer.
fn bundle(args: &[String]) -> Result<(), String> {
    let mut sizes = Vec::new();
    let mut peer = false;
    let mut rounds = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--peer" => peer = true,
            "--rounds" => {
                let value = rest.next().ok_or("--rounds needs a number")?;
                rounds = Some(count(value)?.max(1));
            }
            _ => sizes.push(count(arg)?),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000, 100_000];
    }
    let rounds = rounds.unwrap_or(if peer { 3 } else { 1 });
    let runners: &[Runner] = if peer {
        ensure_npm_deps(&root().join(PEER_DIR), "the bundler's peer (gray-matter)")?;
        &[
            Runner::Ours,
            Runner::RelatedOff,
            Runner::OutDir,
            Runner::Incremental,
            Runner::Peer,
            Runner::Cat,
        ]
    } else {
        &[Runner::Ours, Runner::OutDir, Runner::Incremental]
    };
    let exe = build_bundler()?;
    let work = root().join("target/bench");
    for n in sizes {
        let dir: PathBuf = work.join(format!("articles-{n}"));
        generate(&dir, n, Images::PerArticle, 40)?;
        let extra = work.join(format!("extra-{n}"));
        let chains = newer_article(&extra)?;
        let mut costs: Vec<Vec<Cost>> = runners.iter().map(|_| Vec::new()).collect();
        let mut outputs: Vec<String> = runners.iter().map(|_| String::new()).collect();
        for round in 0..rounds {
            eprintln!("    {n} files: round {}/{rounds}", round + 1);
            for (i, runner) in runners.iter().enumerate() {
                let out = work.join(match runner {
                    Runner::OutDir | Runner::Incremental => format!("v2-{n}"),
                    Runner::Peer => format!("peer-{n}.json"),
                    _ => format!("bundle-{n}.json"),
                });
                match runner {
                    // A full build: no shards, no parse cache.
                    Runner::OutDir => {
                        let _ = fs::remove_dir_all(&out);
                    }
                    Runner::Incremental => {}
                    _ => {
                        let _ = fs::remove_file(&out);
                    }
                }
                let before = shard_names(&out);
                let cost = measure(&mut runner.command(&exe, &dir, &out, &extra))?;
                // Exit 1 is a finished run that refused its input or its
                // output (a bundle over the widget's cap): the whole
                // pipeline ran, so it is timed like any other.
                if cost.code > 1 || (*runner == Runner::Peer && cost.code != 0) {
                    return Err(format!(
                        "{}: exit {} on {n} files",
                        runner.label(),
                        cost.code
                    ));
                }
                if let (Some(slot), Some(list)) = (outputs.get_mut(i), costs.get_mut(i)) {
                    *slot = if *runner == Runner::Incremental && cost.code == 0 {
                        // Shards are never rewritten: the new names are
                        // the files written, and the manifest is one more.
                        let new = shard_names(&out).difference(&before).count();
                        format!(
                            "{} files written ({new} shards + the manifest; the article is in {chains} chains)",
                            new + 1
                        )
                    } else {
                        written(*runner, &out, cost.code)
                    };
                    list.push(cost);
                }
            }
        }
        let median = |list: &[Cost], f: fn(&Cost) -> f64| -> f64 {
            let mut v: Vec<f64> = list.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
        };
        let peer_wall = runners
            .iter()
            .position(|r| *r == Runner::Peer)
            .and_then(|i| costs.get(i))
            .map(|list| median(list, |c| c.wall));
        println!(
            "\n{n} files, median of {rounds} round(s)\n\n| runner | wall | CPU | peak RSS | wall vs peer | output |\n|---|---:|---:|---:|---:|---|"
        );
        let wall_of = |which: Runner| {
            runners
                .iter()
                .position(|r| *r == which)
                .and_then(|i| costs.get(i))
                .map(|list| median(list, |c| c.wall))
        };
        for ((runner, list), output) in runners.iter().zip(&costs).zip(&outputs) {
            let wall = median(list, |c| c.wall);
            let ratio = peer_wall.map_or("—".to_owned(), |p| format!("{:.2}×", wall / p));
            println!(
                "| {} | {wall:.2} s | {:.2} s | {:.0} MiB | {ratio} | {output} |",
                runner.label(),
                median(list, |c| c.cpu),
                median(list, |c| c.rss_kib as f64) / 1024.0,
            );
        }
        if let (Some(full), Some(again)) = (wall_of(Runner::OutDir), wall_of(Runner::Incremental)) {
            println!(
                "\n{n} files: the incremental build took {:.0}% of the full --out-dir build's wall time",
                100.0 * again / full
            );
        }
    }
    Ok(())
}

/// The shard file names in an output directory (none when absent).
fn shard_names(out: &Path) -> std::collections::BTreeSet<std::ffi::OsString> {
    fs::read_dir(out.join("shards"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default()
}

/// Writes the incremental build's extra input into `dir`: one article
/// newer than every generated one (they are dated 2020 to 2025), on two
/// topics, with a provider and a type. Returns the chains it is in.
fn newer_article(dir: &Path) -> Result<usize, String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut rng = Rng(0x5eed_0f1a_7e00);
    let topics = [TOPICS[0], TOPICS[1]];
    let text = format!(
        "---
title: \"{}\"\nexcerpt: \"{}.\"\npublishedDateTime: 2026-01-15T08:00:00Z\n\
         webUrl: \"https://news7.example/articles/newest\"\ntype: article\n\
         provider:\n  name: Outlet 7\n  domain: news7.example\ntopics:\n  - {}\n  - {}\n---\n",
        sentence(&mut rng, 8),
        sentence(&mut rng, 40),
        topics[0],
        topics[1],
    );
    let path = dir.join("newest.md");
    fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    // all, its two topics, its provider and its type.
    Ok(1 + topics.len() + 1 + 1)
}

/// What a run left behind, for the table.
fn written(runner: Runner, out: &Path, code: i32) -> String {
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / 1048576.0);
    match runner {
        Runner::Cat => "—".to_owned(),
        Runner::OutDir => {
            let manifest = fs::metadata(out.join("index.json")).map(|m| m.len());
            let shards = fs::read_dir(out.join("shards")).map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .fold((0_u64, 0_u64), |(n, b), m| (n + 1, b + m.len()))
            });
            match (manifest, shards) {
                (Ok(m), Ok((n, b))) if code == 0 => {
                    format!(
                        "manifest {:.1} KiB, {n} shards, {}",
                        m as f64 / 1024.0,
                        mib(b)
                    )
                }
                _ => format!("not written (exit {code})"),
            }
        }
        _ => match fs::metadata(out) {
            Ok(meta) if code == 0 => mib(meta.len()),
            _ => format!("not written (exit {code})"),
        },
    }
}

/// A bundle the widget benchmark loads: how its articles are written and
/// bundled.
struct Shape {
    name: &'static str,
    excerpt_words: usize,
    related: &'static str,
}

const SHAPES: [Shape; 2] = [
    // What a site gets by default: real excerpts, explicit related lists on
    // every fourth article and computed ones (`--related auto`) on the rest,
    // so cards have related carousels. About 3.5 KB an article: the related
    // items carry their article's excerpt and image.
    Shape {
        name: "full",
        excerpt_words: 40,
        related: "auto",
    },
    // The smallest useful cards (one-line excerpts, no related): about
    // 0.5 KB an article, so 10,000 fit under the widget's 5 MiB cap.
    Shape {
        name: "lean",
        excerpt_words: 12,
        related: "off",
    },
];

/// `cargo xtask bench widget [--runs N] [COUNT...]`: mount → first 24 cards
/// in headless Chromium on synthetic bundles of each count (1,000 and
/// 10,000 by default) and each [`Shape`], served with their images and the
/// built package from one loopback origin by
/// `tests/e2e/bench/widget.bench.js`, which prints the table.
fn widget(args: &[String]) -> Result<(), String> {
    let mut runs = 5_usize;
    let mut sizes = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--runs" {
            let value = rest.next().ok_or("--runs needs a number")?;
            runs = count(value)?.max(1);
        } else {
            sizes.push(count(arg)?);
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000];
    }

    let exe = build_bundler()?;
    let work = root().join("target/bench-widget");
    let site = work.join("site");
    write_images(&site)?;
    let mut bundles = Vec::new();
    for shape in &SHAPES {
        for &n in &sizes {
            let dir = work.join(format!("articles-{n}-{}w", shape.excerpt_words));
            generate(&dir, n, Images::Shared(SHARED_IMAGES), shape.excerpt_words)?;
            let name = format!("{}-{n}", shape.name);
            let out = site.join(format!("{name}.json"));
            // A shape over the widget's bundle cap is refused by the
            // bundler (exit 1, nothing written): there is nothing to time.
            let _ = fs::remove_file(&out);
            let status = Command::new(&exe)
                .arg("bundle")
                .arg(&dir)
                .arg("--out")
                .arg(&out)
                .args(["--related", shape.related, "--quiet"])
                .status()
                .map_err(|e| format!("{}: {e}", exe.display()))?;
            match status.code() {
                Some(0) => bundles.push(name),
                Some(1) if !out.exists() => {
                    eprintln!("    ({name}: refused by the bundler, not timed)");
                }
                _ => {
                    return Err(format!(
                        "bundle {n} articles ({}) failed: {status}",
                        shape.name
                    ));
                }
            }
        }
    }

    dist::build(false)?;
    let e2e_dir = root().join("tests/e2e");
    ensure_npm_deps(&e2e_dir, "the end-to-end test tools")?;
    let chromium = tools::chromium()?;
    run(
        "mount → first cards in headless Chromium",
        Command::new("node")
            .current_dir(&e2e_dir)
            .env("CHROMIUM", chromium)
            .arg("bench/widget.bench.js")
            .arg("--data")
            .arg(&site)
            .args(["--runs", &runs.to_string()])
            .args(&bundles),
    )
}

/// `cargo xtask bench shards [--runs N] [--topic NAME] [COUNT...]`: the
/// first 24 cards of generated v2 archives (1,000, 100,000 and 1,000,000
/// articles by default), widget beside the vanilla-JS peer
/// (`tests/e2e/bench/vanilla.js`), in headless Chromium; see
/// `tests/e2e/bench/shards.bench.js`. The archives are bundled with
/// `--related off`: the widget is mounted without related strips, since the
/// peer draws none, so related records would only be bytes neither reads.
fn shards(args: &[String]) -> Result<(), String> {
    let mut runs = 7_usize;
    let mut topic = None;
    let mut sizes = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--runs" => {
                let value = rest.next().ok_or("--runs needs a number")?;
                runs = count(value)?.max(1);
            }
            "--topic" => topic = Some(rest.next().ok_or("--topic needs a name")?.clone()),
            _ => sizes.push(count(arg)?),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 100_000, 1_000_000];
    }
    let exe = build_bundler()?;
    let data = root().join("target/bench-shards");
    let mut names = Vec::new();
    for &n in &sizes {
        v2_archive(&exe, &data, n, "off")?;
        names.push(n.to_string());
    }

    dist::build(false)?;
    let e2e_dir = root().join("tests/e2e");
    ensure_npm_deps(&e2e_dir, "the end-to-end test tools")?;
    let chromium = tools::chromium()?;
    let mut cmd = Command::new("node");
    cmd.current_dir(&e2e_dir)
        .env("CHROMIUM", chromium)
        .arg("bench/shards.bench.js")
        .arg("--data")
        .arg(&data)
        .args(["--runs", &runs.to_string()]);
    if let Some(topic) = &topic {
        cmd.args(["--topic", topic]);
    }
    run(
        "first 24 cards of v2 archives: widget and vanilla-JS peer",
        cmd.args(&names),
    )
}

/// A version 2 archive of `n` generated articles in `work/n/` (the corpus in
/// `work/articles-n/`, generated once: it is deterministic), bundled with
/// `--out-dir --related <related>` into a fresh folder only when the
/// bundler or the corpus is newer than its manifest (the largest take
/// minutes), with the shared images its articles name. `bench shards` and
/// `shards.test.js` read these (`off`), and `demo --archive` (`auto`).
pub fn v2_archive(exe: &Path, work: &Path, n: usize, related: &str) -> Result<PathBuf, String> {
    let articles = work.join(format!("articles-{n}"));
    generate(&articles, n, Images::Shared(SHARED_IMAGES), 40)?;
    let out = work.join(n.to_string());
    let manifest = out.join("index.json");
    if crate::util::up_to_date(&[&manifest], &[&articles.join(".complete"), exe]) {
        eprintln!(
            "    {n} articles: the v2 archive in {} is up to date",
            out.display()
        );
        return Ok(out);
    }
    // A fresh folder: no shard of an older build beside this one's.
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    }
    let cost = measure(
        Command::new(exe)
            .arg("bundle")
            .arg(&articles)
            .arg("--out-dir")
            .arg(&out)
            .args(["--related", related, "--quiet"]),
    )?;
    if cost.code != 0 {
        // Not half an archive that a later run would take as up to date.
        let _ = fs::remove_file(&manifest);
        return Err(format!(
            "bundle --out-dir of {n} articles: exit {}",
            cost.code
        ));
    }
    write_images(&out)?;
    eprintln!(
        "    {n} articles: v2 archive in {:.1} s, peak RSS {:.0} MiB",
        cost.wall,
        cost.rss_kib as f64 / 1024.0
    );
    Ok(out)
}

/// `cargo xtask bench prerender [--runs N]`: the first card painted, CLS
/// and bytes of script for 24 cards of a generated version 2 archive (1,000
/// articles, related off): `article-cards render`'s fragment taken over by
/// the widget, the widget alone, and the vanilla-JS peer, in interleaved
/// runs in headless Chromium; see `tests/e2e/bench/prerender.bench.js`.
fn prerender(args: &[String]) -> Result<(), String> {
    let mut runs = 9_usize;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--runs" => runs = count(rest.next().ok_or("--runs needs a number")?)?.max(1),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let exe = build_bundler()?;
    let work = root().join("target/bench-prerender");
    let articles = work.join("articles");
    generate(&articles, 1_000, Images::Shared(SHARED_IMAGES), 40)?;
    let archive = work.join("data/archive");
    // A fresh folder: only this build's shards.
    if archive.exists() {
        fs::remove_dir_all(&archive)
            .map_err(|e| format!("cannot remove {}: {e}", archive.display()))?;
    }
    let mut bundle = Command::new(&exe);
    bundle
        .arg("bundle")
        .arg(&articles)
        .arg("--out-dir")
        .arg(&archive)
        .args(["--related", "off", "--quiet"]);
    run("bundle the articles (version 2)", &mut bundle)?;
    write_images(&archive)?;
    let mut render = Command::new(&exe);
    render
        .arg("render")
        .arg(archive.join("index.json"))
        .args([
            "--src",
            "/data/archive/index.json",
            "--limit",
            "24",
            "--related",
            "off",
            "--theme",
            "light",
            "--css-href",
            "/pkg/article-cards.css",
            "--quiet",
            "--out",
        ])
        .arg(work.join("data/fragment.html"));
    run("prerender 24 cards", &mut render)?;
    dist::build(false)?;
    let e2e_dir = root().join("tests/e2e");
    ensure_npm_deps(&e2e_dir, "the end-to-end test tools")?;
    let chromium = tools::chromium()?;
    run(
        "first card painted: prerendered + takeover, widget, vanilla-JS peer",
        Command::new("node")
            .current_dir(&e2e_dir)
            .env("CHROMIUM", chromium)
            .arg("bench/prerender.bench.js")
            .arg("--data")
            .arg(work.join("data"))
            .args(["--runs", &runs.to_string()]),
    )
}

/// One hostile input shape of `bench hostile`: a name, what it stresses,
/// its three sizes, and how to write an input of a size.
struct Hostile {
    name: &'static str,
    what: &'static str,
    sizes: [usize; 3],
    /// File name of the generated input.
    file: &'static str,
    make: fn(usize) -> String,
    args: &'static [&'static str],
}

const HOSTILE: [Hostile; 7] = [
    Hostile {
        name: "null-items",
        what: "a feed page of `null` items (one error each)",
        sizes: [25_000, 50_000, 100_000],
        file: "page.json",
        make: null_items,
        args: &["--related", "off"],
    },
    Hostile {
        name: "valid-items",
        what: "a feed page of valid articles, related articles computed",
        sizes: [5_000, 10_000, 20_000],
        file: "page.json",
        make: valid_items,
        args: &["--related", "auto"],
    },
    Hostile {
        name: "bad-topics",
        what: "an article file whose topics are all of the wrong type (one located warning each)",
        sizes: [3_000, 6_000, 12_000],
        file: "article.md",
        make: bad_topics,
        args: &["--related", "off"],
    },
    Hostile {
        name: "many-topics",
        what: "one feed item with distinct topics (case-insensitive de-duplication)",
        sizes: [15_000, 30_000, 60_000],
        file: "page.json",
        make: many_topics,
        args: &["--related", "off"],
    },
    Hostile {
        name: "many-keys",
        what: "an article file with distinct top-level keys (duplicate-key check)",
        sizes: [1_500, 3_000, 6_000],
        file: "article.md",
        make: many_keys,
        args: &["--related", "off"],
    },
    Hostile {
        name: "many-related",
        what: "one feed item with an explicit related list",
        sizes: [10_000, 20_000, 40_000],
        file: "page.json",
        make: many_related,
        args: &["--related", "explicit"],
    },
    Hostile {
        name: "duplicate-urls",
        what: "a feed page whose items all share one URL (merge reports)",
        sizes: [5_000, 10_000, 20_000],
        file: "page.json",
        make: duplicate_urls,
        args: &["--related", "off"],
    },
];

fn null_items(n: usize) -> String {
    let mut out = String::with_capacity(n * 5 + 32);
    out.push_str("{\"page\":1,\"value\":[");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str("null");
    }
    out.push_str("]}");
    out
}

fn valid_items(n: usize) -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut out = String::from("{\"page\":1,\"value\":[\n");
    for i in 0..n {
        if i > 0 {
            out.push_str(",\n");
        }
        let provider = i % 50;
        out.push_str(&format!(
            "{{\"title\":\"{} {i}\",\"excerpt\":\"{}.\",\"webUrl\":\"https://news{provider}.example/a/{i}\",\
             \"publishedDateTime\":\"2024-{:02}-{:02}T10:00:00Z\",\"topics\":[\"{}\"],\
             \"provider\":{{\"name\":\"Outlet {provider}\",\"domain\":\"news{provider}.example\"}}}}",
            sentence(&mut rng, 5),
            sentence(&mut rng, 6),
            1 + rng.next() % 12,
            1 + rng.next() % 28,
            rng.pick(&TOPICS),
        ));
    }
    out.push_str("\n]}\n");
    out
}

fn bad_topics(n: usize) -> String {
    let mut out = String::from("---\ntitle: Bad topics\nwebUrl: https://bad.example/a\ntopics:\n");
    for _ in 0..n {
        out.push_str("- []\n");
    }
    out.push_str("---\n");
    out
}

fn many_topics(n: usize) -> String {
    let topics: Vec<String> = (0..n).map(|i| format!("\"Topic {i}\"")).collect();
    format!(
        "{{\"page\":1,\"value\":[{{\"title\":\"Topics\",\"webUrl\":\"https://topics.example/a\",\"topics\":[{}]}}]}}\n",
        topics.join(",")
    )
}

fn many_keys(n: usize) -> String {
    let mut out = String::from("---\ntitle: Keys\nwebUrl: https://keys.example/a\n");
    for i in 0..n {
        out.push_str(&format!("k{i:05}: 1\n"));
    }
    out.push_str("---\n");
    out
}

fn many_related(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"title\":\"Related {i}\",\"webUrl\":\"https://rel.example/r/{i}\",\"provider\":{{\"name\":\"R{i}\",\"domain\":\"r{i}.example\"}}}}"
            )
        })
        .collect();
    format!(
        "{{\"page\":1,\"value\":[{{\"title\":\"Related\",\"webUrl\":\"https://rel.example/a\",\"related\":[{}]}}]}}\n",
        items.join(",\n")
    )
}

fn duplicate_urls(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("{{\"title\":\"Copy {i}\",\"webUrl\":\"https://dup.example/a\"}}"))
        .collect();
    format!("{{\"page\":1,\"value\":[\n{}\n]}}\n", items.join(",\n"))
}

/// `cargo xtask bench hostile [--exe PATH] [--timeout SECS] [SHAPE...]`:
/// runs the release bundler on every hostile shape at three sizes and
/// prints the wall times, so that growth can be seen to be linear. `--exe`
/// times another build (an older commit, for a before/after); a run over
/// `--timeout` is stopped and shown as such.
fn hostile(args: &[String]) -> Result<(), String> {
    let mut exe = None;
    let mut timeout = 300.0_f64;
    let mut only = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--exe" => exe = Some(PathBuf::from(rest.next().ok_or("--exe needs a path")?)),
            "--timeout" => {
                timeout = rest
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--timeout needs seconds")?;
            }
            name if HOSTILE.iter().any(|h| h.name == name) => only.push(name.to_owned()),
            other => {
                let names: Vec<&str> = HOSTILE.iter().map(|h| h.name).collect();
                return Err(format!(
                    "unknown shape `{other}` (shapes: {})",
                    names.join(", ")
                ));
            }
        }
    }
    let exe = match exe {
        Some(exe) => exe,
        None => build_bundler()?,
    };
    let work = root().join("target/bench-hostile");
    fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    for h in HOSTILE
        .iter()
        .filter(|h| only.is_empty() || only.iter().any(|o| o == h.name))
    {
        println!("{}: {}", h.name, h.what);
    }
    println!(
        "\n| shape | size | input | wall time | µs per unit | exit |\n|---|---:|---:|---:|---:|---:|"
    );
    for h in HOSTILE
        .iter()
        .filter(|h| only.is_empty() || only.iter().any(|o| o == h.name))
    {
        for n in h.sizes {
            let dir = work.join(format!("{}-{n}", h.name));
            fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let input = dir.join(h.file);
            let text = (h.make)(n);
            fs::write(&input, &text).map_err(|e| format!("{}: {e}", input.display()))?;
            let out = dir.join("bundle.json");
            let (seconds, status) = time_with_limit(
                Command::new(&exe)
                    .arg("bundle")
                    .arg(&input)
                    .arg("--out")
                    .arg(&out)
                    .arg("--quiet")
                    .args(h.args)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null()),
                timeout,
            )?;
            let time = match status {
                Some(_) => format!("{seconds:.2} s"),
                None => format!("> {timeout:.0} s (stopped)"),
            };
            let exit = status.map_or("-".to_owned(), |c| c.to_string());
            println!(
                "| {} | {n} | {:.2} MB | {time} | {:.1} | {exit} |",
                h.name,
                text.len() as f64 / 1e6,
                seconds * 1e6 / n as f64
            );
        }
    }
    Ok(())
}

/// Runs a command for at most `limit` seconds: (wall seconds, exit code,
/// `None` when it was stopped or killed by a signal).
fn time_with_limit(cmd: &mut Command, limit: f64) -> Result<(f64, Option<i32>), String> {
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start the bundler: {e}"))?;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok((started.elapsed().as_secs_f64(), status.code()));
        }
        if started.elapsed().as_secs_f64() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((started.elapsed().as_secs_f64(), None));
        }
        // A benchmark, not a test: polling keeps the timing simple.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
