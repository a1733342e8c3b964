//! From raw front matter to validated bundle types. Nothing fails here:
//! every problem becomes a [`Diagnostic`] and the offending field is dropped
//! (or, when the title or URL is unusable, the whole article is).

use std::collections::HashSet;

use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::{clean_text, has_visible, truncate_chars};
use bundle::youtube::id_from_iframe_html;
use bundle::{
    Article, ArticleType, Image, MAX_EXCERPT_CHARS, MAX_IMAGE_SIDE, MAX_RELATED, MAX_TITLE_CHARS,
    MAX_TOPICS, MAX_URL_BYTES, Provider, RelatedRecord, Video, VideoProvider,
};

/// The stable id of an article (and of a related record) from its URL; one
/// definition, in the bundle crate.
pub use bundle::article_id;

use super::diag::{Diagnostic, Severity};
use super::raw::{Field, RawArticle, RawImage, RawProvider, RawRelated, RawSite, SiteValue};
use super::site::{self, FileFacts, PermalinkError, PermalinkFields, Site};
use super::source::{Locator, Seg, render_path};

/// Most entries of an `images` list read (the bundle keeps the first
/// usable one).
pub const MAX_IMAGES: usize = 10;

/// How far past the generation time a date may be before it is clamped:
/// time zones and scheduled posts stay as written.
pub const FUTURE_SLACK_SECONDS: i64 = 24 * 60 * 60;

/// Where the raw data came from: used to word and locate diagnostics.
pub struct Origin<'a> {
    /// The file, as displayed.
    pub path: &'a str,
    /// The fields of the front matter, to find the line of a field (YAML
    /// inputs only).
    pub locator: Option<&'a Locator>,
    /// Path of the item inside the file (`value[3]` in a JSON feed page).
    pub prefix: Vec<Seg>,
    /// Where the item starts (JSON feed items), used when a field cannot
    /// be located more precisely.
    pub item_pos: Option<(u32, u32)>,
    /// Base URL for site-relative image paths (`/assets/...`).
    pub asset_base: Option<&'a str>,
    /// The bundle's generation time: later dates are clamped to it.
    pub now: jiff::Timestamp,
}

/// An article that passed validation, with what the bundle assembly needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub article: Article,
    /// The explicit related items, in the order of `article.related` (their
    /// ids): the bundle's table is made from them and the bundled articles.
    pub related: Vec<RelatedRecord>,
    /// The article's provider first, then those of its related items.
    pub providers: Vec<(String, Provider)>,
    /// `published`, else `updated`: the sort and `--since` key.
    pub date_key: Option<String>,
    /// `updated`, else `published`: the first tie-breaker between duplicates.
    pub merge_time: Option<String>,
    /// How many optional fields are set: the second tie-breaker.
    pub richness: usize,
    /// Where the canonical URL was found, for duplicate reports.
    pub url_pos: Option<(u32, u32)>,
}

/// A static-site date read: absent, a time and its key, or its key and the
/// unreadable value as shown.
type SiteTime = Result<Option<(&'static [Seg], jiff::Timestamp)>, (&'static [Seg], String)>;

