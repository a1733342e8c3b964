//! Turns the bytes of a fetched bundle into a [`Bundle`] the components can
//! render, treating them as untrusted: a size cap, the version checked before
//! anything else, articles decoded one by one (a malformed one is dropped with
//! a warning instead of failing the bundle), every URL checked again with
//! [`crate::safe_url`] and relative URLs resolved against the bundle's own URL
//! ([`url::resolve`]; so `images/x.jpg` in a bundle on a CDN works on any
//! page).
//!
//! Pure and target-independent: unit-tested natively.

use crate::bundle::{
    Article, ArticleType, BUNDLE_VERSION, Bundle, Image, ImageVariant, MAX_EXCERPT_CHARS,
    MAX_IMAGE_SIDE, MAX_TITLE_CHARS, Provider, Providers, RelatedItem, VARIANT_MIMES, Video,
    VideoProvider,
};
use crate::safe_url::{check_url, is_absolute_http};
use crate::text::{clean_text, truncate_chars};
use crate::widget::json::{self, Value};
use crate::widget::model::{LoadError, LoadErrorKind};
use crate::widget::url;
use crate::youtube;

/// Largest bundle read, in bytes (5 MiB). A bundle of a few hundred articles
/// is well under 1 MiB.
pub const MAX_BUNDLE_BYTES: usize = 5 * 1024 * 1024;

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
            format!("This bundle is version {v}; this widget reads version {BUNDLE_VERSION}.")
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

    let version = root
        .get("version")
        .ok_or_else(|| not_json("it has no `version`"))?;
    if !matches!(version, Value::Number(_)) {
        return Err(not_json("`version` is not a whole number"));
    }
    if version.as_u32() != Some(BUNDLE_VERSION) {
        let v = version.as_u32().unwrap_or(u32::MAX);
        return Err(load_error(LoadErrorKind::WrongVersion(v)));
    }

    let Some(Value::Array(articles)) = root.get("articles") else {
        return Err(not_json(match root.get("articles") {
            None => "it has no `articles` list",
            Some(_) => "`articles` is not a list",
        }));
    };

    let mut warnings = Vec::new();
    let base = base_url.filter(|b| is_absolute_http(b) && check_url(b).is_ok());
    let ctx = ImageCtx { base, cached_only };

    let generated_at = match root.get("generatedAt") {
        None => String::new(),
        Some(v) => v.as_str().map(str::to_owned).unwrap_or_else(|| {
            warnings.push("`generatedAt` is not a string; ignored.".to_owned());
            String::new()
        }),
    };

    let providers = decode_providers(root.get("providers"), &ctx, &mut warnings);

    let mut kept: Vec<Article> = Vec::with_capacity(articles.len());
    for (index, raw) in articles.iter().enumerate() {
        let position = index + 1;
        let article = match read_article(raw) {
            Ok(a) => a,
            Err(e) => {
                warnings.push(format!(
                    "article #{position} dropped: it is malformed ({e})."
                ));
                continue;
            }
        };
        match clean_article(article, &providers, &ctx, &mut warnings) {
            Ok(article) => kept.push(article),
            Err(why) => warnings.push(format!("article #{position} dropped: {why}.")),
        }
    }
    let kept = drop_repeated_ids(kept, &mut warnings);

    Ok((
        Bundle {
            version: BUNDLE_VERSION,
            generated_at,
            providers,
            articles: kept,
        },
        warnings,
    ))
}

