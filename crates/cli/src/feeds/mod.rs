//! Feeds as input: RSS 2.0 ([`rss`]), Atom 1.0 ([`atom`]) and JSON Feed
//! 1.0/1.1 ([`json_feed`]), read from files or fetched by URL ([`fetch`]).
//! Each format is read into one model ([`Feed`], [`Entry`]: plain text,
//! URLs resolved against their base, dates as written); [`map_entry`]
//! checks it and hands it to [`crate::resolve`] in the seed dialect's
//! field names, so every text rule, cap and URL check of the bundle applies
//! to feeds as to article files. The feed itself becomes the provider.

pub mod atom;
pub mod dates;
pub mod fetch;
pub mod html_text;
pub mod json_feed;
pub mod rss;
pub mod xml;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::{clean_text, has_visible, truncate_chars};
use bundle::{MAX_EXCERPT_CHARS, MAX_IMAGE_SIDE, MAX_TOPICS, MAX_URL_BYTES};
use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, Severity};
use crate::raw::{Field, RawArticle};
use crate::resolve::{Origin, Resolved, format_time, resolve_article};
pub use crate::source::FileError;
use crate::source::{MAX_FEED_ITEMS, Seg};

/// Largest feed read, from a file or over the network, in bytes.
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;
/// Text kept from a description or content before it is cut for the
/// excerpt (twice the excerpt, so the cut can fall at a word).
pub const MAX_TEXT_CHARS: usize = 2 * MAX_EXCERPT_CHARS;
/// Longest title made from an item's text when it has none.
pub const MAX_DERIVED_TITLE_CHARS: usize = 120;
/// Image candidates read per item (media elements, enclosures, the first
/// image of the HTML).
pub const MAX_IMAGE_CANDIDATES: usize = 16;
/// Categories read per item (the bundle keeps [`MAX_TOPICS`] distinct ones).
pub const MAX_CATEGORIES_READ: usize = 4 * MAX_TOPICS;

/// A date as the feed wrote it, with its element's name and the reader of
/// its format.
#[derive(Debug, Clone)]
pub struct RawDate {
    pub text: String,
    pub field: &'static str,
    pub parse: fn(&str) -> Option<dates::FeedTime>,
}

/// An image an item names, in the order it is preferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Resolved against the item's base (absolute when a base was known).
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Where it came from, for messages (`media:content`, `enclosure`, …).
    pub field: &'static str,
}

/// One item of a feed, read but not checked.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Where the item starts (XML feeds).
    pub pos: Option<(u32, u32)>,
    /// Plain text, not yet cleaned.
    pub title: Option<String>,
    /// Link candidates in order of preference: (resolved URL, element).
    pub links: Vec<(String, &'static str)>,
    /// Plain text of the summary or description.
    pub summary: Option<String>,
    /// Plain text of the start of the content.
    pub content: Option<String>,
    pub images: Vec<ImageRef>,
    pub published: Option<RawDate>,
    pub updated: Option<RawDate>,
    pub topics: Vec<String>,
    /// The element or key topics come from (`category`, `tags`).
    pub topics_field: &'static str,
    /// Topics seen, before [`MAX_CATEGORIES_READ`].
    pub topics_seen: usize,
    /// Problems found while reading the item (a message each).
    pub warnings: Vec<String>,
}

/// A feed read into the common model.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// "RSS 2.0", "Atom 1.0", "JSON Feed 1.1", for messages.
    pub format: &'static str,
    /// The name of an item in messages: `item`, `entry`, `items`.
    pub item_key: &'static str,
    pub title: Option<String>,
    /// The site's home page, resolved.
    pub home: Option<String>,
    /// Icon or logo, resolved.
    pub logo: Option<String>,
    /// The feed has a date of its own (RSS `pubDate`/`lastBuildDate`, Atom
    /// `updated`): undated items are kept.
    pub has_date: bool,
    /// At most [`MAX_FEED_ITEMS`].
    pub entries: Vec<Entry>,
    /// Items in the feed, before the cap.
    pub total: usize,
    /// Feed-level problems (a message and where).
    pub warnings: Vec<(String, Option<(u32, u32)>)>,
}

