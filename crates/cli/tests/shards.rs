// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! `article-cards bundle --out-dir`: bundle v2 on disk. Every build is
//! checked against the format's invariants (`check_archive`): chains cover
//! exactly their articles once in newest order through `prev` links, pages
//! are counted from the oldest end, shard names are their content's hash,
//! and each page's record table is exactly what its articles reference.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::Path;
use std::process::Output;

use bundle::v2::{Manifest, Page};
use bundle::{Article, ArticleType};
use sha2::{Digest, Sha256};

#[path = "support/repo.rs"]
mod repo;

use repo::{run_dated as run, stderr};

#[path = "support/archive.rs"]
mod archive;
use archive::{chains, files, manifest, page, walk};

/// One invented article file.
struct Item {
    n: u32,
    /// Day of January 2026; `None`: undated.
    day: Option<u32>,
    topics: &'static [&'static str],
    provider: &'static str,
    video: bool,
    /// Other items' numbers, as explicit related items (bundled ones are
    /// records of the articles themselves), plus one outside link.
    related: &'static [u32],
}

impl Item {
    fn url(n: u32) -> String {
        format!("https://{}.example/news/{n}", "wire")
    }

    fn markdown(&self) -> String {
        let mut text = format!(
            "---\ntitle: \"Story {n}\"\nexcerpt: \"What happened in story {n}.\"\nwebUrl: \"{url}\"\n",
            n = self.n,
            url = Item::url(self.n)
        );
        if let Some(day) = self.day {
            text.push_str(&format!("publishedDateTime: 2026-01-{day:02}T10:00:00Z\n"));
        }
        if self.video {
            text.push_str("type: video\nfeaturedContent: \"<iframe src=\\\"https://www.youtube.com/embed/AbCdEfGhIjK\\\"></iframe>\"\n");
        } else {
            text.push_str("type: article\n");
        }
        text.push_str(&format!(
            "provider:\n  name: {p}\n  domain: {p}.example\n",
            p = self.provider
        ));
        if !self.topics.is_empty() {
            text.push_str(&format!("topics: [{}]\n", self.topics.join(", ")));
        }
        if !self.related.is_empty() {
            text.push_str("related:\n");
            for r in self.related {
                text.push_str(&format!(
                    "  - title: \"Story {r}\"\n    webUrl: \"{}\"\n",
                    Item::url(*r)
                ));
            }
            text.push_str(&format!(
                "  - title: \"Elsewhere on {n}\"\n    webUrl: \"https://elsewhere.example/{n}\"\n",
                n = self.n
            ));
        }
        text.push_str("---\n");
        text
    }

    fn write(&self, dir: &Path) {
        fs::write(dir.join(format!("{:03}.md", self.n)), self.markdown()).unwrap();
    }
}

const fn item(n: u32, day: u32, topics: &'static [&'static str], provider: &'static str) -> Item {
    Item {
        n,
        day: Some(day),
        topics,
        provider,
        video: false,
        related: &[],
    }
}

