//! `cargo xtask demo`: the first thing a new user runs. Installs what is
//! missing, bundles the example articles (or the user's own), builds the
//! widget and `pkg/`, and serves the site from 127.0.0.1 until Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{cargo, root, run};

const USAGE: &str = "usage: cargo xtask demo [--port N] [--bundle FILE|DIR] [--max-seconds N]";

struct Args {
    port: u16,
    bundle: Option<PathBuf>,
    max_seconds: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        port: 8080,
        bundle: None,
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
            // For tests: the server stops by itself after this many seconds.
            "--max-seconds" => parsed.max_seconds = Some(value()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(parsed)
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
