//! Static-site posts (Jekyll, Hugo, Eleventy, Astro): the site's settings
//! (its config file and the command's flags), URLs from permalink
//! patterns, dates and slugs from file names, dates as the generators
//! write them, and excerpts from Markdown bodies. Rules and precedence:
//! docs/inputs.md, "Static-site posts".

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::{clean_text, has_visible, truncate_chars};
use bundle::{Image, MAX_EXCERPT_CHARS, MAX_TITLE_CHARS, Provider};
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::diag::Diagnostic;
use super::resolve::{normalize_domain, slug};
use super::source::{FrontFormat, FrontMatter, parse_front_matter};

/// The permalink pattern when neither `--permalink` nor the site's config
/// gives one (Jekyll's date style without categories).
pub const DEFAULT_PERMALINK: &str = "/:year/:month/:day/:slug/";

/// Largest site config file read, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// Longest permalink pattern accepted (flag or config), in bytes.
pub const MAX_PATTERN_BYTES: usize = 512;

/// A body excerpt takes paragraphs until it has this many characters (or
/// the bundle's cap): a one-line greeting is not a summary.
pub const MIN_BODY_EXCERPT_CHARS: usize = 160;

/// The command's site flags, checked (`--base-url`, `--permalink`,
/// `--provider-name`, `--provider-logo`). They win over config files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFlags {
    /// Absolute http(s) URL.
    pub base_url: Option<String>,
    pub permalink: Option<String>,
    pub provider_name: Option<String>,
    /// Absolute http(s) URL, or a path resolved against the base URL.
    pub provider_logo: Option<String>,
}

/// Which generator's config was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Jekyll,
    Hugo,
}

/// The settings posts of one input folder are read with.
#[derive(Debug, Clone)]
pub struct Site {
    /// Absolute http(s), ending with `/`: what permalinks are joined to.
    pub base_url: Option<String>,
    /// A permalink pattern per Hugo section (`posts` → pattern); the
    /// empty key is the pattern for every post.
    pub permalinks: Vec<(String, String)>,
    /// Dates without a zone are read in this zone.
    pub timezone: TimeZone,
    /// The provider of every post of the site that names none.
    pub provider: Option<(String, Provider)>,
    /// The folder the posts were found in: `:path` and `:section` are
    /// relative to it.
    pub root: Option<PathBuf>,
}

impl Site {
    /// The pattern for a post in `section` (its first folder below the
    /// root).
    pub fn permalink(&self, section: &str) -> &str {
        self.permalinks
            .iter()
            .find(|(s, _)| s == section)
            .or_else(|| self.permalinks.iter().find(|(s, _)| s.is_empty()))
            .map_or(DEFAULT_PERMALINK, |(_, p)| p.as_str())
    }
}

/// The settings of every input: one [`Site`] per input folder, and one
/// from the flags alone for files named on the command line.
#[derive(Debug, Clone)]
pub struct Sites {
    by_dir: HashMap<PathBuf, Site>,
    plain: Site,
}

impl Sites {
    /// Reads the config of each input folder and decides what to walk:
    /// a Jekyll site root is read from its `_posts`, a Hugo site root from
    /// its `content`. Returns the sites, the paths to walk (in input order)
    /// and what went wrong reading configs.
    pub fn load(inputs: &[PathBuf], flags: &SiteFlags) -> (Sites, Vec<PathBuf>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut by_dir = HashMap::new();
        let mut walk = Vec::with_capacity(inputs.len());
        for input in inputs {
            if !input.is_dir() {
                walk.push(input.clone());
                continue;
            }
            let (config, posts) = find_config(input);
            let settings = match &config {
                Some((path, generator)) => read_config(path, *generator, &mut diags),
                None => ConfigSettings::default(),
            };
            let dir = posts.unwrap_or_else(|| input.clone());
            // Below a Hugo `content` folder, sections are its children.
            let root = match &config {
                Some((_, Generator::Hugo)) => dir
                    .ancestors()
                    .find(|a| a.file_name().is_some_and(|n| n == "content"))
                    .map_or_else(|| dir.clone(), Path::to_path_buf),
                _ => dir.clone(),
            };
            let site = build_site(settings, flags, Some(root), &mut diags);
            by_dir.insert(dir.clone(), site);
            walk.push(dir);
        }
        let plain = build_site(ConfigSettings::default(), flags, None, &mut diags);
        // A flag's problem is found once per site: report it once.
        let mut seen = std::collections::HashSet::new();
        diags.retain(|d| seen.insert((d.path.clone(), d.message.clone())));
        (Sites { by_dir, plain }, walk, diags)
    }