/// What one feed gave the bundle.
#[derive(Debug, Default)]
pub struct FeedOutcome {
    pub articles: Vec<Resolved>,
    pub diags: Vec<Diagnostic>,
    pub skipped: usize,
}

impl FeedOutcome {
    fn failed(display: &str, err: FileError) -> FeedOutcome {
        FeedOutcome {
            articles: Vec::new(),
            diags: vec![
                Diagnostic::error(display, format!("{}; file skipped", err.message)).at(err.pos),
            ],
            skipped: 1,
        }
    }
}

/// A problem that stops a whole feed.
fn file_error(message: impl Into<String>) -> FileError {
    FileError {
        message: message.into(),
        pos: None,
    }
}

/// The same, located.
fn file_error_at(message: impl Into<String>, pos: (u32, u32)) -> FileError {
    FileError {
        message: message.into(),
        pos: Some(pos),
    }
}

/// Resolves `reference` against `base` by RFC 3986 (the WHATWG parser,
/// which implements it for http(s)); without a base an absolute URL is
/// normalised and a relative one kept as written.
pub fn resolve_url(base: Option<&url::Url>, reference: &str) -> String {
    let reference = reference.trim();
    match base {
        Some(base) => base
            .join(reference)
            .map_or_else(|_| reference.to_owned(), String::from),
        None => url::Url::parse(reference).map_or_else(|_| reference.to_owned(), String::from),
    }
}

/// `reference` against `base` as a base for further resolution.
pub fn join_base(base: Option<&url::Url>, reference: &str) -> Option<url::Url> {
    let reference = reference.trim();
    match base {
        Some(base) => base.join(reference).ok(),
        None => url::Url::parse(reference).ok(),
    }
    .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// The text kind of a file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Xml,
    Json,
    Other,
}

/// Looks at the first character after a BOM and whitespace.
pub fn sniff(head: &[u8]) -> Sniffed {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // UTF-16 with a BOM: XML when its first character is `<`.
    let utf16 = match (head.get(..2), head.get(2..4)) {
        (Some(b"\xFF\xFE"), Some(b"<\0")) | (Some(b"\xFE\xFF"), Some(b"\0<")) => true,
        (Some(b"\xFF\xFE" | b"\xFE\xFF"), _) => return Sniffed::Other,
        _ => false,
    };
    if utf16 {
        return Sniffed::Xml;
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Sniffed::Xml,
        Some(b'{') => Sniffed::Json,
        _ => Sniffed::Other,
    }
}

/// What a file or response holds, once parsed.
pub enum Parsed {
    Feed(Feed),
    /// Not a feed (the reason, for files that should have been one).
    NotAFeed(String),
    Broken(FileError),
}

/// Parses bytes that [`sniff`] called XML or JSON as a feed. `base` is the
/// URL the bytes came from, if any.
pub fn parse_bytes(bytes: &[u8], base: Option<&url::Url>) -> Parsed {
    match sniff(bytes) {
        Sniffed::Xml => {
            let text = match xml::decode(bytes) {
                Ok(t) => t,
                Err(e) => return Parsed::Broken(e),
            };
            let doc = match xml::parse(&text) {
                Ok(d) => d,
                Err(e) => return Parsed::Broken(e),
            };
            let lines = crate::diag::LineIndex::new(text.as_bytes());
            let root = doc.root_element();
            if xml::is(root, "", "rss") {
                Parsed::Feed(rss::read(root, &lines, base))
            } else if xml::is(root, xml::ATOM, "feed") {
                Parsed::Feed(atom::read(root, &lines, base))
            } else {
                let ns = root.tag_name().namespace().unwrap_or("");
                let name = root.tag_name().name();
                let shown = if ns.is_empty() {
                    name.to_owned()
                } else {
                    format!("{name} in {ns}")
                };
                Parsed::NotAFeed(format!(
                    "not an RSS 2.0 or Atom 1.0 feed (root element `{}`)",
                    truncate_chars(&clean_text(&shown), 80).0
                ))
            }
        }
        Sniffed::Json => match json_feed::read(bytes, base) {
            Ok(Some(feed)) => Parsed::Feed(feed),
            Ok(None) => Parsed::NotAFeed("not a JSON Feed (no jsonfeed.org `version`)".to_owned()),
            Err(e) => Parsed::Broken(e),
        },
        Sniffed::Other => Parsed::NotAFeed("not an RSS, Atom or JSON feed".to_owned()),
    }
}