/// Keeps the first article of each id. Sorting positions by id finds the
/// repeats in O(n log n) without a set type (whose code the wasm would carry).
fn drop_repeated_ids(articles: Vec<Article>, warnings: &mut Vec<String>) -> Vec<Article> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    let id = |i: &usize| articles.get(*i).map(|a| a.id.as_str());
    // Stable: among equal ids the earliest position comes first.
    order.sort_by(|a, b| id(a).cmp(&id(b)));
    let mut repeated = vec![false; articles.len()];
    for pair in order.windows(2) {
        if let [first, next] = pair
            && id(first) == id(next)
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

fn decode_providers(
    raw: Option<&Value>,
    ctx: &ImageCtx<'_>,
    warnings: &mut Vec<String>,
) -> Providers {
    let mut out = Providers::default();
    let members = match raw {
        None | Some(Value::Null) => return out,
        Some(Value::Object(members)) => members,
        Some(_) => {
            warnings.push("`providers` is not an object; providers ignored.".to_owned());
            return out;
        }
    };
    for (key, raw) in members {
        match read_provider(raw) {
            Ok(mut provider) => {
                provider.name = clean_text(&provider.name);
                if provider.name.is_empty() {
                    warnings.push(format!("provider `{key}` dropped: it has no name."));
                    continue;
                }
                provider.logo = provider.logo.and_then(|logo| {
                    clean_image(logo, ctx, warnings, &format!("provider `{key}` logo"))
                });
                out.insert(key.to_string(), provider);
            }
            Err(e) => warnings.push(format!("provider `{key}` dropped: it is malformed ({e}).")),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// JSON tree → bundle types. Strict like the CLI's serde types: a field of the
// wrong type makes the whole item malformed (it is dropped with the reason);
// a missing or `null` optional field is absent; unknown fields are ignored.

/// Why an item is malformed, e.g. "`title` is not a string".
type Malformed = String;

/// Optional field `key` of object `o`, converted by `read`.
fn opt<'a, T>(
    o: &'a Value,
    key: &str,
    read: impl FnOnce(&'a Value) -> Result<T, Malformed>,
) -> Result<Option<T>, Malformed> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v).map(Some).map_err(|e| field_error(key, &e)),
    }
}

/// "`key` is not a string": one copy, not one per instantiation of [`opt`].
#[inline(never)]
fn field_error(key: &str, e: &str) -> Malformed {
    format!("`{key}` {e}")
}

/// Required field `key` of object `o`, converted by `read`.
fn req<'a, T>(
    o: &'a Value,
    key: &str,
    read: impl FnOnce(&'a Value) -> Result<T, Malformed>,
) -> Result<T, Malformed> {
    opt(o, key, read)?.ok_or_else(|| field_error(key, "is missing"))
}

fn string(v: &Value) -> Result<String, Malformed> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| "is not a string".to_owned())
}

fn whole(v: &Value) -> Result<u32, Malformed> {
    v.as_u32().ok_or_else(|| "is not a whole number".to_owned())
}

fn list<T>(v: &Value, read: fn(&Value) -> Result<T, Malformed>) -> Result<Vec<T>, Malformed> {
    match v {
        Value::Array(items) => items.iter().map(read).collect(),
        _ => Err("is not a list".to_owned()),
    }
}

fn object<'v, 'a>(v: &'v Value<'a>) -> Result<&'v Value<'a>, Malformed> {
    match v {
        Value::Object(_) => Ok(v),
        _ => Err("is not an object".to_owned()),
    }
}

fn kind(o: &Value) -> Result<ArticleType, Malformed> {
    let kind = opt(o, "type", |v| match v.as_str() {
        Some("article") => Ok(ArticleType::Article),
        Some("video") => Ok(ArticleType::Video),
        _ => Err("is not `article` or `video`".to_owned()),
    })?;
    Ok(kind.unwrap_or_default())
}

fn read_image(v: &Value) -> Result<Image, Malformed> {
    let o = object(v)?;
    Ok(Image {
        src: req(o, "src", string)?,
        width: opt(o, "width", whole)?,
        height: opt(o, "height", whole)?,
        cached: opt(o, "cached", |v| match v {
            Value::Bool(b) => Ok(*b),
            _ => Err("is not true or false".to_owned()),
        })?
        .unwrap_or(false),
        variants: opt(o, "variants", |v| list(v, read_variant))?.unwrap_or_default(),
        placeholder: opt(o, "placeholder", string)?,
        original: opt(o, "original", string)?,
    })
}

fn read_variant(v: &Value) -> Result<ImageVariant, Malformed> {
    let o = object(v)?;
    Ok(ImageVariant {
        src: req(o, "src", string)?,
        width: req(o, "width", whole)?,
        height: req(o, "height", whole)?,
        mime: req(o, "type", string)?,
    })
}

fn read_provider(v: &Value) -> Result<Provider, Malformed> {
    let o = object(v)?;
    Ok(Provider {
        name: req(o, "name", string)?,
        domain: opt(o, "domain", string)?,
        logo: opt(o, "logo", read_image)?,
    })
}

fn read_article(v: &Value) -> Result<Article, Malformed> {
    let o = object(v)?;
    Ok(Article {
        id: req(o, "id", string)?,
        title: req(o, "title", string)?,
        excerpt: opt(o, "excerpt", string)?,
        url: req(o, "url", string)?,
        published: opt(o, "published", string)?,
        updated: opt(o, "updated", string)?,
        kind: kind(o)?,
        topics: opt(o, "topics", |v| list(v, string))?.unwrap_or_default(),
        provider: opt(o, "provider", string)?,
        image: opt(o, "image", read_image)?,
        video: opt(o, "video", |v| {
            let o = object(v)?;
            Ok(Video {
                provider: req(o, "provider", |v| match v.as_str() {
                    Some("youtube") => Ok(VideoProvider::Youtube),
                    _ => Err("is not `youtube`".to_owned()),
                })?,
                id: req(o, "id", string)?,
            })
        })?,
        heat: opt(o, "heat", whole)?,
        quality: opt(o, "quality", whole)?,
        related: opt(o, "related", |v| list(v, read_related))?.unwrap_or_default(),
    })
}