/// Collects diagnostics for one item.
struct Ctx<'a> {
    origin: &'a Origin<'a>,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn full_path(&self, path: &[Seg]) -> Vec<Seg> {
        let mut full = self.origin.prefix.clone();
        full.extend_from_slice(path);
        full
    }

    fn pos(&self, path: &[Seg]) -> Option<(u32, u32)> {
        match self.origin.locator {
            Some(locator) => locator.locate(path),
            None => self.origin.item_pos,
        }
    }

    /// "" for a file with one article, "`value[3]`: " for a feed item.
    fn item_label(&self) -> String {
        if self.origin.prefix.is_empty() {
            String::new()
        } else {
            format!("`{}`: ", render_path(&self.origin.prefix))
        }
    }

    fn report(&mut self, severity: Severity, path: &[Seg], message: String) {
        let pos = self.pos(path);
        self.diags
            .push(Diagnostic::new(self.origin.path, severity, message).at(pos));
    }

    fn warn(&mut self, path: &[Seg], message: String) {
        self.report(Severity::Warning, path, message);
    }

    fn name(&self, path: &[Seg]) -> String {
        render_path(&self.full_path(path))
    }

    /// The value of a field; a wrong type is reported and dropped.
    fn take<T>(&mut self, path: &[Seg], field: Field<T>) -> Option<T> {
        match field {
            Field::Absent => None,
            Field::Value(v) => Some(v),
            Field::Invalid { expected, found } => {
                let name = self.name(path);
                self.warn(
                    path,
                    format!("`{name}` should be {expected}, found {found}; ignored"),
                );
                None
            }
        }
    }

    /// Plain text: controls removed, whitespace folded, capped at `max`.
    fn text(&mut self, path: &[Seg], field: Field<String>, max: usize) -> Option<String> {
        let raw = self.take(path, field)?;
        let cleaned = clean_text(&raw);
        if !has_visible(&cleaned) {
            return None;
        }
        let (text, cut) = truncate_chars(&cleaned, max);
        if cut {
            let name = self.name(path);
            let len = cleaned.chars().count();
            self.warn(path, format!("`{name}` is {len} characters; cut to {max}"));
        }
        Some(text)
    }

    /// A URL that passed [`check_url`]; rejected ones are reported.
    fn url(&mut self, path: &[Seg], field: Field<String>) -> Option<String> {
        let raw = self.take(path, field)?;
        if raw.trim().len() > MAX_URL_BYTES {
            let name = self.name(path);
            let len = raw.trim().len();
            self.warn(
                path,
                format!("`{name}` dropped: {len} bytes, over the {MAX_URL_BYTES}-byte URL cap"),
            );
            return None;
        }
        match check_url(&raw) {
            Ok(url) => Some(url),
            Err(why) => {
                let name = self.name(path);
                self.warn(path, format!("`{name}` dropped: {why}"));
                None
            }
        }
    }

    /// Like [`Ctx::url`], and the URL must be absolute http(s).
    fn page_url(&mut self, path: &[Seg], field: Field<String>) -> Option<String> {
        let url = self.url(path, field)?;
        if is_absolute_http(&url) {
            Some(url)
        } else {
            let name = self.name(path);
            self.warn(
                path,
                format!("`{name}` dropped: not an absolute http(s) URL"),
            );
            None
        }
    }

    /// A date-time normalised to UTC `YYYY-MM-DDTHH:MM:SSZ`.
    fn time(&mut self, path: &[Seg], field: Field<String>) -> Option<String> {
        let raw = self.take(path, field)?;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        match parse_time(trimmed) {
            Ok((ts, assumed_utc)) => {
                if assumed_utc {
                    let name = self.name(path);
                    self.warn(path, format!("`{name}` has no UTC offset; read as UTC"));
                }
                Some(self.clamp(path, ts))
            }
            Err(NotADate) => {
                let name = self.name(path);
                let shown = truncate_chars(&clean_text(trimmed), 40).0;
                self.warn(
                    path,
                    format!("`{name}` is not a date-time (`{shown}`); ignored"),
                );
                None
            }
        }
    }

    /// `ts` as bundle text, clamped to the generation time when it is more
    /// than a day later (with a report).
    fn clamp(&mut self, path: &[Seg], ts: jiff::Timestamp) -> String {
        let now = self.origin.now;
        if ts.as_second() > now.as_second().saturating_add(FUTURE_SLACK_SECONDS) {
            let name = self.name(path);
            let (was, now) = (format_time(ts), format_time(now));
            self.warn(
                path,
                format!(
                    "`{name}` {was} is more than a day after the bundle's generation time; read as {now}"
                ),
            );
            return now;
        }
        format_time(ts)
    }

    /// A static-site date (see [`site::parse_site_date`]): `Ok(None)` when
    /// absent, `Err` with the field and the value shown when unreadable
    /// (the caller words the report: what happens depends on the file
    /// name).
    fn site_time(&mut self, field: Option<SiteValue>, tz: &jiff::tz::TimeZone) -> SiteTime {
        let Some(sv) = field else {
            return Ok(None);
        };
        let raw = match Field::<String>::from_value(sv.value) {
            Field::Absent => return Ok(None),
            Field::Value(v) => v,
            Field::Invalid { found, .. } => return Err((sv.path, found)),
        };
        if raw.trim().is_empty() {
            return Ok(None);
        }
        match site::parse_site_date(&raw, tz) {
            Some(ts) => Ok(Some((sv.path, ts))),
            None => {
                let shown = truncate_chars(&clean_text(raw.trim()), 40).0;
                Err((sv.path, format!("`{shown}`")))
            }
        }
    }

    /// A non-negative integer score.
    fn score(&mut self, path: &[Seg], field: Field<i64>) -> Option<u32> {
        let n = self.take(path, field)?;
        match u32::try_from(n) {
            Ok(v) => Some(v),
            Err(_) => {
                let name = self.name(path);
                self.warn(path, format!("`{name}` is out of range ({n}); ignored"));
                None
            }
        }
    }

    fn kind(&mut self, path: &[Seg], field: Field<String>) -> ArticleType {
        let Some(raw) = self.take(path, field) else {
            return ArticleType::Article;
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "article" | "" => ArticleType::Article,
            "video" => ArticleType::Video,
            _ => {
                let name = self.name(path);
                let shown = truncate_chars(&clean_text(&raw), 40).0;
                self.warn(
                    path,
                    format!("`{name}` `{shown}` is unknown (article or video); read as article"),
                );
                ArticleType::Article
            }
        }
    }

    /// Resolves a site-relative path against `--asset-base`.
    fn asset(&self, src: String) -> String {
        match self.origin.asset_base {
            Some(base) if src.starts_with('/') && !src.starts_with("//") => {
                format!("{}{src}", base.trim_end_matches('/'))
            }
            _ => src,
        }
    }

    /// One image; `None` when its URL is missing or rejected.
    fn image(&mut self, path: &[Seg], raw: RawImage) -> Option<Image> {
        let url_path = [path, &[Seg::Key("url")]].concat();
        let width_path = [path, &[Seg::Key("width")]].concat();
        let height_path = [path, &[Seg::Key("height")]].concat();
        let src = self.url(&url_path, raw.url);
        let width = self.take(&width_path, raw.width);
        let height = self.take(&height_path, raw.height);
        let cached = self
            .take(&[path, &[Seg::Key("isCached")]].concat(), raw.is_cached)
            .unwrap_or(false);
        let _ = self.take(&[path, &[Seg::Key("title")]].concat(), raw.title);
        let _ = self.take(
            &[path, &[Seg::Key("attribution")]].concat(),
            raw.attribution,
        );
        // A missing URL needs no report: there is simply no image.
        let src = src?;
        let side = |n: Option<i64>| {
            n.and_then(|v| u32::try_from(v).ok())
                .filter(|&v| v > 0 && v < MAX_IMAGE_SIDE)
        };
        let (mut w, mut h) = (side(width), side(height));
        let bad = |n: Option<i64>, ok: Option<u32>| n.is_some() && ok.is_none();
        if bad(width, w) || bad(height, h) {
            let name = self.name(path);
            let show = |n: Option<i64>| n.map_or_else(|| "-".to_owned(), |v| v.to_string());
            self.warn(
                path,
                format!(
                    "`{name}` size dropped: {}x{} is not within 1..{}",
                    show(width),
                    show(height),
                    MAX_IMAGE_SIDE - 1
                ),
            );
            (w, h) = (None, None);
        }
        // The widget keeps a size only as a pair: a lone side is dropped
        // here, with a report, rather than written and silently ignored there.
        let lone = match (w, h) {
            (Some(_), None) => Some((&width_path, "height")),
            (None, Some(_)) => Some((&height_path, "width")),
            _ => None,
        };
        if let Some((lone_path, other)) = lone {
            let name = self.name(lone_path);
            self.warn(
                lone_path,
                format!("`{name}` dropped: an image size needs both width and height, and `{other}` is missing or unusable"),
            );
            (w, h) = (None, None);
        }
        Some(Image {
            src: self.asset(src),
            width: w,
            height: h,
            cached,
            ..Image::default()
        })
    }

    /// The first usable image of a list; every entry is still checked.
    fn first_image(&mut self, path: &[Seg], field: Field<Vec<Field<RawImage>>>) -> Option<Image> {
        let items = self.take(path, field)?;
        if items.len() > MAX_IMAGES {
            let name = self.name(path);
            self.warn(
                path,
                format!(
                    "`{name}` has {} entries; only the first {MAX_IMAGES} are read (cap)",
                    items.len()
                ),
            );
        }
        let mut first = None;
        for (i, item) in items.into_iter().take(MAX_IMAGES).enumerate() {
            let item_path = [path, &[Seg::Index(i)]].concat();
            let Some(raw) = self.take(&item_path, item) else {
                continue;
            };
            let image = self.image(&item_path, raw);
            if first.is_none() {
                first = image;
            }
        }
        first
    }

    /// A provider reference: its bundle key and record.
    fn provider(&mut self, path: &[Seg], field: Field<RawProvider>) -> Option<(String, Provider)> {
        let raw = self.take(path, field)?;
        let name_path = [path, &[Seg::Key("name")]].concat();
        let domain_path = [path, &[Seg::Key("domain")]].concat();
        let name = self.text(&name_path, raw.name, MAX_TITLE_CHARS);
        let domain = match self.take(&domain_path, raw.domain) {
            Some(d) => match normalize_domain(&d) {
                Some(d) => Some(d),
                None => {
                    let full = self.name(&domain_path);
                    let shown = truncate_chars(&clean_text(&d), 40).0;
                    self.warn(
                        &domain_path,
                        format!("`{full}` `{shown}` is not a domain name; ignored"),
                    );
                    None
                }
            },
            None => None,
        };
        let logo = self.first_image(&[path, &[Seg::Key("images")]].concat(), raw.images);
        let key = match (&domain, &name) {
            (Some(d), _) => d.clone(),
            (None, Some(n)) => slug(n),
            (None, None) => String::new(),
        };
        if key.is_empty() {
            let full = self.name(path);
            self.warn(
                path,
                format!("`{full}` has no usable name or domain; ignored"),
            );
            return None;
        }
        let name = name
            .or_else(|| domain.clone())
            .unwrap_or_else(|| key.clone());
        Some((key, Provider { name, domain, logo }))
    }
}

