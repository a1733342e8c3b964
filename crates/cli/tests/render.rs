//! `article-cards render`: the fragment for an invented bundle compared
//! with a snapshot (`tests/render/*.html`; `UPDATE_SNAPSHOTS=1` rewrites
//! it), and the same cards from a version 1 bundle, a version 2 manifest
//! and the article files they were bundled from.

// Test helpers fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/repo.rs"]
mod repo;

use repo::run;

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn here(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/render")
        .join(name)
}

/// Compares `html` (one tag a line) with `tests/render/<name>.html`.
fn check(name: &str, html: &str) {
    let pretty = html.replace("><", ">\n<");
    let path = here(&format!("{name}.html"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path:?}; run with UPDATE_SNAPSHOTS=1"));
    if let Some((i, (a, b))) = want
        .lines()
        .zip(pretty.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "{name} differs at line {}:\n  want: {a}\n  got:  {b}",
            i + 1
        );
    }
    assert_eq!(
        want.lines().count(),
        pretty.lines().count(),
        "{name}: length"
    );
}

fn render(input: &Path, extra: &[&str]) -> String {
    let mut args = vec!["render", input.to_str().unwrap(), "--out", "-", "-q"];
    args.extend_from_slice(extra);
    ok(run(&args))
}

#[test]
fn grid_fragment_snapshot() {
    let html = render(
        &here("bundle.json"),
        &[
            "--src",
            "/news/bundle.json",
            "--limit",
            "3",
            "--topic",
            "coast,history",
        ],
    );
    // Text is escaped, the refused URL is dropped with its article, dates
    // are absolute, the video's Play control is a link to its page.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("javascript:"));
    // Braces, which site generators' templates read, are references.
    assert!(!html.contains('{') && !html.contains('}'));
    assert!(html.contains("&#123;&#123; site.title &#125;&#125;"));
    assert!(html.contains(">1 Mar 2026</time>"));
    assert!(html.contains(r#"href="https://rivervale.example/videos/tide-line""#));
    assert!(html.contains(
        r#"<template shadowrootmode="open"><link rel="stylesheet" href="article-cards.css">"#
    ));
    check("grid", &html);
}

#[test]
fn element_host_carries_the_options_as_attributes() {
    let html = render(
        &here("bundle.json"),
        &[
            "--element",
            "--src",
            "https://cdn.example/news/bundle.json",
            "--layout",
            "carousel",
            "--label",
            "Coast \"news\" & more",
            "--css-href",
            "/assets/article-cards.css",
        ],
    );
    assert!(html.starts_with(
        r#"<article-cards src="https://cdn.example/news/bundle.json" layout="carousel" label="Coast &quot;news&quot; &amp; more" data-generated-at="2026-03-02T08:00:00Z"><template"#
    ));
    // Relative image URLs resolve against the absolute bundle URL.
    assert!(html.contains(r#"src="https://cdn.example/news/images/lighthouse.jpg""#));
    assert!(html.contains(r#"href="/assets/article-cards.css""#));
    assert!(html.contains(r#"data-layout="carousel""#));
}

#[test]
fn bad_options_and_urls_are_usage_errors() {
    let input = here("bundle.json");
    let input = input.to_str().unwrap();
    for args in [
        &["--src", "/b.json", "--css-href", "javascript:x"][..],
        &["--src", "javascript:alert(1)"][..],
        &["--limit", "3"][..],
    ] {
        let mut all = vec!["render", input, "--out", "-"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty());
    }
}

/// Removes the one attribute that depends on when the bundle was built.
fn without_generated_at(html: &str) -> String {
    let start = html.find(" data-generated-at=\"").unwrap();
    let end = start + 20 + html[start + 20..].find('"').unwrap() + 1;
    format!("{}{}", &html[..start], &html[end..])
}

#[test]
fn v1_v2_and_inputs_render_the_same_cards() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = "tests/fixtures/basic/in";
    let v1 = dir.path().join("bundle.json");
    let v2 = dir.path().join("v2");
    ok(run(&[
        "bundle",
        inputs,
        "--out",
        v1.to_str().unwrap(),
        "-q",
    ]));
    ok(run(&[
        "bundle",
        inputs,
        "--out-dir",
        v2.to_str().unwrap(),
        "--page-size",
        "1",
        "-q",
    ]));
    let opts = ["--src", "/news/index.json", "--limit", "2"];
    let from_v1 = without_generated_at(&render(&v1, &opts));
    let from_v2 = without_generated_at(&render(&v2.join("index.json"), &opts));
    let from_inputs = without_generated_at(&render(&Path::new(repo::ROOT).join(inputs), &opts));
    assert!(
        from_v1.matches("class=\"ac-item\"").count() == 2,
        "{from_v1}"
    );
    assert_eq!(from_v1, from_v2);
    assert_eq!(from_v1, from_inputs);
}
