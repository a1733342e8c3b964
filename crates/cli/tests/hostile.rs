// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The hostile corpus (format in `tests/hostile/README.md`): every input
//! under `tests/hostile/<kind>/` (and every file-system case built here) is
//! run, its outcome rendered as text and compared with `<case>.expected`;
//! `UPDATE_EXPECT=1 cargo test -p article-cards --test hostile` rewrites the
//! expectations. Besides the golden outcome, each case must keep the
//! invariants that hold for every hostile input: no panic, exit 0 or 1,
//! only http(s) or relative URLs in a written bundle, no control
//! characters in its text, and a bundle the widget accepts in size.

#[path = "support/png.rs"]
mod png;
#[path = "support/repo.rs"]
mod repo;
use png::png_chunk;

use std::fmt::Write as _;
use std::fs;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

use article_cards::images::ImageRole;
use article_cards::images::process;
use article_cards::{Cli, run_with};
use bundle::safe_url::{is_absolute_http, is_safe_url};
use bundle::{Bundle, Image};
use clap::Parser;
use widget::decode::{MAX_BUNDLE_BYTES, decode};

/// Invariants that came with the fixes of ISSUE-18 (finding 6): no bidi
/// control in a bundle's text, control bytes and line breaks escaped in
/// diagnostics, the bundle written with the mode the umask gives. Turned
/// off, a breach is written into the case's outcome as `pending:` instead
/// of failing (how they were recorded before the fixes).
const REQUIRE_NO_BIDI: bool = true;
const REQUIRE_ESCAPED_DIAGNOSTICS: bool = true;
const REQUIRE_UMASK_MODE: bool = true;

/// Fixed generation time, so that "in the future" is the same on every run.
const SOURCE_DATE_EPOCH: &str = "1796083200"; // 2026-12-01T00:00:00Z
/// The URL bundles are decoded as if fetched from.
const BUNDLE_URL: &str = "https://cdn.example/bundles/news.json";
/// Hero widths used for image cases (the cache's defaults).
const WIDTHS: [u32; 4] = [320, 640, 960, 1280];
/// Diagnostics shown per case before the summary line.
const MAX_STDERR_LINES: usize = 40;
/// Longest text shown per field in an outcome.
const SHOWN_CHARS: usize = 100;

fn corpus_dir(kind: &str) -> PathBuf {
    repo::enter_root();
    Path::new("tests/hostile").join(kind)
}

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: every test calls this first, so no other thread of this
        // binary reads the environment while it is written.
        unsafe { std::env::set_var("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH) };
    });
}

// --- cases and expectations ---------------------------------------------

/// One case: its name, its input file (none for cases built here) and
/// extra CLI arguments from `<case>.args`.
struct Case {
    name: String,
    input: Option<PathBuf>,
    args: Vec<String>,
}

/// What running a case produced: the outcome text, and invariant breaches.
#[derive(Default)]
struct Outcome {
    text: String,
    broken: Vec<String>,
}

impl Outcome {
    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    /// An invariant breach that fails the case.
    fn broken(&mut self, what: impl Into<String>) {
        self.broken.push(what.into());
    }

    /// A breach of an invariant whose fix has not landed: recorded in the
    /// outcome, and a failure once `required`.
    fn pending(&mut self, required: bool, what: String) {
        if required {
            self.broken.push(what);
        } else {
            self.line(format!("pending: {what}"));
        }
    }
}

