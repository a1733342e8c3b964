//! `cargo xtask demo`: the first thing a new user runs. Installs what is
//! missing, bundles the example articles (or the user's own), builds the
//! widget and `pkg/`, and serves the site from 127.0.0.1 until Ctrl-C.
//! `--archive N` also serves a generated archive of `N` articles as bundle
//! version 2, for the page's "Large archive" section and its stats.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{cargo, count, root, run};

const USAGE: &str =
    "usage: cargo xtask demo [--port N] [--bundle FILE|DIR] [--archive N] [--max-seconds N]

  --archive N   also generate N articles (1 to 1,000,000; once, kept in target/demo-archive/),
                bundle them as version 2 and show them in the page's \"Large archive\" section";

/// The most articles `--archive` generates: the largest bench
/// archive; beyond it the generated files alone fill a small disk.
const MAX_ARCHIVE: usize = 1_000_000;

struct Args {
    port: u16,
    bundle: Option<PathBuf>,
    archive: Option<usize>,
    max_seconds: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        port: 8080,
        bundle: None,
        archive: None,
        max_seconds: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or(format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--port" => {
                parsed.port = value()?
                    .parse()
                    .map_err(|_| format!("--port takes a number\n{USAGE}"))?
            }
            "--bundle" => parsed.bundle = Some(PathBuf::from(value()?)),
            "--archive" => parsed.archive = Some(archive_count(&value()?)?),
            // For tests: the server stops by itself after this many seconds.
            "--max-seconds" => parsed.max_seconds = Some(value()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(parsed)
}

/// `--archive`'s value: a whole number of articles in `1..=MAX_ARCHIVE`,
/// written `100000`, `100,000` or `100_000`.
fn archive_count(text: &str) -> Result<usize, String> {
    let n = count(text).map_err(|_| {
        format!("--archive takes a number of articles (1 to 1,000,000), not `{text}`\n{USAGE}")
    })?;
    if (1..=MAX_ARCHIVE).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "--archive {text}: the generated archive holds 1 to 1,000,000 articles\n{USAGE}"
        ))
    }
}

pub fn main(args: &[String]) -> Result<(), String> {
    let args = parse(args)?;
    let www = root().join("www");
    let out = www.join("bundle.json");
    match &args.bundle {
        Some(path) if path.is_file() => {
            std::fs::copy(path, &out)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
            eprintln!("serving your bundle {} as www/bundle.json", path.display());
        }
        Some(path) if path.is_dir() => bundle(std::slice::from_ref(path), None, &out)?,
        Some(path) => {
            return Err(format!(
                "--bundle {}: no such file or folder",
                path.display()
            ));
        }
        None => bundle(&[www.join("articles")], Some(&www.join("providers")), &out)?,
    }
    own_posts(&www, args.port)?;
    let pointer = match args.archive {
        Some(n) => archive(n)?,
        None => NO_ARCHIVE.to_owned(),
    };
    let path = www.join("archive.json");
    std::fs::write(&path, pointer).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    crate::dist::main(&[])?;
    prerendered(&www)?;
    run(
        "build the demo server",
        cargo().args(["build", "--quiet", "--release", "-p", "demo-serve"]),
    )?;
    let server = crate::dist::target_dir().join("release/demo-serve");
    let mut serve = Command::new(server);
    serve
        .current_dir(root())
        .arg("--root")
        .arg(root())
        .arg("--port")
        .arg(args.port.to_string());
    if let Some(seconds) = &args.max_seconds {
        serve.arg("--max-seconds").arg(seconds);
    }
    eprintln!(
        "\nThe demo: http://127.0.0.1:{}/  (Ctrl-C to stop)",
        args.port
    );
    run("serve the demo", &mut serve)
}

/// `article-cards <subcommand>`, the release build (cargo builds it first
/// when it is stale).
fn article_cards(subcommand: &str) -> Command {
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "article-cards",
        "--bin",
        "article-cards",
        "--",
        subcommand,
    ]);
    cmd
}

fn bundle(inputs: &[PathBuf], providers: Option<&Path>, out: &Path) -> Result<(), String> {
    let mut cmd = article_cards("bundle");
    cmd.args(inputs);
    if let Some(dir) = providers {
        cmd.arg("--providers").arg(dir);
    }
    cmd.arg("--out").arg(out);
    run("bundle the articles", &mut cmd)
}