    /// Flags only, no config (tests and library callers).
    pub fn from_flags(flags: &SiteFlags) -> Sites {
        let mut diags = Vec::new();
        Sites {
            by_dir: HashMap::new(),
            plain: build_site(ConfigSettings::default(), flags, None, &mut diags),
        }
    }

    /// The site of a walked file: the nearest input folder above it.
    pub fn for_file(&self, path: &Path) -> &Site {
        path.ancestors()
            .skip(1)
            .find_map(|dir| self.by_dir.get(dir))
            .unwrap_or(&self.plain)
    }
}

/// The config file of an input folder and, for a site root, the folder
/// its posts are in. `_posts` looks at its parent for `_config.yml`; a
/// folder inside a Hugo `content` folder at the folder holding `content`.
fn find_config(dir: &Path) -> (Option<(PathBuf, Generator)>, Option<PathBuf>) {
    let jekyll = |d: &Path| {
        let p = d.join("_config.yml");
        p.is_file().then_some((p, Generator::Jekyll))
    };
    let hugo = |d: &Path| {
        ["hugo.toml", "config.toml"]
            .iter()
            .map(|name| d.join(name))
            .find(|p| p.is_file())
            .map(|p| (p, Generator::Hugo))
    };
    if let Some(found) = jekyll(dir) {
        let posts = dir.join("_posts");
        return (Some(found), posts.is_dir().then_some(posts));
    }
    if let Some(found) = hugo(dir) {
        let content = dir.join("content");
        return (Some(found), content.is_dir().then_some(content));
    }
    if dir.file_name().is_some_and(|n| n == "_posts")
        && let Some(found) = dir.parent().and_then(jekyll)
    {
        return (Some(found), None);
    }
    let holder = dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "content"))
        .and_then(Path::parent);
    (holder.and_then(hugo), None)
}

/// What a config file says, before the flags are applied.
#[derive(Debug, Clone, Default)]
struct ConfigSettings {
    path: Option<String>,
    title: Option<String>,
    base_url: Option<String>,
    logo: Option<String>,
    timezone: Option<String>,
    permalinks: Vec<(String, String)>,
}