/// The committed cases of a kind: every file that is not an expectation or
/// argument file is one input. `.expected` files without an input that are
/// not in `built` are reported, so a renamed case cannot leave a silent
/// orphan behind.
fn committed_cases(kind: &str, built: &[&str]) -> (Vec<Case>, Vec<String>) {
    let dir = corpus_dir(kind);
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_suffix(".expected") {
            expected.push(stem.to_owned());
            continue;
        }
        if file.ends_with(".args") || file == "README.md" {
            continue;
        }
        let name = match file.rsplit_once('.') {
            Some((stem, _)) => stem.to_owned(),
            None => file.clone(),
        };
        let args = fs::read_to_string(dir.join(format!("{name}.args")))
            .map(|a| {
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        cases.push(Case {
            name,
            input: Some(path),
            args,
        });
    }
    for name in built {
        cases.push(Case {
            name: (*name).to_owned(),
            input: None,
            args: Vec::new(),
        });
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let mut problems = Vec::new();
    for pair in names.windows(2) {
        if pair[0] == pair[1] {
            problems.push(format!("{kind}/{}: two inputs share this name", pair[0]));
        }
    }
    for stem in expected {
        if !names.contains(&stem.as_str()) {
            problems.push(format!("{kind}/{stem}.expected: no input of that name"));
        }
    }
    (cases, problems)
}

/// Runs every case of a kind, compares outcomes with expectations and
/// fails once with the list of every case that went wrong.
fn run_kind(kind: &str, built: &[&str], run: impl Fn(&Case) -> Outcome) {
    setup();
    let (cases, mut failures) = committed_cases(kind, built);
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    for case in &cases {
        let label = format!("{kind}/{}", case.name);
        let outcome = match catch_unwind(AssertUnwindSafe(|| run(case))) {
            Ok(outcome) => outcome,
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{label}: panicked: {msg}"));
                continue;
            }
        };
        for b in &outcome.broken {
            failures.push(format!("{label}: invariant broken: {b}"));
        }
        let path = corpus_dir(kind).join(format!("{}.expected", case.name));
        if update {
            fs::write(&path, &outcome.text).unwrap();
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(want) if want == outcome.text => {}
            Ok(want) => failures.push(format!(
                "{label}: outcome differs (UPDATE_EXPECT=1 to accept)\n--- expected\n{want}--- got\n{}",
                outcome.text
            )),
            Err(_) => failures.push(format!(
                "{label}: no {} (UPDATE_EXPECT=1 writes it)",
                path.display()
            )),
        }
    }
    eprintln!("hostile/{kind}: {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} {kind} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// --- text checks --------------------------------------------------------

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text shown in an outcome: escaped (controls, bidi and other invisible
/// characters as `\u{..}`) and cut, so expectations stay plain lines.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(SHOWN_CHARS).collect();
    let more = if text.chars().nth(SHOWN_CHARS).is_some() {
        format!("…(+{} chars)", text.chars().count() - SHOWN_CHARS)
    } else {
        String::new()
    };
    format!("{:?}{more}", cut)
}

/// Checks one text field of a bundle: no control characters (a breach) and
/// no bidi controls (pending until the fix).
fn check_text(out: &mut Outcome, field: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        out.broken(format!("{field} holds the control character {c:?}"));
    }
    if let Some(c) = text.chars().find(|c| is_bidi_control(*c)) {
        out.pending(
            REQUIRE_NO_BIDI,
            format!("{field} holds the bidi control {c:?}"),
        );
    }
}

/// Every URL of a bundle with the field it came from.
fn urls(bundle: &Bundle) -> Vec<(String, &str)> {
    fn image<'a>(out: &mut Vec<(String, &'a str)>, at: &str, img: &'a Image) {
        out.push((format!("{at}.src"), &img.src));
        if let Some(o) = &img.original {
            out.push((format!("{at}.original"), o));
        }
        for (i, v) in img.variants.iter().enumerate() {
            out.push((format!("{at}.variants[{i}].src"), &v.src));
        }
    }
    let mut out = Vec::new();
    for (key, p) in bundle.providers.iter() {
        if let Some(logo) = &p.logo {
            image(&mut out, &format!("providers.{key}.logo"), logo);
        }
    }
    for (i, a) in bundle.articles.iter().enumerate() {
        out.push((format!("articles[{i}].url"), &a.url));
        if let Some(img) = &a.image {
            image(&mut out, &format!("articles[{i}].image"), img);
        }
    }
    for (rid, r) in bundle.related.iter() {
        out.push((format!("related.{rid}.url"), &r.url));
        if let Some(img) = &r.image {
            image(&mut out, &format!("related.{rid}.image"), img);
        }
    }
    out
}

