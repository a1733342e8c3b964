//! Turns the bytes of a fetched bundle into a [`Bundle`] the components can
//! render, treating them as untrusted: a size cap, the version checked before
//! anything else, articles decoded one by one (a malformed one is dropped with
//! a warning instead of failing the bundle), every URL checked again with
//! [`bundle::safe_url`] and relative URLs resolved against the bundle's own URL
//! ([`url::resolve`]; so `images/x.jpg` in a bundle on a CDN works on any
//! page).
//!
//! Pure and target-independent: unit-tested natively.

use bundle::{
    Article, ArticleType, BUNDLE_VERSION, Bundle, Image, ImageVariant, MAX_EXCERPT_CHARS,
    MAX_IMAGE_SIDE, MAX_RELATED, MAX_TITLE_CHARS, Provider, Providers, RelatedRecord,
    RelatedRecords, VARIANT_MIMES, Video, VideoProvider, fields,
};
use std::borrow::Cow;

use crate::json::{self, Value};
use crate::model::{LoadError, LoadErrorKind};
use crate::url;
use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::{clean_text, truncate_chars};
use bundle::youtube;

/// Largest bundle read, in bytes: one limit for the bundler and the widget.
pub use bundle::MAX_BUNDLE_BYTES;

mod v2;
pub use v2::{Decoded, decode_any, decode_page};

/// A [`LoadError`] of `kind` with its reader-facing sentence.
pub fn load_error(kind: LoadErrorKind) -> LoadError {
    let message = match &kind {
        LoadErrorKind::Network => "The articles could not be loaded: the network request failed \
             (offline, or the server does not allow this page to read the file)."
            .to_owned(),
        LoadErrorKind::Timeout => {
            "The articles could not be loaded: the server did not answer in time.".to_owned()
        }
        LoadErrorKind::Http(status) => {
            format!("The articles could not be loaded (HTTP {status}).")
        }
        LoadErrorKind::NotJson => "The articles file is not a valid article bundle.".to_owned(),
        LoadErrorKind::WrongVersion(v) => {
            format!(
                "This bundle is version {v}; this widget reads versions {BUNDLE_VERSION} and 2."
            )
        }
        LoadErrorKind::TooLarge(bytes) => format!(
            "The articles file is too large ({}; the limit is {}).",
            human_size(*bytes),
            human_size(MAX_BUNDLE_BYTES as u64)
        ),
    };
    LoadError {
        kind,
        message: message.into(),
    }
}

fn not_json(detail: impl std::fmt::Display) -> LoadError {
    LoadError {
        kind: LoadErrorKind::NotJson,
        message: format!("The articles file is not a valid article bundle ({detail}).").into(),
    }
}

fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        let tenths = bytes * 10 / MIB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Decodes a bundle. `base_url` is the URL the bundle was fetched from
/// (absolute http(s)); relative URLs inside it are resolved against it. The
/// `Vec` holds one warning per dropped or repaired part, for the console.
pub fn decode(bytes: &[u8], base_url: Option<&str>) -> Result<(Bundle, Vec<String>), LoadError> {
    decode_with(bytes, base_url, false)
}

/// [`decode`], and with `cached_only` (the `images: "cached-only"` option)
/// every image URL that is not same-origin with `base_url` is dropped
/// (images, variants, `original`s, logos; without a base only relative
/// URLs are kept), so the widget requests nothing from another host.
pub fn decode_with(
    bytes: &[u8],
    base_url: Option<&str>,
    cached_only: bool,
) -> Result<(Bundle, Vec<String>), LoadError> {
    let root = parse(bytes)?;
    match version(&root)? {
        BUNDLE_VERSION => from_tree(&root, base_url, cached_only),
        v => Err(load_error(LoadErrorKind::WrongVersion(v))),
    }
}

/// The size cap, then the JSON tree of a file (of either version), which
/// must be an object.
fn parse(bytes: &[u8]) -> Result<Value<'_>, LoadError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(load_error(LoadErrorKind::TooLarge(bytes.len() as u64)));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(not_json("the file is empty"));
    }
    let root = json::parse(bytes).map_err(|e| LoadError {
        kind: LoadErrorKind::NotJson,
        message: format!(
            "The articles file is not JSON (expected {} at byte {}).",
            e.what, e.at
        )
        .into(),
    })?;
    if !matches!(root, Value::Object(_)) {
        return Err(not_json(
            "expected a JSON object with `version` and `articles`",
        ));
    }
    Ok(root)
}

/// The file's `version` (`u32::MAX` for a number that is not one).
fn version(root: &Value) -> Result<u32, LoadError> {
    let version = root
        .get(fields::bundle::VERSION)
        .ok_or_else(|| not_json("it has no `version`"))?;
    if !matches!(version, Value::Number(_)) {
        return Err(not_json("`version` is not a whole number"));
    }
    Ok(version.as_u32().unwrap_or(u32::MAX))
}

