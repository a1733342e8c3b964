//! Bundle assembly: walk the inputs, parse files in parallel, merge
//! duplicates, filter, sort, and collect providers. Deterministic whatever
//! the file system order or thread timing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::images::{CacheOptions, CachedImage, ImageRole, cache_images};
use bundle::safe_url::is_absolute_http;
use bundle::{Article, BUNDLE_VERSION, Bundle, Image, ImageVariant, Provider, RelatedRecord};

use super::diag::{Diagnostic, Severity};
use super::raw::{Field, RawArticle, RawProvider, RawSite};
use super::resolve::{
    Origin, Post, Resolved, format_time, resolve_article, resolve_post, resolve_provider_record,
};
use super::site::{Site, SiteFlags, Sites, file_facts};
use super::source::{
    FileError, Locator, MAX_FEED_ITEMS, Seg, duplicate_top_level_keys, parse_front_matter,
    parse_yaml, read_feed, read_front_matter,
};

/// Extensions picked up when walking a directory (files named on the
/// command line are read whatever their name).
pub const INPUT_EXTENSIONS: [&str; 7] = ["md", "markdown", "txt", "json", "xml", "rss", "atom"];

/// What to bundle and how.
#[derive(Debug, Clone)]
pub struct BundleOptions {
    /// Provider records (`_data/organizations/*.md`).
    pub providers_dir: Option<PathBuf>,
    /// Prefix for site-relative image paths (`/assets/...`); must be an
    /// absolute http(s) URL (checked by the command).
    pub asset_base: Option<String>,
    /// Keep only articles published (else updated) at or after this time.
    pub since: Option<jiff::Timestamp>,
    /// Keep only articles with one of these topics (case-insensitive).
    pub topics: Vec<String>,
    /// `generatedAt`; now when `None`.
    pub generated_at: Option<jiff::Timestamp>,
    /// Worker threads; the available parallelism when `None`.
    pub threads: Option<usize>,
    /// Explicit related lists only, computed ones too, or none.
    pub related: crate::related::RelatedMode,
    /// Related items computed per article.
    pub related_limit: usize,
    /// Cache the bundle's images (`--cache-images`); `None`: leave them.
    pub images: Option<ImageCaching>,
    /// Static-site settings from the command line (`--base-url`,
    /// `--permalink`, `--provider-name`, `--provider-logo`); they win over
    /// each input folder's `_config.yml`/`hugo.toml`.
    pub site: SiteFlags,
    /// Feeds given by URL: the state folder and the address policy.
    pub feeds: crate::feeds::fetch::FeedOptions,
    /// The parse cache's directory (`--cache`, or `DIR/.article-cards`
    /// with `--out-dir`); `None`: every file is parsed.
    pub cache: Option<PathBuf>,
}

/// How to cache the images of a bundle.
#[derive(Debug, Clone)]
pub struct ImageCaching {
    /// The engine's options (directory, concurrency, offline, prune, …).
    pub cache: CacheOptions,
    /// Prepended to each cached file name in the bundle: `cache/`,
    /// `https://cdn.example/img/`, or empty (the bundle's own directory).
    /// Ends with `/` unless empty.
    pub base: String,
}

/// Hero variant widths above this are not used as the plain `src`.
pub const MAX_SRC_WIDTH: u32 = 1280;

/// Logos are cached for this CSS-pixel square (1× and 2×): the largest the
/// widget shows one (`.ac-mark[data-large]`, the placeholder of a missing
/// hero image, is 64 px; the inline mark is 20 px).
pub const LOGO_DISPLAY_SIZE: u32 = 64;

/// Image counts for the summary line (only with `--cache-images`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageStats {
    /// Distinct image URLs cached (fetched, not modified, or from the
    /// manifest).
    pub cached: usize,
    /// Distinct image URLs that kept their original URL (with a warning).
    pub failed: usize,
}