/// How a bundler bundle's related table breaks its rule: the records the
/// articles reference, each under the id of its URL, and no other.
fn related_table_faults(bundle: &Bundle) -> Vec<String> {
    let mut faults = Vec::new();
    let mut referenced = std::collections::BTreeSet::new();
    for a in &bundle.articles {
        for (j, rid) in a.related.iter().enumerate() {
            if bundle.related.get(rid).is_none() {
                faults.push(format!(
                    "article {} related[{j}] names no record: {rid}",
                    a.id
                ));
            }
            if a.related[..j].contains(rid) {
                faults.push(format!("article {} names record {rid} twice", a.id));
            }
            referenced.insert(rid.as_str());
        }
    }
    for (rid, record) in bundle.related.iter() {
        if !referenced.contains(rid.as_str()) {
            faults.push(format!("related record {rid} is not referenced"));
        }
        if *rid != bundle::article_id(&record.url) {
            faults.push(format!("related record {rid} is not the id of its URL"));
        }
    }
    faults
}

/// Every text field of a bundle with the field it came from.
fn texts(bundle: &Bundle) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (key, p) in bundle.providers.iter() {
        out.push((format!("providers key {key:?}"), key.as_str()));
        out.push((format!("providers.{key}.name"), p.name.as_str()));
        if let Some(d) = &p.domain {
            out.push((format!("providers.{key}.domain"), d.as_str()));
        }
    }
    for (i, a) in bundle.articles.iter().enumerate() {
        out.push((format!("articles[{i}].title"), a.title.as_str()));
        if let Some(e) = &a.excerpt {
            out.push((format!("articles[{i}].excerpt"), e.as_str()));
        }
        for (j, t) in a.topics.iter().enumerate() {
            out.push((format!("articles[{i}].topics[{j}]"), t.as_str()));
        }
    }
    for (rid, r) in bundle.related.iter() {
        out.push((format!("related key {rid:?}"), rid.as_str()));
        out.push((format!("related.{rid}.title"), r.title.as_str()));
    }
    out
}

/// One line per article: what a reader would see of it, escaped.
fn describe_articles(out: &mut Outcome, bundle: &Bundle) {
    let keys: Vec<String> = bundle
        .providers
        .iter()
        .map(|(k, p)| format!("{} = {}", shown(k), shown(&p.name)))
        .collect();
    if !keys.is_empty() {
        let more = match keys.len() {
            n if n > 10 => format!(" … {} more", n - 10),
            _ => String::new(),
        };
        let first: Vec<&str> = keys.iter().take(10).map(String::as_str).collect();
        out.line(format!("providers: {}{more}", first.join(", ")));
    }
    for a in bundle.articles.iter().take(20) {
        let mut line = format!("- {} {}", shown(&a.title), shown(&a.url));
        if let Some(p) = &a.published {
            let _ = write!(line, " published={p}");
        }
        if let Some(p) = &a.provider {
            let _ = write!(line, " provider={}", shown(p));
        }
        if let Some(v) = &a.video {
            let _ = write!(line, " video={}", shown(&v.id));
        }
        if let Some(img) = &a.image {
            let _ = write!(line, " image={}", shown(&img.src));
        }
        if !a.topics.is_empty() {
            let _ = write!(line, " topics={}", a.topics.len());
        }
        if !a.related.is_empty() {
            let _ = write!(line, " related={}", a.related.len());
        }
        out.line(line);
    }
    if bundle.articles.len() > 20 {
        out.line(format!("- … {} more", bundle.articles.len() - 20));
    }
}

// --- the bundler: front matter, feeds, file-system cases ------------------

