#![cfg(feature = "cli")]
// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The built binary: exit codes, atomic output, summary line.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use article_cards::bundle::Bundle;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_article-cards"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn is_summary(line: &str) -> bool {
    // bundled 2 articles from 2 files (0 skipped, 0 warnings) in 3 ms
    let Some(rest) = line.strip_prefix("bundled ") else {
        return false;
    };
    let words: Vec<&str> = rest.split(' ').collect();
    let num = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    words.len() >= 11
        && num(words[0])
        && words[1] == "articles"
        && words[2] == "from"
        && num(words[3])
        && words[4] == "files"
        && words[5].starts_with('(')
        && num(&words[5][1..])
        && rest.contains(" warnings) in ")
        && words[words.len() - 1] == "ms"
        && num(words[words.len() - 2])
}

fn out_path(dir: &Path) -> String {
    dir.join("bundle.json").display().to_string()
}

#[test]
fn success_writes_bundle_and_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let o = run(&[
        "bundle",
        "tests/fixtures/basic/in",
        "--out",
        &out,
        "--pretty",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap();
    assert!(is_summary(last), "{last}");
    assert!(last.starts_with("bundled 2 articles from 2 files (0 skipped, 0 warnings) in "));
    let bundle: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(bundle.articles.len(), 2);
    // Nothing but the bundle is left in the directory (no temp files).
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("bundle.json")]);
}

#[test]
fn warnings_print_located_diagnostics_and_still_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let o = run(&["bundle", "tests/fixtures/strict_fails/in", "--out", &out]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains(
            "tests/fixtures/strict_fails/in/warn.md:4:1: warning: `heat` should be an integer"
        ),
        "{err}"
    );
    assert!(is_summary(err.lines().last().unwrap()));
}

#[test]
fn strict_fails_with_1_and_leaves_old_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    fs::write(&out, "OLD").unwrap();
    let o = run(&[
        "bundle",
        "tests/fixtures/strict_fails/in",
        "--out",
        &out,
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&out).unwrap(), "OLD");
    assert!(stderr(&o).contains("--strict"));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn strict_passes_on_clean_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    fs::write(&out, "OLD").unwrap();
    let o = run(&[
        "bundle",
        "tests/fixtures/strict_clean/in",
        "--out",
        &out,
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bundle: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(bundle.articles.len(), 1);
}

#[test]
fn no_article_is_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let o = run(&["bundle", "tests/fixtures/no_articles/in", "--out", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!Path::new(&out).exists());
}

#[test]
fn usage_errors_are_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    fs::write(&out, "OLD").unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["bundle", "tests/fixtures/basic/in"],
        vec!["bundle", "--out", &out],
        vec!["bundle", "no/such/input", "--out", &out],
        vec![
            "bundle",
            "tests/fixtures/basic/in",
            "--out",
            &out,
            "--since",
            "soon",
        ],
        vec![
            "bundle",
            "tests/fixtures/basic/in",
            "--out",
            &out,
            "--asset-base",
            "javascript:alert(1)",
        ],
        vec![
            "bundle",
            "tests/fixtures/basic/in",
            "--out",
            &out,
            "--asset-base",
            "/relative",
        ],
        vec![
            "bundle",
            "tests/fixtures/basic/in",
            "--out",
            &out,
            "--providers",
            "no/such/dir",
        ],
        vec![
            "bundle",
            "tests/fixtures/basic/in",
            "--out",
            &out,
            "--bogus",
        ],
        vec!["frobnicate"],
        vec![],
    ];
    for args in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(fs::read_to_string(&out).unwrap(), "OLD", "{args:?}");
    }
}

#[test]
fn io_error_is_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("missing-dir").join("bundle.json");
    let o = run(&[
        "bundle",
        "tests/fixtures/basic/in",
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error"), "{}", stderr(&o));
}

#[test]
fn replaces_existing_bundle_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    fs::write(&out, "OLD").unwrap();
    let o = run(&["bundle", "tests/fixtures/basic/in", "--out", &out]);
    assert_eq!(o.status.code(), Some(0));
    let bytes = fs::read(&out).unwrap();
    let bundle: Bundle = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(bundle.version, 1);
    assert!(!bytes.starts_with(b"{\n"), "compact without --pretty");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn help_is_0_and_quiet_is_quiet() {
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(run(&["bundle", "--help"]).status.code(), Some(0));
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let o = run(&[
        "bundle",
        "tests/fixtures/strict_fails/in",
        "--out",
        &out,
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

#[test]
fn output_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.json").display().to_string();
    let b = tmp.path().join("b.json").display().to_string();
    let env = [("SOURCE_DATE_EPOCH", "1600000000")];
    for out in [&a, &b] {
        let o = Command::new(env!("CARGO_BIN_EXE_article-cards"))
            .args([
                "bundle",
                "tests/fixtures/ordering/in",
                "tests/fixtures/basic/in",
                "--out",
                out,
            ])
            .envs(env)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
    }
    let a = fs::read(&a).unwrap();
    assert_eq!(a, fs::read(&b).unwrap());
    let bundle: Bundle = serde_json::from_slice(&a).unwrap();
    assert_eq!(bundle.generated_at, "2020-09-13T12:26:40Z");
}