/// `scmp.com`-like: lowercase letters, digits, dots and hyphens.
pub fn normalize_domain(raw: &str) -> Option<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && !d.starts_with(['.', '-'])
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then_some(d)
}

/// Lowercase letters and digits; every other run of characters becomes one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// A string that is not a date-time we understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// Parses RFC 3339 (`Z` or an offset), or a date/date-time without offset
/// (read as UTC, flagged by the `bool`).
pub fn parse_time(s: &str) -> Result<(jiff::Timestamp, bool), NotADate> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok((ts, false));
    }
    s.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|zoned| (zoned.timestamp(), true))
        .ok_or(NotADate)
}

/// `--since`: an age before `now` (`12h`, `30d`, `2w`), else a date or
/// date-time as [`parse_time`] reads it.
pub fn parse_since(s: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, NotADate> {
    let s = s.trim();
    let unit = match s.as_bytes().last() {
        Some(b'h') => Some(3600),
        Some(b'd') => Some(24 * 3600),
        Some(b'w') => Some(7 * 24 * 3600),
        _ => None,
    };
    let count = s.get(..s.len().saturating_sub(1)).unwrap_or_default();
    if let Some(unit) = unit
        && !count.is_empty()
        && count.bytes().all(|b| b.is_ascii_digit())
    {
        let n: i64 = count.parse().map_err(|_| NotADate)?;
        let secs = n.checked_mul(unit).ok_or(NotADate)?;
        return now
            .checked_sub(jiff::SignedDuration::from_secs(secs))
            .map_err(|_| NotADate);
    }
    parse_time(s).map(|(ts, _)| ts)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (seconds precision, UTC).
pub fn format_time(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Validates one article. `None` when it is not bundled (unpublished, no
/// title, no usable URL); the diagnostics say why.
pub fn resolve_article(
    raw: RawArticle,
    origin: &Origin<'_>,
) -> (Option<Resolved>, Vec<Diagnostic>) {
    let mut ctx = Ctx {
        origin,
        diags: Vec::new(),
    };
    let resolved = resolve_inner(raw, None, &mut ctx);
    (resolved, ctx.diags)
}

/// What a Markdown file adds to its front matter's seed keys: its
/// static-site keys, its site's settings, what its file name says and the
/// start of its body.
pub struct Post<'a> {
    pub keys: RawSite,
    pub site: &'a Site,
    pub facts: FileFacts,
    pub body: &'a str,
}

/// Validates one Markdown post: the seed's keys first, then the
/// static-site keys, the file name and the body for what they leave out
/// (docs/inputs.md, "Static-site posts").
pub fn resolve_post(
    raw: RawArticle,
    post: Post<'_>,
    origin: &Origin<'_>,
) -> (Option<Resolved>, Vec<Diagnostic>) {
    let mut ctx = Ctx {
        origin,
        diags: Vec::new(),
    };
    let resolved = resolve_inner(raw, Some(post), &mut ctx);
    (resolved, ctx.diags)
}

/// A topic value: a list, or a comma-separated string (else
/// space-separated, Jekyll's `tags: a b`). `None` for another type.
fn split_list(value: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
    match value {
        serde_json::Value::Array(items) => Some(items.clone()),
        serde_json::Value::String(s) => {
            let parts: Vec<&str> = if s.contains(',') {
                s.split(',').collect()
            } else {
                s.split_whitespace().collect()
            };
            Some(
                parts
                    .into_iter()
                    .map(|p| serde_json::Value::String(p.trim().to_owned()))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A site post's topics from every topic key, in key order; duplicates
/// (ignoring case) once, capped.
fn site_topics(ctx: &mut Ctx<'_>, fields: &[SiteValue]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for sv in fields {
        let Some(items) = split_list(&sv.value) else {
            let name = ctx.name(sv.path);
            let found = super::raw::describe(&sv.value);
            ctx.warn(
                sv.path,
                format!("`{name}` should be a list or a string, found {found}; ignored"),
            );
            continue;
        };
        for (i, item) in items.into_iter().enumerate() {
            let path = [sv.path, &[Seg::Index(i)]].concat();
            if let Some(text) = ctx.text(&path, Field::from_value(item), MAX_TITLE_CHARS)
                && seen.insert(text.to_lowercase())
            {
                out.push(text);
            }
        }
    }
    if out.len() > MAX_TOPICS {
        let first = fields.first().map_or(&[][..], |sv| sv.path);
        let name = ctx.name(first);
        ctx.warn(
            first,
            format!(
                "`{name}` and the other topic keys have {} distinct entries; only the first {MAX_TOPICS} are kept (cap)",
                out.len()
            ),
        );
        out.truncate(MAX_TOPICS);
    }
    out
}

/// A relative image path of a site post, resolved against `--asset-base`
/// (site-relative paths were prefixed already), else a site path below
/// the site's base URL and anything else against the post's URL.
fn site_relative(
    src: String,
    page: &str,
    site_base: Option<&str>,
    asset_base: Option<&str>,
) -> String {
    if is_absolute_http(&src) {
        return src;
    }
    let resolved = match asset_base {
        Some(b) => site::join_url(&format!("{}/", b.trim_end_matches('/')), &src),
        None => site::resolve_site_ref(site_base, page, &src),
    };
    resolved.filter(|u| check_url(u).is_ok()).unwrap_or(src)
}

/// The URL of a site post without `webUrl`/`originalUrl`: its `url` or
/// `permalink` (absolute, or a path below the base URL), else the site's
/// permalink pattern below the base URL. Failures are reported (the
/// article is skipped).
fn site_url(
    ctx: &mut Ctx<'_>,
    post: &mut Post<'_>,
    title: &str,
    published: Option<&str>,
    categories: &[String],
    site_shaped: bool,
) -> Option<(String, &'static [Seg])> {
    use Seg::Key;
    let label = ctx.item_label();
    // A `url` of the wrong type is reported and the pattern used instead.
    let given = post.keys.url.take().and_then(|sv| {
        ctx.take(sv.path, Field::<String>::from_value(sv.value))
            .map(|raw| (sv.path, raw.trim().to_owned()))
    });
    let had_url = given.is_some();
    let slug_sv = post.keys.slug.take();
    let slug = match slug_sv {
        Some(sv) => ctx.take(sv.path, Field::<String>::from_value(sv.value)),
        None => None,
    };
    let slug = slug.or_else(|| post.facts.slug.clone()).unwrap_or_default();
    let date = published
        .and_then(|p| p.parse::<jiff::Timestamp>().ok())
        .map(|ts| ts.to_zoned(post.site.timezone.clone()).datetime());
    let fields = PermalinkFields {
        date,
        slug: &slug,
        title,
        categories,
        facts: Some(&post.facts),
    };
    let (pattern, path): (String, &'static [Seg]) = match given {
        Some((path, raw)) => {
            // A scheme (`https:`, `javascript:`) makes it a URL to check,
            // never a path.
            let scheme = raw.split_once(':').is_some_and(|(s, _)| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
            if scheme || raw.starts_with("//") {
                let url = ctx.page_url(path, Field::Value(raw));
                if url.is_none() {
                    let name = ctx.name(path);
                    ctx.report(
                        Severity::Error,
                        path,
                        format!("{label}no usable URL (`{name}` was dropped); article skipped"),
                    );
                }
                return url.map(|u| (u, path));
            }
            (raw, path)
        }
        None => (
            post.site.permalink(&post.facts.section).to_owned(),
            &[Key("permalink")],
        ),
    };
    let Some(base) = post.site.base_url.clone() else {
        // A file in the seed's shape keeps the seed's message.
        let (path, why): (&[Seg], &str) = if had_url {
            (
                path,
                "the post's URL is a path and there is no base URL (--base-url, or the site's `_config.yml`/`hugo.toml`)",
            )
        } else if site_shaped {
            (
                path,
                "no usable URL (`webUrl`, `originalUrl`, `url` or `permalink`), and no base URL to build one from the permalink pattern (--base-url, or the site's `_config.yml`/`hugo.toml`)",
            )
        } else {
            (
                &[Key("webUrl")],
                "no usable URL (`webUrl` or `originalUrl`)",
            )
        };
        ctx.report(
            Severity::Error,
            path,
            format!("{label}{why}; article skipped"),
        );
        return None;
    };
    let filled = match site::expand_permalink(&pattern, &fields) {
        Ok(p) => p,
        Err(e) => {
            let shown = truncate_chars(&clean_text(&pattern), 80).0;
            let why = match e {
                PermalinkError::NoDate => "names a date part and the post has no date",
                PermalinkError::NoSlug => "names the slug and the post has no slug or title",
            };
            ctx.report(
                Severity::Error,
                path,
                format!("{label}permalink pattern `{shown}` {why}; article skipped"),
            );
            return None;
        }
    };
    let url = site::post_url(&base, &filled);
    match ctx.page_url(path, Field::Value(url)) {
        Some(url) => Some((url, path)),
        None => {
            ctx.report(
                Severity::Error,
                path,
                format!("{label}no usable URL from the permalink; article skipped"),
            );
            None
        }
    }
}

fn resolve_inner(raw: RawArticle, post: Option<Post<'_>>, ctx: &mut Ctx<'_>) -> Option<Resolved> {
    use Seg::Key;
    let mut post = post;
    let site_shaped = post.as_ref().is_some_and(|p| {
        p.keys.date.is_some()
            || p.keys.url.is_some()
            || p.keys.slug.is_some()
            || p.facts.date.is_some()
    });
    if ctx.take(&[Key("published")], raw.published) == Some(false) {
        let path = [Key("published")];
        ctx.report(
            Severity::Note,
            &path,
            format!("{}`published: false`; article skipped", ctx.item_label()),
        );
        return None;
    }
    if let Some(p) = post.as_mut() {
        if p.facts.list_page {
            ctx.report(
                Severity::Note,
                &[],
                "a Hugo list page (`_index.md`), not a post; skipped".to_owned(),
            );
            return None;
        }
        if let Some(sv) = p.keys.draft.take()
            && ctx.take(sv.path, Field::<bool>::from_value(sv.value)) == Some(true)
        {
            ctx.report(
                Severity::Note,
                sv.path,
                "`draft: true`; article skipped".to_owned(),
            );
            return None;
        }
    }
    let site_title = post.as_mut().and_then(|p| p.keys.title.take());
    let (title_path, title_field): (&[Seg], Field<String>) = match site_title {
        Some(sv) if !raw.title.is_present() => (sv.path, Field::from_value(sv.value)),
        _ => (&[Key("title")], raw.title),
    };
    let title_given = matches!(&title_field, Field::Value(t) if !t.trim().is_empty());
    let title = ctx.text(title_path, title_field, MAX_TITLE_CHARS);
    let mut excerpt = ctx.text(&[Key("excerpt")], raw.excerpt, MAX_EXCERPT_CHARS);
    if excerpt.is_none()
        && let Some(p) = post.as_mut()
    {
        if let Some(sv) = p.keys.excerpt.take() {
            excerpt = ctx.text(sv.path, Field::from_value(sv.value), MAX_EXCERPT_CHARS);
        }
        if excerpt.is_none() {
            excerpt = site::body_excerpt(p.body);
        }
    }
    let web = ctx.page_url(&[Key("webUrl")], raw.web_url);
    let original = ctx.page_url(&[Key("originalUrl")], raw.original_url);
    let _ = ctx.url(&[Key("ampWebUrl")], raw.amp_web_url);
    let _ = ctx.url(&[Key("cdnAmpWebUrl")], raw.cdn_amp_web_url);
    let mut published = ctx.time(&[Key("publishedDateTime")], raw.published_date_time);
    let mut updated = ctx.time(&[Key("updatedDateTime")], raw.updated_date_time);
    if let Some(p) = post.as_mut() {
        let tz = p.site.timezone.clone();
        let name_date = p
            .facts
            .date
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp());
        let label = ctx.item_label();
        match ctx.site_time(p.keys.date.take(), &tz) {
            Ok(Some((path, ts))) => {
                let text = ctx.clamp(path, ts);
                published = published.or(Some(text));
            }
            Ok(None) => {
                if published.is_none() {
                    published = name_date.map(format_time);
                }
            }
            Err((path, shown)) => {
                let name = ctx.name(path);
                match (&published, name_date) {
                    (Some(_), _) => {
                        ctx.warn(path, format!("`{name}` is not a date ({shown}); ignored"))
                    }
                    (None, Some(ts)) => {
                        let day = format_time(ts);
                        ctx.warn(
                            path,
                            format!("`{name}` is not a date ({shown}); the file name's date is used ({day})"),
                        );
                        published = Some(day);
                    }
                    (None, None) => {
                        ctx.report(
                            Severity::Error,
                            path,
                            format!("{label}`{name}` is not a date ({shown}) and the file name gives none; article skipped"),
                        );
                        return None;
                    }
                }
            }
        }
        match ctx.site_time(p.keys.updated.take(), &tz) {
            Ok(Some((path, ts))) => {
                let text = ctx.clamp(path, ts);
                updated = updated.or(Some(text));
            }
            Ok(None) => {}
            Err((path, shown)) => {
                let name = ctx.name(path);
                ctx.warn(path, format!("`{name}` is not a date ({shown}); ignored"));
            }
        }
    }
    let kind = ctx.kind(&[Key("type")], raw.kind);
    let quality = ctx.score(&[Key("quality")], raw.quality);
    let heat = ctx.score(&[Key("heat")], raw.heat);
    let _ = ctx.take(&[Key("category")], raw.category);
    let _ = ctx.take(&[Key("locale")], raw.locale);
    let video = match ctx.take(&[Key("featuredContent")], raw.featured_content) {
        Some(html) if !html.trim().is_empty() => match id_from_iframe_html(&html) {
            Some(id) => Some(Video {
                provider: VideoProvider::Youtube,
                id,
            }),
            None => {
                let name = ctx.name(&[Key("featuredContent")]);
                ctx.warn(
                    &[Key("featuredContent")],
                    format!("`{name}` is not a recognised YouTube embed; dropped"),
                );
                None
            }
        },
        _ => None,
    };
    // The widget shows a video card without a video as an article: the
    // bundle says so, with a report, rather than leaving it to the widget.
    let kind = if kind == ArticleType::Video && video.is_none() {
        let name = ctx.name(&[Key("type")]);
        ctx.warn(
            &[Key("type")],
            format!("`{name}` is video but there is no usable YouTube embed (`featuredContent`); read as article"),
        );
        ArticleType::Article
    } else {
        kind
    };
    let mut provider = ctx.provider(&[Key("provider")], raw.provider);
    let seed_topics = raw.topics.is_present();
    let mut topics = string_list(ctx, Key("topics"), raw.topics, MAX_TOPICS);
    let _tags = string_list(ctx, Key("tags"), raw.tags, 0);
    let mut image = ctx.first_image(&[Key("images")], raw.images);
    let mut categories: Vec<String> = Vec::new();
    if let Some(p) = post.as_mut() {
        let site_topics = site_topics(ctx, &p.keys.topics);
        if !seed_topics {
            topics = site_topics;
        }
        for sv in &p.keys.topics {
            if matches!(sv.path, [Key("categories" | "category")]) {
                let items = split_list(&sv.value).unwrap_or_default();
                categories.extend(items.iter().filter_map(|v| v.as_str().map(str::to_owned)));
            }
        }
        if let Some(sv) = p.keys.image.take()
            && image.is_none()
        {
            image = match site::image_of(&sv.value) {
                Some(src) => ctx.url(sv.path, Field::Value(src)).map(|src| Image {
                    src: ctx.asset(src),
                    ..Image::default()
                }),
                None => {
                    let name = ctx.name(sv.path);
                    let found = super::raw::describe(&sv.value);
                    ctx.warn(
                        sv.path,
                        format!("`{name}` should be an image URL or a mapping with `src` or `url`, found {found}; ignored"),
                    );
                    None
                }
            };
        }
        if provider.is_none() {
            provider = p.site.provider.clone();
        }
    }

    let mut providers: Vec<(String, Provider)> = Vec::new();
    let provider_key = provider.map(|(key, p)| {
        providers.push((key.clone(), p));
        key
    });
    let mut related = match ctx.take(&[Key("related")], raw.related) {
        Some(items) => {
            let total = items.len();
            let mut out: Vec<RelatedRecord> = Vec::new();
            let mut read = 0;
            for (i, item) in items.into_iter().enumerate() {
                if out.len() == MAX_RELATED {
                    break;
                }
                read = i + 1;
                let path = [Key("related"), Seg::Index(i)];
                if let Some(raw_item) = ctx.take(&path, item)
                    && let Some((item, prov)) = resolve_related(ctx, &path, raw_item)
                {
                    // One record per URL: a list names it once.
                    if out.iter().any(|r| r.url == item.url) {
                        let name = ctx.name(&path);
                        ctx.warn(
                            &path,
                            format!(
                                "`{name}` has the same URL as an earlier related item; dropped"
                            ),
                        );
                        continue;
                    }
                    providers.extend(prov);
                    out.push(item);
                }
            }
            if read < total {
                let name = ctx.name(&[Key("related")]);
                ctx.warn(
                    &[Key("related")],
                    format!(
                        "`{name}` has {total} entries; only the first {MAX_RELATED} usable ones are kept (cap), the last {} are not read",
                        total - read
                    ),
                );
            }
            out
        }
        None => Vec::new(),
    };

    let Some(title) = title else {
        let why = if title_given {
            "`title` has nothing visible once cleaned (only controls, blanks or zero-width characters)"
        } else {
            "no title"
        };
        ctx.report(
            Severity::Error,
            &[Key("title")],
            format!("{}{why}; article skipped", ctx.item_label()),
        );
        return None;
    };
    let (url, url_key): (String, &[Seg]) = match (web, original, post.as_mut()) {
        (Some(u), _, _) => (u, &[Key("webUrl")]),
        (None, Some(u), _) => (u, &[Key("originalUrl")]),
        (None, None, Some(p)) => {
            let (u, path) = site_url(
                ctx,
                p,
                &title,
                published.as_deref(),
                &categories,
                site_shaped,
            )?;
            if let Some(img) = image.as_mut() {
                let src = std::mem::take(&mut img.src);
                img.src = site_relative(src, &u, p.site.base_url.as_deref(), ctx.origin.asset_base);
            }
            (u, path)
        }
        (None, None, None) => {
            ctx.report(
                Severity::Error,
                &[Key("webUrl")],
                format!(
                    "{}no usable URL (`webUrl` or `originalUrl`); article skipped",
                    ctx.item_label()
                ),
            );
            return None;
        }
    };
    let url_pos = ctx.pos(url_key);
    let richness = [
        excerpt.is_some(),
        published.is_some(),
        updated.is_some(),
        provider_key.is_some(),
        image.is_some(),
        video.is_some(),
        heat.is_some(),
        quality.is_some(),
        !topics.is_empty(),
        !related.is_empty(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let date_key = published.clone().or_else(|| updated.clone());
    let merge_time = updated.clone().or_else(|| published.clone());
    let related_ids = related.iter().map(|r| article_id(&r.url)).collect();
    // Every resolved article is held until all files are read: no spare
    // room in its lists.
    related.shrink_to_fit();
    providers.shrink_to_fit();
    topics.shrink_to_fit();
    Some(Resolved {
        article: Article {
            id: article_id(&url),
            title,
            excerpt,
            url,
            published,
            updated,
            kind,
            topics,
            provider: provider_key,
            image,
            video,
            heat,
            quality,
            related: related_ids,
        },
        related,
        providers,
        date_key,
        merge_time,
        richness,
        url_pos,
    })
}

/// Topics/tags: cleaned, empty ones dropped, duplicates (ignoring case)
/// once, the first `cap` kept (every entry is still checked). A `cap` of 0
/// keeps none: the list is only checked.
fn string_list(
    ctx: &mut Ctx<'_>,
    key: Seg,
    field: Field<Vec<Field<String>>>,
    cap: usize,
) -> Vec<String> {
    let Some(items) = ctx.take(&[key], field) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let path = [key, Seg::Index(i)];
        if let Some(text) = ctx.text(&path, item, MAX_TITLE_CHARS)
            && seen.insert(text.to_lowercase())
            && cap > 0
        {
            out.push(text);
        }
    }
    if cap > 0 && seen.len() > cap {
        let name = ctx.name(&[key]);
        ctx.warn(
            &[key],
            format!(
                "`{name}` has {} distinct entries; only the first {cap} are kept (cap)",
                seen.len()
            ),
        );
        out.truncate(cap);
    }
    out
}

fn resolve_related(
    ctx: &mut Ctx<'_>,
    base: &[Seg],
    raw: RawRelated,
) -> Option<(RelatedRecord, Option<(String, Provider)>)> {
    let at = |k: &'static str| [base, &[Seg::Key(k)]].concat();
    let title = ctx.text(&at("title"), raw.title, MAX_TITLE_CHARS);
    // Records carry no excerpt; it is still checked, like the other
    // fields the bundle does not keep.
    let _ = ctx.text(&at("excerpt"), raw.excerpt, MAX_EXCERPT_CHARS);
    let web = ctx.page_url(&at("webUrl"), raw.web_url);
    let original = ctx.page_url(&at("originalUrl"), raw.original_url);
    let _ = ctx.url(&at("ampWebUrl"), raw.amp_web_url);
    let _ = ctx.url(&at("cdnAmpWebUrl"), raw.cdn_amp_web_url);
    let published = ctx.time(&at("publishedDateTime"), raw.published_date_time);
    let kind = ctx.kind(&at("type"), raw.kind);
    let _ = ctx.score(&at("quality"), raw.quality);
    let provider = ctx.provider(&at("provider"), raw.provider);
    let image = ctx.first_image(&at("images"), raw.images);
    let url = web.or(original);
    let (Some(title), Some(url)) = (title, url) else {
        let name = ctx.name(base);
        ctx.warn(
            base,
            format!("`{name}` has no title or no usable URL; related item dropped"),
        );
        return None;
    };
    let provider_key = provider.as_ref().map(|(k, _)| k.clone());
    Some((
        RelatedRecord {
            title,
            url,
            published,
            kind,
            provider: provider_key,
            image,
        },
        provider,
    ))
}

/// A provider record file (`--providers DIR`): keyed by domain.
pub fn resolve_provider_record(
    raw: RawProvider,
    origin: &Origin<'_>,
) -> (Option<(String, Provider)>, Vec<Diagnostic>) {
    let mut ctx = Ctx {
        origin,
        diags: Vec::new(),
    };
    let field = Field::Value(raw);
    let resolved = ctx.provider(&[], field);
    let out = match resolved {
        Some((_, p)) if p.domain.is_none() => {
            ctx.report(
                Severity::Error,
                &[Seg::Key("domain")],
                "provider record has no usable `domain`; ignored".to_owned(),
            );
            None
        }
        other => other,
    };
    (out, ctx.diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_normalise_to_utc() {
        let t = |s: &str| parse_time(s).map(|(ts, a)| (format_time(ts), a));
        assert_eq!(
            t("2021-04-28T16:08:00Z"),
            Ok(("2021-04-28T16:08:00Z".into(), false))
        );
        assert_eq!(
            t("2021-06-02T09:12:27-07:00"),
            Ok(("2021-06-02T16:12:27Z".into(), false))
        );
        assert_eq!(
            t("2021-06-02T09:12:27.5+02:00"),
            Ok(("2021-06-02T07:12:27Z".into(), false))
        );
        assert_eq!(t("2021-06-02"), Ok(("2021-06-02T00:00:00Z".into(), true)));
        assert!(t("yesterday").is_err());
    }

    #[test]
    fn since_takes_ages_and_dates() {
        let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let t = |s: &str| parse_since(s, now).map(format_time);
        assert_eq!(t("30d"), Ok("2026-11-01T12:00:00Z".into()));
        assert_eq!(t(" 12h "), Ok("2026-12-01T00:00:00Z".into()));
        assert_eq!(t("2w"), Ok("2026-11-17T12:00:00Z".into()));
        assert_eq!(t("2021-04-28"), Ok("2021-04-28T00:00:00Z".into()));
        assert_eq!(t("d"), Err(NotADate));
        assert_eq!(t("-3d"), Err(NotADate));
        assert_eq!(t("99999999999999999d"), Err(NotADate));
    }

    #[test]
    fn slugs_and_domains() {
        assert_eq!(slug("The Harbour  Gazette!"), "the-harbour-gazette");
        assert_eq!(normalize_domain(" SCMP.com "), Some("scmp.com".into()));
        assert_eq!(normalize_domain("<b>x"), None);
    }
}