/// `Some(false)` when the file's permissions differ from what the process
/// umask gives a new file (0666 & !umask); `None` where that cannot be read.
fn mode_follows_umask(path: &Path) -> Option<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())?;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        Some(mode == 0o666 & !umask)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Runs `article-cards bundle <inputs> --related explicit [args]` in
/// process and renders exit code, diagnostics, articles and the widget's
/// reading of the written bundle.
fn run_bundler(
    inputs: &[PathBuf],
    args: &[String],
    names: &[(String, &str)],
    check_mode: bool,
) -> Outcome {
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("bundle.json");
    let mut argv: Vec<std::ffi::OsString> = vec!["article-cards".into(), "bundle".into()];
    argv.extend(inputs.iter().map(|p| p.clone().into_os_string()));
    argv.extend(["--out".into(), out_path.clone().into_os_string()]);
    // `{tmp}` in an argument is a fresh directory (for `--cache-images`).
    let tmp = out_dir.path().display().to_string();
    argv.extend(args.iter().map(|a| a.replace("{tmp}", &tmp).into()));
    if !args.iter().any(|a| a == "--related") {
        argv.extend(["--related".into(), "explicit".into()]);
    }
    let mut out = Outcome::default();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => {
            out.broken(format!("arguments refused: {e}"));
            return out;
        }
    };
    let mut err = Vec::new();
    let result = run_with(cli, &mut err);
    let (exit, last) = match &result {
        Ok(summary) => {
            let line = summary.to_string();
            let line = line
                .rsplit_once(" in ")
                .map_or(line.clone(), |(s, _)| s.to_owned());
            (0, line)
        }
        Err(e) => (e.exit_code(), format!("error: {e}")),
    };
    if exit > 1 {
        out.broken(format!("exit code {exit} (hostile input must give 0 or 1)"));
    }
    let mut stderr = String::from_utf8_lossy(&err).into_owned();
    stderr.push_str(&last);
    stderr = stderr
        .replace(&out_path.display().to_string(), "<out>")
        .replace(&tmp, "<tmp>");
    for (from, to) in names {
        stderr = stderr.replace(from.as_str(), to);
    }
    out.line(format!("exit: {exit}"));
    let mut raw_controls = false;
    let count = stderr.lines().count();
    for (i, line) in stderr.lines().enumerate() {
        // A line that is neither a diagnostic nor the last line was split
        // off one by a raw line break (a file name with a newline).
        let diagnostic = [": error: ", ": warning: ", ": note: "]
            .iter()
            .any(|s| line.contains(s));
        if line.chars().any(|c| c.is_control()) || !(diagnostic || i + 1 == count) {
            raw_controls = true;
        }
        // Long runs of diagnostics: the first ones and the last line.
        if i == MAX_STDERR_LINES && i + 1 < count {
            out.line(format!("| … {} more lines", count - 1 - i));
        }
        if i >= MAX_STDERR_LINES && i + 1 < count {
            continue;
        }
        // Escaped here so the expectation is plain text whatever it holds.
        let escaped: String = line
            .chars()
            .flat_map(|c| {
                let keep = !c.is_control() && !is_bidi_control(c);
                let esc: Vec<char> = if keep {
                    vec![c]
                } else {
                    c.escape_unicode().collect()
                };
                esc
            })
            .collect();
        out.line(format!("| {escaped}"));
    }
    if raw_controls {
        out.pending(
            REQUIRE_ESCAPED_DIAGNOSTICS,
            "diagnostics hold raw control characters".to_owned(),
        );
    }

    let written = out_path.exists();
    if written != (exit == 0) {
        out.broken(format!("exit {exit} but bundle written: {written}"));
    }
    if !written {
        return out;
    }
    if check_mode && mode_follows_umask(&out_path) == Some(false) {
        out.pending(
            REQUIRE_UMASK_MODE,
            "the bundle's mode is not the one the umask gives".to_owned(),
        );
    }
    let bytes = fs::read(&out_path).unwrap();
    if bytes.len() > MAX_BUNDLE_BYTES {
        out.broken(format!(
            "bundle of {} bytes is over the widget's {MAX_BUNDLE_BYTES}",
            bytes.len()
        ));
    }
    let bundle: Bundle = match serde_json::from_slice(&bytes) {
        Ok(b) => b,
        Err(e) => {
            out.broken(format!("written bundle does not read back: {e}"));
            return out;
        }
    };
    out.line(format!("articles: {}", bundle.articles.len()));
    describe_articles(&mut out, &bundle);
    for (field, url) in urls(&bundle) {
        if !is_safe_url(url) {
            out.broken(format!("{field} is not http(s) or relative: {url:?}"));
        }
    }
    for (field, text) in texts(&bundle) {
        check_text(&mut out, &field, text);
    }
    for why in related_table_faults(&bundle) {
        out.broken(why);
    }
    // What the bundler writes, the widget reads.
    match decode(&bytes, Some(BUNDLE_URL)) {
        Ok((decoded, warnings)) => {
            if decoded.articles.len() != bundle.articles.len() {
                out.line(format!(
                    "widget: {} of {} articles",
                    decoded.articles.len(),
                    bundle.articles.len()
                ));
            }
            for w in warnings {
                out.line(format!("widget warning: {}", shown(&w)));
            }
        }
        Err(e) => out.broken(format!("the widget refuses the bundle: {}", e.message)),
    }
    out
}

