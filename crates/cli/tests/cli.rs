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
use std::process::Command;

use bundle::Bundle;

#[path = "support/repo.rs"]
mod repo;

use repo::{run, stderr};

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
            .current_dir(repo::ROOT)
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

#[test]
fn finding_2_hostile_feed_pages_are_read_in_one_pass() {
    // Before the line index, a page of 200,000 `null` items took minutes
    // (each item's line was found by scanning everything before it). Now
    // every item is reported, in order and placed, up to the items cap.
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("nulls.json");
    let n = 200_000;
    let mut json = String::from("{\"page\":1,\"value\":[\n");
    json.push_str(&vec!["null"; n].join(",\n"));
    json.push_str("\n]}\n");
    fs::write(&page, json).unwrap();
    let out = out_path(tmp.path());
    let o = run(&["bundle", page.to_str().unwrap(), "--out", &out]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let cap = 100_000;
    assert_eq!(err.matches("is null; item skipped").count(), cap);
    // Item i is on line i + 2, after a comma on line i + 1 for i > 0.
    let last = format!(
        "nulls.json:{}:1: error: `value[{}]` is null",
        cap + 1,
        cap - 1
    );
    assert!(err.contains(&last), "{last}");
    let warning = format!(
        "nulls.json:{}:1: warning: `value` has {n} items; only the first {cap} are read (cap), {} items skipped",
        cap + 2,
        n - cap
    );
    assert!(err.contains(&warning), "{warning}");
    assert!(
        err.contains(&format!("({n} skipped)")),
        "{}",
        err.lines().last().unwrap()
    );
    assert!(!Path::new(&out).exists());
}

#[test]
fn finding_2_many_topics_are_deduplicated_in_one_pass() {
    // 60,000 topics, every one repeated in upper case: one hash set, so
    // linear (it compared each topic with every earlier one).
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("topics.json");
    let topics: Vec<String> = (0..60_000)
        .flat_map(|i| [format!("\"topic {i}\""), format!("\"TOPIC {i}\"")])
        .collect();
    fs::write(
        &page,
        format!(
            "{{\"value\":[{{\"title\":\"T\",\"webUrl\":\"https://t.example/a\",\"topics\":[{}]}}]}}",
            topics.join(",")
        ),
    )
    .unwrap();
    let out = out_path(tmp.path());
    let o = run(&["bundle", page.to_str().unwrap(), "--out", &out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(
        "`value[0].topics` has 60000 distinct entries; only the first 50 are kept (cap)"
    ));
    let bundle: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    let kept: Vec<String> = (0..50).map(|i| format!("topic {i}")).collect();
    assert_eq!(bundle.articles[0].topics, kept);
}

#[test]
fn finding_3_a_bundle_over_the_widget_limit_is_not_written() {
    // Each article is as large as the caps allow: 20 related records of
    // its own with 2 KiB URLs and full-length multi-byte titles (records
    // keep no excerpt; the one given is read and dropped).
    let tmp = tempfile::tempdir().unwrap();
    let long = |c: char, n: usize| std::iter::repeat_n(c, n).collect::<String>();
    let mut items = Vec::new();
    for i in 0..120 {
        let related: Vec<String> = (0..20)
            .map(|r| {
                format!(
                    "{{\"title\":\"{}\",\"excerpt\":\"{}\",\"webUrl\":\"https://big.example/{i}/{r}/{}\"}}",
                    long('é', 300),
                    long('漢', 600),
                    long('u', 1900)
                )
            })
            .collect();
        // The largest article comes last in the input and is named first.
        let title = if i == 119 {
            format!("Largest {}", long('x', 200))
        } else {
            format!("Article {i}")
        };
        items.push(format!(
            "{{\"title\":\"{title}\",\"webUrl\":\"https://big.example/{i}\",\"related\":[{}]}}",
            related.join(",")
        ));
    }
    let page = tmp.path().join("big.json");
    fs::write(&page, format!("{{\"value\":[{}]}}", items.join(",\n"))).unwrap();
    let out = out_path(tmp.path());
    fs::write(&out, "OLD").unwrap();
    let o = run(&["bundle", page.to_str().unwrap(), "--out", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&out).unwrap(), "OLD");
    let err = stderr(&o);
    let message = err.lines().last().unwrap();
    assert!(
        message.starts_with("article-cards: error: the bundle would be ")
            && message.contains("over the widget's 5.0 MiB limit; nothing written to"),
        "{message}"
    );
    let largest = message.split("Largest articles: ").nth(1).unwrap();
    assert!(largest.contains("`Largest xxx"), "{largest}");
    assert!(
        largest.find("`Largest").unwrap() < largest.find("`Article").unwrap(),
        "{largest}"
    );
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn finding_6_control_bytes_in_file_names_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}.md";
    fs::write(tmp.path().join(name), "no front matter\n").unwrap();
    fs::write(
        tmp.path().join("ok.md"),
        "---\ntitle: Fine\nwebUrl: https://ok.example/a\n---\n",
    )
    .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_path(out_dir.path());
    let o = run(&["bundle", tmp.path().to_str().unwrap(), "--out", &out]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains("evil\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{202e}.md:1:1: error: no front matter"),
        "{err}"
    );
    assert!(
        !err.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "raw control bytes reached stderr"
    );
}

#[test]
fn finding_6_bundle_mode_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let tmp = tempfile::tempdir().unwrap();
        let out = out_path(tmp.path());
        let o = Command::new("sh")
            .current_dir(repo::ROOT)
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_article-cards"))
            .args(["bundle", "tests/fixtures/basic/in", "--out", &out])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let got = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "umask {umask}: {got:o}");
    }
}

