// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Incremental builds (issue 20): a rebuild of a version 2 archive with
//! one newer article, with the default `--related auto`, writes the newest
//! page of each chain the article is in and the manifest, and nothing
//! else; the parse cache serves the unchanged files, misses a changed
//! one, drops a removed one and is ignored (with a warning) when damaged;
//! and every incremental result is the bytes a build from scratch makes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use bundle::v2::Chain;

#[path = "support/repo.rs"]
mod repo;

use repo::{run_dated as run, stderr};

#[path = "support/archive.rs"]
mod archive;
use archive::{chains, files, manifest, walk};

/// `bundle IN --out-dir OUT --page-size 5` with the default related mode.
fn build(input: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "bundle",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--page-size",
        "5",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stderr(&o)
}

const WORDS: [&str; 12] = [
    "harbour", "ferry", "crane", "tide", "rover", "clay", "lanes", "bridge", "solar", "grid",
    "storm", "river",
];
const TOPICS: [&str; 4] = ["Ports", "Energy", "Weather", "Transport"];
const PROVIDERS: [&str; 3] = ["harbour", "valley", "orbit"];

/// Article `n` of the generated archive: titles from a small vocabulary so
/// computed related lists are full and overlap, dates an hour apart in
/// January 2026 (`n` = 0 the oldest), two topics, one of three providers.
fn markdown(n: u32, title_extra: &str) -> String {
    let w = |k: u32| WORDS[((n * 7 + k * 5) % WORDS.len() as u32) as usize];
    let topic = |k: u32| TOPICS[((n + k) % TOPICS.len() as u32) as usize];
    format!(
        "---\ntitle: \"The {} and the {} {}{title_extra}\"\nexcerpt: \"A {} story about the {}.\"\n\
         webUrl: \"https://wire.example/news/{n}\"\npublishedDateTime: 2026-01-{:02}T{:02}:00:00Z\n\
         provider:\n  name: {p}\n  domain: {p}.example\ntopics: [{}, {}]\n---\n",
        w(0),
        w(1),
        w(2),
        w(3),
        w(0),
        1 + n / 24,
        n % 24,
        topic(0),
        topic(1),
        p = PROVIDERS[(n % 3) as usize],
    )
}

fn write_archive(input: &Path, count: u32) {
    fs::create_dir_all(input).unwrap();
    for n in 0..count {
        fs::write(input.join(format!("{n:03}.md")), markdown(n, "")).unwrap();
    }
}

/// Modification time and inode of every shard: a shard rewritten, even
/// with the same bytes, gets a new one.
fn stamps(dir: &Path) -> BTreeMap<String, (std::time::SystemTime, u64)> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir.join("shards")).unwrap() {
        let e = e.unwrap();
        let meta = e.metadata().unwrap();
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let ino = 0;
        out.insert(
            format!("shards/{}", e.file_name().to_str().unwrap()),
            (meta.modified().unwrap(), ino),
        );
    }
    out
}

/// The shards the manifest reaches.
fn reached(dir: &Path) -> BTreeSet<String> {
    let m = manifest(dir);
    chains(&m)
        .into_iter()
        .flat_map(|(_, c)| walk(dir, c).into_iter().map(|(p, _)| p))
        .collect()
}

/// The published part of a build (manifest and the shards it reaches),
/// which a build from scratch must reproduce byte for byte.
fn published(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let all = files(dir);
    let mut want = reached(dir);
    want.insert("index.json".to_owned());
    all.into_iter().filter(|(k, _)| want.contains(k)).collect()
}

fn from_scratch(input: &Path, scratch: &Path) -> BTreeMap<String, Vec<u8>> {
    let _ = fs::remove_dir_all(scratch);
    let log = build(input, scratch, &[]);
    assert!(
        log.contains(", 0 from the parse cache, 0 related lists reused)"),
        "{log}"
    );
    published(scratch)
}

/// The entries a parse cache holds, from its header.
fn cache_entries(out: &Path) -> usize {
    let bytes = fs::read(out.join(".article-cards/parse-cache.jsonl")).unwrap();
    let header = bytes.split(|&b| b == b'\n').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(header).unwrap();
    header["entries"].as_u64().unwrap() as usize
}