/// A committed article or feed file, bundled alone.
fn run_file(case: &Case) -> Outcome {
    let input = case.input.clone().unwrap();
    run_bundler(&[input], &case.args, &[], false)
}

#[test]
fn front_matter() {
    run_kind("front-matter", &[], run_file);
}

#[test]
fn feeds() {
    run_kind("feeds", &[], run_file);
}

/// A plain article, for file-system cases that need something to bundle.
fn article(slug: &str) -> String {
    format!(
        "---\ntitle: \"{slug}\"\nwebUrl: \"https://fs.example/{slug}\"\npublishedDateTime: 2021-05-01T10:00:00Z\n---\nbody\n"
    )
}

/// A file that is not an article, so a diagnostic names its path.
const BROKEN: &str = "not front matter\n";

#[cfg(unix)]
const FS_CASES: &[&str] = &[
    "symlink-to-etc-passwd",
    "symlink-to-etc-passwd-given",
    "symlink-loop",
    "dir-symlink-outside",
    "symlink-to-dev-zero",
    "finding-6-terminal-escape-name",
    "newline-in-name",
    "non-utf8-name",
    "bidi-name",
    "fifo",
    "empty-file",
    "bom-only",
    "hidden-and-dir-named-md",
    "deep-directories",
    "uppercase-extension",
    "finding-6-output-mode",
];