/// Extensions that name a feed: such a file that is not one is reported.
fn named_as_feed(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xml", "rss", "atom"]
            .iter()
            .any(|x| x.eq_ignore_ascii_case(e))
    })
}

/// An input written as an http(s) URL.
pub fn is_url_input(path: &Path) -> bool {
    path.to_str().is_some_and(|s| {
        let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    })
}

/// Reads `path` as a feed when its content is one (or it is a URL).
/// `None`: not a feed, read it as the other inputs are.
pub fn try_input(
    path: &Path,
    display: &str,
    asset_base: Option<&str>,
    now: jiff::Timestamp,
    context: &fetch::FeedContext,
) -> Option<FeedOutcome> {
    if is_url_input(path) {
        return Some(context.bundle_url(display, asset_base, now));
    }
    let mut head = [0u8; 512];
    let read = File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    let kind = sniff(head.get(..read).unwrap_or_default());
    if kind == Sniffed::Other {
        return None;
    }
    // A broken file is reported here when it says it is XML or a feed;
    // anything else (a Markdown file opening with `<div>`) is left to the
    // other readers and their messages.
    let head = head.get(..read).unwrap_or_default();
    let claims_feed = named_as_feed(path)
        || (kind == Sniffed::Xml
            && [&b"<?xml"[..], b"<rss", b"<feed"]
                .iter()
                .any(|tag| contains(head, tag)));
    let bytes = match read_capped(path) {
        Ok(b) => b,
        Err(e) if claims_feed => return Some(FeedOutcome::failed(display, e)),
        Err(_) => return None,
    };
    // Most JSON files are the seed's feed pages: only a file that names
    // jsonfeed.org is parsed here.
    if kind == Sniffed::Json && !contains(&bytes, b"jsonfeed.org") {
        return None;
    }
    match parse_bytes(&bytes, None) {
        Parsed::Feed(feed) => Some(outcome(feed, display, asset_base, now)),
        Parsed::Broken(e) if claims_feed => Some(FeedOutcome::failed(display, e)),
        Parsed::NotAFeed(why) if named_as_feed(path) => Some(FeedOutcome {
            articles: Vec::new(),
            diags: vec![Diagnostic::note(display, format!("{why}; file skipped"))],
            skipped: 1,
        }),
        _ => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The whole file, refused above [`MAX_FEED_BYTES`].
fn read_capped(path: &Path) -> Result<Vec<u8>, FileError> {
    let file = File::open(path).map_err(|e| file_error(format!("cannot read: {e}")))?;
    let mut buf = Vec::new();
    file.take(MAX_FEED_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| file_error(format!("cannot read: {e}")))?;
    if buf.len() > MAX_FEED_BYTES {
        return Err(file_error(format!(
            "feed is larger than {} MiB",
            MAX_FEED_BYTES / (1024 * 1024)
        )));
    }
    Ok(buf)
}

/// `www.harbour.example` → `harbour.example`: the provider key of a feed.
fn provider_domain(home: Option<&str>) -> Option<String> {
    let url = url::Url::parse(home?).ok()?;
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    crate::resolve::normalize_domain(host)
}

/// The provider of every item: the feed's title, home host and icon.
fn provider_value(feed: &Feed) -> Option<Value> {
    let name = feed
        .title
        .as_deref()
        .map(clean_text)
        .filter(|t| has_visible(t));
    let domain = provider_domain(feed.home.as_deref());
    if name.is_none() && domain.is_none() {
        return None;
    }
    let mut provider = Map::new();
    if let Some(name) = name {
        provider.insert("name".into(), Value::String(name));
    }
    if let Some(domain) = domain {
        provider.insert("domain".into(), Value::String(domain));
    }
    if let Some(logo) = feed.logo.as_deref().and_then(|l| usable_url(l).ok()) {
        provider.insert("images".into(), json!([{ "url": logo }]));
    }
    Some(Value::Object(provider))
}

/// A URL that the bundle may carry: capped, and passed by `safe_url`.
fn usable_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.len() > MAX_URL_BYTES {
        return Err(format!(
            "{} bytes, over the {MAX_URL_BYTES}-byte URL cap",
            url.len()
        ));
    }
    check_url(url).map_err(|why| why.to_string())
}

/// Bundles the items of a parsed feed.
pub fn outcome(
    feed: Feed,
    display: &str,
    asset_base: Option<&str>,
    now: jiff::Timestamp,
) -> FeedOutcome {
    let mut out = FeedOutcome::default();
    for (message, pos) in &feed.warnings {
        out.diags
            .push(Diagnostic::warning(display, message.clone()).at(*pos));
    }
    if feed.total > feed.entries.len() {
        let left = feed.total - feed.entries.len();
        out.diags.push(Diagnostic::warning(
            display,
            format!(
                "the feed has {} items; only the first {MAX_FEED_ITEMS} are read (cap), {left} items skipped",
                feed.total
            ),
        ));
        out.skipped += left;
    }
    let provider = provider_value(&feed);
    for (i, entry) in feed.entries.iter().enumerate() {
        let origin = Origin {
            path: display,
            locator: None,
            prefix: vec![Seg::Key(feed.item_key), Seg::Index(i)],
            item_pos: entry.pos,
            asset_base,
            now,
        };
        let label = format!("{}[{i}]", feed.item_key);
        let mut diags = Vec::new();
        let value = map_entry(
            entry,
            &feed,
            provider.as_ref(),
            &label,
            |severity, message| {
                diags.push(Diagnostic::new(display, severity, message).at(entry.pos));
            },
        );
        out.diags.extend(diags);
        let Some(value) = value else {
            out.skipped += 1;
            continue;
        };
        match Field::<RawArticle>::from_value(value) {
            Field::Value(raw) => {
                let (resolved, diags) = resolve_article(raw, &origin);
                out.diags.extend(diags);
                match resolved {
                    Some(r) => out.articles.push(r),
                    None => out.skipped += 1,
                }
            }
            _ => out.skipped += 1,
        }
    }
    out
}

/// Checks one item and writes it in the seed dialect's keys for
/// [`resolve_article`]. `None` (with an error reported) when it cannot
/// be bundled.
fn map_entry(
    entry: &Entry,
    feed: &Feed,
    provider: Option<&Value>,
    label: &str,
    mut report: impl FnMut(Severity, String),
) -> Option<Value> {
    for w in &entry.warnings {
        report(Severity::Warning, format!("`{label}`: {w}"));
    }
    let mut article = Map::new();

    // Link: the first usable candidate.
    let mut link = None;
    for (url, field) in &entry.links {
        match usable_url(url) {
            Ok(u) if is_absolute_http(&u) => {
                link = Some(u);
                break;
            }
            Ok(_) => report(
                Severity::Warning,
                format!(
                    "`{label}.{field}` dropped: not an absolute http(s) URL (and no base URL to resolve it against)"
                ),
            ),
            Err(why) => report(
                Severity::Warning,
                format!("`{label}.{field}` dropped: {why}"),
            ),
        }
    }
    let Some(link) = link else {
        report(
            Severity::Error,
            format!("`{label}`: no usable link; item skipped"),
        );
        return None;
    };
    article.insert("webUrl".into(), Value::String(link));

    // Text: summary first, else the start of the content.
    let visible = |t: &Option<String>| t.as_deref().map(clean_text).filter(|t| has_visible(t));
    let text = visible(&entry.summary).or_else(|| visible(&entry.content));
    let title = entry
        .title
        .as_deref()
        .map(clean_text)
        .filter(|t| has_visible(t));
    let (title, derived_whole) = match title {
        Some(t) => (t, false),
        None => match &text {
            Some(text) => {
                let (t, cut) = truncate_chars(text, MAX_DERIVED_TITLE_CHARS);
                report(
                    Severity::Warning,
                    format!("`{label}` has no title; its title is the start of its text"),
                );
                (t, !cut)
            }
            None => {
                report(
                    Severity::Error,
                    format!("`{label}`: no title and no text to take one from; item skipped"),
                );
                return None;
            }
        },
    };
    article.insert("title".into(), Value::String(title));
    if let Some(text) = text
        && !derived_whole
    {
        let (excerpt, _) = truncate_chars(&text, MAX_EXCERPT_CHARS);
        article.insert("excerpt".into(), Value::String(excerpt));
    }

    // Dates (docs/inputs.md, "Dates").
    let mut read_date = |date: &Option<RawDate>| {
        let date = date.as_ref()?;
        let shown = truncate_chars(&clean_text(&date.text), 60).0;
        match (date.parse)(&date.text) {
            Some((ts, assumed_utc)) => {
                if assumed_utc {
                    report(
                        Severity::Warning,
                        format!(
                            "`{label}.{}` `{shown}` has no time zone; read as UTC",
                            date.field
                        ),
                    );
                }
                Some(format_time(ts))
            }
            None => {
                report(
                    Severity::Warning,
                    format!(
                        "`{label}.{}` `{shown}` is not a date this reader knows; ignored",
                        date.field
                    ),
                );
                None
            }
        }
    };
    let published = read_date(&entry.published);
    let updated = read_date(&entry.updated);
    if published.is_none() && updated.is_none() && !feed.has_date {
        report(
            Severity::Error,
            format!("`{label}`: no readable date, and the feed gives none; item skipped"),
        );
        return None;
    }
    if let Some(p) = published {
        article.insert("publishedDateTime".into(), Value::String(p));
    }
    if let Some(u) = updated {
        article.insert("updatedDateTime".into(), Value::String(u));
    }

    // Image: the first usable candidate.
    for image in &entry.images {
        match usable_url(&image.url) {
            Ok(url) => {
                let mut img = Map::new();
                img.insert("url".into(), Value::String(url));
                let side = |v: Option<u32>| v.filter(|&n| n > 0 && n < MAX_IMAGE_SIDE);
                if let (Some(w), Some(h)) = (side(image.width), side(image.height)) {
                    img.insert("width".into(), Value::from(w));
                    img.insert("height".into(), Value::from(h));
                }
                article.insert("images".into(), Value::Array(vec![Value::Object(img)]));
                break;
            }
            Err(why) => report(
                Severity::Warning,
                format!("`{label}.{}` image dropped: {why}", image.field),
            ),
        }
    }

    // Topics: distinct (ignoring case), capped.
    let mut topics: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in &entry.topics {
        let t = clean_text(t);
        if has_visible(&t) && seen.insert(t.to_lowercase()) {
            topics.push(t);
        }
    }
    if topics.len() > MAX_TOPICS || entry.topics_seen > entry.topics.len() {
        report(
            Severity::Warning,
            format!(
                "`{label}.{}` has {} entries; only the first {MAX_TOPICS} distinct ones are kept (cap)",
                entry.topics_field, entry.topics_seen
            ),
        );
        topics.truncate(MAX_TOPICS);
    }
    if !topics.is_empty() {
        article.insert(
            "topics".into(),
            Value::Array(topics.into_iter().map(Value::String).collect()),
        );
    }
    if let Some(p) = provider {
        article.insert("provider".into(), p.clone());
    }
    Some(Value::Object(article))
}

/// Pushes a topic unless [`MAX_CATEGORIES_READ`] are already read.
pub fn add_topic(entry: &mut Entry, topic: &str) {
    entry.topics_seen += 1;
    if entry.topics.len() < MAX_CATEGORIES_READ {
        let t = topic.trim();
        if !t.is_empty() {
            entry.topics.push(t.to_owned());
        }
    }
}

/// Pushes an image candidate unless [`MAX_IMAGE_CANDIDATES`] are read.
pub fn add_image(entry: &mut Entry, image: ImageRef) {
    if entry.images.len() < MAX_IMAGE_CANDIDATES && !image.url.trim().is_empty() {
        entry.images.push(image);
    }
}

/// A pixel size written as an attribute (`"640"`).
pub fn pixels(raw: Option<&str>) -> Option<u32> {
    raw?.trim().parse().ok()
}

/// Plain text of an HTML string, with its first image.
pub fn html_plain(html: &str) -> html_text::HtmlText {
    html_text::html_to_text(html, MAX_TEXT_CHARS)
}

/// Plain text of a text string, capped like [`html_plain`].
pub fn text_plain(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS * 4).collect()
}

#[cfg(test)]
mod tests;