/// A version 1 bundle from its JSON tree.
fn from_tree(
    root: &Value,
    base_url: Option<&str>,
    cached_only: bool,
) -> Result<(Bundle, Vec<String>), LoadError> {
    let Some(Value::Array(articles)) = root.get(fields::bundle::ARTICLES) else {
        return Err(not_json(match root.get(fields::bundle::ARTICLES) {
            None => "it has no `articles` list",
            Some(_) => "`articles` is not a list",
        }));
    };

    let mut d = Decoder::new(base_url, cached_only);

    let generated_at = match root.get(fields::bundle::GENERATED_AT) {
        None => String::new(),
        Some(v) => v.as_str().map(str::to_owned).unwrap_or_else(|| {
            d.warn("`generatedAt` is not a string; ignored.".to_owned());
            String::new()
        }),
    };

    let providers = d.providers(root.get(fields::bundle::PROVIDERS));
    let (related, articles) = d.contents(root, articles, &providers);

    Ok((
        Bundle {
            version: BUNDLE_VERSION,
            generated_at,
            providers,
            related,
            articles,
        },
        d.warnings,
    ))
}

/// Keeps the first article of each id. Sorting positions by id finds the
/// repeats in O(n log n) without a set type (whose code the wasm would carry).
fn drop_repeated_ids(articles: Vec<Article>, warnings: &mut Vec<String>) -> Vec<Article> {
    let id = |i: usize| articles.get(i).map_or("", |a| a.id.as_str());
    // Stable: among equal ids the earliest position comes first.
    let order = json::positions_by_key(articles.len(), &id);
    let mut repeated = vec![false; articles.len()];
    for pair in order.windows(2) {
        if let [first, next] = pair
            && id(*first) == id(*next)
            && let Some(flag) = repeated.get_mut(*next)
        {
            *flag = true;
        }
    }
    let mut kept = Vec::with_capacity(articles.len());
    for (article, repeated) in articles.into_iter().zip(repeated) {
        if repeated {
            warnings.push(format!(
                "article `{}` dropped: its id repeats an earlier article.",
                article.id
            ));
        } else {
            kept.push(article);
        }
    }
    kept
}

// ---------------------------------------------------------------------------
// JSON tree → bundle types, read and cleaned in one pass. Strict like the
// CLI's serde types: a field of the wrong type makes the whole item
// malformed (it is dropped with the reason); a missing or `null` optional
// field is absent; unknown fields are ignored. The fields are read by a
// handful of non-generic readers that note the first fault instead of
// returning early, so building an item has no unwinding path per field
// (which is what the wasm carried when every field was a `?`).

/// Why an item is dropped.
enum Dropped {
    /// A field of the wrong type, e.g. "`title` is not a string".
    Malformed(String),
    /// Well-formed but unusable, e.g. "article `a` has no title".
    Unusable(String),
}

impl From<String> for Dropped {
    fn from(fault: String) -> Self {
        Dropped::Malformed(fault)
    }
}

/// The members of one JSON object, and the first fault found reading them.
struct Fields<'v, 'a> {
    members: &'v [(Cow<'a, str>, Value<'a>)],
    fault: Option<String>,
}

impl<'v, 'a> Fields<'v, 'a> {
    fn of(v: &'v Value<'a>) -> Result<Self, String> {
        match v {
            Value::Object(members) => Ok(Fields {
                members,
                fault: None,
            }),
            _ => Err("is not an object".to_owned()),
        }
    }

    /// Member `key` (the first one), unless it is missing or `null`.
    fn get(&self, key: &str) -> Option<&'v Value<'a>> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// Notes "`key` why" unless an earlier field is already at fault.
    #[inline(never)]
    fn fail(&mut self, key: &str, why: &str) {
        if self.fault.is_none() {
            self.fault = Some(format!("`{key}` {why}"));
        }
    }

    /// `false` (and a fault) when `key` is missing.
    fn present(&mut self, key: &str) -> bool {
        let present = self.get(key).is_some();
        if !present {
            self.fail(key, "is missing");
        }
        present
    }

    fn str(&mut self, key: &str) -> Option<&'v str> {
        let s = self.get(key).map(Value::as_str)?;
        if s.is_none() {
            self.fail(key, "is not a string");
        }
        s
    }

    /// A required string ("" and a fault when missing).
    fn req(&mut self, key: &str) -> &'v str {
        self.present(key);
        self.str(key).unwrap_or_default()
    }

    fn string(&mut self, key: &str) -> Option<String> {
        self.str(key).map(str::to_owned)
    }

    fn whole(&mut self, key: &str) -> Option<u32> {
        let n = self.get(key).map(Value::as_u32)?;
        if n.is_none() {
            self.fail(key, "is not a whole number");
        }
        n
    }

    /// The items of list `key` (none when missing, or not a list).
    fn list(&mut self, key: &str) -> &'v [Value<'a>] {
        match self.get(key) {
            None => &[],
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.fail(key, "is not a list");
                &[]
            }
        }
    }

    fn kind(&mut self) -> ArticleType {
        match self.get(fields::article::TYPE).map(Value::as_str) {
            None | Some(Some("article")) => ArticleType::Article,
            Some(Some("video")) => ArticleType::Video,
            Some(_) => {
                self.fail(fields::article::TYPE, "is not `article` or `video`");
                ArticleType::Article
            }
        }
    }

    /// The first fault, if any.
    fn done(self) -> Result<(), String> {
        self.fault.map_or(Ok(()), Err)
    }
}

/// Plain text cut to `max` characters.
fn text(raw: &str, max: usize) -> String {
    truncate_chars(&clean_text(raw), max).0
}