fn read_related(v: &Value) -> Result<RelatedItem, Malformed> {
    let o = object(v)?;
    Ok(RelatedItem {
        title: req(o, "title", string)?,
        excerpt: opt(o, "excerpt", string)?,
        url: req(o, "url", string)?,
        published: opt(o, "published", string)?,
        kind: kind(o)?,
        provider: opt(o, "provider", string)?,
        image: opt(o, "image", read_image)?,
        article: opt(o, "article", string)?,
    })
}

/// Re-checks one article; `Err` says why it must be dropped.
fn clean_article(
    mut article: Article,
    providers: &Providers,
    ctx: &ImageCtx<'_>,
    warnings: &mut Vec<String>,
) -> Result<Article, String> {
    let base = ctx.base;
    article.id = clean_text(&article.id);
    if article.id.is_empty() {
        return Err("it has no id".to_owned());
    }
    article.title = truncate_chars(&clean_text(&article.title), MAX_TITLE_CHARS).0;
    if article.title.is_empty() {
        return Err(format!("article `{}` has no title", article.id));
    }
    article.url = safe_resolved(&article.url, base)
        .map_err(|why| format!("article `{}` has an unusable url: {why}", article.id))?;
    article.excerpt = article
        .excerpt
        .map(|e| truncate_chars(&clean_text(&e), MAX_EXCERPT_CHARS).0)
        .filter(|e| !e.is_empty());
    let what = format!("article `{}`", article.id);
    article.image = article
        .image
        .and_then(|img| clean_image(img, ctx, warnings, &format!("{what} image")));
    if let Some(video) = &article.video
        && !youtube::is_valid_id(&video.id)
    {
        warnings.push(format!("{what}: video id is not valid; video removed."));
        article.video = None;
    }
    if article.kind == ArticleType::Video && article.video.is_none() {
        article.kind = ArticleType::Article;
    }
    article.provider = known_provider(article.provider, providers);
    article.topics = article
        .topics
        .iter()
        .map(|t| clean_text(t))
        .filter(|t| !t.is_empty())
        .collect();
    let related = std::mem::take(&mut article.related);
    article.related = related
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| {
            clean_related(
                item,
                providers,
                ctx,
                warnings,
                &format!("{what} related #{}", i + 1),
            )
        })
        .collect();
    Ok(article)
}

fn clean_related(
    mut item: RelatedItem,
    providers: &Providers,
    ctx: &ImageCtx<'_>,
    warnings: &mut Vec<String>,
    what: &str,
) -> Option<RelatedItem> {
    let base = ctx.base;
    item.title = truncate_chars(&clean_text(&item.title), MAX_TITLE_CHARS).0;
    if item.title.is_empty() {
        warnings.push(format!("{what} dropped: it has no title."));
        return None;
    }
    item.url = match safe_resolved(&item.url, base) {
        Ok(url) => url,
        Err(why) => {
            warnings.push(format!("{what} dropped: unusable url: {why}."));
            return None;
        }
    };
    item.excerpt = item
        .excerpt
        .map(|e| truncate_chars(&clean_text(&e), MAX_EXCERPT_CHARS).0)
        .filter(|e| !e.is_empty());
    item.image = item
        .image
        .and_then(|img| clean_image(img, ctx, warnings, &format!("{what} image")));
    item.provider = known_provider(item.provider, providers);
    Some(item)
}

fn known_provider(key: Option<String>, providers: &Providers) -> Option<String> {
    key.filter(|k| providers.get(k).is_some())
}

/// What image URLs are checked against.
struct ImageCtx<'a> {
    /// The bundle's URL (absolute http(s)), when known.
    base: Option<&'a str>,
    /// Keep only images same-origin with `base`.
    cached_only: bool,
}

impl ImageCtx<'_> {
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

fn plausible(side: Option<u32>) -> Option<u32> {
    side.filter(|s| *s > 0 && *s < MAX_IMAGE_SIDE)
}

