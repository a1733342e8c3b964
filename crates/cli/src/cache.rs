//! The parse cache (`--out-dir DIR`: `DIR/.article-cards/parse-cache.jsonl`;
//! or `--cache DIR`): what each input file yielded last time (its resolved
//! articles, diagnostics and skipped count), reused when the file's bytes
//! and everything else its parse depends on are the same, so a rebuild
//! over the same inputs and one new file parses one file.
//!
//! An entry's key is the SHA-256 of the bundler's build, the file's
//! path, its site settings, `--asset-base` and its bytes. The only other
//! input of a parse is the time dates are clamped to (`generatedAt`): an
//! entry made at time `t` is reused at `t`, and later only when no date of
//! it was clamped.
//!
//! The file is untrusted like any input: it is read with a size cap, its
//! checksum and header must match, lines are found by their fixed-width
//! key without parsing, an entry is parsed only when its file asks for it
//! (by `serde_json`, linear), and a parsed entry must pass the bundle's
//! URL policy and caps before it is used. Anything else is a warning and
//! a cache started again, never a panic or a trusted article.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use bundle::safe_url::{is_absolute_http, is_safe_url};
use bundle::{
    Article, Image, MAX_EXCERPT_CHARS, MAX_RELATED, MAX_TITLE_CHARS, MAX_TOPICS, Provider,
    RelatedRecord, article_id,
};

use crate::build::FileOutcome;
use crate::diag::{Diagnostic, Severity};
use crate::hex;
use crate::resolve::{Resolved, format_time};
use crate::site::Site;

/// The cache file's name in its directory.
pub const CACHE_FILE: &str = "parse-cache.jsonl";
/// The format of the file; another value is another format.
const FORMAT: &str = "article-cards parse cache";
const VERSION: u32 = 1;
/// A cache file larger than this is not read (started again).
const MAX_CACHE_BYTES: u64 = 2 << 30;
/// Files larger than this are parsed every time: no reader of the bundler
/// reads further (JSON feed pages are capped at 256 MiB).
const MAX_CACHED_INPUT: u64 = crate::source::MAX_JSON_BYTES + 1;
/// `{"key":"` then 64 hex digits: every entry line starts so.
const KEY_PREFIX: &[u8] = b"{\"key\":\"";
const KEY_HEX: usize = 64;

type Key = [u8; 32];

/// The first line of the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    /// Hex SHA-256 of the bundler's build (see [`build_identity`]).
    build: String,
    entries: usize,
    /// Hex SHA-256 of every byte after this line.
    checksum: String,
}

/// One file's outcome, as written.
#[derive(Serialize)]
struct EntryOut<'a> {
    key: String,
    /// `generatedAt` of the parse, in seconds.
    at: i64,
    /// No date of the entry was clamped to `at` (nor is `at` written
    /// anywhere in it), so it holds at any later time.
    timeless: bool,
    skipped: usize,
    diags: Vec<DiagOut<'a>>,
    articles: Vec<ResolvedOut<'a>>,
}

#[derive(Serialize)]
struct DiagOut<'a> {
    path: &'a str,
    line: Option<u32>,
    col: Option<u32>,
    severity: u8,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResolvedOut<'a> {
    article: &'a Article,
    related: &'a [RelatedRecord],
    providers: &'a [(String, Provider)],
    date_key: &'a Option<String>,
    merge_time: &'a Option<String>,
    richness: usize,
    url_pos: Option<(u32, u32)>,
}

