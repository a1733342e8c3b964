// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Golden tests: each `tests/fixtures/<case>/` holds inputs in `in/` (or has
//! them generated here at run time, for hostile or huge files), optional
//! `args.txt` (one extra argument per line; `{fixture}` is replaced by the
//! case directory), `expected.json` (the written bundle with `generatedAt`
//! normalised, or `null` when nothing is written) and `expected.stderr`
//! (diagnostics, then the summary or error line, then `exit: N`).
//!
//! Unless `args.txt` says otherwise, cases run with `--related explicit`.
//!
//! `UPDATE_EXPECT=1 cargo test -p article-cards --test bundle_fixtures`
//! rewrites the expectations.

use std::fs;
use std::path::{Path, PathBuf};

use article_cards::{Cli, run_with};
use bundle::Bundle;
use clap::Parser;

const GENERATED_AT: &str = "2000-01-01T00:00:00Z";

#[path = "support/repo.rs"]
mod repo;

fn fixture_dir(case: &str) -> PathBuf {
    repo::enter_root();
    Path::new("tests/fixtures").join(case)
}

/// Runs the case whose inputs are committed under `in/`.
fn check(case: &str) {
    let input = fixture_dir(case).join("in");
    assert!(input.is_dir(), "{} missing", input.display());
    check_inputs(case, &input);
}

/// Runs a case whose inputs `make` writes into a fresh directory.
fn check_generated(case: &str, make: impl FnOnce(&Path)) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    make(&input);
    check_inputs(case, &input);
}

fn check_inputs(case: &str, input: &Path) {
    let dir = fixture_dir(case);
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("bundle.json");
    let mut argv: Vec<String> = vec![
        "article-cards".into(),
        "bundle".into(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if let Ok(args) = fs::read_to_string(dir.join("args.txt")) {
        argv.extend(
            args.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| l.replace("{fixture}", &dir.display().to_string())),
        );
    }
    // Computed related items are their own cases (`related_*`); elsewhere
    // they would only add noise to the expectations.
    if !argv.iter().any(|a| a == "--related") {
        argv.extend(["--related".into(), "explicit".into()]);
    }
    let cli = Cli::try_parse_from(&argv).unwrap();
    let mut err = Vec::new();
    let result = run_with(cli, &mut err);
    let mut stderr = String::from_utf8(err).unwrap();
    let exit = match &result {
        Ok(summary) => {
            let line = summary.to_string();
            let cut = line.rfind(" in ").unwrap();
            stderr.push_str(&line[..cut]);
            stderr.push_str(" in <ms> ms\n");
            0
        }
        Err(e) => {
            stderr.push_str(&format!("article-cards: error: {e}\n"));
            e.exit_code()
        }
    };
    stderr.push_str(&format!("exit: {exit}\n"));
    let mut stderr = stderr
        .replace(&input.display().to_string(), "<in>")
        .replace(&out.display().to_string(), "<out>")
        .replace(&dir.display().to_string(), "<fixture>");

    let json = if out.exists() {
        let bytes = fs::read(&out).unwrap();
        // Dates clamped to the generation time carry it: normalise them
        // like `generatedAt`.
        let generated: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if let Some(at) = generated["generatedAt"].as_str() {
            stderr = stderr.replace(at, GENERATED_AT);
        }
        let bytes = match generated["generatedAt"].as_str() {
            Some(at) => String::from_utf8(bytes.clone())
                .unwrap()
                .replace(at, GENERATED_AT)
                .into_bytes(),
            None => bytes,
        };
        // Round trip: what was written reads back as a bundle.
        let bundle: Bundle = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(bundle.version, 1);
        assert!(bundle.generated_at.ends_with('Z'));
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            serde_json::to_value(&bundle).unwrap(),
            value,
            "the bundle round-trips without loss"
        );
        check_related_table(&bundle);
        let mut bundle = bundle;
        bundle.generated_at = GENERATED_AT.to_owned();
        serde_json::to_string_pretty(&bundle).unwrap() + "\n"
    } else {
        "null\n".to_owned()
    };
    assert_eq!(
        exit == 0,
        json != "null\n",
        "a bundle is written iff exit 0"
    );

    let expected_json = dir.join("expected.json");
    let expected_stderr = dir.join("expected.stderr");
    if std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1") {
        fs::write(&expected_json, &json).unwrap();
        fs::write(&expected_stderr, &stderr).unwrap();
        return;
    }
    let want_json = fs::read_to_string(&expected_json).unwrap_or_default();
    let want_stderr = fs::read_to_string(&expected_stderr).unwrap_or_default();
    assert_eq!(
        stderr, want_stderr,
        "{case}: stderr differs (UPDATE_EXPECT=1 to accept)"
    );
    assert_eq!(
        json, want_json,
        "{case}: bundle differs (UPDATE_EXPECT=1 to accept)"
    );
}

fn article(title: &str, url: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\nwebUrl: \"{url}\"\npublishedDateTime: 2021-05-01T10:00:00Z\n---\nbody\n"
    )
}

#[test]
fn basic() {
    check("basic");
}

#[test]
fn crlf() {
    check("crlf");
}