#[test]
fn one_newer_article_rewrites_only_the_newest_pages_of_its_chains() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let out = tmp.path().join("out");
    let scratch = tmp.path().join("scratch");
    write_archive(&input, 48);
    let log = build(&input, &out, &[]);
    assert!(
        log.contains(
            "48 files (0 skipped, 0 warnings, 0 from the parse cache, 0 related lists reused)"
        ),
        "{log}"
    );
    let first = files(&out);
    let first_stamps = stamps(&out);
    let m1 = manifest(&out);
    // The computed lists are full: the rule under test has work to do.
    let newest_page = &walk(&out, &m1.all)[0].1;
    assert!(newest_page.articles.iter().all(|a| a.related.len() == 6));

    // One article newer than all others, sharing words and topics with
    // most of them: under a global neighbour search it would enter many
    // older lists.
    fs::write(
        input.join("100.md"),
        "---\ntitle: \"The harbour ferry crane tide rover clay lanes bridge\"\n\
         excerpt: \"A solar grid storm river story.\"\nwebUrl: \"https://wire.example/news/100\"\n\
         publishedDateTime: 2026-01-20T00:00:00Z\nprovider:\n  name: valley\n  domain: valley.example\n\
         topics: [Ports, Energy]\n---\n",
    )
    .unwrap();
    let log = build(&input, &out, &[]);
    assert!(
        log.contains(
            "49 files (0 skipped, 0 warnings, 48 from the parse cache, 48 related lists reused)"
        ),
        "{log}"
    );
    let second = files(&out);
    let second_stamps = stamps(&out);
    let m2 = manifest(&out);
    let new_id = walk(&out, &m2.all)[0].1.articles[0].id.clone();
    assert_eq!(new_id, bundle::article_id("https://wire.example/news/100"));
    let holding: Vec<(String, &Chain)> = chains(&m2)
        .into_iter()
        .filter(|(_, c)| walk(&out, c)[0].1.articles.iter().any(|a| a.id == new_id))
        .collect();
    let labels: Vec<&str> = holding.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "all",
            "topic Energy",
            "topic Ports",
            "provider valley.example",
            "type article"
        ]
    );
    // The new shards are exactly the newest page of each of those chains
    // (`type article` is the same pages as `all`: one file).
    let newest: BTreeSet<String> = holding.iter().map(|(_, c)| c.pages[0].clone()).collect();
    assert_eq!(newest.len(), 4);
    let created: BTreeSet<String> = second
        .keys()
        .filter(|k| !first.contains_key(*k))
        .cloned()
        .collect();
    assert_eq!(created, newest);
    assert!(log.contains("(4 written, 0 pruned)"), "{log}");
    // Published files written: those pages and the manifest, at most the
    // chains the article is in plus one.
    let changed: Vec<&String> = first
        .keys()
        .filter(|k| second.get(*k).is_some_and(|b| b != &first[*k]))
        .collect();
    assert_eq!(
        changed,
        [
            ".article-cards/builds.json",
            ".article-cards/page-names.bin",
            ".article-cards/parse-cache.jsonl",
            ".article-cards/related-memo.bin",
            "index.json"
        ]
    );
    assert!(created.len() <= holding.len());
    // Every shard of the first build is still there, untouched: same
    // bytes, same modification time, same file.
    for (path, stamp) in &first_stamps {
        assert_eq!(second_stamps.get(path), Some(stamp), "{path} rewritten");
        assert_eq!(second[path], first[path], "{path}");
    }
    // Every chain's older pages are the first build's.
    for (label, chain) in chains(&m2) {
        for (i, (path, _)) in walk(&out, chain).iter().enumerate() {
            if i > 0 || !newest.contains(path) {
                assert!(first_stamps.contains_key(path), "{label}: {path} is new");
            }
        }
    }
    // And the whole is what a build from scratch makes.
    assert_eq!(published(&out), from_scratch(&input, &scratch));

    // Editing a file's content misses its cache entry: the change shows.
    let edited = markdown(10, " (corrected)");
    fs::write(input.join("010.md"), &edited).unwrap();
    let log = build(&input, &out, &[]);
    assert!(
        log.contains(
            "49 files (0 skipped, 0 warnings, 48 from the parse cache, 10 related lists reused)"
        ),
        "{log}"
    );
    let id10 = bundle::article_id("https://wire.example/news/10");
    let m3 = manifest(&out);
    let title = walk(&out, &m3.all)
        .into_iter()
        .flat_map(|(_, p)| p.articles)
        .find(|a| a.id == id10)
        .unwrap()
        .title;
    assert!(title.ends_with(" (corrected)"), "{title}");
    assert_eq!(published(&out), from_scratch(&input, &scratch));

    // A removed file leaves the output and the cache.
    fs::remove_file(input.join("020.md")).unwrap();
    let log = build(&input, &out, &[]);
    assert!(
        log.contains(
            "48 files (0 skipped, 0 warnings, 48 from the parse cache, 20 related lists reused)"
        ),
        "{log}"
    );
    let id20 = bundle::article_id("https://wire.example/news/20");
    let m4 = manifest(&out);
    assert_eq!(m4.count, 48);
    assert!(
        walk(&out, &m4.all)
            .into_iter()
            .flat_map(|(_, p)| p.articles)
            .all(|a| a.id != id20 && !a.related.contains(&id20))
    );
    assert_eq!(cache_entries(&out), 48);
    assert_eq!(published(&out), from_scratch(&input, &scratch));

    // --keep 2: only the shards of the last two builds are left.
    let on_disk: BTreeSet<String> = files(&out)
        .into_keys()
        .filter(|k| k.starts_with("shards/"))
        .collect();
    let mut want = reached(&out);
    want.extend(
        serde_json::from_slice::<serde_json::Value>(
            &fs::read(out.join(".article-cards/builds.json")).unwrap(),
        )
        .unwrap()["builds"][0]["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("shards/{}", s.as_str().unwrap())),
    );
    assert_eq!(on_disk, want);
    let pruned_some = first_stamps.keys().any(|k| !on_disk.contains(k));
    assert!(pruned_some, "the test must prune something");
}