impl Default for BundleOptions {
    fn default() -> Self {
        BundleOptions {
            providers_dir: None,
            asset_base: None,
            since: None,
            topics: Vec::new(),
            generated_at: None,
            threads: None,
            related: crate::related::RelatedMode::Auto,
            related_limit: crate::related::RelatedConfig::default().k,
            images: None,
            site: SiteFlags::default(),
            feeds: crate::feeds::fetch::FeedOptions::default(),
            cache: None,
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Input files read (provider records not included).
    pub files: usize,
    /// Articles in the bundle.
    pub articles: usize,
    /// Files or items not bundled because of an error or `published: false`.
    pub skipped: usize,
    /// Copies dropped because another article had the same URL.
    pub merged: usize,
    /// Articles left out by `--since` / `--topic`.
    pub filtered: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Set when images were cached.
    pub images: Option<ImageStats>,
    /// With a parse cache: the files whose outcome came from it.
    pub cached: Option<usize>,
    /// With a parse cache and `--related auto`: the computed related
    /// lists taken from the last run's memo.
    pub related_reused: Option<usize>,
}

/// What one file yielded.
#[derive(Debug, Default)]
pub(crate) struct FileOutcome {
    pub(crate) articles: Vec<Resolved>,
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) skipped: usize,
}

/// A file's outcome and its line for the parse cache (`None`: not cached).
type Parsed = (FileOutcome, Option<crate::cache::CacheLine>);

/// A bundled candidate with its place in the input order.
struct Candidate {
    file: usize,
    resolved: Resolved,
}

/// Expands directories (recursively, hidden entries skipped) into a sorted,
/// de-duplicated list of files. Walk problems become diagnostics.
pub fn collect_files(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && has_input_extension(e.path()) => {
                    files.push(e.into_path());
                }
                Ok(_) => {}
                Err(e) => {
                    let at = e.path().unwrap_or(input.as_path()).display().to_string();
                    diags.push(Diagnostic::error(&at, format!("cannot read: {e}")));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, diags)
}

fn has_input_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| INPUT_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn file_error(path: &str, err: FileError) -> Diagnostic {
    Diagnostic::error(path, format!("{}; file skipped", err.message)).at(err.pos)
}

/// Reads, parses and resolves one input file. Never panics, never fails:
/// problems are in the outcome.
fn process_file(
    path: &Path,
    site: &Site,
    asset_base: Option<&str>,
    now: jiff::Timestamp,
    feeds: &crate::feeds::fetch::FeedContext,
) -> FileOutcome {
    let display = path.display().to_string();
    // RSS, Atom and JSON Feed, by content, and feeds given by URL.
    if let Some(feed) = crate::feeds::try_input(path, &display, asset_base, now, feeds) {
        return FileOutcome {
            articles: feed.articles,
            diags: feed.diags,
            skipped: feed.skipped,
        };
    }
    let mut out = FileOutcome::default();
    if is_json(path) {
        let mut items = match read_feed(path) {
            Ok(items) => items,
            Err(e) => {
                out.diags.push(file_error(&display, e));
                out.skipped += 1;
                return out;
            }
        };
        if items.len() > MAX_FEED_ITEMS {
            let pos = items.get(MAX_FEED_ITEMS).and_then(|(_, pos)| *pos);
            let left = items.len() - MAX_FEED_ITEMS;
            out.diags.push(
                Diagnostic::warning(
                    &display,
                    format!(
                        "`value` has {} items; only the first {MAX_FEED_ITEMS} are read (cap), {left} items skipped",
                        items.len()
                    ),
                )
                .at(pos),
            );
            out.skipped += left;
            items.truncate(MAX_FEED_ITEMS);
        }
        for (i, (item, item_pos)) in items.into_iter().enumerate() {
            let origin = Origin {
                path: &display,
                locator: None,
                prefix: vec![Seg::Key("value"), Seg::Index(i)],
                item_pos,
                asset_base,
                now,
            };
            match Field::<RawArticle>::from_value(item) {
                Field::Value(raw) => {
                    let (resolved, diags) = resolve_article(raw, &origin);
                    out.diags.extend(diags);
                    match resolved {
                        Some(r) => out.articles.push(r),
                        None => out.skipped += 1,
                    }
                }
                Field::Invalid { found, .. } => {
                    out.diags.push(
                        Diagnostic::error(
                            &display,
                            format!(
                                "`value[{i}]` should be a mapping, found {found}; item skipped"
                            ),
                        )
                        .at(item_pos),
                    );
                    out.skipped += 1;
                }
                Field::Absent => {
                    out.diags.push(
                        Diagnostic::error(&display, format!("`value[{i}]` is null; item skipped"))
                            .at(item_pos),
                    );
                    out.skipped += 1;
                }
            }
        }
        return out;
    }
    let fm = match read_front_matter(path) {
        Ok(fm) => fm,
        Err(e) => {
            out.diags.push(file_error(&display, e));
            out.skipped += 1;
            return out;
        }
    };
    let mut value = match parse_front_matter(&fm) {
        Ok(v) => v,
        Err(e) => {
            out.diags.push(file_error(&display, e));
            out.skipped += 1;
            return out;
        }
    };
    for (key, first, pos) in duplicate_top_level_keys(&fm) {
        out.diags.push(
            Diagnostic::warning(
                &display,
                format!("duplicate key `{key}` (first on line {first}); the last one is used"),
            )
            .at(Some(pos)),
        );
    }
    let keys = match &mut value {
        serde_json::Value::Object(map) => RawSite::take_from(map),
        _ => RawSite::default(),
    };
    let raw = match Field::<RawArticle>::from_value(value) {
        Field::Value(raw) => raw,
        other => {
            let found = match other {
                Field::Invalid { found, .. } => found,
                _ => "nothing (null)".to_owned(),
            };
            out.diags.push(
                Diagnostic::error(
                    &display,
                    format!("front matter should be a mapping, found {found}; file skipped"),
                )
                .at(Some((fm.first_line, 1))),
            );
            out.skipped += 1;
            return out;
        }
    };
    let locator = Locator::new(&fm);
    let origin = Origin {
        path: &display,
        locator: Some(&locator),
        prefix: Vec::new(),
        item_pos: None,
        asset_base,
        now,
    };
    let post = Post {
        keys,
        site,
        facts: file_facts(path, site.root.as_deref()),
        body: &fm.body,
    };
    let (resolved, diags) = resolve_post(raw, post, &origin);
    out.diags.extend(diags);
    match resolved {
        Some(r) => out.articles.push(r),
        None => out.skipped += 1,
    }
    out
}

/// Processes every file on a few worker threads, through the parse cache
/// when there is one; results in input order, each with its cache line.
fn process_all(
    files: &[PathBuf],
    sites: &Sites,
    asset_base: Option<&str>,
    threads: Option<usize>,
    now: jiff::Timestamp,
    feeds: &crate::feeds::fetch::FeedContext,
    cache: Option<&crate::cache::ParseCache>,
) -> Vec<Parsed> {
    let wanted = threads
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(NonZeroUsize::get)
        })
        .unwrap_or(1)
        .clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = files.get(i) else {
                break;
            };
            let site = sites.for_file(path);
            let parse = || process_file(path, site, asset_base, now, feeds);
            let (mut outcome, line) = match cache {
                Some(cache) => {
                    let display = path.display().to_string();
                    cache.through(path, &display, site, asset_base, now, parse)
                }
                None => (parse(), None),
            };
            // Held until every file is read: a file's one article must
            // not keep the room of four.
            outcome.articles.shrink_to_fit();
            outcome.diags.shrink_to_fit();
            done.push((i, (outcome, line)));
        }
        done
    };
    let batches: Vec<Vec<(usize, Parsed)>> = if wanted == 1 {
        vec![work()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..wanted)
                .filter_map(|_| {
                    std::thread::Builder::new()
                        .stack_size(16 * 1024 * 1024)
                        .spawn_scoped(s, work)
                        .ok()
                })
                .collect();
            // If no thread could start, work here; otherwise this thread
            // helps too.
            let mut all = vec![work()];
            for h in handles {
                if let Ok(batch) = h.join() {
                    all.push(batch);
                }
            }
            all
        })
    };
    let mut slots: Vec<Option<Parsed>> = (0..files.len()).map(|_| None).collect();
    for (i, outcome) in batches.into_iter().flatten() {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(outcome);
        }
    }
    slots
        .into_iter()
        .zip(files)
        .map(|(slot, path)| {
            slot.unwrap_or_else(|| {
                let failed = FileOutcome {
                    articles: Vec::new(),
                    diags: vec![Diagnostic::error(
                        &path.display().to_string(),
                        "internal error while reading this file; file skipped",
                    )],
                    skipped: 1,
                };
                (failed, None)
            })
        })
        .collect()
}