fn clean_image(
    mut image: Image,
    ctx: &ImageCtx<'_>,
    warnings: &mut Vec<String>,
    what: &str,
) -> Option<Image> {
    let variants = std::mem::take(&mut image.variants);
    let mut dropped = 0;
    image.variants = variants
        .into_iter()
        .filter_map(|v| {
            clean_variant(v, ctx).or_else(|| {
                dropped += 1;
                None
            })
        })
        .collect();
    if dropped > 0 {
        warnings.push(format!("{what}: {dropped} unusable variant(s) removed."));
    }
    image.original = match image.original.take().map(|o| ctx.url(&o)) {
        Some(Ok(url)) => Some(url),
        Some(Err(why)) => {
            warnings.push(format!("{what}: original removed: {why}."));
            None
        }
        None => None,
    };
    if let Some(ph) = &image.placeholder
        && !is_hex_colour(ph)
    {
        warnings.push(format!("{what}: placeholder is not #rrggbb; removed."));
        image.placeholder = None;
    }
    match ctx.url(&image.src) {
        Ok(src) => image.src = src,
        Err(why) => {
            // A cached image whose `src` is unusable can still be shown
            // from its variants' fallback.
            let fallback = image
                .variants
                .iter()
                .filter(|v| v.mime != "image/webp")
                .max_by_key(|v| v.width)
                .map(|v| v.src.clone());
            match fallback {
                Some(src) => image.src = src,
                None => {
                    warnings.push(format!("{what} removed: {why}."));
                    return None;
                }
            }
        }
    }
    image.width = plausible(image.width);
    image.height = plausible(image.height);
    if image.width.is_none() || image.height.is_none() {
        image.width = None;
        image.height = None;
    }
    Some(image)
}

/// A variant with a safe (resolved) URL, plausible sizes and a known type.
fn clean_variant(mut v: ImageVariant, ctx: &ImageCtx<'_>) -> Option<ImageVariant> {
    if !VARIANT_MIMES.contains(&v.mime.as_str()) {
        return None;
    }
    plausible(Some(v.width))?;
    plausible(Some(v.height))?;
    v.src = ctx.url(&v.src).ok()?;
    Some(v)
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
        serde_json::to_vec(&serde_json::json!({
            "version": 1,
            "generatedAt": "2024-05-01T10:00:00Z",
            "providers": {
                "hg": { "name": "Harbour Gazette", "logo": { "src": "logos/hg.png" } },
                "bad": { "name": "Bad", "logo": { "src": "javascript:alert(1)" } }
            },
            "articles": articles,
        }))
        .unwrap()
    }

    #[test]
    fn decodes_a_good_bundle_and_resolves_relative_urls() {
        let bytes = bundle(serde_json::json!([
            {
                "id": "a1", "title": "  Hello\n world ", "url": "story/1.html",
                "image": { "src": "../images/x.jpg", "width": 800, "height": 450 },
                "provider": "hg",
                "related": [
                    { "title": "R", "url": "/r.html", "image": { "src": "./r.png" } },
                    { "title": "Bad", "url": "javascript:alert(1)" }
                ]
            },
            { "id": "a2", "title": "Abs", "url": "https://site.example/a2", "provider": "nope" }
        ]));
        let (b, warnings) = decode(&bytes, Some(BASE)).unwrap();
        assert_eq!(b.articles.len(), 2);
        let a = &b.articles[0];
        assert_eq!(a.title, "Hello world");
        assert_eq!(a.url, "https://cdn.example/feeds/news/story/1.html");
        let img = a.image.as_ref().unwrap();
        assert_eq!(img.src, "https://cdn.example/feeds/images/x.jpg");
        assert_eq!((img.width, img.height), (Some(800), Some(450)));
        assert_eq!(a.provider.as_deref(), Some("hg"));
        assert_eq!(a.related.len(), 1);
        assert_eq!(a.related[0].url, "https://cdn.example/r.html");
        assert_eq!(
            a.related[0].image.as_ref().unwrap().src,
            "https://cdn.example/feeds/news/r.png"
        );
        assert_eq!(b.articles[1].url, "https://site.example/a2");
        assert_eq!(b.articles[1].provider, None);
        assert_eq!(
            b.providers.get("hg").unwrap().logo.as_ref().unwrap().src,
            "https://cdn.example/feeds/news/logos/hg.png"
        );
        assert!(b.providers.get("bad").unwrap().logo.is_none());
        assert!(warnings.iter().any(|w| w.contains("related #2 dropped")));
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("provider `bad` logo removed"))
        );
    }

    fn cached_bundle() -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "version": 1,
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
                "related": [{ "title": "R", "url": "https://e.example/r",
                    "image": { "src": "https://img.example/r.jpg", "placeholder": "red" } }]
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
        let rel = b.articles[0].related[0].image.as_ref().unwrap();
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
        assert!(b.articles[0].related[0].image.is_none());
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

        // The version is checked before the articles are looked at.
        let e = decode(br#"{"version":2,"articles":"whatever"}"#, None).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::WrongVersion(2));
        assert_eq!(
            e.message.as_str(),
            "This bundle is version 2; this widget reads version 1."
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