/// An optional excerpt, cleaned; `None` when it is empty.
fn excerpt(raw: Option<&str>) -> Option<String> {
    raw.map(|e| text(e, MAX_EXCERPT_CHARS))
        .filter(|e| !e.is_empty())
}

/// What the URLs are checked against, and the warnings so far.
struct Decoder<'b> {
    /// The bundle's URL (absolute http(s)), when known.
    base: Option<&'b str>,
    /// Keep only images same-origin with `base`.
    cached_only: bool,
    warnings: Vec<String>,
}

impl<'b> Decoder<'b> {
    /// `base_url` is used only when it is an absolute, usable http(s) URL.
    fn new(base_url: Option<&'b str>, cached_only: bool) -> Self {
        Decoder {
            base: base_url.filter(|b| is_absolute_http(b) && check_url(b).is_ok()),
            cached_only,
            warnings: Vec::new(),
        }
    }
}

impl Decoder<'_> {
    /// The related records and the articles of a file that holds articles
    /// (a version 1 bundle, or a version 2 page), read against `providers`;
    /// repeated ids dropped.
    fn contents(
        &mut self,
        root: &Value,
        articles: &[Value],
        providers: &Providers,
    ) -> (RelatedRecords, Vec<Article>) {
        let related = self.records(root.get(fields::bundle::RELATED), providers);
        let mut kept: Vec<Article> = Vec::with_capacity(articles.len());
        for (index, raw) in articles.iter().enumerate() {
            let mark = self.warnings.len();
            match self.article(raw, providers, &related) {
                Ok(article) => kept.push(article),
                Err(why) => self.dropped(mark, &format!("article #{}", index + 1), why),
            }
        }
        let kept = drop_repeated_ids(kept, &mut self.warnings);
        (related, kept)
    }

    fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// Drops an item: the warnings about its parts since `mark` go, one
    /// about the item itself takes their place.
    #[inline(never)]
    fn dropped(&mut self, mark: usize, what: &str, why: Dropped) {
        self.warnings.truncate(mark);
        self.warn(match why {
            Dropped::Malformed(fault) => format!("{what} dropped: it is malformed ({fault})."),
            Dropped::Unusable(why) => format!("{what} dropped: {why}."),
        });
    }

    /// The members of table `name`, in key order (none when it is absent
    /// or not an object, with a warning for the latter). Read in key order,
    /// so that each insert lands at the end of the table's sorted `Vec`:
    /// one sort, not a shift of the tail per member. A parsed object has no
    /// repeated key; in a tree that had one, the last in text order would
    /// replace the others.
    fn table<'v, 'a>(
        &mut self,
        raw: Option<&'v Value<'a>>,
        name: &str,
    ) -> Vec<&'v (Cow<'a, str>, Value<'a>)> {
        let members = match raw {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Object(members)) => members,
            Some(_) => {
                self.warn(format!("`{name}` is not an object; {name} ignored."));
                return Vec::new();
            }
        };
        let key = |i: usize| members.get(i).map_or("", |(k, _)| k.as_ref());
        json::positions_by_key(members.len(), &key)
            .into_iter()
            .filter_map(|i| members.get(i))
            .collect()
    }

    fn providers(&mut self, raw: Option<&Value>) -> Providers {
        let mut out = Providers::default();
        for (key, raw) in self.table(raw, fields::bundle::PROVIDERS) {
            let mark = self.warnings.len();
            let what = format!("provider `{key}`");
            match self.provider(raw, &what) {
                Ok(provider) => out.insert(key.to_string(), provider),
                Err(why) => self.dropped(mark, &what, why),
            }
        }
        out
    }

    /// The related records; one that is malformed or unusable is dropped
    /// (with a warning), and so are the references to it.
    fn records(&mut self, raw: Option<&Value>, providers: &Providers) -> RelatedRecords {
        let mut out = RelatedRecords::default();
        for (key, raw) in self.table(raw, fields::bundle::RELATED) {
            let mark = self.warnings.len();
            let what = format!("related record `{key}`");
            match self.record(raw, providers, &what) {
                Ok(record) => out.insert(key.to_string(), record),
                Err(why) => self.dropped(mark, &what, why),
            }
        }
        out
    }

    fn provider(&mut self, v: &Value, what: &str) -> Result<Provider, Dropped> {
        let mut f = Fields::of(v)?;
        let name = clean_text(f.req(fields::provider::NAME));
        let domain = f.string(fields::provider::DOMAIN);
        let logo = self.image(&mut f, fields::provider::LOGO, &format!("{what} logo"));
        f.done()?;
        if name.is_empty() {
            return Err(Dropped::Unusable("it has no name".to_owned()));
        }
        Ok(Provider { name, domain, logo })
    }

    fn article(
        &mut self,
        v: &Value,
        providers: &Providers,
        records: &RelatedRecords,
    ) -> Result<Article, Dropped> {
        let mut f = Fields::of(v)?;
        let id = clean_text(f.req(fields::article::ID));
        let what = format!("article `{id}`");
        let title = text(f.req(fields::article::TITLE), MAX_TITLE_CHARS);
        let url = f.req(fields::article::URL);
        let excerpt = excerpt(f.str(fields::article::EXCERPT));
        let published = f.string(fields::article::PUBLISHED);
        let updated = f.string(fields::article::UPDATED);
        let mut kind = f.kind();
        let mut topics = Vec::new();
        for topic in f.list(fields::article::TOPICS) {
            match topic.as_str() {
                Some(topic) => topics.push(clean_text(topic)),
                None => f.fail(fields::article::TOPICS, "is not a string"),
            }
        }
        topics.retain(|t| !t.is_empty());
        let provider = known_provider(f.str(fields::article::PROVIDER), providers);
        let image = self.image(&mut f, fields::article::IMAGE, &format!("{what} image"));
        let video = f
            .get(fields::article::VIDEO)
            .and_then(|v| match read_video(v) {
                Ok(video) if youtube::is_valid_id(&video.id) => Some(video),
                Ok(_) => {
                    self.warn(format!("{what}: video id is not valid; video removed."));
                    None
                }
                Err(fault) => {
                    f.fail(fields::article::VIDEO, &fault);
                    None
                }
            });
        if kind == ArticleType::Video && video.is_none() {
            kind = ArticleType::Article;
        }
        let heat = f.whole(fields::article::HEAT);
        let quality = f.whole(fields::article::QUALITY);
        // References to records that are missing (or were dropped) go
        // silently, and so do repeats and those past the cap.
        let mut related: Vec<String> = Vec::new();
        for rid in f.list(fields::article::RELATED) {
            match rid.as_str() {
                Some(rid) => {
                    if related.len() < MAX_RELATED
                        && records.get(rid).is_some()
                        && !related.iter().any(|r| r == rid)
                    {
                        related.push(rid.to_owned());
                    }
                }
                None => f.fail(fields::article::RELATED, "is not a string"),
            }
        }
        f.done()?;
        if id.is_empty() {
            return Err(Dropped::Unusable("it has no id".to_owned()));
        }
        if title.is_empty() {
            return Err(Dropped::Unusable(format!("{what} has no title")));
        }
        let url = safe_resolved(url, self.base)
            .map_err(|why| Dropped::Unusable(format!("{what} has an unusable url: {why}")))?;
        Ok(Article {
            id,
            title,
            excerpt,
            url,
            published,
            updated,
            kind,
            topics,
            provider,
            image,
            video,
            heat,
            quality,
            related,
        })
    }

    fn record(
        &mut self,
        v: &Value,
        providers: &Providers,
        what: &str,
    ) -> Result<RelatedRecord, Dropped> {
        let mut f = Fields::of(v)?;
        let title = text(f.req(fields::related::TITLE), MAX_TITLE_CHARS);
        let url = f.req(fields::related::URL);
        let published = f.string(fields::related::PUBLISHED);
        let kind = f.kind();
        let provider = known_provider(f.str(fields::related::PROVIDER), providers);
        let image = self.image(&mut f, fields::related::IMAGE, &format!("{what} image"));
        f.done()?;
        if title.is_empty() {
            return Err(Dropped::Unusable("it has no title".to_owned()));
        }
        let url = safe_resolved(url, self.base)
            .map_err(|why| Dropped::Unusable(format!("it has an unusable url: {why}")))?;
        Ok(RelatedRecord {
            title,
            url,
            published,
            kind,
            provider,
            image,
        })
    }

    /// Image `key` of `f`, checked: `None` when absent, malformed (a fault
    /// of `f`) or unusable (a warning about `what`).
    fn image(&mut self, f: &mut Fields, key: &str, what: &str) -> Option<Image> {
        match self.read_image(f.get(key)?, what) {
            Ok(image) => image,
            Err(fault) => {
                f.fail(key, &fault);
                None
            }
        }
    }

    fn read_image(&mut self, v: &Value, what: &str) -> Result<Option<Image>, String> {
        let mut f = Fields::of(v)?;
        let src = f.req(fields::image::SRC);
        let width = f.whole(fields::image::WIDTH);
        let height = f.whole(fields::image::HEIGHT);
        let cached = match f.get(fields::image::CACHED) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                f.fail(fields::image::CACHED, "is not true or false");
                false
            }
        };
        let mut variants = Vec::new();
        let mut dropped = 0;
        for item in f.list(fields::image::VARIANTS) {
            match self.variant(item) {
                Ok(Some(variant)) => variants.push(variant),
                Ok(None) => dropped += 1,
                Err(fault) => f.fail(fields::image::VARIANTS, &fault),
            }
        }
        let placeholder = f.str(fields::image::PLACEHOLDER);
        let original = f.str(fields::image::ORIGINAL);
        f.done()?;

        if dropped > 0 {
            self.warn(format!("{what}: {dropped} unusable variant(s) removed."));
        }
        let original = original.and_then(|o| match self.url(o) {
            Ok(url) => Some(url),
            Err(why) => {
                self.warn(format!("{what}: original removed: {why}."));
                None
            }
        });
        let placeholder = placeholder.filter(|ph| {
            let ok = is_hex_colour(ph);
            if !ok {
                self.warn(format!("{what}: placeholder is not #rrggbb; removed."));
            }
            ok
        });
        let src = match self.url(src) {
            Ok(src) => src,
            // A cached image whose `src` is unusable can still be shown
            // from its variants' fallback.
            Err(why) => match variants
                .iter()
                .filter(|v| v.mime != "image/webp")
                .max_by_key(|v| v.width)
            {
                Some(fallback) => fallback.src.clone(),
                None => {
                    self.warn(format!("{what} removed: {why}."));
                    return Ok(None);
                }
            },
        };
        let (width, height) = match (plausible(width), plausible(height)) {
            (Some(w), Some(h)) => (Some(w), Some(h)),
            _ => (None, None),
        };
        Ok(Some(Image {
            src,
            width,
            height,
            cached,
            variants,
            placeholder: placeholder.map(str::to_owned),
            original,
        }))
    }

    /// A variant with a safe (resolved) URL, plausible sizes and a known
    /// type; `Ok(None)` when it is unusable.
    fn variant(&self, v: &Value) -> Result<Option<ImageVariant>, String> {
        let mut f = Fields::of(v)?;
        let src = f.req(fields::variant::SRC);
        f.present(fields::variant::WIDTH);
        let width = f.whole(fields::variant::WIDTH);
        f.present(fields::variant::HEIGHT);
        let height = f.whole(fields::variant::HEIGHT);
        let mime = f.req(fields::variant::TYPE);
        f.done()?;
        let usable = VARIANT_MIMES.contains(&mime);
        Ok(match (plausible(width), plausible(height), self.url(src)) {
            (Some(width), Some(height), Ok(src)) if usable => Some(ImageVariant {
                src,
                width,
                height,
                mime: mime.to_owned(),
            }),
            _ => None,
        })
    }

    /// `raw` checked, resolved, and (cached-only) on the bundle's origin.
    fn url(&self, raw: &str) -> Result<String, String> {
        let url = safe_resolved(raw, self.base)?;
        if self.cached_only && !self.is_local(&url) {
            return Err("not on the bundle's origin (images: cached-only)".to_owned());
        }
        Ok(url)
    }

    /// Same origin as the bundle (a relative URL is, by construction).
    fn is_local(&self, url: &str) -> bool {
        !is_absolute_http(url) || self.base.is_some_and(|b| url::same_origin(b, url))
    }
}