/// Builds a file-system case in `dir` (the input) and `outside` (a sibling
/// that is not an input); returns the inputs to give the bundler.
#[cfg(unix)]
fn build_fs_case(name: &str, dir: &Path, outside: &Path) -> Vec<PathBuf> {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    let write = |rel: &OsStr, text: &str| fs::write(dir.join(rel), text).unwrap();
    write(OsStr::new("good.md"), &article("good"));
    match name {
        "symlink-to-etc-passwd" => symlink("/etc/passwd", dir.join("passwd.md")).unwrap(),
        "symlink-to-etc-passwd-given" => {
            // Named on the command line, a link is followed like any path.
            symlink("/etc/passwd", dir.join("passwd.md")).unwrap();
            return vec![dir.join("good.md"), dir.join("passwd.md")];
        }
        "symlink-loop" => {
            symlink("b.md", dir.join("a.md")).unwrap();
            symlink("a.md", dir.join("b.md")).unwrap();
            symlink(".", dir.join("loop")).unwrap();
        }
        "dir-symlink-outside" => {
            fs::write(outside.join("secret.md"), article("secret")).unwrap();
            symlink(outside, dir.join("elsewhere")).unwrap();
        }
        "symlink-to-dev-zero" => symlink("/dev/zero", dir.join("zero.json")).unwrap(),
        "finding-6-terminal-escape-name" => {
            write(OsStr::new("\u{1b}[2J\u{1b}[31mred\u{7}.md"), BROKEN);
        }
        "newline-in-name" => write(OsStr::new("two\nlines.md"), BROKEN),
        "non-utf8-name" => write(OsStr::from_bytes(b"caf\xe9.md"), BROKEN),
        "bidi-name" => write(OsStr::new("invoice\u{202e}dm.txt"), BROKEN),
        "fifo" => {
            let status = std::process::Command::new("mkfifo")
                .arg(dir.join("pipe.md"))
                .status();
            // No mkfifo: the case still runs, without the pipe.
            let _ = status;
        }
        "empty-file" => write(OsStr::new("empty.md"), ""),
        "bom-only" => write(OsStr::new("bom.md"), "\u{feff}"),
        "hidden-and-dir-named-md" => {
            write(OsStr::new(".hidden.md"), &article("hidden"));
            fs::create_dir(dir.join("folder.md")).unwrap();
            fs::write(dir.join("folder.md/inside.md"), article("inside")).unwrap();
        }
        "deep-directories" => {
            let mut deep = dir.to_path_buf();
            for i in 0..60 {
                deep.push(format!("d{i}"));
            }
            fs::create_dir_all(&deep).unwrap();
            fs::write(deep.join("deep.md"), article("deep")).unwrap();
        }
        "uppercase-extension" => {
            write(OsStr::new("LOUD.MD"), &article("loud"));
            write(OsStr::new("feed.JSON"), "{\"page\": 1, \"value\": []}");
            write(OsStr::new("notes.md.bak"), &article("backup"));
        }
        // Only the bundle written for `good.md` matters here.
        "finding-6-output-mode" => {}
        other => panic!("no file-system case {other}"),
    }
    vec![dir.to_path_buf()]
}

#[cfg(unix)]
#[test]
fn file_system() {
    run_kind("fs", FS_CASES, |case| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("in");
        let outside = tmp.path().join("outside");
        fs::create_dir(&dir).unwrap();
        fs::create_dir(&outside).unwrap();
        let inputs = build_fs_case(&case.name, &dir, &outside);
        let names = vec![
            (dir.display().to_string(), "<in>"),
            (outside.display().to_string(), "<outside>"),
        ];
        let names: Vec<(String, &str)> = names.into_iter().collect();
        run_bundler(
            &inputs,
            &case.args,
            &names,
            case.name.contains("output-mode"),
        )
    });
}

// --- bundles, through the widget's decoder --------------------------------

fn decode_outcome(out: &mut Outcome, bytes: &[u8], base: Option<&str>) {
    match decode(bytes, base) {
        Err(e) => out.line(format!("error: {:?}: {}", e.kind, e.message)),
        Ok((bundle, warnings)) => {
            out.line(format!(
                "ok: {} articles, {} providers",
                bundle.articles.len(),
                bundle.providers.len()
            ));
            describe_articles(out, &bundle);
            for w in &warnings {
                out.line(format!("warning: {}", shown(w)));
            }
            for (field, url) in urls(&bundle) {
                let fine = match base {
                    // Resolved against the bundle's URL: absolute http(s).
                    Some(_) => is_absolute_http(url) && is_safe_url(url),
                    None => is_safe_url(url),
                };
                if !fine {
                    out.broken(format!("{field} is unsafe after decoding: {url:?}"));
                }
            }
            for (field, text) in texts(&bundle) {
                check_text(out, &field, text);
            }
        }
    }
}

#[test]
fn bundles() {
    run_kind("bundles", &[], |case| {
        let bytes = fs::read(case.input.as_ref().unwrap()).unwrap();
        let mut out = Outcome::default();
        decode_outcome(&mut out, &bytes, Some(BUNDLE_URL));
        // Without a base URL relative URLs stay relative; the verdict on
        // the rest must not change.
        let mut bare = Outcome::default();
        decode_outcome(&mut bare, &bytes, None);
        out.broken.extend(bare.broken);
        let first = |t: &str| t.lines().next().unwrap_or_default().to_owned();
        if first(&out.text).split(':').next() != first(&bare.text).split(':').next() {
            out.line(format!("without a base URL: {}", first(&bare.text)));
        }
        out
    });
}