#[test]
fn bom() {
    check("bom");
}

#[test]
fn timestamps() {
    check("timestamps");
}

#[test]
fn missing_optionals() {
    check("missing_optionals");
}

#[test]
fn unknown_fields() {
    check("unknown_fields");
}

#[test]
fn unpublished() {
    check("unpublished");
}

#[test]
fn secured_dropped() {
    check("secured_dropped");
}

#[test]
fn youtube() {
    check("youtube");
}

#[test]
fn youtube_lookalikes() {
    check("youtube_lookalikes");
}

#[test]
fn script_urls() {
    check("script_urls");
}

#[test]
fn html_text() {
    check("html_text");
}

#[test]
fn long_text() {
    check("long_text");
}

#[test]
fn image_sizes() {
    check("image_sizes");
}

#[test]
fn wrong_types() {
    check("wrong_types");
}

#[test]
fn duplicate_keys() {
    check("duplicate_keys");
}

#[test]
fn duplicates_merged() {
    check("duplicates_merged");
}

#[test]
fn providers() {
    check("providers");
}

#[test]
fn providers_relative() {
    check("providers_relative");
}

#[test]
fn json_feed() {
    check("json_feed");
}

#[test]
fn since() {
    check("since");
}

#[test]
fn topic() {
    check("topic");
}

#[test]
fn strict_fails() {
    check("strict_fails");
}

#[test]
fn strict_clean() {
    check("strict_clean");
}

#[test]
fn broken_files() {
    check("broken_files");
}

#[test]
fn no_articles() {
    check("no_articles");
}

#[test]
fn ordering() {
    check("ordering");
}