/// A 12-article archive built into a fresh output folder, and one of the
/// cache files there to damage.
struct Damaged {
    _tmp: tempfile::TempDir,
    input: PathBuf,
    out: PathBuf,
    file: PathBuf,
    /// The published files a build from good inputs makes.
    want: BTreeMap<String, Vec<u8>>,
    /// What the log says when the next run uses the rewritten file.
    reused: &'static str,
}

impl Damaged {
    /// `file` is relative to the output folder.
    fn new(file: &str, reused: &'static str) -> Damaged {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let out = tmp.path().join("out");
        write_archive(&input, 12);
        build(&input, &out, &[]);
        let want = from_scratch(&input, &tmp.path().join("scratch"));
        Damaged {
            file: out.join(file),
            _tmp: tmp,
            input,
            out,
            want,
            reused,
        }
    }

    /// Writes `bytes` over the file: the build warns with `message` and
    /// publishes the same files, and the run after it uses the file it
    /// wrote again, without a warning.
    fn check(&self, what: &str, bytes: &[u8], message: &str) {
        fs::write(&self.file, bytes).unwrap();
        let log = build(&self.input, &self.out, &[]);
        assert!(log.contains(message), "{what}: {log}");
        assert!(log.contains(": warning: "), "{what}: {log}");
        assert_eq!(published(&self.out), self.want, "{what}");
        let log = build(&self.input, &self.out, &[]);
        assert!(log.contains(self.reused), "{what}: {log}");
        assert!(!log.contains(": warning: "), "{what}: {log}");
    }
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_with_a_warning() {
    let damaged = Damaged::new(
        ".article-cards/parse-cache.jsonl",
        "12 from the parse cache",
    );
    let (input, out, cache) = (&damaged.input, &damaged.out, &damaged.file);
    let good = fs::read(cache).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();

    // A title changed inside: the checksum no longer matches.
    let tampered = text.replacen("The ", "Thee ", 1);
    // A forged entry with a valid checksum, pointing an article at a
    // `javascript:` URL: the plausibility check refuses it.
    let (header, body) = text.split_once('\n').unwrap();
    let forged_body = body.replacen(
        "\"url\":\"https://wire.example/news/",
        "\"url\":\"javascript:alert(1)//",
        1,
    );
    assert_ne!(forged_body, body);
    let checksum: String = {
        use sha2::Digest;
        sha2::Sha256::digest(forged_body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let mut h: serde_json::Value = serde_json::from_str(header).unwrap();
    h["checksum"] = checksum.into();
    let forged = format!("{h}\n{forged_body}");
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("garbage", b"\x00\xffnot a cache".to_vec(), "unusable parse cache"),
        ("truncated", good[..good.len() / 2].to_vec(), "unusable parse cache"),
        ("tampered", tampered.into_bytes(), "checksum mismatch"),
        ("forged", forged.into_bytes(), "unusable parse cache entry"),
        (
            "foreign",
            b"{\"format\":\"something else\",\"version\":1,\"build\":\"\",\"entries\":0,\"checksum\":\"\"}\n"
                .to_vec(),
            "another format",
        ),
        ("empty", Vec::new(), "unusable parse cache"),
    ];
    for (what, bytes, message) in cases {
        damaged.check(what, &bytes, message);
    }
    // --strict counts the warning.
    fs::write(cache, b"junk").unwrap();
    let o = run(&[
        "bundle",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn cache_folder_with_out_and_what_misses_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let cache = tmp.path().join("cache");
    write_archive(&input, 10);
    let v1 = |out: &str, extra: &[&str]| -> (String, Vec<u8>) {
        let out = tmp.path().join(out);
        let mut args = vec![
            "bundle",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--cache",
            cache.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (stderr(&o), fs::read(out).unwrap())
    };
    let (log, first) = v1("a.json", &[]);
    assert!(log.contains("0 from the parse cache"), "{log}");
    assert!(cache.join("parse-cache.jsonl").is_file());
    let (log, second) = v1("b.json", &[]);
    assert!(log.contains("10 from the parse cache"), "{log}");
    assert_eq!(first, second);
    // An option that changes the parse is part of the key.
    let (log, _) = v1("c.json", &["--asset-base", "https://cdn.example/"]);
    assert!(log.contains("0 from the parse cache"), "{log}");
    // --no-cache reads and writes none; plain --out uses none.
    let out = tmp.path().join("d.json");
    let o = run(&[
        "bundle",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!stderr(&o).contains("parse cache"), "{}", stderr(&o));
    let dir = tmp.path().join("v2");
    let o = run(&[
        "bundle",
        input.to_str().unwrap(),
        "--out-dir",
        dir.to_str().unwrap(),
        "--no-cache",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!dir.join(".article-cards/parse-cache.jsonl").exists());
    // `check` writes nothing, a cache neither.
    let o = run(&[
        "check",
        input.to_str().unwrap(),
        "--cache",
        cache.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Every article's related list, by id.
fn lists(dir: &Path) -> BTreeMap<String, Vec<String>> {
    walk(dir, &manifest(dir).all)
        .into_iter()
        .flat_map(|(_, p)| p.articles)
        .map(|a| (a.id, a.related))
        .collect()
}

fn id(n: u32) -> String {
    bundle::article_id(&format!("https://wire.example/news/{n}"))
}

/// The related memo: a list is reused only when its article and every
/// older one are unchanged. Editing an older article recomputes the
/// lists of it and the articles newer than it (and those lists do
/// change), backdating a new article or changing `--related-limit`
/// recomputes all, and every result is what a build from scratch makes.
#[test]
fn the_related_memo_recomputes_what_an_older_change_reaches() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let out = tmp.path().join("out");
    let scratch = tmp.path().join("scratch");
    write_archive(&input, 30);
    build(&input, &out, &[]);
    let before = lists(&out);
    let log = build(&input, &out, &[]);
    assert!(log.contains("30 related lists reused"), "{log}");
    assert_eq!(lists(&out), before);

    // Article 5 (the sixth oldest) takes article 25's title, nothing
    // else: lists newer than it may now name it.
    let title = |text: &str| text.lines().nth(1).unwrap().to_owned();
    let text = markdown(5, "").replace(&title(&markdown(5, "")), &title(&markdown(25, "")));
    assert_ne!(text, markdown(5, ""));
    fs::write(input.join("005.md"), text).unwrap();
    let log = build(&input, &out, &[]);
    // Articles 0 to 4 are older than the edit: their lists are reused.
    assert!(
        log.contains("29 from the parse cache, 5 related lists reused)"),
        "{log}"
    );
    let after = lists(&out);
    for n in 0..5 {
        assert_eq!(after[&id(n)], before[&id(n)], "article {n}");
    }
    let changed: Vec<u32> = (6..30)
        .filter(|&n| after[&id(n)] != before[&id(n)])
        .collect();
    assert!(!changed.is_empty(), "the edit must change a newer list");
    assert!(after[&id(25)].contains(&id(5)), "{:?}", after[&id(25)]);
    assert_eq!(published(&out), from_scratch(&input, &scratch));

    // A new article older than all the others: every list is computed.
    fs::write(
        input.join("old.md"),
        "---\ntitle: \"The harbour ferry crane tide\"\nexcerpt: \"A rover story.\"\n\
         webUrl: \"https://wire.example/news/old\"\npublishedDateTime: 2025-12-01T00:00:00Z\n\
         topics: [Ports]\n---\n",
    )
    .unwrap();
    let log = build(&input, &out, &[]);
    assert!(log.contains(", 0 related lists reused)"), "{log}");
    assert_eq!(published(&out), from_scratch(&input, &scratch));

    // Another --related-limit is another key.
    let log = build(&input, &out, &["--related-limit", "3"]);
    assert!(log.contains(", 0 related lists reused)"), "{log}");
    assert!(lists(&out).values().all(|l| l.len() <= 3));
    let log = build(&input, &out, &["--related-limit", "3"]);
    assert!(log.contains(", 31 related lists reused)"), "{log}");
    // With --related explicit or off no memo is read or written.
    let memo = out.join(".article-cards/related-memo.bin");
    let kept = fs::read(&memo).unwrap();
    let log = build(&input, &out, &["--related", "off"]);
    assert!(!log.contains("related lists reused"), "{log}");
    assert_eq!(fs::read(&memo).unwrap(), kept);
}

#[test]
fn a_damaged_or_forged_memo_is_ignored_with_a_warning() {
    use sha2::Digest;
    let damaged = Damaged::new(".article-cards/related-memo.bin", "12 related lists reused");
    let good = fs::read(&damaged.file).unwrap();
    // Magic, version, build, entries, checksum; then entries of a key,
    // a count and that many places.
    let header = b"article-cards related memo\n".len() + 4 + 32 + 8 + 32;
    assert!(good.starts_with(b"article-cards related memo\n"));
    let resum = |mut bytes: Vec<u8>| {
        let sum = sha2::Sha256::digest(&bytes[header..]);
        bytes[header - 32..header].copy_from_slice(&sum);
        bytes
    };
    // The last entry (the newest article's) names older articles.
    let mut at = header;
    let mut last = None;
    while at < good.len() {
        let count = good[at + 32] as usize;
        if count > 0 {
            last = Some(at);
        }
        at += 33 + 4 * count;
    }
    assert_eq!(at, good.len());
    let last = last.unwrap();
    let mut tampered = good.clone();
    tampered[last + 33] ^= 1;
    // A valid checksum over a place that is not older than the article
    // (itself or newer), or a neighbour twice: implausible.
    let mut newer = good.clone();
    newer[last + 33..last + 37].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut twice = good.clone();
    let first_place: [u8; 4] = good[last + 33..last + 37].try_into().unwrap();
    twice[last + 37..last + 41].copy_from_slice(&first_place);
    let mut long = good.clone();
    long[last + 32] = 200;
    let cases: [(&str, Vec<u8>, &str); 8] = [
        (
            "garbage",
            b"\x00\xffnot a memo".to_vec(),
            "not a related memo",
        ),
        (
            "truncated",
            good[..good.len() - 3].to_vec(),
            "unusable related memo",
        ),
        ("tampered", tampered, "checksum mismatch"),
        ("newer", resum(newer), "implausible related memo entries"),
        ("twice", resum(twice), "implausible related memo entries"),
        ("too long", resum(long), "unusable related memo"),
        (
            "version",
            {
                let mut v = good.clone();
                v[27] = 9;
                v
            },
            "another format",
        ),
        ("empty", Vec::new(), "not a related memo"),
    ];
    for (what, bytes, message) in cases {
        damaged.check(what, &bytes, message);
        assert_eq!(fs::read(&damaged.file).unwrap(), good, "{what}");
    }
}