// --- images, through the image processing ---------------------------------

/// The claimed Content-Type of an image case, from its extension.
fn content_type(name: &Path) -> Option<&'static str> {
    match name.extension()?.to_str()? {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "svg" => Some("image/svg+xml"),
        "html" => Some("text/html"),
        _ => None,
    }
}

/// A PNG of `w`×`h` 8-bit grey pixels, all zero, whatever the size: the
/// zlib stream is one fixed-Huffman block of back-references, so a
/// gigapixel header costs a few hundred KiB to build.
fn png_zeros(w: u32, h: u32, ihdr: (u32, u32)) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.n;
            self.n += bits;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u64, bits: u32) {
            let mut rev = 0;
            for i in 0..bits {
                rev |= ((code >> i) & 1) << (bits - 1 - i);
            }
            self.put(rev, bits);
        }
    }
    let total = (u64::from(w) + 1) * u64::from(h);
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    let mut left = total;
    if left > 0 {
        bits.code(0x30, 8); // literal 0
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xC5, 8); // length 258
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.put(0, 8 - bits.n);
    }
    let b = (total % 65521) as u32;
    bits.out.extend(((b << 16) | 1).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr_data = Vec::new();
    ihdr_data.extend(ihdr.0.to_be_bytes());
    ihdr_data.extend(ihdr.1.to_be_bytes());
    ihdr_data.extend([8, 0, 0, 0, 0]); // 8-bit grey, no interlace
    png_chunk(&mut png, b"IHDR", &ihdr_data);
    png_chunk(&mut png, b"IDAT", &bits.out);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// A small picture with some structure (so encoders have work to do).
fn picture(w: u32, h: u32, alpha: bool) -> image::DynamicImage {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let a = if alpha && (x + y) % 3 == 0 { 90 } else { 255 };
        image::Rgba([(x * 7) as u8, (y * 5) as u8, ((x ^ y) * 3) as u8, a])
    });
    if alpha {
        image::DynamicImage::ImageRgba8(img)
    } else {
        image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(img).into_rgb8())
    }
}