/// Reads `_config.yml` (Jekyll) or `hugo.toml`/`config.toml` (Hugo).
/// Problems are warnings: the posts are still read.
fn read_config(path: &Path, generator: Generator, diags: &mut Vec<Diagnostic>) -> ConfigSettings {
    let display = path.display().to_string();
    let mut out = ConfigSettings {
        path: Some(display.clone()),
        ..ConfigSettings::default()
    };
    let mut bytes = Vec::new();
    let read = File::open(path).and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        diags.push(Diagnostic::warning(
            &display,
            format!("cannot read the site config: {e}; ignored"),
        ));
        return out;
    }
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        diags.push(Diagnostic::warning(
            &display,
            format!(
                "site config is larger than {} KiB; ignored",
                MAX_CONFIG_BYTES / 1024
            ),
        ));
        return out;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        diags.push(Diagnostic::warning(
            &display,
            "site config is not UTF-8; ignored",
        ));
        return out;
    };
    let fm = FrontMatter {
        text,
        first_line: 1,
        format: match generator {
            Generator::Jekyll => FrontFormat::Yaml,
            Generator::Hugo => FrontFormat::Toml,
        },
        body: String::new(),
    };
    let value = match parse_front_matter(&fm) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            diags.push(Diagnostic::warning(
                &display,
                "site config is not a mapping; ignored",
            ));
            return out;
        }
        Err(e) => {
            diags.push(
                Diagnostic::warning(&display, format!("{}; site config ignored", e.message))
                    .at(e.pos),
            );
            return out;
        }
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    out.title = text(get_ci(&value, "title"));
    out.timezone = text(get_ci(&value, "timezone"));
    match generator {
        Generator::Jekyll => {
            let url = text(get_ci(&value, "url"));
            let baseurl = text(get_ci(&value, "baseurl")).unwrap_or_default();
            out.base_url = url.map(|u| {
                let b = baseurl.trim_matches('/');
                if b.is_empty() {
                    u
                } else {
                    format!("{}/{b}", u.trim_end_matches('/'))
                }
            });
            out.logo = text(get_ci(&value, "logo"));
            if let Some(p) = text(get_ci(&value, "permalink")) {
                out.permalinks.push((String::new(), jekyll_style(&p)));
            }
        }
        Generator::Hugo => {
            out.base_url = text(get_ci(&value, "baseurl"));
            let params = get_ci(&value, "params").and_then(Value::as_object);
            out.logo = params.and_then(|p| {
                text(get_ci(p, "logo"))
                    .or_else(|| text(get_ci(p, "favicon")))
                    .or_else(|| image_of(get_ci(p, "images")?))
            });
            if let Some(Value::Object(table)) = get_ci(&value, "permalinks") {
                // Hugo 0.120+ nests them by kind: `[permalinks.page]`.
                let table = match get_ci(table, "page") {
                    Some(Value::Object(page)) => page,
                    _ => table,
                };
                for (section, pattern) in table {
                    if let Value::String(p) = pattern {
                        out.permalinks.push((section.clone(), p.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Jekyll's named permalink styles.
fn jekyll_style(p: &str) -> String {
    match p.trim() {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    }
    .to_owned()
}

/// Flags over config: the site's base URL, patterns, zone and provider.
fn build_site(
    config: ConfigSettings,
    flags: &SiteFlags,
    root: Option<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> Site {
    let at = config.path.clone().unwrap_or_default();
    let base_url = match (&flags.base_url, &config.base_url) {
        (Some(flag), _) => Some(flag.clone()),
        (None, Some(url)) => match check_url(url.trim()) {
            Ok(u) if is_absolute_http(&u) => Some(u),
            _ => {
                let shown = truncate_chars(&clean_text(url), 80).0;
                diags.push(Diagnostic::warning(
                    &at,
                    format!("site URL `{shown}` is not an absolute http(s) URL; ignored"),
                ));
                None
            }
        },
        (None, None) => None,
    }
    .map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
    let mut permalinks = config.permalinks;
    if let Some(p) = &flags.permalink {
        permalinks = vec![(String::new(), p.clone())];
    }
    permalinks.retain(|(_, p)| {
        let ok = p.len() <= MAX_PATTERN_BYTES;
        if !ok {
            diags.push(Diagnostic::warning(
                &at,
                format!("permalink pattern over {MAX_PATTERN_BYTES} bytes; ignored"),
            ));
        }
        ok
    });
    let timezone = match &config.timezone {
        Some(name) => match TimeZone::get(name.trim()) {
            Ok(tz) => tz,
            Err(_) => {
                let shown = truncate_chars(&clean_text(name), 60).0;
                diags.push(Diagnostic::warning(
                    &at,
                    format!("unknown time zone `{shown}`; dates without a zone are read as UTC"),
                ));
                TimeZone::UTC
            }
        },
        None => TimeZone::UTC,
    };
    let name = flags
        .provider_name
        .clone()
        .or(config.title)
        .map(|n| truncate_chars(&clean_text(&n), MAX_TITLE_CHARS).0)
        .filter(|n| has_visible(n));
    let logo_at = if flags.provider_logo.is_some() {
        "--provider-logo".to_owned()
    } else {
        at.clone()
    };
    let logo_raw = flags.provider_logo.clone().or(config.logo);
    let logo = logo_raw.and_then(|raw| {
        let resolved = match &base_url {
            Some(base) => resolve_site_ref(Some(base), base, raw.trim()),
            None => Some(raw.trim().to_owned()),
        };
        match resolved.as_deref().map(check_url) {
            Some(Ok(src)) => Some(Image {
                src,
                ..Image::default()
            }),
            _ => {
                let shown = truncate_chars(&clean_text(&raw), 80).0;
                diags.push(Diagnostic::warning(
                    &logo_at,
                    format!("provider logo `{shown}` is not a usable URL; ignored"),
                ));
                None
            }
        }
    });
    let domain = base_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().and_then(normalize_domain));
    let provider = match (&domain, &name) {
        (None, None) => None,
        _ => {
            let key = domain
                .clone()
                .unwrap_or_else(|| slug(name.as_deref().unwrap_or_default()));
            let name = name
                .or_else(|| domain.clone())
                .unwrap_or_else(|| key.clone());
            (!key.is_empty()).then_some((key, Provider { name, domain, logo }))
        }
    };
    Site {
        base_url,
        permalinks,
        timezone,
        provider,
        root,
    }
}

/// A value of a mapping by key, ignoring ASCII case (the exact spelling
/// first).
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The URL of an image value: a string, an object with `src`, `url`,
/// `path` or `image`, or a list of those (its first).
pub fn image_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => ["src", "url", "path", "image"]
            .iter()
            .find_map(|k| get_ci(map, k).and_then(Value::as_str))
            .map(str::to_owned),
        Value::Array(items) => items.first().and_then(image_of),
        _ => None,
    }
}

/// `reference` resolved against the absolute `base` by the URL standard.
pub fn join_url(base: &str, reference: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    base.join(reference).ok().map(String::from)
}

/// A path of the site (`/assets/logo.png`) below the site's base URL,
/// its path kept (Jekyll's `relative_url`: `baseurl` + path); other
/// references by the URL standard against `page` (the post, or the base).
pub fn resolve_site_ref(site_base: Option<&str>, page: &str, reference: &str) -> Option<String> {
    match site_base {
        Some(base) if reference.starts_with('/') && !reference.starts_with("//") => {
            Some(post_url(base, reference))
        }
        _ => join_url(page, reference),
    }
}

/// What a post's file name and place say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// `2024-03-05` of `2024-03-05-slug.md` (or of a bundle folder).
    pub date: Option<jiff::civil::Date>,
    /// `slug` of `2024-03-05-slug.md`, `slug.md`, or `slug/index.md`.
    pub slug: Option<String>,
    /// The path below the site root without the extension (`posts/slug`;
    /// `posts/slug` for `posts/slug/index.md`).
    pub path: String,
    /// The first folder below the site root (Hugo's section).
    pub section: String,
    /// Hugo's `_index.md`: a list page, not a post.
    pub list_page: bool,
}

/// Reads the date and slug of a Jekyll-style name (`YYYY-MM-DD-slug.md`)
/// and the page-bundle shape (`slug/index.md`).
pub fn file_facts(path: &Path, root: Option<&Path>) -> FileFacts {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let list_page = stem == "_index" || stem.starts_with("_index.");
    // `index.md`, `index.en.md`: the folder names the post.
    let bundle = stem == "index" || stem.starts_with("index.");
    let name = if bundle || list_page {
        path.parent()
            .and_then(Path::file_name)
            .and_then(|s| s.to_str())
            .unwrap_or_default()
    } else {
        stem
    };
    let (date, slug) = split_dated(name);
    let rel = match root.and_then(|r| path.strip_prefix(r).ok()) {
        Some(rel) => rel,
        None => Path::new(path.file_name().unwrap_or_default()),
    };
    let mut parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        *last = if bundle { "" } else { stem };
    }
    let path_str = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    let section = if parts.len() > 1 {
        parts.first().copied().unwrap_or_default().to_owned()
    } else {
        String::new()
    };
    FileFacts {
        date,
        slug: (!slug.is_empty()).then(|| slug.to_owned()),
        path: path_str,
        section,
        list_page,
    }
}

/// `2024-03-05-slug` → (date, `slug`); anything else → (None, whole).
fn split_dated(name: &str) -> (Option<jiff::civil::Date>, &str) {
    let (Some(head), Some(rest)) = (name.get(..10), name.get(10..)) else {
        return (None, name);
    };
    let shaped = head.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !shaped || !(rest.is_empty() || rest.starts_with('-')) {
        return (None, name);
    }
    match head.parse::<jiff::civil::Date>() {
        Ok(date) => (Some(date), rest.strip_prefix('-').unwrap_or(rest)),
        Err(_) => (None, name),
    }
}

/// A date as static-site generators write it: RFC 3339, `2024-03-05
/// 10:00:00 +0100` (Jekyll), a date or date-time without zone (read in
/// `tz`), or `Jul 08 2022` (Astro's starter). `None` when unreadable.
pub fn parse_site_date(s: &str, tz: &TimeZone) -> Option<jiff::Timestamp> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(ts) = jiff::fmt::strtime::parse(fmt, s).and_then(|t| t.to_timestamp()) {
            return Some(ts);
        }
    }
    let civil = s
        .parse::<jiff::civil::DateTime>()
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"].iter().find_map(|f| {
                jiff::fmt::strtime::parse(f, s)
                    .and_then(|t| t.to_datetime())
                    .ok()
            })
        })
        .or_else(|| {
            [
                "%b %d %Y",
                "%B %d %Y",
                "%b %d, %Y",
                "%B %d, %Y",
                "%d %b %Y",
                "%d %B %Y",
                "%Y/%m/%d",
            ]
            .iter()
            .find_map(|f| {
                jiff::fmt::strtime::parse(f, s)
                    .and_then(|t| t.to_date())
                    .ok()
            })
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })?;
    civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// What a permalink pattern is filled with.