#[test]
fn alias_bomb() {
    check_generated("alias_bomb", |dir| {
        let mut yaml = String::from("---\ntitle: Bomb\nwebUrl: https://bomb.example/a\n");
        yaml.push_str(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let (prev, name) = (pair[0], pair[1]);
            let refs = vec![format!("*{prev}"); 9].join(",");
            yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        yaml.push_str("---\n");
        fs::write(dir.join("bomb.md"), yaml).unwrap();
        // A few honest aliases are fine.
        fs::write(
            dir.join("ok.md"),
            "---\ntitle: &t Anchored\nwebUrl: https://ok.example/a\ntopics: [*t, *t]\n---\n",
        )
        .unwrap();
    });
}

#[test]
fn deep_nesting() {
    check_generated("deep_nesting", |dir| {
        let depth = 10_000;
        let flow = format!(
            "---\ntitle: Deep\nwebUrl: https://deep.example/a\nextra: {}{}\n---\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        fs::write(dir.join("flow.md"), flow).unwrap();
        let mut block = String::from("---\ntitle: Deep block\nwebUrl: https://deep.example/b\n");
        for i in 0..100 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        block.push_str("---\n");
        fs::write(dir.join("block.md"), block).unwrap();
        let json = format!(
            "{{\"page\":1,\"value\":[{{\"title\":\"J\",\"webUrl\":\"https://deep.example/j\",\"x\":{}{}}}]}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        fs::write(dir.join("feed.json"), json).unwrap();
        fs::write(
            dir.join("fine.md"),
            article("Fine", "https://deep.example/fine"),
        )
        .unwrap();
    });
}

#[test]
fn hostile_files() {
    check_generated("hostile_files", |dir| {
        // Binary: an image-like header with NUL bytes.
        fs::write(
            dir.join("binary.md"),
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
        )
        .unwrap();
        fs::write(dir.join("nul-in-fm.md"), b"---\ntitle: a\x00b\n---\n").unwrap();
        // Latin-1 bytes where UTF-8 is required.
        fs::write(
            dir.join("latin1.md"),
            b"---\ntitle: caf\xe9\nwebUrl: https://h.example/latin1\n---\n",
        )
        .unwrap();
        // Front matter over 64 KiB (never closed within the limit).
        let mut big = String::from("---\ntitle: Big\nwebUrl: https://h.example/big\nexcerpt: \"");
        big.push_str(&"x".repeat(70 * 1024));
        big.push_str("\"\n---\n");
        fs::write(dir.join("big.md"), big).unwrap();
        // Just under the limit with a huge body: fine, the body is never read.
        let mut near =
            String::from("---\ntitle: Near\nwebUrl: https://h.example/near\nsecured: \"");
        near.push_str(&"y".repeat(60 * 1024));
        near.push_str("\"\n---\n");
        near.push_str(&"body ".repeat(400_000));
        fs::write(dir.join("near.md"), near).unwrap();
        fs::write(dir.join("empty.md"), b"").unwrap();
        fs::write(dir.join("blank.md"), b"  \r\n\n").unwrap();
        fs::write(dir.join("bom-only.md"), b"\xEF\xBB\xBF").unwrap();
        fs::write(dir.join("binary.json"), b"\x00\x01\x02").unwrap();
        fs::write(
            dir.join("ok.md"),
            article("Survivor", "https://h.example/ok"),
        )
        .unwrap();
    });
}

#[test]
fn related_auto() {
    // Mars articles point at each other, bike articles at each other; the
    // fonts article keeps its explicit list in order, and the explicit item
    // that is bundled takes that article's provider.
    check("related_auto");
}

/// The related table holds each record the articles reference, once,
/// under the id of its URL, and nothing else; no list names one twice.
fn check_related_table(bundle: &Bundle) {
    let mut referenced: Vec<&str> = Vec::new();
    for a in &bundle.articles {
        for (j, rid) in a.related.iter().enumerate() {
            assert!(
                bundle.related.get(rid).is_some(),
                "article {} names a missing record {rid}",
                a.id
            );
            assert!(!a.related[..j].contains(rid), "{} names {rid} twice", a.id);
            referenced.push(rid);
        }
    }
    referenced.sort_unstable();
    referenced.dedup();
    let keys: Vec<&str> = bundle.related.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys, referenced,
        "the table holds exactly the referenced records"
    );
    for (rid, record) in bundle.related.iter() {
        assert_eq!(*rid, bundle::article_id(&record.url), "{rid}");
    }
}

#[test]
fn related_shared() {
    // Two articles name the same outside page with different titles: one
    // record, the newest article's. A related item that is a bundled
    // article is that article's record (its title, date, provider and
    // image), whatever the item said.
    check("related_shared");
    let text = fs::read_to_string(fixture_dir("related_shared").join("expected.json")).unwrap();
    let bundle: Bundle = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle.related.len(), 3);
    let outside = bundle
        .related
        .get(&bundle::article_id("https://elsewhere.example/tides"))
        .unwrap();
    assert_eq!(outside.title, "Tides, as the newer article calls them");
    let ferry = bundle
        .articles
        .iter()
        .find(|a| a.title == "Ferry timetable changes")
        .unwrap();
    let record = bundle.related.get(&ferry.id).unwrap();
    assert_eq!(record.title, ferry.title);
    assert_eq!(record.provider, ferry.provider);
    let referencing = bundle
        .articles
        .iter()
        .filter(|a| a.related.contains(&ferry.id))
        .count();
    assert_eq!(referencing, 2);
}

#[test]
fn related_off() {
    check("related_off");
}

#[test]
fn finding_2_positions() {
    // Items and fields are placed by one index per file (a newline index
    // for feed pages, a field index for front matter): same positions as
    // a scan, in one pass.
    check("finding_2_positions");
}

#[test]
fn finding_3_caps() {
    check("finding_3_caps");
}

#[test]
fn finding_4_provider_identity() {
    // The first article in input order names the provider; a later one
    // can neither rename it nor give it a logo.
    check("finding_4_provider_identity");
}

#[test]
fn finding_4_provider_record() {
    check("finding_4_provider_record");
}

#[test]
fn finding_4_future_dates() {
    check("finding_4_future_dates");
}

#[test]
fn finding_5_duplicate_json_keys() {
    check("finding_5_duplicate_json_keys");
}

#[test]
fn finding_6_hostile_text() {
    check("finding_6_hostile_text");
}

// Feeds (issue 21): RSS 2.0, Atom 1.0 and JSON Feed 1.0/1.1 by content.

#[test]
fn feed_rss() {
    check("feed_rss");
}

#[test]
fn feed_atom() {
    check("feed_atom");
}

#[test]
fn feed_json() {
    check("feed_json");
}

// Static-site posts (issue 21): Jekyll, Hugo, Eleventy and Astro shapes.

#[test]
fn site_jekyll() {
    // `_config.yml` at the root: only `_posts` is read; url + baseurl,
    // title, logo and time zone from the config; a broken date falls back
    // to the file name's; CRLF; TOML front matter in a YAML site; drafts.
    check("site_jekyll");
}

#[test]
fn site_hugo() {
    // `hugo.toml`: only `content` is read; `[permalinks]` per section, a
    // page bundle, `_index.md` list pages skipped, YAML in a TOML site,
    // case-insensitive keys, Japanese text, a TOML syntax error.
    check("site_hugo");
}

#[test]
fn site_eleventy() {
    // No config: flags give the base URL, `/:path/`, the provider; a date
    // Eleventy reads from the file system is unreadable here and the name
    // gives none, so that post is dropped.
    check("site_eleventy");
}

#[test]
fn site_astro() {
    // Astro's starter shapes: `pubDate: 'Jul 08 2022'`, `heroImage`,
    // `updatedDate`, images under --asset-base, an image object.
    check("site_astro");
}

#[test]
fn site_huge_body() {
    // A body of megabytes without a blank line: only its start is read
    // and parsed for the excerpt.
    check_generated("site_huge_body", |dir| {
        let mut text = String::from("---\ntitle: Huge\ndate: 2024-01-01\n---\n");
        text.push_str(&"word *emphasis* [link](https://x.example/) <b>tag</b> ".repeat(100_000));
        fs::write(dir.join("2024-01-01-huge.md"), text).unwrap();
        let mut toml = String::from("+++\ntitle = \"Deep\"\nx = ");
        toml.push_str(&"[".repeat(20_000));
        toml.push_str(&"]".repeat(20_000));
        toml.push_str("\n+++\n");
        fs::write(dir.join("2024-01-02-deep.md"), toml).unwrap();
    });
}