fn encoded(img: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Bytes from a `.gen` recipe (one line, see `tests/hostile/README.md`).
fn generate(recipe: &str) -> Vec<u8> {
    let words: Vec<&str> = recipe.split_whitespace().collect();
    let num = |i: usize| -> u32 { words[i].parse().unwrap() };
    match words.first().copied() {
        Some("truncate") => {
            let mut bytes = generate(&words[2..].join(" "));
            bytes.truncate(num(1) as usize);
            bytes
        }
        Some("append") => {
            // append <text> <recipe...>: bytes after the image's end.
            let mut bytes = generate(&words[2..].join(" "));
            bytes.extend(words[1].as_bytes());
            bytes
        }
        Some("flip") => {
            // flip <offset> <recipe...>: one byte inverted.
            let mut bytes = generate(&words[2..].join(" "));
            let at = num(1) as usize;
            if let Some(b) = bytes.get_mut(at) {
                *b = !*b;
            }
            bytes
        }
        Some("png") => encoded(&picture(num(1), num(2), false), image::ImageFormat::Png),
        Some("png-alpha") => encoded(&picture(num(1), num(2), true), image::ImageFormat::Png),
        Some("jpeg") => encoded(&picture(num(1), num(2), false), image::ImageFormat::Jpeg),
        Some("gif") => encoded(&picture(num(1), num(2), false), image::ImageFormat::Gif),
        Some("webp") => encoded(&picture(num(1), num(2), true), image::ImageFormat::WebP),
        Some("png-zeros") => png_zeros(num(1), num(2), (num(1), num(2))),
        Some("png-lying") => {
            // png-lying <w> <h> <real w> <real h>: a header that lies
            // about the data that follows.
            png_zeros(num(3), num(4), (num(1), num(2)))
        }
        Some("png-header") => {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            let mut ihdr = Vec::new();
            ihdr.extend(num(1).to_be_bytes());
            ihdr.extend(num(2).to_be_bytes());
            ihdr.extend([8, 2, 0, 0, 0]);
            png_chunk(&mut png, b"IHDR", &ihdr);
            png_chunk(&mut png, b"IEND", &[]);
            png
        }
        Some("jpeg-header") => {
            let (w, h) = (num(1) as u16, num(2) as u16);
            let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
            jpeg.extend(h.to_be_bytes());
            jpeg.extend(w.to_be_bytes());
            jpeg.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
            jpeg.extend([0xFF, 0xD9]);
            jpeg
        }
        Some("gif-header") => {
            let (w, h) = (num(1) as u16, num(2) as u16);
            let mut gif = b"GIF89a".to_vec();
            gif.extend(w.to_le_bytes());
            gif.extend(h.to_le_bytes());
            gif.extend([0, 0, 0]);
            // One image descriptor of the same size, no data.
            gif.push(0x2C);
            gif.extend([0, 0, 0, 0]);
            gif.extend(w.to_le_bytes());
            gif.extend(h.to_le_bytes());
            gif.extend([0, 2, 0]);
            gif.push(0x3B);
            gif
        }
        Some("webp-header") => {
            let (w, h) = (num(1) - 1, num(2) - 1);
            let mut chunk = vec![0u8; 4];
            chunk.extend(&w.to_le_bytes()[..3]);
            chunk.extend(&h.to_le_bytes()[..3]);
            let mut body = b"WEBP".to_vec();
            body.extend(b"VP8X");
            body.extend((chunk.len() as u32).to_le_bytes());
            body.extend(chunk);
            let mut webp = b"RIFF".to_vec();
            webp.extend((body.len() as u32).to_le_bytes());
            webp.extend(body);
            webp
        }
        Some("repeat") => {
            // repeat <byte> <count>
            let byte = u8::from_str_radix(words[1], 16).unwrap();
            vec![byte; num(2) as usize]
        }
        other => panic!("unknown recipe {other:?}"),
    }
}

#[test]
fn images() {
    run_kind("images", &[], |case| {
        let path = case.input.as_ref().unwrap();
        let (bytes, claimed) = if path.extension().is_some_and(|e| e == "gen") {
            // A recipe, then optionally `type <Content-Type>`.
            let text = fs::read_to_string(path).unwrap();
            let mut lines = text.lines();
            let recipe = lines.next().unwrap_or_default();
            let claimed = lines.find_map(|l| l.strip_prefix("type ")).map(str::trim);
            (generate(recipe), claimed.map(str::to_owned))
        } else {
            (
                fs::read(path).unwrap(),
                content_type(path).map(str::to_owned),
            )
        };
        let claimed = claimed.as_deref();
        let mut out = Outcome::default();
        out.line(format!("bytes: {}", bytes.len()));
        out.line(format!("sniffed: {:?}", process::sniff(&bytes)));
        match process::process(&bytes, claimed, ImageRole::Hero, &WIDTHS) {
            Err(why) => out.line(format!("refused: {why}")),
            Ok(p) => {
                out.line(format!(
                    "accepted: {}x{} placeholder {}",
                    p.width, p.height, p.placeholder
                ));
                if p.width > process::MAX_SIDE
                    || p.height > process::MAX_SIDE
                    || u64::from(p.width) * u64::from(p.height) > process::MAX_PIXELS
                {
                    out.broken("accepted over the size limits");
                }
                for f in &p.files {
                    out.line(format!("file: {}x{} {}", f.width, f.height, f.mime));
                    if f.width > p.width || f.height > p.height.max(1) || f.bytes.is_empty() {
                        out.broken(format!("bad variant {}x{}", f.width, f.height));
                    }
                }
                if p.files.is_empty() {
                    out.broken("accepted with no file");
                }
            }
        }
        out
    });
}