/// One file's outcome, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryIn {
    key: String,
    at: i64,
    timeless: bool,
    skipped: usize,
    diags: Vec<DiagIn>,
    articles: Vec<ResolvedIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagIn {
    path: String,
    line: Option<u32>,
    col: Option<u32>,
    severity: u8,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResolvedIn {
    article: Article,
    related: Vec<RelatedRecord>,
    providers: Vec<(String, Provider)>,
    date_key: Option<String>,
    merge_time: Option<String>,
    richness: usize,
    url_pos: Option<(u32, u32)>,
}

fn severity_code(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

fn severity_of(code: u8) -> Option<Severity> {
    match code {
        0 => Some(Severity::Error),
        1 => Some(Severity::Warning),
        2 => Some(Severity::Note),
        _ => None,
    }
}

/// What the bundler binary is: its version and its executable's path,
/// length and modification time, so a cache made by another build, whose
/// parsing may differ, is not used (hashing the executable's bytes would
/// cost more than a small rebuild). `None` when the executable cannot be
/// found: no cache then.
pub fn build_identity() -> Option<Key> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut hasher = Sha256::new();
    for part in [
        FORMAT.as_bytes(),
        env!("CARGO_PKG_VERSION").as_bytes(),
        exe.as_os_str().as_encoded_bytes(),
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(VERSION.to_le_bytes());
    hasher.update(meta.len().to_le_bytes());
    hasher.update(modified.as_nanos().to_le_bytes());
    Some(hasher.finalize().into())
}

fn unhex(text: &[u8]) -> Option<Key> {
    if text.len() != KEY_HEX {
        return None;
    }
    let mut key = [0u8; 32];
    for (slot, pair) in key.iter_mut().zip(text.chunks_exact(2)) {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        *slot = digit(*pair.first()?)? << 4 | digit(*pair.get(1)?)?;
    }
    Some(key)
}

/// The cache of one run: last run's entries (read once, parsed on use)
/// and the counts of this one.
pub struct ParseCache {
    /// The cache file.
    file: PathBuf,
    build: Key,
    /// The file's bytes.
    data: Vec<u8>,
    /// Key → its line in `data` (without the newline).
    lines: HashMap<Key, Range<usize>>,
    /// Site settings already hashed, by address (sites live for the run).
    sites: Mutex<HashMap<usize, Key>>,
    hits: AtomicUsize,
    /// Entries found unusable while the run went on.
    bad: Mutex<Vec<Diagnostic>>,
}

impl ParseCache {
    /// Opens the cache in `dir` (which need not exist). Without a usable
    /// file the cache starts empty; the diagnostics say why when the file
    /// was there but could not be used.
    pub fn open(dir: &Path) -> (Option<ParseCache>, Vec<Diagnostic>) {
        let file = dir.join(CACHE_FILE);
        let display = file.display().to_string();
        let Some(build) = build_identity() else {
            return (
                None,
                vec![Diagnostic::warning(
                    &display,
                    "cannot find the bundler's own executable to tell its build; no parse cache this run",
                )],
            );
        };
        let mut cache = ParseCache {
            file,
            build,
            data: Vec::new(),
            lines: HashMap::new(),
            sites: Mutex::new(HashMap::new()),
            hits: AtomicUsize::new(0),
            bad: Mutex::new(Vec::new()),
        };
        let diags = match cache.load() {
            Ok(()) => Vec::new(),
            Err(Unusable::Missing) => Vec::new(),
            Err(Unusable::OtherBuild) => vec![Diagnostic::note(
                &display,
                "parse cache made by another build of article-cards; every file parsed again",
            )],
            Err(Unusable::Broken(why)) => vec![Diagnostic::warning(
                &display,
                format!("unusable parse cache ({why}); ignored, every file parsed again"),
            )],
        };
        (Some(cache), diags)
    }

    fn load(&mut self) -> Result<(), Unusable> {
        let file = match std::fs::File::open(&self.file) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Broken(format!("cannot read it: {e}"))),
        };
        let mut data = Vec::new();
        file.take(MAX_CACHE_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| Unusable::Broken(format!("cannot read it: {e}")))?;
        if data.len() as u64 > MAX_CACHE_BYTES {
            return Err(Unusable::Broken("larger than the cap".to_owned()));
        }
        let end = data
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| Unusable::Broken("no header".to_owned()))?;
        let header: Header = serde_json::from_slice(data.get(..end).unwrap_or_default())
            .map_err(|_| Unusable::Broken("not a parse cache".to_owned()))?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(Unusable::Broken("another format".to_owned()));
        }
        if header.build != hex(&self.build) {
            return Err(Unusable::OtherBuild);
        }
        let base = end + 1;
        let body = data.get(base..).unwrap_or_default();
        if header.checksum != hex(&Sha256::digest(body)) {
            return Err(Unusable::Broken("damaged: checksum mismatch".to_owned()));
        }
        let mut lines = HashMap::with_capacity(header.entries.min(body.len() / 64));
        let mut start = 0;
        while start < body.len() {
            let rest = body.get(start..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| Unusable::Broken("damaged: an unterminated line".to_owned()))?;
            let line = rest.get(..len).unwrap_or_default();
            let key = line
                .strip_prefix(KEY_PREFIX)
                .and_then(|r| r.get(..KEY_HEX))
                .and_then(unhex)
                .ok_or_else(|| Unusable::Broken("damaged: a line without a key".to_owned()))?;
            if lines
                .insert(key, base + start..base + start + len)
                .is_some()
            {
                return Err(Unusable::Broken("damaged: a key twice".to_owned()));
            }
            start += len + 1;
        }
        if lines.len() != header.entries {
            return Err(Unusable::Broken(
                "damaged: the entry count differs".to_owned(),
            ));
        }
        self.data = data;
        self.lines = lines;
        Ok(())
    }

    /// Entries reused so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Parses `path` through the cache: the entry of its key when there is
    /// a usable one, else `parse()`. Returns the outcome and the entry to
    /// keep for the next run (`None`: not cacheable, a URL or huge file).
    pub(crate) fn through(
        &self,
        path: &Path,
        display: &str,
        site: &Site,
        asset_base: Option<&str>,
        now: jiff::Timestamp,
        parse: impl FnOnce() -> FileOutcome,
    ) -> (FileOutcome, Option<CacheLine>) {
        let Some(key) = self.key(path, display, site, asset_base) else {
            return (parse(), None);
        };
        if let Some(range) = self.lines.get(&key)
            && let Some(line) = self.data.get(range.clone())
        {
            match decode(line, &key, now) {
                Ok(Some(outcome)) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return (outcome, Some(CacheLine::Kept(range.clone())));
                }
                Ok(None) => {}
                Err(why) => {
                    let d = Diagnostic::warning(
                        &self.file.display().to_string(),
                        format!(
                            "unusable parse cache entry for {display} ({why}); file parsed again"
                        ),
                    );
                    self.bad
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(d);
                }
            }
        }
        (parse(), Some(CacheLine::New(key, now)))
    }

    /// The key of an input file, reading it whole; `None` when it cannot
    /// be cached.
    fn key(
        &self,
        path: &Path,
        display: &str,
        site: &Site,
        asset_base: Option<&str>,
    ) -> Option<Key> {
        if crate::feeds::is_url_input(path) {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_CACHED_INPUT {
            return None;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        std::fs::File::open(path)
            .ok()?
            .take(MAX_CACHED_INPUT + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        if bytes.len() as u64 > MAX_CACHED_INPUT {
            return None;
        }
        let site = self.site_key(site);
        let mut hasher = Sha256::new();
        hasher.update(self.build);
        hasher.update(site);
        for part in [
            display.as_bytes(),
            asset_base.unwrap_or_default().as_bytes(),
        ] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        hasher.update(u8::from(asset_base.is_some()).to_le_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        Some(hasher.finalize().into())
    }

    /// A hash of the settings a site gives its posts (base URL,
    /// permalinks, time zone, provider, root), once per site.
    fn site_key(&self, site: &Site) -> Key {
        let address = std::ptr::from_ref(site) as usize;
        let mut sites = self
            .sites
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *sites
            .entry(address)
            .or_insert_with(|| Sha256::digest(format!("{site:?}").as_bytes()).into())
    }

    /// Writes the entries of this run (`lines`, one per cacheable input
    /// file): the entries of files no longer given are dropped. Kept
    /// entries are copied from the file read, not held twice. Returns the
    /// warnings of the run about the cache.
    pub(crate) fn save<'a>(
        self,
        lines: impl Iterator<Item = (&'a CacheLine, &'a FileOutcome)>,
    ) -> Vec<Diagnostic> {
        let mut diags = self
            .bad
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let display = self.file.display().to_string();
        let data = &self.data;
        // Two inputs with one key (the same file named twice) are one
        // entry.
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut chosen: Vec<Chosen<'_>> = Vec::new();
        for (line, outcome) in lines {
            let (key, entry) = match line {
                CacheLine::Kept(range) => {
                    let line = data.get(range.clone()).unwrap_or_default();
                    let key = line.get(KEY_PREFIX.len()..KEY_PREFIX.len() + KEY_HEX);
                    match key {
                        Some(key) => (key.to_vec(), Chosen::Kept(line)),
                        None => continue,
                    }
                }
                CacheLine::New(key, now) => {
                    (hex(key).into_bytes(), Chosen::New(key, *now, outcome))
                }
            };
            if seen.insert(key) {
                chosen.push(entry);
            }
        }
        // The checksum is known after the body: the header is written with
        // a placeholder of the same width, filled in at the end.
        let placeholder = "0".repeat(KEY_HEX);
        let header = Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            build: hex(&self.build),
            entries: chosen.len(),
            checksum: placeholder.clone(),
        };
        let written = (|| -> io::Result<()> {
            let mut head = serde_json::to_vec(&header)?;
            head.push(b'\n');
            let at = head
                .windows(KEY_HEX)
                .rposition(|w| w == placeholder.as_bytes())
                .ok_or_else(|| io::Error::other("no checksum in the header"))?;
            let mut tmp = crate::memo::temp_beside(&self.file, ".parse-cache-")?;
            let mut hasher = Sha256::new();
            {
                let mut out = io::BufWriter::new(tmp.as_file_mut());
                out.write_all(&head)?;
                for entry in &chosen {
                    let encoded;
                    let line = match entry {
                        Chosen::Kept(line) => *line,
                        Chosen::New(key, now, outcome) => {
                            encoded = encode(key, *now, outcome)
                                .ok_or_else(|| io::Error::other("an entry cannot be serialized"))?;
                            encoded.as_slice()
                        }
                    };
                    hasher.update(line);
                    hasher.update(b"\n");
                    out.write_all(line)?;
                    out.write_all(b"\n")?;
                }
                out.flush()?;
            }
            let file = tmp.as_file_mut();
            file.seek(SeekFrom::Start(at as u64))?;
            file.write_all(hex(&hasher.finalize()).as_bytes())?;
            // Not synced: a cache cut short by a crash fails its checksum
            // and is started again.
            tmp.persist(&self.file).map_err(|e| e.error)?;
            Ok(())
        })();
        if let Err(e) = written {
            diags.push(Diagnostic::warning(
                &display,
                format!("cannot write the parse cache: {e}"),
            ));
        }
        diags
    }
}

/// An entry kept for the next run.
pub(crate) enum CacheLine {
    /// The entry as the file read holds it (its place there).
    Kept(Range<usize>),
    /// A new entry: its key and the time it holds for, serialized from the
    /// file's outcome when the cache is written (not held as text while
    /// every file is read).
    New(Key, jiff::Timestamp),
}

/// An entry [`ParseCache::save`] writes.
enum Chosen<'a> {
    Kept(&'a [u8]),
    New(&'a Key, jiff::Timestamp, &'a FileOutcome),
}

enum Unusable {
    Missing,
    OtherBuild,
    Broken(String),
}

/// One entry as a line (without the newline); `None` if it cannot be
/// serialized (then the file is simply parsed next time).
fn encode(key: &Key, now: jiff::Timestamp, outcome: &FileOutcome) -> Option<Vec<u8>> {
    let entry = EntryOut {
        key: hex(key),
        at: now.as_second(),
        timeless: true,
        skipped: outcome.skipped,
        diags: outcome
            .diags
            .iter()
            .map(|d| DiagOut {
                path: &d.path,
                line: d.line,
                col: d.col,
                severity: severity_code(d.severity),
                message: &d.message,
            })
            .collect(),
        articles: outcome
            .articles
            .iter()
            .map(|r| ResolvedOut {
                article: &r.article,
                related: &r.related,
                providers: &r.providers,
                date_key: &r.date_key,
                merge_time: &r.merge_time,
                richness: r.richness,
                url_pos: r.url_pos,
            })
            .collect(),
    };
    let mut line = serde_json::to_vec(&entry).ok()?;
    // A date clamped to the generation time is written as that time (and
    // so is the warning about it): such an entry holds for this time only.
    // A date that happens to equal it is taken for one too.
    let stamp = format_time(now);
    if line.windows(stamp.len()).any(|w| w == stamp.as_bytes()) {
        line = serde_json::to_vec(&EntryOut {
            timeless: false,
            ..entry
        })
        .ok()?;
    }
    Some(line)
}

/// The outcome in `line` if it holds at `now`: `Ok(None)` when it was
/// made for another time, `Err` when it is not a plausible entry.
fn decode(line: &[u8], key: &Key, now: jiff::Timestamp) -> Result<Option<FileOutcome>, String> {
    let entry: EntryIn = serde_json::from_slice(line).map_err(|e| format!("invalid: {e}"))?;
    if entry.key != hex(key) {
        return Err("its key differs".to_owned());
    }
    let now = now.as_second();
    if !(now == entry.at || (entry.timeless && now > entry.at)) {
        return Ok(None);
    }
    let mut diags = Vec::with_capacity(entry.diags.len());
    for d in entry.diags {
        let severity = severity_of(d.severity).ok_or("an unknown severity")?;
        diags.push(Diagnostic {
            path: d.path,
            line: d.line,
            col: d.col,
            severity,
            message: d.message,
        });
    }
    let mut articles = Vec::with_capacity(entry.articles.len());
    for r in entry.articles {
        plausible(&r).map_err(|why| format!("an article {why}"))?;
        articles.push(Resolved {
            article: r.article,
            related: r.related,
            providers: r.providers,
            date_key: r.date_key,
            merge_time: r.merge_time,
            richness: r.richness,
            url_pos: r.url_pos,
        });
    }
    Ok(Some(FileOutcome {
        articles,
        diags,
        skipped: entry.skipped,
    }))
}

/// What the bundler could have resolved: the URL policy, ids and caps.
/// A cache that fails it was not written by the bundler.
fn plausible(r: &ResolvedIn) -> Result<(), &'static str> {
    let a = &r.article;
    let url_ok = |u: &str| is_safe_url(u) && u.len() <= bundle::MAX_URL_BYTES;
    let image_ok = |i: &Image| {
        url_ok(&i.src)
            && i.original.as_deref().is_none_or(url_ok)
            && i.variants.iter().all(|v| url_ok(&v.src))
    };
    let date_ok = |d: &Option<String>| {
        d.as_deref()
            .is_none_or(|d| d.parse::<jiff::Timestamp>().is_ok())
    };
    if !(url_ok(&a.url) && is_absolute_http(&a.url)) || a.id != article_id(&a.url) {
        return Err("with an unsafe URL or a wrong id");
    }
    if a.title.chars().count() > MAX_TITLE_CHARS
        || a.excerpt
            .as_deref()
            .is_some_and(|e| e.chars().count() > MAX_EXCERPT_CHARS)
        || a.topics.len() > MAX_TOPICS
        || a.related.len() > MAX_RELATED
        || r.related.len() != a.related.len()
        || a.related
            .iter()
            .zip(&r.related)
            .any(|(rid, rec)| *rid != article_id(&rec.url))
    {
        return Err("over a cap");
    }
    if !a.image.as_ref().is_none_or(image_ok)
        || !r
            .related
            .iter()
            .all(|rec| url_ok(&rec.url) && rec.image.as_ref().is_none_or(image_ok))
        || !r
            .providers
            .iter()
            .all(|(_, p)| p.logo.as_ref().is_none_or(image_ok))
    {
        return Err("with an unsafe image or related URL");
    }
    if !a
        .video
        .as_ref()
        .is_none_or(|v| bundle::youtube::is_valid_id(&v.id))
    {
        return Err("with an invalid video id");
    }
    if ![&a.published, &a.updated, &r.date_key, &r.merge_time]
        .into_iter()
        .all(date_ok)
    {
        return Err("with an invalid date");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(message: String) -> FileOutcome {
        FileOutcome {
            articles: Vec::new(),
            diags: vec![Diagnostic::warning("news/a.md", message)],
            skipped: 1,
        }
    }

    #[test]
    fn an_entry_holds_later_unless_it_holds_the_generation_time() {
        let at = |t: &str| -> jiff::Timestamp { t.parse().unwrap() };
        let (before, now, later) = (
            at("2026-02-28T00:00:00Z"),
            at("2026-03-01T00:00:00Z"),
            at("2026-03-02T00:00:00Z"),
        );
        let key = [7u8; 32];
        let line = encode(&key, now, &outcome("`heat` is not a number".into())).unwrap();
        for (t, holds) in [(before, false), (now, true), (later, true)] {
            let got = decode(&line, &key, t).unwrap();
            assert_eq!(got.is_some(), holds, "{t}");
        }
        let got = decode(&line, &key, now).unwrap().unwrap();
        assert_eq!(got.skipped, 1);
        assert_eq!(got.diags[0].message, "`heat` is not a number");
        assert_eq!(got.diags[0].severity, Severity::Warning);
        // A date clamped to the generation time: that time only.
        let clamped = format!(
            "`published` 2099-01-01T00:00:00Z is more than a day after the bundle's generation time; read as {}",
            format_time(now)
        );
        let line = encode(&key, now, &outcome(clamped)).unwrap();
        for (t, holds) in [(before, false), (now, true), (later, false)] {
            assert_eq!(decode(&line, &key, t).unwrap().is_some(), holds, "{t}");
        }
        // Another key's line is refused, not used.
        assert!(decode(&line, &[8u8; 32], now).is_err());
    }

    #[test]
    fn keys_round_trip_through_hex() {
        let key: Key = Sha256::digest(b"x").into();
        assert_eq!(unhex(hex(&key).as_bytes()), Some(key));
        assert_eq!(unhex(b"zz"), None);
        assert_eq!(unhex(hex(&key).to_uppercase().as_bytes()), None);
    }
}