/// Provider records by domain, from `--providers DIR`.
fn load_provider_records(
    dir: &Path,
    asset_base: Option<&str>,
) -> (BTreeMap<String, Provider>, Vec<Diagnostic>) {
    let (files, mut diags) = collect_files(&[dir.to_path_buf()]);
    let mut records: BTreeMap<String, Provider> = BTreeMap::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for path in files.iter().filter(|p| !is_json(p)) {
        let display = path.display().to_string();
        let fm = match read_front_matter(path).and_then(|fm| parse_yaml(&fm).map(|v| (fm, v))) {
            Ok(x) => x,
            Err(e) => {
                diags.push(file_error(&display, e));
                continue;
            }
        };
        let (fm, value) = fm;
        let raw = match Field::<RawProvider>::from_value(value) {
            Field::Value(raw) => raw,
            _ => {
                diags.push(
                    Diagnostic::error(
                        &display,
                        "provider record should be a mapping; file skipped",
                    )
                    .at(Some((fm.first_line, 1))),
                );
                continue;
            }
        };
        let locator = Locator::new(&fm);
        let origin = Origin {
            path: &display,
            locator: Some(&locator),
            prefix: Vec::new(),
            item_pos: None,
            asset_base,
            now: jiff::Timestamp::now(),
        };
        let (record, d) = resolve_provider_record(raw, &origin);
        diags.extend(d);
        if let Some((key, provider)) = record {
            if let Some(first) = first_seen.get(&key) {
                diags.push(Diagnostic::warning(
                    &display,
                    format!("provider `{key}` is also defined in {first}; this record is ignored"),
                ));
            } else {
                first_seen.insert(key.clone(), display.clone());
                records.insert(key, provider);
            }
        }
    }
    (records, diags)
}