// Pipelines and CI (issue 21).

#[test]
fn out_dash_writes_the_bundle_to_stdout_and_diagnostics_to_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_article-cards"))
        .current_dir(repo::ROOT)
        .args(["bundle", "tests/fixtures/wrong_types/in", "--out", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bundle: Bundle = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!bundle.articles.is_empty());
    let err = stderr(&o);
    assert!(err.contains(": warning: "), "{err}");
    assert!(is_summary(err.lines().last().unwrap()), "{err}");
    // No file named `-` anywhere.
    assert!(!Path::new(repo::ROOT).join("-").exists());
    assert!(fs::read_dir(tmp.path()).unwrap().next().is_none());
}

#[test]
fn diagnostics_json_is_one_object_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let o = run(&[
        "bundle",
        "tests/fixtures/wrong_types/in",
        "--out",
        &out,
        "--diagnostics",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    let (summary, diags) = lines.split_last().unwrap();
    assert!(is_summary(summary), "{summary}");
    assert!(diags.len() > 5, "{err}");
    let mut severities = std::collections::BTreeSet::new();
    for line in diags {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = v.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["column", "line", "message", "path", "severity"],
            "{line}"
        );
        assert!(
            v["path"].as_str().unwrap().contains("wrong_types"),
            "{line}"
        );
        assert!(v["line"].is_u64() || v["line"].is_null(), "{line}");
        assert!(v["column"].is_u64() || v["column"].is_null(), "{line}");
        assert!(!v["message"].as_str().unwrap().is_empty());
        severities.insert(v["severity"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        severities.into_iter().collect::<Vec<_>>(),
        ["error", "warning"]
    );
    // The text form of the same run names the same problems.
    let text = run(&["bundle", "tests/fixtures/wrong_types/in", "--out", &out]);
    assert_eq!(stderr(&text).lines().count(), lines.len());
}

#[test]
fn check_validates_without_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_article-cards"))
        .current_dir(tmp.path())
        .args([
            "check",
            &Path::new(repo::ROOT)
                .join("tests/fixtures/site_jekyll/in")
                .display()
                .to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("checked 6 articles from 8 files (2 skipped, 1 warnings) in "),
        "{last}"
    );
    // Nothing written: no bundle, no feed state folder.
    assert!(fs::read_dir(tmp.path()).unwrap().next().is_none());

    // The same exit codes as `bundle`.
    let code = |args: &[&str]| run(args).status.code();
    assert_eq!(code(&["check", "tests/fixtures/no_articles/in"]), Some(1));
    assert_eq!(
        code(&["check", "tests/fixtures/wrong_types/in", "--strict"]),
        Some(1)
    );
    assert_eq!(
        code(&["check", "tests/fixtures/strict_clean/in", "--strict"]),
        Some(0)
    );
    assert_eq!(code(&["check", "tests/fixtures/does-not-exist"]), Some(2));
    assert_eq!(
        code(&["check", "tests/fixtures/basic/in", "--out", "x.json"]),
        Some(2)
    );
    assert_eq!(code(&["bundle", "tests/fixtures/basic/in"]), Some(2));
}

#[test]
fn since_takes_a_relative_age() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_path(tmp.path());
    let titles = |since: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_article-cards"))
            .current_dir(repo::ROOT)
            // 2021-05-02T12:00:00Z: "1d" is 2021-05-01T12:00:00Z.
            .env("SOURCE_DATE_EPOCH", "1619956800")
            .args(["bundle", "tests/fixtures/since/in", "--out", &out])
            .args(["--since", since])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let bundle: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
        let mut t: Vec<String> = bundle.articles.into_iter().map(|a| a.title).collect();
        t.sort();
        t
    };
    assert_eq!(titles("1d"), ["new", "updated only"]);
    assert_eq!(titles("36h"), ["boundary", "new", "updated only"]);
    assert_eq!(titles("1w").len(), 5);
    let bad = run(&[
        "bundle",
        "tests/fixtures/since/in",
        "--out",
        &out,
        "--since",
        "3x",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--since"), "{}", stderr(&bad));
}