fn bundle_v2(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "bundle",
        input.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--related",
        "explicit",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

fn newest_key(a: &Article) -> (std::cmp::Reverse<Option<String>>, bool, String) {
    // Published descending, undated last, ties by id.
    (
        std::cmp::Reverse(a.published.clone()),
        a.published.is_none(),
        a.id.clone(),
    )
}

fn sorted_newest(mut v: Vec<Article>) -> Vec<Article> {
    v.sort_by(|a, b| {
        let (x, y) = (newest_key(a), newest_key(b));
        x.1.cmp(&y.1).then(x.0.cmp(&y.0)).then(x.2.cmp(&y.2))
    });
    v
}

/// Checks every invariant of the format on the output directory and
/// returns the shard paths the manifest reaches.
fn check_archive(dir: &Path) -> BTreeSet<String> {
    let m = manifest(dir);
    let size = m.page_size as usize;
    let mut reached = BTreeSet::new();
    let mut articles: HashMap<String, Article> = HashMap::new();
    let mut chain_members: Vec<(String, Vec<String>)> = Vec::new();
    for (label, chain) in chains(&m) {
        let pages = walk(dir, chain);
        // Full pages from the oldest end; the newest holds 1..=size.
        for (i, (path, p)) in pages.iter().enumerate() {
            if i == 0 {
                assert!((1..=size).contains(&p.articles.len()), "{label}: {path}");
            } else {
                assert_eq!(p.articles.len(), size, "{label}: {path} is not full");
            }
        }
        // The entry: the newest pages, just enough for a page's worth.
        let want_entry = if pages.len() >= 2 && pages[0].1.articles.len() < size {
            2
        } else {
            pages.len().min(1)
        };
        let entry: Vec<&str> = pages
            .iter()
            .take(want_entry)
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(chain.pages, entry, "{label}");
        let mut ids = Vec::new();
        for (path, p) in &pages {
            let referenced: BTreeSet<&str> = p
                .articles
                .iter()
                .flat_map(|a| a.related.iter().map(String::as_str))
                .collect();
            let table: BTreeSet<&str> = p.related.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(table, referenced, "{label}: {path}: records");
            for a in &p.articles {
                ids.push(a.id.clone());
                if let Some(other) = articles.insert(a.id.clone(), a.clone()) {
                    assert_eq!(&other, a, "{label}: article {} differs between pages", a.id);
                }
            }
            reached.insert(path.clone());
        }
        assert_eq!(ids.len(), chain.count as usize, "{label}: count");
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{label}: an article twice");
        chain_members.push((label, ids));
    }
    // Membership and order of each chain.
    let all: Vec<Article> = sorted_newest(articles.values().cloned().collect());
    assert_eq!(m.count as usize, all.len());
    let want = |f: &dyn Fn(&Article) -> bool| -> Vec<String> {
        all.iter().filter(|a| f(a)).map(|a| a.id.clone()).collect()
    };
    for (label, ids) in &chain_members {
        let expected = if label == "all" {
            want(&|_| true)
        } else if let Some(t) = label.strip_prefix("topic ") {
            want(&|a| {
                a.topics
                    .iter()
                    .any(|x| x.to_lowercase() == t.to_lowercase())
            })
        } else if let Some(p) = label.strip_prefix("provider ") {
            want(&|a| a.provider.as_deref() == Some(p))
        } else if label == "type video" {
            want(&|a| a.kind == ArticleType::Video)
        } else {
            want(&|a| a.kind == ArticleType::Article)
        };
        assert_eq!(ids, &expected, "{label}: members in newest order");
    }
    // Topics by count, then name; display names are used spellings.
    let order: Vec<(std::cmp::Reverse<u32>, &str)> = m
        .topics
        .iter()
        .map(|t| (std::cmp::Reverse(t.chain.count), t.name.as_str()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // Shard names are the hash of their bytes.
    for path in &reached {
        let bytes = fs::read(dir.join(path)).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(path, &format!("shards/{}.json", &hex[..24]));
        assert!(bytes.len() <= bundle::MAX_BUNDLE_BYTES);
    }
    reached
}

/// The small archive of the exact-set test: 7 articles, page size 3.
fn small_archive() -> Vec<Item> {
    vec![
        item(1, 1, &["Ports"], "harbour"),
        item(2, 2, &["ports"], "harbour"),
        item(3, 3, &["Ports", "Energy"], "harbour"),
        item(4, 4, &["Energy"], "harbour"),
        Item {
            related: &[1],
            ..item(5, 5, &["Ports"], "valley")
        },
        item(6, 6, &[], "valley"),
        item(7, 7, &["Energy"], "valley"),
    ]
}

#[test]
fn a_small_archive_makes_exactly_these_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    for it in small_archive() {
        it.write(&input);
    }
    let out = tmp.path().join("out");
    let o = bundle_v2(&input, &out, &["--page-size", "3"]);
    let reached = check_archive(&out);
    // all (7 = 3+3+1): 3 pages; type article: the same 3. Ports (1,2,3,5):
    // its oldest page is all's oldest, plus [5]; harbour (1..4): the same
    // oldest page, plus [4]; Energy (3,4,7) and valley (5,6,7): one page
    // each. 3 + 1 + 1 + 1 + 1 distinct shards.
    assert_eq!(reached.len(), 7, "{reached:?}");
    let mut want: BTreeSet<String> = reached.clone();
    want.insert("index.json".to_owned());
    want.insert(".article-cards/builds.json".to_owned());
    want.insert(".article-cards/page-names.bin".to_owned());
    want.insert(".article-cards/parse-cache.jsonl".to_owned());
    let got: BTreeSet<String> = files(&out).into_keys().collect();
    assert_eq!(got, want);

    let m = manifest(&out);
    assert_eq!(m.version, 2);
    assert_eq!(m.page_size, 3);
    assert_eq!(m.count, 7);
    assert_eq!(m.generated_at, "2026-03-01T00:00:00Z");
    let topics: Vec<(&str, u32)> = m
        .topics
        .iter()
        .map(|t| (t.name.as_str(), t.chain.count))
        .collect();
    assert_eq!(topics, vec![("Ports", 4), ("Energy", 3)]);
    assert_eq!(m.all.pages.len(), 2);
    assert_eq!(m.types.article.as_ref(), Some(&m.all));
    assert_eq!(m.types.video, None);
    let keys: Vec<&String> = m.provider_chains.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec!["harbour.example", "valley.example"]);
    assert_eq!(m.providers.len(), 2);
    // Story 5's page holds its two records: story 1 (bundled) and the
    // outside link.
    let newest = page(&out, &m.all.pages[1]);
    let titles: Vec<&str> = newest.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, vec!["Story 6", "Story 5", "Story 4"]);
    let records: Vec<&str> = newest
        .related
        .iter()
        .map(|(_, r)| r.title.as_str())
        .collect();
    assert_eq!(records.len(), 2);
    assert!(records.contains(&"Story 1") && records.contains(&"Elsewhere on 5"));
    assert!(stderr(&o).contains("into 7 shards (7 written, 0 pruned)"));

    // The same inputs again: the same shards, nothing written.
    let before = files(&out);
    let o = bundle_v2(&input, &out, &["--page-size", "3"]);
    assert!(
        stderr(&o).contains("into 7 shards (0 written, 0 pruned)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(files(&out).len(), before.len());
    for path in &reached {
        assert_eq!(fs::read(out.join(path)).unwrap(), before[path]);
    }
}

/// A larger archive with every kind of chain, undated articles and
/// articles on several topics.
fn varied_archive(count: u32) -> Vec<Item> {
    const TOPICS: [&[&str]; 5] = [
        &["Ports"],
        &["Energy", "ports"],
        &[],
        &["Science", "Energy", "PORTS"],
        &["science"],
    ];
    const PROVIDERS: [&str; 3] = ["harbour", "valley", "orbit"];
    (1..=count)
        .map(|n| Item {
            n,
            day: if n % 11 == 0 { None } else { Some(1 + n % 28) },
            topics: TOPICS[n as usize % TOPICS.len()],
            provider: PROVIDERS[n as usize % PROVIDERS.len()],
            video: n % 7 == 0,
            related: if n % 5 == 0 { &[1, 2] } else { &[] },
        })
        .collect()
}

#[test]
fn prev_links_cover_every_chain_once_in_newest_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    for it in varied_archive(61) {
        it.write(&input);
    }
    for size in ["1", "4", "24", "100"] {
        let out = tmp.path().join(format!("out-{size}"));
        bundle_v2(&input, &out, &["--page-size", size]);
        let reached = check_archive(&out);
        let m = manifest(&out);
        assert_eq!(m.count, 61);
        assert!(m.types.video.is_some());
        assert_eq!(m.topics.len(), 3);
        // No shard on disk that the manifest does not reach.
        let on_disk: BTreeSet<String> = files(&out)
            .into_keys()
            .filter(|k| k.starts_with("shards/"))
            .collect();
        assert_eq!(on_disk, reached, "page size {size}");
    }
    // --pretty pages are the same pages, indented.
    let out = tmp.path().join("out-pretty");
    bundle_v2(&input, &out, &["--page-size", "4", "--pretty"]);
    check_archive(&out);
    let plain = manifest(&tmp.path().join("out-4"));
    let pretty = manifest(&out);
    assert_eq!(plain.all.count, pretty.all.count);
    let a = walk(&tmp.path().join("out-4"), &plain.all);
    let b = walk(&out, &pretty.all);
    let ids = |w: &[(String, Page)]| -> Vec<String> {
        w.iter()
            .flat_map(|(_, p)| p.articles.iter().map(|a| a.id.clone()))
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
}

/// The chains of a manifest that hold an article.
fn chains_with(m: &Manifest, dir: &Path, id: &str) -> Vec<String> {
    chains(m)
        .into_iter()
        .filter(|(_, c)| {
            walk(dir, c)
                .first()
                .is_some_and(|(_, p)| p.articles.iter().any(|a| a.id == id))
        })
        .map(|(label, _)| label)
        .collect()
}

#[test]
fn a_newer_article_changes_only_the_newest_page_of_its_chains() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    let items = varied_archive(61);
    for it in &items {
        it.write(&input);
    }
    let out = tmp.path().join("out");
    bundle_v2(&input, &out, &["--page-size", "4"]);
    let first = files(&out);
    let first_reached = check_archive(&out);
    let m1 = manifest(&out);
    #[cfg(unix)]
    let inodes: HashMap<String, u64> = {
        use std::os::unix::fs::MetadataExt;
        first_reached
            .iter()
            .map(|p| (p.clone(), fs::metadata(out.join(p)).unwrap().ino()))
            .collect()
    };

    // Newer than every other, on two topics, a provider and a type.
    Item {
        n: 500,
        day: Some(30),
        topics: &["Energy", "Science"],
        provider: "valley",
        video: false,
        related: &[3],
    }
    .write(&input);
    let o = bundle_v2(&input, &out, &["--page-size", "4"]);
    let second = files(&out);
    let second_reached = check_archive(&out);
    let m2 = manifest(&out);
    let new_id = walk(&out, &m2.all)[0].1.articles[0].id.clone();
    let holding = chains_with(&m2, &out, &new_id);
    assert_eq!(
        holding,
        vec![
            "all",
            "topic Energy",
            "topic Science",
            "provider valley.example",
            "type article"
        ]
    );

    // Files this build created: only newest pages of those chains.
    let created: BTreeSet<&String> = second.keys().filter(|k| !first.contains_key(*k)).collect();
    let newest_pages: BTreeSet<String> = chains(&m2)
        .into_iter()
        .filter(|(label, _)| holding.contains(label))
        .map(|(_, c)| c.pages[0].clone())
        .collect();
    for path in &created {
        assert!(newest_pages.contains(*path), "{path} is not a newest page");
    }
    assert!(!created.is_empty() && created.len() <= holding.len());
    assert!(
        stderr(&o).contains(&format!("({} written, 0 pruned)", created.len())),
        "{}",
        stderr(&o)
    );
    // Changed files: the manifest and the build log, nothing else.
    let changed: Vec<&String> = first
        .keys()
        .filter(|k| second.get(*k).is_some_and(|b| b != &first[*k]))
        .collect();
    assert_eq!(
        changed,
        vec![
            ".article-cards/builds.json",
            ".article-cards/page-names.bin",
            ".article-cards/parse-cache.jsonl",
            "index.json"
        ]
    );
    // Every page but the newest of each chain is the same file as before,
    // never rewritten.
    for (label, chain) in chains(&m2) {
        for (i, (path, _)) in walk(&out, chain).iter().enumerate() {
            let is_new_page = i == 0 && holding.contains(&label);
            if !is_new_page {
                assert!(first_reached.contains(path), "{label}: {path} changed");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    assert_eq!(fs::metadata(out.join(path)).unwrap().ino(), inodes[path]);
                }
            }
        }
    }
    // Chains without the article have the same entry.
    for ((label, c1), (_, c2)) in chains(&m1).into_iter().zip(chains(&m2)) {
        if !holding.contains(&label) && label.starts_with("provider") {
            assert_eq!(c1, c2, "{label}");
        }
    }
    // The first build's shards are all still there (--keep 2).
    assert!(first_reached.iter().all(|p| second.contains_key(p)));
    assert!(second_reached.len() > first_reached.len());
}