/// `a` is the better copy of a duplicated article: updated later, else more
/// fields set (input order breaks the remaining ties).
fn better(a: &Candidate, b: &Candidate) -> bool {
    (&a.resolved.merge_time, a.resolved.richness) > (&b.resolved.merge_time, b.resolved.richness)
}

/// Articles without explicit related items get computed ones (`--related
/// auto`), then the table of the records the articles reference is made,
/// each record once under its id: a bundled article's own record (its
/// provider and image, else the explicit item's), else the explicit item
/// (the first in bundle order when several articles name the same URL).
fn link_related(
    articles: &mut [Article],
    explicit: &HashMap<String, RelatedRecord>,
    opts: &BundleOptions,
    stats: &mut Stats,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, RelatedRecord> {
    let config = crate::related::RelatedConfig {
        k: opts.related_limit,
        ..crate::related::RelatedConfig::default()
    };
    // Computed lists are kept beside the parse cache for the next run.
    let (memo, memo_diags) = match &opts.cache {
        Some(dir) if opts.related == crate::related::RelatedMode::Auto => {
            crate::related::Memo::open(dir)
        }
        _ => (None, Vec::new()),
    };
    diags.extend(memo_diags);
    let computed = crate::related::apply_with(articles, opts.related, &config, memo.as_ref());
    if let Some(memo) = memo {
        if computed.refused > 0 {
            diags.push(Diagnostic::warning(
                &opts
                    .cache
                    .as_deref()
                    .map(|d| d.join(crate::related::MEMO_FILE).display().to_string())
                    .unwrap_or_default(),
                format!(
                    "{} implausible related memo entries; those lists computed again",
                    computed.refused
                ),
            ));
        }
        stats.related_reused = Some(computed.reused);
        diags.extend(memo.save(&computed.entries));
    }
    let bundled: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    // Hashed while it is filled and checked (a reference each), sorted
    // once at the end.
    let mut table: HashMap<String, RelatedRecord> = HashMap::with_capacity(articles.len());
    for rid in articles.iter().flat_map(|a| a.related.iter()) {
        if table.contains_key(rid) {
            continue;
        }
        let given = explicit.get(rid);
        let record = match bundled.get(rid.as_str()) {
            Some(article) => {
                let mut record = crate::related::record_of(article);
                if let Some(given) = given {
                    record.provider = record.provider.or_else(|| given.provider.clone());
                    record.image = record.image.or_else(|| given.image.clone());
                }
                record
            }
            None => match given {
                Some(given) => given.clone(),
                None => continue,
            },
        };
        table.insert(rid.clone(), record);
    }
    // Every reference names a record (computed ones always do).
    for article in articles.iter_mut() {
        article.related.retain(|rid| table.contains_key(rid));
    }
    table.into_iter().collect()
}

/// Bundles the given files and directories. Never fails: every problem is a
/// diagnostic; an empty bundle is still a bundle.
pub fn bundle_paths(inputs: &[PathBuf], opts: &BundleOptions) -> (Bundle, Vec<Diagnostic>, Stats) {
    let mut stats = Stats::default();
    let asset_base = opts.asset_base.as_deref();
    let now = opts.generated_at.unwrap_or_else(jiff::Timestamp::now);

    let (records, record_diags) = match &opts.providers_dir {
        Some(dir) => load_provider_records(dir, asset_base),
        None => (BTreeMap::new(), Vec::new()),
    };

    let (sites, walk, site_diags) = Sites::load(inputs, &opts.site);
    let (files, mut walk_diags) = collect_files(&walk);
    walk_diags.extend(site_diags);
    stats.files = files.len();
    let feeds = crate::feeds::fetch::FeedContext::new(&opts.feeds);
    let (cache, cache_diags) = match &opts.cache {
        Some(dir) => crate::cache::ParseCache::open(dir),
        None => (None, Vec::new()),
    };
    walk_diags.extend(cache_diags);
    let results = process_all(
        &files,
        &sites,
        asset_base,
        opts.threads,
        now,
        &feeds,
        cache.as_ref(),
    );
    let mut lines = Vec::with_capacity(results.len());
    let mut outcomes = Vec::with_capacity(results.len());
    for (outcome, line) in results {
        outcomes.push(outcome);
        lines.push(line);
    }
    if let Some(cache) = cache {
        stats.cached = Some(cache.hits());
        let entries = lines.iter().zip(&outcomes);
        walk_diags.extend(cache.save(entries.filter_map(|(l, o)| Some((l.as_ref()?, o)))));
    }
    drop(lines);

    // Per-file diagnostics stay with their file (merge reports join later).
    let mut file_diags: Vec<Vec<Diagnostic>> = Vec::with_capacity(outcomes.len());
    let mut candidates: Vec<Candidate> =
        Vec::with_capacity(outcomes.iter().map(|o| o.articles.len()).sum());
    for (file, outcome) in outcomes.into_iter().enumerate() {
        stats.skipped += outcome.skipped;
        file_diags.push(outcome.diags);
        candidates.extend(
            outcome
                .articles
                .into_iter()
                .map(|resolved| Candidate { file, resolved }),
        );
    }

    // Merge duplicates: group by canonical URL, keep the best copy.
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        groups
            .entry(c.resolved.article.url.clone())
            .or_default()
            .push(i);
    }
    let mut keep = vec![true; candidates.len()];
    for members in groups.values() {
        let Some(&first) = members.first() else {
            continue;
        };
        let mut best = first;
        for &m in members.iter().skip(1) {
            if let (Some(cm), Some(cb)) = (candidates.get(m), candidates.get(best))
                && better(cm, cb)
            {
                best = m;
            }
        }
        let Some(winner) = candidates.get(best) else {
            continue;
        };
        let winner_at = match winner.resolved.url_pos {
            Some((line, _)) => format!(
                "{}:{line}",
                files
                    .get(winner.file)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            None => files
                .get(winner.file)
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        };
        for &m in members {
            if m == best {
                continue;
            }
            if let Some(flag) = keep.get_mut(m) {
                *flag = false;
            }
            stats.merged += 1;
            if let Some(loser) = candidates.get(m) {
                let display = files
                    .get(loser.file)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let d = Diagnostic::warning(
                    &display,
                    format!(
                        "same URL as the article at {winner_at}; duplicate merged (the other copy is kept)"
                    ),
                )
                .at(loser.resolved.url_pos);
                if let Some(v) = file_diags.get_mut(loser.file) {
                    v.push(d);
                }
            }
        }
    }

    // Filters.
    let since = opts.since.map(format_time);
    let wanted_topics: HashSet<String> = opts
        .topics
        .iter()
        .map(|t| t.trim().to_lowercase())
        .collect();
    let mut providers: BTreeMap<String, Provider> = BTreeMap::new();
    // Article id → its file, for image diagnostics.
    let mut article_files: HashMap<String, String> = HashMap::new();
    // Filtered in place: the candidates are the largest thing held.
    let mut keep = keep.into_iter();
    let mut kept = candidates;
    kept.retain(|c| {
        if !keep.next().unwrap_or(false) {
            return false;
        }
        let r = &c.resolved;
        let recent = match &since {
            Some(s) => r.date_key.as_ref().is_some_and(|d| d >= s),
            None => true,
        };
        let on_topic = wanted_topics.is_empty()
            || r.article
                .topics
                .iter()
                .any(|t| wanted_topics.contains(&t.to_lowercase()));
        if recent && on_topic {
            if let Some(path) = files.get(c.file) {
                article_files
                    .entry(r.article.id.clone())
                    .or_insert_with(|| path.display().to_string());
            }
            // Candidates are in input order, so the first article naming
            // a provider defines it; later ones cannot rename it or give it
            // their logo. A provider record overrides what it sets.
            for (key, p) in &r.providers {
                if !providers.contains_key(key) {
                    let p = match records.get(key) {
                        Some(record) => Provider {
                            name: record.name.clone(),
                            domain: record.domain.clone().or_else(|| p.domain.clone()),
                            logo: record.logo.clone().or_else(|| p.logo.clone()),
                        },
                        None => p.clone(),
                    };
                    providers.insert(key.clone(), p);
                }
            }
            true
        } else {
            stats.filtered += 1;
            false
        }
    });

    // Newest first; undated last; ties by id.
    kept.sort_by(|a, b| {
        let (a, b) = (&a.resolved, &b.resolved);
        b.date_key
            .cmp(&a.date_key)
            .then_with(|| a.article.id.cmp(&b.article.id))
    });

    let mut articles = Vec::with_capacity(kept.len());
    let mut explicit: HashMap<String, RelatedRecord> = HashMap::new();
    for Candidate { resolved: r, .. } in kept {
        for (rid, record) in r.article.related.iter().zip(r.related) {
            explicit.entry(rid.clone()).or_insert(record);
        }
        articles.push(r.article);
    }
    let mut related = link_related(&mut articles, &explicit, opts, &mut stats, &mut walk_diags);
    drop(explicit);
    stats.articles = articles.len();

    let mut diags = record_diags;
    diags.extend(walk_diags);
    for mut v in file_diags {
        v.sort_by_key(|d| (d.line.unwrap_or(0), d.col.unwrap_or(0)));
        diags.extend(v);
    }
    if let Some(caching) = &opts.images {
        let (image_diags, image_stats) = cache_bundle_images(
            &mut articles,
            &mut related,
            &mut providers,
            caching,
            &article_files,
        );
        diags.extend(image_diags);
        stats.images = Some(image_stats);
    }
    stats.errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    stats.warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();

    let generated_at = format_time(now);
    let bundle = Bundle {
        version: BUNDLE_VERSION,
        generated_at,
        providers: providers.into(),
        related: related.into(),
        articles,
    };
    (bundle, diags, stats)
}

/// Where an image is used: the file of the first article that shows it.
fn note_use(
    uses: &mut Vec<(String, ImageRole, String)>,
    image: Option<&Image>,
    role: ImageRole,
    path: &str,
) {
    if let Some(img) = image
        && is_absolute_http(&img.src)
    {
        uses.push((img.src.clone(), role, path.to_owned()));
    }
}

/// Caches every absolute http(s) image of the articles, their related items
/// and the providers' logos (relative URLs are already local), then points
/// each cached [`Image`] at its copies. An image that could not be cached
/// keeps its URL, with a warning; no article is ever dropped.
pub fn cache_bundle_images(
    articles: &mut [Article],
    related: &mut BTreeMap<String, RelatedRecord>,
    providers: &mut BTreeMap<String, Provider>,
    caching: &ImageCaching,
    article_files: &HashMap<String, String>,
) -> (Vec<Diagnostic>, ImageStats) {
    let logo = ImageRole::Logo {
        display_size: LOGO_DISPLAY_SIZE,
    };
    let mut uses: Vec<(String, ImageRole, String)> = Vec::new();
    let mut provider_files: HashMap<String, String> = HashMap::new();
    for article in articles.iter() {
        let path = article_files
            .get(&article.id)
            .map_or(article.url.as_str(), String::as_str);
        note_use(&mut uses, article.image.as_ref(), ImageRole::Hero, path);
        let records = || article.related.iter().filter_map(|rid| related.get(rid));
        for record in records() {
            note_use(&mut uses, record.image.as_ref(), ImageRole::Hero, path);
        }
        for key in article
            .provider
            .iter()
            .chain(records().filter_map(|r| r.provider.as_ref()))
        {
            provider_files
                .entry(key.clone())
                .or_insert_with(|| path.to_owned());
        }
    }
    for (key, provider) in providers.iter() {
        let path = provider_files.get(key).map_or(key.as_str(), String::as_str);
        note_use(&mut uses, provider.logo.as_ref(), logo, path);
    }

    let requests: Vec<(String, ImageRole)> = uses
        .iter()
        .map(|(url, role, _)| (url.clone(), *role))
        .collect();
    let report = cache_images(&requests, &caching.cache);

    let dir = caching.cache.dir.display().to_string();
    let mut diags: Vec<Diagnostic> = report
        .warnings
        .iter()
        .map(|w| Diagnostic::warning(&dir, w.clone()))
        .collect();
    let mut stats = ImageStats::default();
    let mut reported: HashSet<&str> = HashSet::new();
    for (url, _, path) in &uses {
        if !reported.insert(url.as_str()) {
            continue;
        }
        match report.images.get(url) {
            Some(Ok(_)) => stats.cached += 1,
            Some(Err(why)) => {
                stats.failed += 1;
                diags.push(Diagnostic::warning(
                    path,
                    format!("image {url} not cached: {why}; its original URL is kept"),
                ));
            }
            None => {
                stats.failed += 1;
                diags.push(Diagnostic::warning(
                    path,
                    format!("image {url} not cached: no result; its original URL is kept"),
                ));
            }
        }
    }

    let rewrite = |image: &mut Option<Image>| {
        if let Some(img) = image
            && let Some(Ok(cached)) = report.images.get(&img.src)
        {
            apply_cached(img, cached, &caching.base);
        }
    };
    for article in articles.iter_mut() {
        rewrite(&mut article.image);
    }
    for record in related.values_mut() {
        rewrite(&mut record.image);
    }
    for provider in providers.values_mut() {
        rewrite(&mut provider.logo);
    }
    (diags, stats)
}

/// Points `image` at its cached copies under `base`.
pub fn apply_cached(image: &mut Image, cached: &CachedImage, base: &str) {
    let variants: Vec<ImageVariant> = cached
        .variants
        .iter()
        .map(|v| ImageVariant {
            src: format!("{base}{}", v.file),
            width: v.width,
            height: v.height,
            mime: v.mime.to_owned(),
        })
        .collect();
    let fallback = cached.fallback_mime();
    let of_type = |v: &&ImageVariant| fallback.is_none_or(|m| v.mime == m);
    let best = variants
        .iter()
        .filter(of_type)
        .filter(|v| v.width <= MAX_SRC_WIDTH)
        .max_by_key(|v| v.width)
        .or_else(|| variants.iter().filter(of_type).min_by_key(|v| v.width));
    let Some(best) = best else {
        return;
    };
    let original = std::mem::replace(&mut image.src, best.src.clone());
    image.original = Some(original);
    image.width = Some(cached.width);
    image.height = Some(cached.height);
    image.placeholder = Some(cached.placeholder.clone());
    image.cached = true;
    image.variants = variants;
}