/// `www/own-bundle.json`, the gallery's "your posts and feeds" panel: the
/// invented Jekyll blog `www/jekyll-example` and RSS feed `www/feeds`,
/// bundled as a blogger would. The blog's images are site paths
/// (`/images/…`): `--asset-base` puts them under the demo's own `www/`.
fn own_posts(www: &Path, port: u16) -> Result<(), String> {
    let mut cmd = article_cards("bundle");
    cmd.arg("--quiet")
        .arg(www.join("jekyll-example"))
        .arg(www.join("feeds"))
        .arg("--asset-base")
        .arg(format!("http://127.0.0.1:{port}/www/"))
        .arg("--out")
        .arg(www.join("own-bundle.json"));
    run("bundle the example blog and feed", &mut cmd)
}

/// `www/demo/prerendered.html`: the template with `article-cards render`'s
/// fragments of the demo bundle in place of its `<!-- grid -->` and
/// `<!-- carousel -->` markers (docs/prerender.md). Served from the root,
/// so the URLs in it are root-relative.
fn prerendered(www: &Path) -> Result<(), String> {
    let demo = www.join("demo");
    let template = demo.join("prerendered.template.html");
    let mut page = std::fs::read_to_string(&template)
        .map_err(|e| format!("cannot read {}: {e}", template.display()))?;
    for (marker, options) in [
        ("<!-- grid -->", &["--layout", "grid", "--limit", "3"]),
        (
            "<!-- carousel -->",
            &["--layout", "carousel", "--limit", "8"],
        ),
    ] {
        let fragment = demo.join("prerendered.fragment.html");
        let mut cmd = article_cards("render");
        cmd.args([
            "--quiet",
            "--src",
            "/www/bundle.json",
            "--css-href",
            "/pkg/dist/article-cards.css",
        ]);
        cmd.arg(www.join("bundle.json"))
            .args(options)
            .arg("--out")
            .arg(&fragment);
        run("prerender the demo's cards", &mut cmd)?;
        let html = std::fs::read_to_string(&fragment)
            .map_err(|e| format!("cannot read {}: {e}", fragment.display()))?;
        let _ = std::fs::remove_file(&fragment);
        page = page.replacen(marker, &html, 1);
    }
    let out = demo.join("prerendered.html");
    std::fs::write(&out, page).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// `www/archive.json` of a demo run without `--archive`: the page reads it
/// and leaves its "Large archive" section hidden.
const NO_ARCHIVE: &str = "{\"manifest\": null}\n";

/// Where `--archive N` keeps its generated files and their version 2
/// archive, under the repository root that demo-serve serves, so the page
/// reads the archive where the bundler wrote it.
fn archive_dir() -> PathBuf {
    root().join("target/demo-archive")
}

/// `--archive N`: generates `N` articles (once: the generator is
/// deterministic, so a finished corpus is kept), bundles them into
/// `target/demo-archive/N/` with `--out-dir` (again only when the bundler
/// or the corpus is newer than the manifest), adds the shared images the
/// articles name, and returns `www/archive.json`: where the manifest is and
/// how large the archive is, so the page need not fetch every shard to say.
fn archive(n: usize) -> Result<String, String> {
    let exe = crate::bench::build_bundler()?;
    let out = crate::bench::v2_archive(&exe, &archive_dir(), n, "auto")?;
    let sizes = ArchiveSizes::of(&out)?;
    eprintln!(
        "    the archive: {n} articles, the manifest and {} shards, {} bytes",
        sizes.shards,
        sizes.manifest_bytes + sizes.shard_bytes
    );
    Ok(format!(
        "{{\"manifest\": \"target/demo-archive/{n}/index.json\", \"articles\": {n}, \
         \"manifestBytes\": {}, \"shards\": {}, \"shardBytes\": {}, \
         \"command\": \"cargo xtask demo --archive {n}\"}}\n",
        sizes.manifest_bytes, sizes.shards, sizes.shard_bytes
    ))
}

/// What a reader could fetch of an archive's articles: the manifest and the
/// shards (the page counts no images, and the bundler's own
/// `.article-cards/` is never fetched).
struct ArchiveSizes {
    manifest_bytes: u64,
    shards: u64,
    shard_bytes: u64,
}

impl ArchiveSizes {
    fn of(dir: &Path) -> Result<Self, String> {
        let manifest = dir.join("index.json");
        let manifest_bytes = std::fs::metadata(&manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?
            .len();
        let (shards, shard_bytes) = files_in(&dir.join("shards"))?;
        Ok(ArchiveSizes {
            manifest_bytes,
            shards,
            shard_bytes,
        })
    }
}

/// How many files a folder holds and their bytes (not its subfolders).
fn files_in(dir: &Path) -> Result<(u64, u64), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (mut count, mut bytes) = (0, 0);
    for entry in entries {
        let meta = entry
            .and_then(|e| e.metadata())
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        if meta.is_file() {
            count += 1;
            bytes += meta.len();
        }
    }
    Ok((count, bytes))
}