#[test]
fn keep_two_builds_prunes_the_third_oldest() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    for it in varied_archive(20) {
        it.write(&input);
    }
    let out = tmp.path().join("out");
    let mut reached: Vec<BTreeSet<String>> = Vec::new();
    for build in 0..3u32 {
        if build > 0 {
            // Each build adds a newer article on an existing topic.
            item(900 + build, 28, &["Ports"], "harbour").write(&input);
        }
        bundle_v2(&input, &out, &["--page-size", "3", "--keep", "2"]);
        reached.push(check_archive(&out));
        if build == 0 {
            // Files of other kinds in shards/ are never deleted.
            fs::write(out.join("shards/README.txt"), "mine").unwrap();
            fs::write(out.join("shards/ABCDEF0123456789ABCDEF01.json"), "{}").unwrap();
        }
    }
    let on_disk: BTreeSet<String> = files(&out)
        .into_keys()
        .filter(|k| k.starts_with("shards/"))
        .collect();
    let mut want: BTreeSet<String> = reached[1].union(&reached[2]).cloned().collect();
    want.insert("shards/README.txt".to_owned());
    want.insert("shards/ABCDEF0123456789ABCDEF01.json".to_owned());
    assert_eq!(on_disk, want);
    let only_first: Vec<&String> = reached[0]
        .iter()
        .filter(|p| !reached[1].contains(*p) && !reached[2].contains(*p))
        .collect();
    assert!(!only_first.is_empty(), "the test must prune something");

    // With no build log, nothing is deleted, and the log starts again.
    fs::remove_dir_all(out.join(".article-cards")).unwrap();
    fs::write(out.join("shards/000000000000000000000000.json"), "{}").unwrap();
    bundle_v2(&input, &out, &["--page-size", "2", "--keep", "1"]);
    assert!(out.join("shards/000000000000000000000000.json").exists());
    // Next build with the log: the stale one goes.
    let o = bundle_v2(&input, &out, &["--page-size", "2", "--keep", "1"]);
    assert!(!out.join("shards/000000000000000000000000.json").exists());
    assert!(stderr(&o).contains(" pruned)"));
    let reached = check_archive(&out);
    let on_disk: BTreeSet<String> = files(&out)
        .into_keys()
        .filter(|k| k.starts_with("shards/") && bundle::v2::is_shard_path(k))
        .collect();
    assert_eq!(on_disk, reached);

    // A damaged log: a warning, nothing deleted.
    fs::write(out.join(".article-cards/builds.json"), "not json").unwrap();
    let o = bundle_v2(&input, &out, &["--page-size", "3", "--keep", "1"]);
    assert!(
        stderr(&o).contains("unreadable build log"),
        "{}",
        stderr(&o)
    );
    for p in &reached {
        assert!(out.join(p).exists(), "{p}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let file = tmp.path().join("b.json");
    let (o, f) = (out.to_str().unwrap(), file.to_str().unwrap());
    let input = "tests/fixtures/basic/in";
    for args in [
        vec!["bundle", input, "--out", f, "--out-dir", o],
        vec!["bundle", input],
        vec!["bundle", input, "--out-dir", o, "--page-size", "0"],
        vec!["bundle", input, "--out-dir", o, "--page-size", "101"],
        vec!["bundle", input, "--out-dir", o, "--keep", "0"],
        vec!["bundle", input, "--out", f, "--page-size", "10"],
        vec!["bundle", input, "--out", f, "--keep", "3"],
    ] {
        let r = run(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", stderr(&r));
        assert!(!out.exists() && !file.exists(), "{args:?} wrote something");
    }
}

#[test]
fn a_page_over_the_cap_is_refused_naming_its_largest_articles() {
    // Every article as large as the caps allow (20 related records of its
    // own, with 2 KiB URLs and full 4-byte-character titles); a page of 100 is
    // over the widget's limit, a page of 24 is not.
    let tmp = tempfile::tempdir().unwrap();
    let long = |c: char, n: usize| std::iter::repeat_n(c, n).collect::<String>();
    let mut items = Vec::new();
    for i in 0..120 {
        let related: Vec<String> = (0..20)
            .map(|r| {
                format!(
                    "{{\"title\":\"{}\",\"webUrl\":\"https://big.example/{i}/{r}/{}\"}}",
                    long('\u{1d11e}', 300),
                    long('u', 1900)
                )
            })
            .collect();
        // The oldest article is the largest: it is in the oldest page.
        let title = if i == 0 {
            format!("Largest {}", long('x', 200))
        } else {
            format!("Article {i}")
        };
        items.push(format!(
            "{{\"title\":\"{title}\",\"webUrl\":\"https://big.example/{i}\",\"publishedDateTime\":\"2025-01-01T00:{:02}:{:02}Z\",\"related\":[{}]}}",
            i / 60,
            i % 60,
            related.join(",")
        ));
    }
    let feed = tmp.path().join("big.json");
    fs::write(&feed, format!("{{\"value\":[{}]}}", items.join(",\n"))).unwrap();
    let out = tmp.path().join("out");
    let args = |size: &'static str| {
        vec![
            "bundle".to_owned(),
            feed.to_str().unwrap().to_owned(),
            "--out-dir".to_owned(),
            out.to_str().unwrap().to_owned(),
            "--page-size".to_owned(),
            size.to_owned(),
        ]
    };
    let a = args("100");
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let message = err.lines().last().unwrap();
    assert!(
        message.starts_with("article-cards: error: a page of 100 articles would be ")
            && message.contains("over the widget's 5.0 MiB limit; nothing written to"),
        "{message}"
    );
    let largest = message.split("Its largest articles: ").nth(1).unwrap();
    assert!(largest.contains("`Largest xxx"), "{largest}");
    assert!(largest.find("`Largest").unwrap() < largest.find("`Article").unwrap());
    // Nothing published; only the parse cache and the related memo,
    // valid whatever the output, are kept for the next run.
    let left: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(
        left,
        [
            ".article-cards/parse-cache.jsonl",
            ".article-cards/related-memo.bin"
        ],
        "nothing is written"
    );

    let a = args("24");
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    check_archive(&out);
}