fn read_video(v: &Value) -> Result<Video, String> {
    let mut f = Fields::of(v)?;
    let provider = f.present(fields::video::PROVIDER);
    if provider && f.get(fields::video::PROVIDER).map(Value::as_str) != Some(Some("youtube")) {
        f.fail(fields::video::PROVIDER, "is not `youtube`");
    }
    let id = f.req(fields::video::ID).to_owned();
    f.done()?;
    Ok(Video {
        provider: VideoProvider::Youtube,
        id,
    })
}

fn known_provider(key: Option<&str>, providers: &Providers) -> Option<String> {
    key.filter(|k| providers.get(k).is_some())
        .map(str::to_owned)
}

fn plausible(side: Option<u32>) -> Option<u32> {
    side.filter(|s| *s > 0 && *s < MAX_IMAGE_SIDE)
}

/// `#` and exactly six hex digits.
pub fn is_hex_colour(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The URL checked, resolved against `base` when relative, and checked again.
fn safe_resolved(raw: &str, base: Option<&str>) -> Result<String, String> {
    let checked = check_url(raw).map_err(|e| e.to_string())?;
    let Some(base) = base else {
        return Ok(checked);
    };
    if is_absolute_http(&checked) {
        return Ok(checked);
    }
    let resolved = url::resolve(base, &checked)
        .ok_or_else(|| "it does not resolve against the bundle's URL".to_owned())?;
    check_url(&resolved).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://cdn.example/feeds/news/bundle.json";

    fn article(id: &str, url: &str) -> serde_json::Value {
        serde_json::json!({ "id": id, "title": format!("Title {id}"), "url": url })
    }

    fn about_articles(warnings: Vec<String>) -> Vec<String> {
        warnings
            .into_iter()
            .filter(|w| w.starts_with("article"))
            .collect()
    }

    fn bundle(articles: serde_json::Value) -> Vec<u8> {
        bundle_with(serde_json::json!({}), articles)
    }

    fn bundle_with(related: serde_json::Value, articles: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "version": 1,
            "generatedAt": "2024-05-01T10:00:00Z",
            "providers": {
                "hg": { "name": "Harbour Gazette", "logo": { "src": "logos/hg.png" } },
                "bad": { "name": "Bad", "logo": { "src": "javascript:alert(1)" } }
            },
            "related": related,
            "articles": articles,
        }))
        .unwrap()
    }

    /// A hostile bundle of many providers in reverse key order: inserting
    /// each at its place in the sorted `Vec` shifted all those after it
    /// (quadratic, minutes here); read in key order, each lands at the end.
    #[test]
    fn finding_5_many_providers_are_decoded_by_one_sort() {
        let n = 100_000;
        let mut text = String::from(r#"{"version": 1, "providers": {"#);
        for i in (0..n).rev() {
            text.push_str(&format!(r#""p{i:06}": {{"name": "P{i}"}},"#));
        }
        text.push_str(r#""bad": {"name": ""}}, "articles": []}"#);
        let (b, warnings) = decode(text.as_bytes(), Some(BASE)).unwrap();
        assert_eq!(warnings, ["provider `bad` dropped: it has no name."]);
        assert_eq!(b.providers.len(), n);
        let keys: Vec<&String> = b.providers.iter().map(|(k, _)| k).collect();
        assert!(keys.is_sorted());
        assert_eq!(b.providers.get("p000000").unwrap().name, "P0");
        assert_eq!(b.providers.get("p099999").unwrap().name, "P99999");
    }

    #[test]
    fn finding_5_a_bundle_with_a_repeated_key_is_refused() {
        let text = r#"{"version": 1, "providers": {"hg": {"name": "Harbour Gazette"}, "hg": {"name": "Impostor"}}, "articles": []}"#;
        let err = decode(text.as_bytes(), Some(BASE)).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::NotJson);
        let at = text.rfind(r#""hg""#).unwrap();
        assert_eq!(
            err.message,
            format!(
                "The articles file is not JSON (expected a key not already in this object at byte {at})."
            )
        );
    }

    #[test]
    fn decodes_a_good_bundle_and_resolves_relative_urls() {
        let bytes = bundle_with(
            serde_json::json!({
                "r1": { "title": "R", "url": "/r.html", "image": { "src": "./r.png" } },
                "r2": { "title": "Bad", "url": "javascript:alert(1)" }
            }),
            serde_json::json!([
                {
                    "id": "a1", "title": "  Hello\n world ", "url": "story/1.html",
                    "image": { "src": "../images/x.jpg", "width": 800, "height": 450 },
                    "provider": "hg",
                    "related": ["r1", "r2"]
                },
                { "id": "a2", "title": "Abs", "url": "https://site.example/a2", "provider": "nope" }
            ]),
        );
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        assert_eq!(b.articles.len(), 2);
        let a = &b.articles[0];
        assert_eq!(a.title, "Hello world");
        assert_eq!(a.url, "https://cdn.example/feeds/news/story/1.html");
        let img = a.image.as_ref().unwrap();
        assert_eq!(img.src, "https://cdn.example/feeds/images/x.jpg");
        assert_eq!((img.width, img.height), (Some(800), Some(450)));
        assert_eq!(a.provider.as_deref(), Some("hg"));
        assert_eq!(a.related, ["r1"]);
        let r1 = b.related.get("r1").unwrap();
        assert_eq!(r1.url, "https://cdn.example/r.html");
        assert_eq!(
            r1.image.as_ref().unwrap().src,
            "https://cdn.example/feeds/news/r.png"
        );
        assert_eq!(b.articles[1].url, "https://site.example/a2");
        assert_eq!(b.articles[1].provider, None);
        assert_eq!(
            b.providers.get("hg").unwrap().logo.as_ref().unwrap().src,
            "https://cdn.example/feeds/news/logos/hg.png"
        );
        assert!(b.providers.get("bad").unwrap().logo.is_none());
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("related record `r2` dropped"))
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("provider `bad` logo removed"))
        );
    }

    fn cached_bundle() -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "version": 1,
            "related": {
                "r": { "title": "R", "url": "https://e.example/r",
                    "image": { "src": "https://img.example/r.jpg", "placeholder": "red" } }
            },
            "providers": {
                "hg": { "name": "HG", "logo": { "src": "https://logos.example/hg.png" } },
                "own": { "name": "Own", "logo": { "src": "cache/own-64w.png",
                    "variants": [{ "src": "cache/own-64w.png", "width": 64, "height": 64, "type": "image/png" }] } }
            },
            "articles": [{
                "id": "a", "title": "A", "url": "https://e.example/a", "provider": "hg",
                "image": {
                    "src": "cache/h-640w.jpg", "width": 1600, "height": 900, "cached": true,
                    "placeholder": "#6B7f8e", "original": "https://img.example/h.jpg",
                    "variants": [
                        { "src": "cache/h-320w.webp", "width": 320, "height": 180, "type": "image/webp" },
                        { "src": "cache/h-320w.jpg", "width": 320, "height": 180, "type": "image/jpeg" },
                        { "src": "javascript:alert(1)", "width": 640, "height": 360, "type": "image/jpeg" },
                        { "src": "cache/h-640w.avif", "width": 640, "height": 360, "type": "image/avif" },
                        { "src": "cache/h-0w.jpg", "width": 0, "height": 360, "type": "image/jpeg" },
                        { "src": "cache/h-big.jpg", "width": 640, "height": 20000, "type": "image/jpeg" },
                        { "src": "https://cdn.example/feeds/h-640w.jpg", "width": 640, "height": 360, "type": "image/jpeg" }
                    ]
                },
                "related": ["r"]
            }, {
                "id": "b", "title": "B", "url": "https://e.example/b",
                "image": { "src": "https://img.example/b.jpg", "original": "data:x", "placeholder": "#12345" }
            }]
        }))
        .unwrap()
    }

    #[test]
    fn variants_placeholder_and_original_are_rechecked() {
        let (b, warnings) = decode(&cached_bundle(), Some(BASE)).unwrap();
        let img = b.articles[0].image.as_ref().unwrap();
        assert_eq!(img.src, "https://cdn.example/feeds/news/cache/h-640w.jpg");
        assert_eq!(img.placeholder.as_deref(), Some("#6B7f8e"));
        assert_eq!(img.original.as_deref(), Some("https://img.example/h.jpg"));
        let srcs: Vec<&str> = img.variants.iter().map(|v| v.src.as_str()).collect();
        assert_eq!(
            srcs,
            [
                "https://cdn.example/feeds/news/cache/h-320w.webp",
                "https://cdn.example/feeds/news/cache/h-320w.jpg",
                "https://cdn.example/feeds/h-640w.jpg",
            ]
        );
        assert!(
            warnings.iter().any(|w| w.contains("4 unusable variant(s)")),
            "{warnings:?}"
        );
        // Bad placeholders and originals go; the images stay.
        let rel = b.related.get("r").unwrap().image.as_ref().unwrap();
        assert_eq!(rel.placeholder, None);
        let img_b = b.articles[1].image.as_ref().unwrap();
        assert_eq!(
            (img_b.placeholder.as_ref(), img_b.original.as_ref()),
            (None, None)
        );
        assert!(b.providers.get("hg").unwrap().logo.is_some());
    }

    #[test]
    fn cached_only_keeps_only_same_origin_images() {
        let (b, warnings) = decode_with(&cached_bundle(), Some(BASE), true).unwrap();
        let img = b.articles[0].image.as_ref().unwrap();
        assert_eq!(img.original, None, "the publisher's URL is another origin");
        assert_eq!(img.variants.len(), 3, "same-origin absolute variants stay");
        assert!(b.related.get("r").unwrap().image.is_none());
        assert!(b.articles[1].image.is_none());
        assert!(b.providers.get("hg").unwrap().logo.is_none());
        assert!(b.providers.get("own").unwrap().logo.is_some());
        assert!(warnings.iter().any(|w| w.contains("cached-only")));
        // Every image URL left is on the bundle's origin.
        let all = b
            .articles
            .iter()
            .filter_map(|a| a.image.as_ref())
            .chain(b.providers.values().filter_map(|p| p.logo.as_ref()));
        for img in all {
            assert!(url::same_origin(BASE, &img.src), "{}", img.src);
            assert!(img.variants.iter().all(|v| url::same_origin(BASE, &v.src)));
        }
    }

    /// A reference to a missing record goes, and so does a repeat; a record
    /// no article names is never shown, and nothing of it is an error.
    #[test]
    fn references_name_records() {
        let bytes = bundle_with(
            serde_json::json!({
                "r1": { "title": "R1", "url": "https://e.example/r1" },
                "r2": { "title": "R2", "url": "https://e.example/r2", "excerpt": "ignored" },
                "lonely": { "title": "Nobody names me", "url": "https://e.example/l" }
            }),
            serde_json::json!([
                {
                    "id": "a", "title": "A", "url": "https://e.example/a",
                    "related": ["missing", "r2", "r1", "r2", "r1", "also-missing"]
                },
                { "id": "b", "title": "B", "url": "https://e.example/b", "related": [] }
            ]),
        );
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        assert!(
            warnings.iter().all(|w| w.starts_with("provider `bad`")),
            "{warnings:?}"
        );
        assert_eq!(b.articles[0].related, ["r2", "r1"]);
        assert!(b.articles[1].related.is_empty());
        assert!(
            b.articles
                .iter()
                .all(|a| !a.related.iter().any(|r| r == "lonely"))
        );
    }

    #[test]
    fn references_are_capped() {
        let mut records = serde_json::Map::new();
        let mut ids = Vec::new();
        for i in 0..MAX_RELATED + 5 {
            let id = format!("r{i:02}");
            records.insert(
                id.clone(),
                serde_json::json!({ "title": "R", "url": format!("https://e.example/{i}") }),
            );
            ids.push(id);
        }
        let bytes = bundle_with(
            serde_json::Value::Object(records),
            serde_json::json!([{ "id": "a", "title": "A", "url": "https://e.example/a", "related": ids }]),
        );
        let (b, _) = decode(&bytes, None).unwrap();
        assert_eq!(b.articles[0].related, ids[..MAX_RELATED]);
    }

    #[test]
    fn a_reference_that_is_not_a_string_makes_the_article_malformed() {
        let bytes = bundle_with(
            serde_json::json!({ "r": { "title": "R", "url": "https://e.example/r" } }),
            serde_json::json!([{ "id": "a", "title": "A", "url": "https://e.example/a", "related": ["r", { "title": "R", "url": "https://e.example/r" }] }]),
        );
        let (b, warnings) = decode(&bytes, None).unwrap();
        assert!(b.articles.is_empty());
        assert_eq!(
            about_articles(warnings),
            ["article #1 dropped: it is malformed (`related` is not a string)."]
        );
    }

    #[test]
    fn hex_colours() {
        assert!(is_hex_colour("#a0B1c2") && !is_hex_colour("#a0B1c") && !is_hex_colour("a0b1c2d"));
    }

    #[test]
    fn without_base_relative_urls_stay_relative() {
        let bytes = bundle(serde_json::json!([article("a", "x/y.html")]));
        let (b, _) = decode(&bytes, None).unwrap();
        assert_eq!(b.articles[0].url, "x/y.html");
    }

    #[test]
    fn malformed_article_is_dropped_with_a_warning() {
        let bytes = bundle(serde_json::json!([
            article("a", "https://e.example/a"),
            { "id": "b", "title": 42, "url": "https://e.example/b" },
            "not an object",
            article("c", "https://e.example/c"),
        ]));
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        let warnings = about_articles(warnings);
        let ids: Vec<_> = b.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("article #2 dropped"));
        assert!(warnings[1].starts_with("article #3 dropped"));
    }

    #[test]
    fn a_dropped_article_leaves_one_warning_that_names_the_field() {
        let bytes = bundle(serde_json::json!([
            {
                "id": "a", "title": "A", "url": "https://e.example/a",
                "image": { "src": "https://i.example/a.jpg", "placeholder": "red" },
                "heat": "hot"
            },
            {
                "id": "b", "title": "B", "url": "https://e.example/b",
                "image": { "src": "https://i.example/b.jpg",
                    "variants": [{ "src": "b.jpg", "height": 9, "type": "image/jpeg" }] }
            },
            {
                "id": "c", "title": " ", "url": "https://e.example/c",
                "image": { "src": "https://i.example/c.jpg", "placeholder": "red" }
            },
        ]));
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        assert!(b.articles.is_empty());
        assert_eq!(
            about_articles(warnings),
            [
                "article #1 dropped: it is malformed (`heat` is not a whole number).",
                "article #2 dropped: it is malformed (`image` `variants` `width` is missing).",
                "article #3 dropped: article `c` has no title.",
            ]
        );
    }

    #[test]
    fn unsafe_urls_are_removed() {
        let bytes = bundle(serde_json::json!([
            article("a", "javascript:alert(1)"),
            article("b", "//evil.example/x"),
            article("c", "java\tscript:alert(1)"),
            {
                "id": "d", "title": "D", "url": "https://e.example/d",
                "image": { "src": "data:image/png;base64,AAAA" }
            },
            {
                "id": "e", "title": "E", "url": "https://user:pw@e.example/e"
            },
        ]));
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        let warnings = about_articles(warnings);
        assert_eq!(b.articles.len(), 1);
        assert_eq!(b.articles[0].id, "d");
        assert!(b.articles[0].image.is_none());
        assert_eq!(warnings.len(), 5, "{warnings:?}");
    }

    #[test]
    fn video_ids_are_revalidated() {
        let bytes = bundle(serde_json::json!([
            {
                "id": "v1", "title": "V", "url": "https://e.example/v1", "type": "video",
                "video": { "provider": "youtube", "id": "dQw4w9WgXcQ" }
            },
            {
                "id": "v2", "title": "V", "url": "https://e.example/v2", "type": "video",
                "video": { "provider": "youtube", "id": "\"><script>" }
            },
        ]));
        let (b, warnings) = decode(&bytes, None).unwrap();
        let warnings = about_articles(warnings);
        assert_eq!(b.articles[0].video.as_ref().unwrap().id, "dQw4w9WgXcQ");
        assert_eq!(b.articles[1].video, None);
        assert_eq!(b.articles[1].kind, ArticleType::Article);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn duplicate_ids_are_dropped() {
        let bytes = bundle(serde_json::json!([
            article("a", "https://e.example/1"),
            article("a", "https://e.example/2"),
        ]));
        let (b, warnings) = decode(&bytes, None).unwrap();
        let warnings = about_articles(warnings);
        assert_eq!(b.articles.len(), 1);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn error_kinds() {
        let too_big = vec![b' '; MAX_BUNDLE_BYTES + 1];
        let e = decode(&too_big, None).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::TooLarge(MAX_BUNDLE_BYTES as u64 + 1));
        assert!(e.message.contains("too large"), "{}", e.message);

        for not_json in [
            &b"<!doctype html><p>Not found"[..],
            b"",
            b"  ",
            b"{\"version\":1,",
        ] {
            let e = decode(not_json, None).unwrap_err();
            assert_eq!(e.kind, LoadErrorKind::NotJson, "{not_json:?}");
        }
        for not_bundle in [
            &b"[]"[..],
            b"\"x\"",
            b"{}",
            b"{\"version\":\"1\",\"articles\":[]}",
        ] {
            let e = decode(not_bundle, None).unwrap_err();
            assert_eq!(e.kind, LoadErrorKind::NotJson, "{not_bundle:?}");
        }
        let e = decode(br#"{"version":1,"articles":{}}"#, None).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::NotJson);
        assert!(e.message.contains("`articles`"));

        // The version is checked before the articles are looked at. A
        // version 2 manifest is this kind too: the browser edge then reads
        // it as an archive (`load.rs`).
        let e = decode(br#"{"version":2,"articles":"whatever"}"#, None).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::WrongVersion(2));
        let e = decode(br#"{"version":3,"articles":"whatever"}"#, None).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::WrongVersion(3));
        assert_eq!(
            e.message.as_str(),
            "This bundle is version 3; this widget reads versions 1 and 2."
        );
    }

    #[test]
    fn bom_and_empty_articles_are_fine() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(br#"{"version":1,"generatedAt":"x","articles":[]}"#);
        let (b, w) = decode(&bytes, Some(BASE)).unwrap();
        assert!(b.articles.is_empty() && w.is_empty());
    }

    #[test]
    fn messages_are_sentences() {
        assert_eq!(
            load_error(LoadErrorKind::Http(404)).message.as_str(),
            "The articles could not be loaded (HTTP 404)."
        );
        assert!(
            load_error(LoadErrorKind::TooLarge(6 * 1024 * 1024))
                .message
                .contains("6.0 MB")
        );
    }
}