#[derive(Debug, Clone, Default)]
pub struct PermalinkFields<'a> {
    /// The publication time in the site's zone.
    pub date: Option<jiff::civil::DateTime>,
    /// The slug as given (front matter or file name).
    pub slug: &'a str,
    /// The title, for `:slug` when there is no slug.
    pub title: &'a str,
    pub categories: &'a [String],
    pub facts: Option<&'a FileFacts>,
}

/// Why a pattern could not be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermalinkError {
    /// The pattern names a date part and the post has no date.
    NoDate,
    /// The pattern names the slug and there is neither slug nor title.
    NoSlug,
}

/// Fills a pattern (`/:year/:month/:day/:slug/`). Placeholders: `:year`
/// `:short_year` `:month` `:i_month` `:day` `:i_day` `:y_day` `:hour`
/// `:minute` `:second` `:slug` `:title` `:categories` `:output_ext`
/// (`.html`) `:section` `:filename` `:path`; other `:words` stay as
/// written. Every value is URL-safe; repeated `/` are folded and the path
/// starts with `/`.
pub fn expand_permalink(
    pattern: &str,
    fields: &PermalinkFields<'_>,
) -> Result<String, PermalinkError> {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    let date = |f: fn(&jiff::civil::DateTime) -> String| -> Result<String, PermalinkError> {
        fields.date.as_ref().map(f).ok_or(PermalinkError::NoDate)
    };
    while let Some(colon) = rest.find(':') {
        out.push_str(rest.get(..colon).unwrap_or_default());
        let after = rest.get(colon + 1..).unwrap_or_default();
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
            .count();
        let name = after.get(..len).unwrap_or_default();
        let facts = fields.facts;
        let value = match name {
            "year" => date(|d| format!("{:04}", d.year()))?,
            "short_year" => date(|d| format!("{:02}", d.year().rem_euclid(100)))?,
            "month" => date(|d| format!("{:02}", d.month()))?,
            "i_month" => date(|d| d.month().to_string())?,
            "day" => date(|d| format!("{:02}", d.day()))?,
            "i_day" => date(|d| d.day().to_string())?,
            "y_day" => date(|d| format!("{:03}", d.day_of_year()))?,
            "hour" => date(|d| format!("{:02}", d.hour()))?,
            "minute" => date(|d| format!("{:02}", d.minute()))?,
            "second" => date(|d| format!("{:02}", d.second()))?,
            "slug" => {
                let s = if fields.slug.trim().is_empty() {
                    slug(fields.title)
                } else {
                    slug(fields.slug)
                };
                if s.is_empty() {
                    return Err(PermalinkError::NoSlug);
                }
                encode_segment(&s)
            }
            "title" => {
                let s = if fields.slug.trim().is_empty() {
                    slug(fields.title)
                } else {
                    fields.slug.trim().replace(char::is_whitespace, "-")
                };
                if s.is_empty() {
                    return Err(PermalinkError::NoSlug);
                }
                encode_segment(&s)
            }
            "categories" => fields
                .categories
                .iter()
                .map(|c| encode_segment(&slug(c)))
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join("/"),
            "output_ext" => ".html".to_owned(),
            "section" => facts
                .map(|f| encode_segment(&f.section))
                .unwrap_or_default(),
            "filename" => facts
                .and_then(|f| f.path.rsplit('/').next())
                .map(encode_segment)
                .unwrap_or_default(),
            "path" => facts
                .map(|f| {
                    f.path
                        .split('/')
                        .map(encode_segment)
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default(),
            _ => {
                out.push(':');
                out.push_str(name);
                rest = after.get(len..).unwrap_or_default();
                continue;
            }
        };
        out.push_str(&value);
        rest = after.get(len..).unwrap_or_default();
    }
    out.push_str(rest);
    // Empty parts (no categories) leave `//`: fold them.
    let mut path = String::with_capacity(out.len() + 1);
    if !out.starts_with('/') {
        path.push('/');
    }
    for c in out.chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    Ok(path)
}

/// One path segment, URL-safe: unreserved ASCII kept, everything else
/// (non-ASCII letters included, as UTF-8) percent-encoded, `/` too.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The post URL: the filled pattern below the base URL (its path kept),
/// normalised by the URL standard (dot segments resolved).
pub fn post_url(base: &str, path: &str) -> String {
    let joined = format!("{}{path}", base.trim_end_matches('/'));
    url::Url::parse(&joined).map_or(joined, String::from)
}

/// The first paragraph(s) of a Markdown body as plain text: inline
/// Markdown dropped, link text kept, HTML dropped (never passed through),
/// code blocks, headings, tables, images and footnotes skipped, stopped at
/// `<!--more-->`. Paragraphs are joined until [`MIN_BODY_EXCERPT_CHARS`];
/// parsing stops once the excerpt cap is reached. `None` when nothing is
/// left.
pub fn body_excerpt(body: &str) -> Option<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut out = String::new();
    let mut chars = 0usize;
    let mut skip = 0usize;
    let mut para = 0usize;
    // Text between inline `<script>`/`<style>` tags is code, not prose.
    let mut raw_text = false;
    let push = |out: &mut String, chars: &mut usize, text: &str| {
        out.push_str(text);
        *chars += text.chars().count();
    };
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(
                Tag::CodeBlock(_)
                | Tag::Heading { .. }
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_)
                | Tag::Image { .. }
                | Tag::HtmlBlock
                | Tag::MetadataBlock(_),
            ) => skip += 1,
            Event::End(
                TagEnd::CodeBlock
                | TagEnd::Heading(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition
                | TagEnd::Image
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_),
            ) => skip = skip.saturating_sub(1),
            Event::Start(Tag::Paragraph) => para += 1,
            Event::End(TagEnd::Paragraph) => {
                para = para.saturating_sub(1);
                if para == 0 && skip == 0 {
                    if chars >= MIN_BODY_EXCERPT_CHARS {
                        break;
                    }
                    push(&mut out, &mut chars, " ");
                }
            }
            Event::Text(t) | Event::Code(t) if skip == 0 && para > 0 && !raw_text => {
                push(&mut out, &mut chars, &t);
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 && para > 0 => {
                push(&mut out, &mut chars, " ");
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                if h.eq_ignore_ascii_case("<!--more-->") || h.eq_ignore_ascii_case("<!-- more -->")
                {
                    break;
                }
                let tag = h.get(..8).unwrap_or(h).to_ascii_lowercase();
                if tag.starts_with("<script") || tag.starts_with("<style") {
                    raw_text = true;
                } else if tag.starts_with("</script") || tag.starts_with("</style") {
                    raw_text = false;
                } else if para > 0
                    && ["<br", "<p", "</p", "<div", "</div", "<li", "<hr"]
                        .iter()
                        .any(|t| tag.starts_with(t))
                {
                    // A line or block break between words.
                    push(&mut out, &mut chars, " ");
                }
            }
            _ => {}
        }
        if chars > MAX_EXCERPT_CHARS {
            break;
        }
    }
    let cleaned = clean_text(&out);
    has_visible(&cleaned).then(|| truncate_chars(&cleaned, MAX_EXCERPT_CHARS).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_give_dates_and_slugs() {
        let f = file_facts(Path::new("site/_posts/2024-03-05-hello-world.md"), None);
        assert_eq!(f.date, "2024-03-05".parse().ok());
        assert_eq!(f.slug.as_deref(), Some("hello-world"));
        let b = file_facts(
            Path::new("content/posts/my-trip/index.md"),
            Some(Path::new("content")),
        );
        assert_eq!(b.slug.as_deref(), Some("my-trip"));
        assert_eq!(b.path, "posts/my-trip");
        assert_eq!(b.section, "posts");
        let plain = file_facts(Path::new("posts/notes.md"), Some(Path::new("posts")));
        assert_eq!((plain.date, plain.slug.as_deref()), (None, Some("notes")));
        assert!(file_facts(Path::new("c/posts/_index.md"), None).list_page);
        assert_eq!(split_dated("2024-13-05-x").0, None);
        assert_eq!(split_dated("2024-03-05").1, "");
    }

    #[test]
    fn configs_are_found_from_a_root_or_a_posts_folder() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let flags = SiteFlags::default();
        // A Hugo section given itself: the config beside `content`, and
        // `content` stays the root of sections.
        let posts = fixtures.join("site_hugo/in/content/posts");
        let (sites, walk, diags) = Sites::load(std::slice::from_ref(&posts), &flags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(walk, vec![posts.clone()]);
        let site = sites.for_file(&posts.join("kelp-notes.md"));
        assert_eq!(site.base_url.as_deref(), Some("https://tidepool.example/"));
        assert_eq!(site.permalink("posts"), "/:year/:month/:slug/");
        let facts = file_facts(&posts.join("kelp-notes.md"), site.root.as_deref());
        assert_eq!(facts.section, "posts");
        // A Jekyll root walks `_posts`; `_posts` given itself finds the
        // config in its parent. Flags win over the config.
        let root = fixtures.join("site_jekyll/in");
        let (_, walk, _) = Sites::load(std::slice::from_ref(&root), &flags);
        assert_eq!(walk, vec![root.join("_posts")]);
        let flags = SiteFlags {
            base_url: Some("https://flag.example/".to_owned()),
            provider_name: Some("Flag".to_owned()),
            ..SiteFlags::default()
        };
        let (sites, _, _) = Sites::load(&[root.join("_posts")], &flags);
        let site = sites.for_file(&root.join("_posts/2024-03-05-first-light.md"));
        assert_eq!(site.base_url.as_deref(), Some("https://flag.example/"));
        let (key, provider) = site.provider.clone().unwrap();
        assert_eq!(
            (key.as_str(), provider.name.as_str()),
            ("flag.example", "Flag")
        );
        // From the config, below the flag's base URL.
        assert_eq!(
            provider.logo.map(|l| l.src).as_deref(),
            Some("https://flag.example/assets/logo.png")
        );
    }

    #[test]
    fn permalinks_fill_and_encode() {
        let when = "2024-03-05T09:07:00".parse().ok();
        let cats = vec!["Travel Notes".to_owned(), String::new()];
        let fields = PermalinkFields {
            date: when,
            slug: "Crème brûlée",
            title: "ignored",
            categories: &cats,
            facts: None,
        };
        let x = |p: &str| expand_permalink(p, &fields).unwrap();
        assert_eq!(
            x(DEFAULT_PERMALINK),
            "/2024/03/05/cr%C3%A8me-br%C3%BBl%C3%A9e/"
        );
        assert_eq!(x("/:year/:i_month/:i_day/:hour:minute/"), "/2024/3/5/0907/");
        assert_eq!(
            x("/:categories/:title:output_ext"),
            "/travel-notes/Cr%C3%A8me-br%C3%BBl%C3%A9e.html"
        );
        assert_eq!(
            x("blog/:unknown/:slug"),
            "/blog/:unknown/cr%C3%A8me-br%C3%BBl%C3%A9e"
        );
        let undated = PermalinkFields {
            slug: "a",
            ..PermalinkFields::default()
        };
        assert_eq!(
            expand_permalink("/:year/:slug/", &undated),
            Err(PermalinkError::NoDate)
        );
        assert_eq!(
            expand_permalink("/:slug/", &PermalinkFields::default()),
            Err(PermalinkError::NoSlug)
        );
    }

    #[test]
    fn site_dates() {
        let utc = TimeZone::UTC;
        let t = |s: &str| parse_site_date(s, &utc).map(crate::resolve::format_time);
        assert_eq!(
            t("2024-03-05 10:00:00 +0100").as_deref(),
            Some("2024-03-05T09:00:00Z")
        );
        assert_eq!(t("2024-03-05").as_deref(), Some("2024-03-05T00:00:00Z"));
        assert_eq!(
            t("2024-03-05T10:00:00").as_deref(),
            Some("2024-03-05T10:00:00Z")
        );
        assert_eq!(t("Jul 08 2022").as_deref(), Some("2022-07-08T00:00:00Z"));
        assert_eq!(
            t("2024-03-05 10:00").as_deref(),
            Some("2024-03-05T10:00:00Z")
        );
        assert_eq!(t("soon"), None);
        let fixed = TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(
            parse_site_date("2024-03-05 10:00:00", &fixed).map(crate::resolve::format_time),
            Some("2024-03-05T08:00:00Z".to_owned())
        );
    }

    #[test]
    fn body_excerpts_are_plain_text() {
        let body = "# Heading\n\nHello *there*, see [the docs](https://x.example/) and `code`.<b>bold</b> <script>alert(1)</script>\n\n```\nskipped()\n```\n\nSecond paragraph.\n";
        assert_eq!(
            body_excerpt(body).as_deref(),
            Some("Hello there, see the docs and code.bold Second paragraph.")
        );
        assert_eq!(
            body_excerpt("Intro.\n\n<!--more-->\n\nRest.").as_deref(),
            Some("Intro.")
        );
        assert_eq!(body_excerpt("<div>only html</div>\n"), None);
        let long = "word ".repeat(10_000);
        let cut = body_excerpt(&long).unwrap();
        assert!(cut.chars().count() <= MAX_EXCERPT_CHARS && cut.ends_with('…'));
    }
}
