//! Widget options: what a page asks for (`RawOptions`, deliberately
//! permissive: JSON from a script tag, an object from JS, or element
//! attributes) and what the widget uses (`Options`, validated, with every
//! default defined once in [`defaults`]).
//!
//! Resolution never fails except for a missing or unsafe `src`: an invalid
//! option falls back to its default and yields one warning naming it, which
//! the edge logs to the console.

use std::rc::Rc;

use yew::AttrValue;

use bundle::ArticleType;
use bundle::safe_url;
use bundle::text::clean_text;

/// Every default, in one place.
pub mod defaults {
    use super::{Images, Layout, Show, Sort, Target, Theme};

    pub const LIMIT: usize = 6;
    pub const LIMIT_MIN: usize = 1;
    pub const LIMIT_MAX: usize = 100;
    pub const SORT: Sort = Sort::Newest;
    pub const LAYOUT: Layout = Layout::Grid;
    pub const THEME: Theme = Theme::Auto;
    pub const EXCERPT_LINES: u8 = 3;
    pub const EXCERPT_LINES_MAX: u8 = 10;
    pub const SHOW: Show = Show {
        image: true,
        excerpt: true,
        topics: true,
        provider: true,
    };
    pub const TARGET: Target = Target::Blank;
    pub const REL: &str = "noopener noreferrer";
    pub const TIMEOUT_MS: u32 = 8_000;
    pub const TIMEOUT_MS_MIN: u32 = 500;
    pub const TIMEOUT_MS_MAX: u32 = 120_000;
    pub const RETRIES: u32 = 2;
    pub const RETRIES_MAX: u32 = 10;
    /// Related-article carousels on cards.
    pub const RELATED: bool = true;
    pub const RELATED_LIMIT: usize = 6;
    pub const RELATED_LIMIT_MIN: usize = 1;
    pub const RELATED_LIMIT_MAX: usize = 12;
    /// Carousels do not rotate by themselves unless asked (`autoplay`).
    pub const AUTOPLAY: Option<u32> = None;
    /// `autoplay: true`: one page every 6 s.
    pub const AUTOPLAY_MS: u32 = 6_000;
    pub const AUTOPLAY_MS_MIN: u32 = 2_000;
    pub const AUTOPLAY_MS_MAX: u32 = 120_000;
    /// Heading level of card titles (`<h3>`); related titles are one below.
    pub const HEADING_LEVEL: u8 = 3;
    pub const HEADING_LEVEL_MIN: u8 = 2;
    pub const HEADING_LEVEL_MAX: u8 = 6;
    /// Longest `label`, in characters; longer ones are cut, with a warning.
    pub const LABEL_MAX_CHARS: usize = 80;
    pub const IMAGES: Images = Images::Auto;
}

/// One option's value as given: the JSON data model of [`json`](super::json)
/// (the edge writes a JS object with `JSON.stringify` and parses that).
pub use super::json::{Value, push_number};

/// The options table: the one place where each option is named. A row is
/// the `RawOptions` field, the key of an options object, other keys
/// accepted for it, the element attribute (its key with `_` as `-`; also
/// read with a `data-` or `data-ac-` prefix), its TypeScript type, its
/// default as documented, and its documentation. The widget expands only
/// the names (`RawOptions`, [`RawOptions::KEYS`]); the generator (feature
/// `schema`) expands every column into `OPTION_TABLE`, from which `cargo
/// xtask codegen` writes `element.js`'s attribute list, `index.d.ts`'s
/// option types and the README's table (checked by `tests/codegen.rs`).
macro_rules! option_table {
    ($expand:ident) => {
        $expand! {
            src, "src", ["url", "bundle"], "src", "string", "required",
            "URL of the bundle: absolute http(s), or relative to the page (in the script-tag embed also `data-article-cards=\"URL\"`)";
            topics, "topics", ["topic"], "topics", "string | string[]", "all",
            "Only articles with one of these topics (any case): a list, or one comma-separated string";
            providers, "providers", ["provider"], "providers", "string | string[]", "all",
            "Only articles from these providers, by key, name or domain (any case)";
            types, "types", ["type", "kinds"], "types", "string | ArticleType[]", "all",
            "Only these kinds: `article`, `video`";
            limit, "limit", [], "limit", "number | string", "6",
            "Cards per page and per \"Load more\", 1–100";
            sort, "sort", ["order"], "sort", "\"newest\" | \"heat\"", "`newest`",
            "Article order: `newest` first, or by the source's popularity, `heat`";
            layout, "layout", [], "layout", "\"grid\" | \"list\" | \"compact\" | \"carousel\"", "`grid`",
            "`grid`, `list`, `compact`, or `carousel` (one scrolling row with Previous/Next)";
            theme, "theme", [], "theme", "\"auto\" | \"light\" | \"dark\"", "`auto`",
            "Colour scheme: `auto` (follows `prefers-color-scheme`), `light`, `dark`";
            locale, "locale", ["lang"], "locale", "string", "page `lang`, then browser",
            "Language tag for dates, e.g. `pt-BR`";
            excerpt_lines, "excerpt_lines", ["excerptLines"], "excerpt-lines", "number | string", "3",
            "Lines of excerpt shown, 0–10 (0: no clamp)";
            show, "show", [], "show", "string | CardPart[] | Partial<Record<CardPart, boolean>>", "all",
            "Parts shown: `image excerpt topics provider` as a list (from JS also an object of booleans over the defaults)";
            target, "target", [], "target", "\"_blank\" | \"_self\"", "`_blank`",
            "Where article links open: `_blank`, `_self`";
            rel, "rel", [], "rel", "string", "`noopener noreferrer`",
            "Link `rel`; with `_blank` it must have `noopener` and not `opener` (else the default is used)";
            timeout_ms, "timeout_ms", ["timeoutMs", "timeout"], "timeout-ms", "number | string", "8000",
            "Longest wait for the bundle in ms, 500–120000: the whole load, retries included";
            retries, "retries", [], "retries", "number | string", "2",
            "Retries on network errors, timeouts, 5xx and 429, 0–10, within the timeout (a 429 or 503 with `Retry-After: N` waits N s, at most 10)";
            related, "related", [], "related", "boolean | string", "`on`",
            "Related-article strips on cards (`on`/`off`; not in `compact`)";
            related_limit, "related_limit", ["relatedLimit"], "related-limit", "number | string", "6",
            "Related articles per card, 1–12";
            autoplay, "autoplay", [], "autoplay", "boolean | number | string", "off",
            "`carousel` layout only: rotate every N ms (2000–120000), or bare/`on`/`true` for 6000; never under reduced motion";
            label, "label", [], "label", "string", "none",
            "The widget's accessible name, plain text (up to 80 characters); a labelled widget is a region landmark, so give each one a different label";
            heading_level, "heading_level", ["headingLevel"], "heading-level", "number | string", "3",
            "Heading level of card titles, 2–6 (related titles one below)";
            images, "images", ["image_mode", "imageMode"], "images", "\"auto\" | \"cached-only\"", "`auto`",
            "`auto`: cached copies (from `article-cards bundle --cache-images`), else the publisher's image, else the logo or monogram; `cached-only`: only images on the bundle's own origin, so no request goes to another host (a video player loaded when the reader presses Play still comes from YouTube)";
        }
    };
}

/// The widget's part of [`option_table!`]: the names only.
macro_rules! raw_options {
    ($($field:ident, $key:literal, [$($alias:literal),*], $attribute:literal, $kind:literal, $default:literal, $doc:literal;)*) => {
        /// Options as given, before validation. Every field is any JSON
        /// value so that one bad value cannot make the whole set unreadable.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct RawOptions<'a> {
            $(pub $field: Option<Value<'a>>,)*
        }

        /// Positions of the fields of [`RawOptions`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        enum Field {
            $($field,)*
        }

        impl<'a> RawOptions<'a> {
            /// The keys of an options object, each option's key and the
            /// other keys for it, with the field's position (read by `slot`).
            pub const KEYS: &'static [(&'static str, u8)] = &[
                $(($key, Field::$field as u8), $(($alias, Field::$field as u8),)*)*
            ];

            /// The field at position `i` (see [`RawOptions::KEYS`]).
            fn slot(&mut self, i: u8) -> Option<&mut Option<Value<'a>>> {
                $(if i == Field::$field as u8 {
                    return Some(&mut self.$field);
                })*
                None
            }
        }
    };
}

option_table!(raw_options);

/// One row of the options table, for the generator.
#[cfg(feature = "schema")]
#[derive(Debug, Clone, Copy)]
pub struct OptionRow {
    /// Key in an options object.
    pub key: &'static str,
    /// Other keys accepted for it.
    pub aliases: &'static [&'static str],
    /// Element attribute (also with a `data-` or `data-ac-` prefix).
    pub attribute: &'static str,
    /// TypeScript type of its value.
    pub kind: &'static str,
    /// Default, as documented.
    pub default: &'static str,
    pub doc: &'static str,
}

#[cfg(feature = "schema")]
macro_rules! option_rows {
    ($($field:ident, $key:literal, [$($alias:literal),*], $attribute:literal, $kind:literal, $default:literal, $doc:literal;)*) => {
        /// Every option, in `RawOptions` order.
        pub const OPTION_TABLE: &[OptionRow] = &[
            $(OptionRow {
                key: $key,
                aliases: &[$($alias),*],
                attribute: $attribute,
                kind: $kind,
                default: $default,
                doc: $doc,
            },)*
        ];
    };
}

#[cfg(feature = "schema")]
option_table!(option_rows);

/// Each option's key and element attribute, for tools that write hosts
/// or take options as flags (`article-cards render`): from the same
/// table, so they cannot drift. Native only.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! option_attributes {
    ($($field:ident, $key:literal, [$($alias:literal),*], $attribute:literal, $kind:literal, $default:literal, $doc:literal;)*) => {
        /// `(key, aliases, attribute, doc)` of every option, in `RawOptions`
        /// order.
        pub const OPTION_ATTRIBUTES: &[(&str, &[&str], &str, &str)] =
            &[$(($key, &[$($alias),*], $attribute, $doc),)*];
    };
}

#[cfg(not(target_arch = "wasm32"))]
option_table!(option_attributes);

impl<'a> RawOptions<'a> {
    /// Reads an options object (as JSON sees it: the edge passes it
    /// through `JSON.stringify`). Unknown keys are ignored; `null` means
    /// the default; one option given under two names is an error (as it
    /// was with serde's derive).
    pub fn from_value(value: Value<'a>) -> Result<RawOptions<'a>, String> {
        let Value::Object(members) = value else {
            return Err("not an object".into());
        };
        let mut raw = RawOptions::default();
        let mut given = 0u32;
        for (key, value) in members {
            let Some(&(_, i)) = Self::KEYS.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            let Some(slot) = raw.slot(i) else { continue };
            if given & (1 << i) != 0 {
                return Err(format!("duplicate field `{key}`"));
            }
            given |= 1 << i;
            *slot = Some(value).filter(|v| !v.is_null());
        }
        Ok(raw)
    }
}

/// Article order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// By publication time, newest first; undated articles last.
    #[default]
    Newest,
    /// By the source's popularity score, highest first; then newest.
    Heat,
}

/// Where images may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Images {
    /// Cached copies first, then the publisher's URL, then the provider's
    /// logo or monogram.
    #[default]
    Auto,
    /// Only images on the bundle's own origin (cached copies, local
    /// files): every other image URL, logos included, is dropped when the
    /// bundle is decoded, so the widget requests nothing from another
    /// host. A video's player, loaded when the reader presses Play, is that
    /// reader's explicit choice and still comes from YouTube.
    CachedOnly,
}

impl Images {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Images::Auto),
            "cached-only" | "cached_only" | "cachedonly" => Some(Images::CachedOnly),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Images::Auto => "auto",
            Images::CachedOnly => "cached-only",
        }
    }
}

/// How cards are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// Responsive grid of cards with images on top.
    #[default]
    Grid,
    /// One card per row, thumbnail beside the text.
    List,
    /// Dense rows of titles with small thumbnails, no excerpt.
    Compact,
    /// One horizontally scrolling row of cards with Previous/Next buttons
    /// (the WAI-ARIA carousel pattern); no "Load more".
    Carousel,
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Theme {
    /// Follows `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

/// Where article links open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Target {
    #[default]
    Blank,
    SelfFrame,
}

/// Optional parts of a card (the title and date are always shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Show {
    pub image: bool,
    pub excerpt: bool,
    pub topics: bool,
    pub provider: bool,
}

impl Default for Show {
    fn default() -> Self {
        defaults::SHOW
    }
}

/// Validated options. Cheap to clone (lists are `Rc<[_]>`, strings
/// `AttrValue`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Bundle URL, as cleaned by [`safe_url::check_url`].
    pub src: AttrValue,
    /// Only articles with one of these topics (any case); empty: all.
    pub topics: Rc<[AttrValue]>,
    /// Only articles from these providers, by key, name or domain (any
    /// case); empty: all.
    pub providers: Rc<[AttrValue]>,
    /// Only these kinds; empty: all.
    pub types: Rc<[ArticleType]>,
    /// Cards per page (and per "Load more").
    pub limit: usize,
    pub sort: Sort,
    pub layout: Layout,
    pub theme: Theme,
    /// Locale asked for; `None`: the edge picks the page's or browser's.
    pub locale: Option<AttrValue>,
    /// Lines of excerpt shown (0: no clamp).
    pub excerpt_lines: u8,
    pub show: Show,
    pub target: Target,
    pub rel: AttrValue,
    pub timeout_ms: u32,
    pub retries: u32,
    /// Show each card's related articles as a carousel (not in the compact
    /// layout).
    pub related: bool,
    /// Most related articles per card.
    pub related_limit: usize,
    /// Rotation period of the list carousel (`layout: carousel`) in ms;
    /// `None`: no rotation. Never runs under `prefers-reduced-motion:
    /// reduce`; related carousels never rotate.
    pub autoplay: Option<u32>,
    /// The widget's accessible name, given by the page: plain text, trimmed,
    /// whitespace collapsed, at most [`defaults::LABEL_MAX_CHARS`]. Only a
    /// labelled widget is a landmark (see
    /// [`AccessibleName`](crate::components::AccessibleName)).
    pub label: Option<AttrValue>,
    /// Heading level of card titles, 2–6, so that they fit the page's
    /// outline; related-article titles are one level below (at most 6).
    pub heading_level: u8,
    /// Where images may come from (`images`: `auto`, `cached-only`).
    pub images: Images,
}

impl Options {
    /// `rel` as the links get it: with `target` `_blank`, a `rel` without
    /// `noopener`, or with `opener`, is replaced by the default. The opened
    /// page must never get `window.opener`, through which it could
    /// navigate this one (reverse tabnabbing). Checked where links are
    /// rendered, so options built without [`resolve`] are held to it too.
    pub fn link_rel(&self) -> AttrValue {
        if self.target == Target::Blank && !is_rel_for_new_tab(&self.rel) {
            return AttrValue::Static(defaults::REL);
        }
        self.rel.clone()
    }

    /// All defaults for a bundle URL (not validated here).
    pub fn with_src(src: impl Into<AttrValue>) -> Self {
        Options {
            src: src.into(),
            topics: Rc::from([]),
            providers: Rc::from([]),
            types: Rc::from([]),
            limit: defaults::LIMIT,
            sort: defaults::SORT,
            layout: defaults::LAYOUT,
            theme: defaults::THEME,
            locale: None,
            excerpt_lines: defaults::EXCERPT_LINES,
            show: defaults::SHOW,
            target: defaults::TARGET,
            rel: AttrValue::Static(defaults::REL),
            timeout_ms: defaults::TIMEOUT_MS,
            retries: defaults::RETRIES,
            related: defaults::RELATED,
            related_limit: defaults::RELATED_LIMIT,
            autoplay: defaults::AUTOPLAY,
            label: None,
            heading_level: defaults::HEADING_LEVEL,
            images: defaults::IMAGES,
        }
    }
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "newest" | "new" | "date" | "latest" => Some(Sort::Newest),
            "heat" | "hot" | "popular" => Some(Sort::Heat),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Heat => "heat",
        }
    }
}

impl Layout {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "grid" => Some(Layout::Grid),
            "list" => Some(Layout::List),
            "compact" => Some(Layout::Compact),
            "carousel" | "slider" => Some(Layout::Carousel),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Grid => "grid",
            Layout::List => "list",
            Layout::Compact => "compact",
            Layout::Carousel => "carousel",
        }
    }
}

impl Theme {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "system" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl Target {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "_blank" | "blank" => Some(Target::Blank),
            "_self" | "self" => Some(Target::SelfFrame),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Blank => "_blank",
            Target::SelfFrame => "_self",
        }
    }
}

/// Validates raw options. `Err` (one sentence) only when `src` is missing,
/// empty or not an acceptable URL; otherwise the options and one warning per
/// invalid option (which then has its default).
pub fn resolve(raw: &RawOptions<'_>) -> Result<(Options, Vec<String>), String> {
    let src = match &raw.src {
        None | Some(Value::Null) => return Err("`src` is required: the URL of a bundle".into()),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err("`src` is empty: give the URL of a bundle".into());
        }
        Some(Value::String(s)) => {
            safe_url::check_url(s).map_err(|why| format!("`src` is not usable: {why}"))?
        }
        Some(other) => {
            return Err(format!(
                "`src` must be a URL string, got {}",
                describe_value(other)
            ));
        }
    };
    let mut opts = Options::with_src(src);
    let mut w = Warnings(Vec::new());

    if let Some(v) = present(&raw.topics) {
        opts.topics = w.list("topics", v);
    }
    if let Some(v) = present(&raw.providers) {
        opts.providers = w.list("providers", v);
    }
    if let Some(v) = present(&raw.types) {
        opts.types = w.types(v);
    }
    if let Some(v) = present(&raw.limit) {
        opts.limit = w.ranged(
            "limit",
            v,
            defaults::LIMIT_MIN as u32,
            defaults::LIMIT_MAX as u32,
            defaults::LIMIT as u32,
        ) as usize;
    }
    if let Some(v) = present(&raw.sort) {
        opts.sort = w.keyword("sort", v, Sort::parse, defaults::SORT, "newest, heat");
    }
    if let Some(v) = present(&raw.layout) {
        opts.layout = w.keyword(
            "layout",
            v,
            Layout::parse,
            defaults::LAYOUT,
            "grid, list, compact, carousel",
        );
    }
    if let Some(v) = present(&raw.theme) {
        opts.theme = w.keyword(
            "theme",
            v,
            Theme::parse,
            defaults::THEME,
            "auto, light, dark",
        );
    }
    if let Some(v) = present(&raw.locale) {
        opts.locale = match v.as_str().map(str::trim) {
            Some(s) if is_locale(s) => Some(AttrValue::from(s.to_owned())),
            _ => {
                w.invalid(
                    "locale",
                    v,
                    "a language tag like `en` or `pt-BR`",
                    "page language",
                );
                None
            }
        };
    }
    if let Some(v) = present(&raw.excerpt_lines) {
        opts.excerpt_lines = w.ranged(
            "excerpt_lines",
            v,
            0,
            u32::from(defaults::EXCERPT_LINES_MAX),
            u32::from(defaults::EXCERPT_LINES),
        ) as u8;
    }
    if let Some(v) = present(&raw.show) {
        opts.show = w.show(v);
    }
    if let Some(v) = present(&raw.target) {
        opts.target = w.keyword(
            "target",
            v,
            Target::parse,
            defaults::TARGET,
            "_blank, _self",
        );
    }
    if let Some(v) = present(&raw.rel) {
        match v.as_str().map(str::trim) {
            Some(s) if is_rel(s) && (opts.target != Target::Blank || is_rel_for_new_tab(s)) => {
                opts.rel = AttrValue::from(s.to_owned())
            }
            _ => w.invalid(
                "rel",
                v,
                "space-separated link types, with `noopener` and without `opener` for `_blank`",
                &format!("\"{}\"", defaults::REL),
            ),
        }
    }
    if let Some(v) = present(&raw.timeout_ms) {
        opts.timeout_ms = w.ranged(
            "timeout_ms",
            v,
            defaults::TIMEOUT_MS_MIN,
            defaults::TIMEOUT_MS_MAX,
            defaults::TIMEOUT_MS,
        );
    }
    if let Some(v) = present(&raw.retries) {
        opts.retries = w.ranged("retries", v, 0, defaults::RETRIES_MAX, defaults::RETRIES);
    }
    if let Some(v) = present(&raw.related) {
        opts.related = w.flag("related", v, defaults::RELATED);
    }
    if let Some(v) = present(&raw.related_limit) {
        opts.related_limit = w.ranged(
            "related_limit",
            v,
            defaults::RELATED_LIMIT_MIN as u32,
            defaults::RELATED_LIMIT_MAX as u32,
            defaults::RELATED_LIMIT as u32,
        ) as usize;
    }
    if let Some(v) = present(&raw.autoplay) {
        opts.autoplay = w.autoplay(v);
        // Only the list carousel rotates: a grid of cards whose related
        // strips all moved by themselves would be unreadable.
        if opts.autoplay.is_some() && opts.layout != Layout::Carousel {
            w.0.push(format!(
                "`autoplay`: only the carousel layout rotates, not {}; ignored",
                opts.layout.as_str()
            ));
            opts.autoplay = None;
        }
    }
    if let Some(v) = present(&raw.label) {
        opts.label = w.label(v);
    }
    if let Some(v) = present(&raw.heading_level) {
        opts.heading_level = w.heading_level(v);
    }
    if let Some(v) = present(&raw.images) {
        opts.images = w.keyword(
            "images",
            v,
            Images::parse,
            defaults::IMAGES,
            "auto, cached-only",
        );
    }
    Ok((opts, w.0))
}

/// Maps element attributes (`src`, `limit`, `excerpt-lines`: any key of
/// [`RawOptions::KEYS`] with `-` for `_`, also with a `data-` or `data-ac-`
/// prefix, any case) to raw options. Unknown
/// attributes (`class`, `id`, …) are ignored; values stay strings and lists
/// stay comma-separated: [`resolve`] reads both.
pub fn from_attributes(pairs: impl IntoIterator<Item = (String, String)>) -> RawOptions<'static> {
    let mut raw = RawOptions::default();
    for (name, value) in pairs {
        let name = name.trim().to_ascii_lowercase();
        let key = name
            .strip_prefix("data-ac-")
            .or_else(|| name.strip_prefix("data-"))
            .unwrap_or(&name);
        let key = key.replace('-', "_");
        let Some(&(_, i)) = RawOptions::KEYS.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        let Some(slot) = raw.slot(i) else { continue };
        *slot = Some(Value::String(value.into()));
    }
    raw
}

/// `None` for an absent or `null` option (both mean "default", silently).
fn present<'v, 'a>(v: &'v Option<Value<'a>>) -> Option<&'v Value<'a>> {
    v.as_ref().filter(|v| !v.is_null())
}

struct Warnings(Vec<String>);

impl Warnings {
    fn invalid(&mut self, name: &str, got: &Value, expected: &str, fallback: &str) {
        self.0.push(format!(
            "`{name}`: expected {expected}, got {}; using {fallback}",
            describe_value(got)
        ));
    }

    fn keyword<T: Copy>(
        &mut self,
        name: &str,
        v: &Value,
        parse: fn(&str) -> Option<T>,
        default: T,
        allowed: &str,
    ) -> T {
        match v.as_str().and_then(parse) {
            Some(t) => t,
            None => {
                self.not_one_of(name, v, allowed);
                default
            }
        }
    }

    /// The warning of [`Warnings::keyword`]: one copy, not one per type.
    #[inline(never)]
    fn not_one_of(&mut self, name: &str, v: &Value, allowed: &str) {
        let first = allowed.split(',').next().unwrap_or_default();
        self.invalid(name, v, &format!("one of {allowed}"), first);
    }

    /// A boolean: JSON `true`/`false`, or (from attributes) `true`, `false`,
    /// `on`, `off`, `yes`, `no`, `1`, `0`, and `""` (a bare attribute) for on.
    fn flag(&mut self, name: &str, v: &Value, default: bool) -> bool {
        match v {
            Value::Bool(b) => *b,
            Value::String(s) => match parse_bool(s) {
                Some(b) => b,
                None => {
                    self.invalid(name, v, "true or false", &default.to_string());
                    default
                }
            },
            _ => {
                self.invalid(name, v, "true or false", &default.to_string());
                default
            }
        }
    }

    /// Plain text (never markup: it only becomes an attribute value),
    /// control characters as spaces, trimmed, runs of whitespace as one
    /// space, at most [`defaults::LABEL_MAX_CHARS`] characters (longer: cut,
    /// with a warning). Empty: no label.
    fn label(&mut self, v: &Value) -> Option<AttrValue> {
        let Some(s) = v.as_str() else {
            self.invalid("label", v, "text", "no label");
            return None;
        };
        let mut text = clean_text(s);
        let max = defaults::LABEL_MAX_CHARS;
        if let Some((cut, _)) = text.char_indices().nth(max) {
            self.0
                .push(format!("`label`: longer than {max} characters; cut"));
            text.truncate(cut);
            text.truncate(text.trim_end().len());
        }
        (!text.is_empty()).then(|| AttrValue::from(text))
    }

    /// A heading level from [`defaults::HEADING_LEVEL_MIN`] (1 is the
    /// page's own title) to [`defaults::HEADING_LEVEL_MAX`]; anything else
    /// is the default, with a warning.
    fn heading_level(&mut self, v: &Value) -> u8 {
        let (min, max) = (defaults::HEADING_LEVEL_MIN, defaults::HEADING_LEVEL_MAX);
        match whole_number(v) {
            Some(n) if (f64::from(min)..=f64::from(max)).contains(&n) => n as u8,
            _ => {
                self.invalid(
                    "heading_level",
                    v,
                    &format!("a whole number from {min} to {max}"),
                    &defaults::HEADING_LEVEL.to_string(),
                );
                defaults::HEADING_LEVEL
            }
        }
    }

    /// `true` (or a bare attribute): every [`defaults::AUTOPLAY_MS`];
    /// `false`/`0`: off; a period in ms from [`defaults::AUTOPLAY_MS_MIN`]
    /// (shorter ones are clamped, with a warning: slides must stay
    /// readable) to [`defaults::AUTOPLAY_MS_MAX`].
    fn autoplay(&mut self, v: &Value) -> Option<u32> {
        let on = match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) => parse_bool(s),
            Value::Number(n) if *n == 0.0 => Some(false),
            _ => None,
        };
        match (on, whole_number(v)) {
            (Some(true), _) => Some(defaults::AUTOPLAY_MS),
            (Some(false), _) => None,
            (None, Some(ms)) => Some(self.clamp(
                "autoplay",
                ms,
                defaults::AUTOPLAY_MS_MIN,
                defaults::AUTOPLAY_MS_MAX,
            )),
            (None, None) => {
                self.invalid(
                    "autoplay",
                    v,
                    &format!(
                        "true, false or a period in ms from {} to {}",
                        defaults::AUTOPLAY_MS_MIN,
                        defaults::AUTOPLAY_MS_MAX
                    ),
                    "no autoplay",
                );
                None
            }
        }
    }

    /// The whole number `n` within `min..=max`, with a warning when it had
    /// to be clamped. (Integers only in messages: no float formatting.)
    fn clamp(&mut self, name: &str, n: f64, min: u32, max: u32) -> u32 {
        let clamped = if n < f64::from(min) {
            min
        } else if n > f64::from(max) {
            max
        } else {
            return n as u32;
        };
        let mut shown = String::new();
        push_number(&mut shown, n);
        self.0.push(format!(
            "`{name}`: {shown} is outside {min}..={max}; using {clamped}"
        ));
        clamped
    }

    /// A whole number (JSON number or numeric string); out of range is
    /// clamped (with a warning), anything else is the default.
    fn ranged(&mut self, name: &str, v: &Value, min: u32, max: u32, default: u32) -> u32 {
        match whole_number(v) {
            Some(n) => self.clamp(name, n, min, max),
            None => {
                self.invalid(
                    name,
                    v,
                    &format!("a whole number from {min} to {max}"),
                    &default.to_string(),
                );
                default
            }
        }
    }

    /// A list of names: a JSON array of strings, or one string separated
    /// by commas. Blank entries are skipped; anything else is invalid (one
    /// warning, default: no filter).
    fn list(&mut self, name: &str, v: &Value) -> Rc<[AttrValue]> {
        match names(v, false) {
            Some(names) => names
                .into_iter()
                .map(|s| AttrValue::from(s.to_owned()))
                .collect(),
            None => {
                self.no_filter(name, v);
                Rc::from([])
            }
        }
    }

    /// The warning of an unusable list.
    fn no_filter(&mut self, name: &str, v: &Value) {
        self.invalid(name, v, "a list of names", "no filter");
    }

    /// Article types: a list of `article(s)` and `video(s)`, any case; an
    /// unknown name makes the whole option invalid.
    fn types(&mut self, v: &Value) -> Rc<[ArticleType]> {
        let mut types = Vec::new();
        for name in names(v, false).unwrap_or_else(|| vec![""]) {
            match name.to_ascii_lowercase().as_str() {
                "article" | "articles" => types.push(ArticleType::Article),
                "video" | "videos" => types.push(ArticleType::Video),
                _ => {
                    self.no_filter("types", v);
                    return Rc::from([]);
                }
            }
        }
        types.into()
    }

    /// An object of booleans over the defaults (`{"image": false}`), or a
    /// comma/space separated string (or array) of the parts to show.
    fn show(&mut self, v: &Value) -> Show {
        let fallback = "image, excerpt, topics, provider";
        let expected = "names from image, excerpt, topics, provider";
        match v {
            Value::Object(map) => {
                let mut show = defaults::SHOW;
                for (key, val) in map {
                    let on = match val {
                        Value::Bool(b) => Some(*b),
                        Value::String(s) => match s.trim() {
                            "true" => Some(true),
                            "false" => Some(false),
                            _ => None,
                        },
                        _ => None,
                    };
                    match (show_flag(&mut show, key), on) {
                        (Some(flag), Some(on)) => *flag = on,
                        _ => {
                            self.invalid("show", v, expected, fallback);
                            return defaults::SHOW;
                        }
                    }
                }
                show
            }
            Value::String(_) | Value::Array(_) => {
                let mut show = Show {
                    image: false,
                    excerpt: false,
                    topics: false,
                    provider: false,
                };
                for name in names(v, true).unwrap_or_else(|| vec![""]) {
                    if name.eq_ignore_ascii_case("none") {
                        continue;
                    }
                    match show_flag(&mut show, name) {
                        Some(flag) => *flag = true,
                        None => {
                            self.invalid("show", v, expected, fallback);
                            return defaults::SHOW;
                        }
                    }
                }
                show
            }
            _ => {
                self.invalid("show", v, expected, fallback);
                defaults::SHOW
            }
        }
    }
}

/// The entries of a list: a JSON array of strings, or one string split at
/// commas (and with `spaces`, at whitespace too), trimmed, blanks skipped;
/// `None` for anything else (an array with a non-string).
fn names<'v>(v: &'v Value<'_>, spaces: bool) -> Option<Vec<&'v str>> {
    let mut out = Vec::new();
    let mut add = |s: &'v str| {
        let s = s.trim();
        if !s.is_empty() {
            out.push(s);
        }
    };
    match v {
        Value::String(s) => s
            .split(|c: char| c == ',' || (spaces && c.is_whitespace()))
            .for_each(&mut add),
        Value::Array(items) => {
            for item in items {
                add(item.as_str()?);
            }
        }
        _ => return None,
    }
    Some(out)
}

/// A whole number from a JSON number or a numeric string.
fn whole_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => parse_whole(s.trim()),
        _ => None,
    }
    .filter(|n| n.is_finite() && n.fract() == 0.0)
}

/// A number in JSON's syntax, also with a leading `+` and leading zeros
/// (`12`, `+12`, `-3`, `007`, `12.0`, `1e3`, `1.5E1`), read by the bundle's
/// JSON reader ([`json::parse`](super::json::parse): no `f64::from_str`
/// and its tables); `None` for anything else (`.5`, `1.`, `0x10`, `inf`).
/// [`whole_number`] then keeps whole values only.
fn parse_whole(s: &str) -> Option<f64> {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    // JSON has no leading zeros: keep one before what follows them.
    let rest = unsigned.trim_start_matches('0');
    let number = if rest.len() < unsigned.len() && !rest.starts_with(|c: char| c.is_ascii_digit()) {
        unsigned.get(unsigned.len() - rest.len() - 1..)?
    } else {
        rest
    };
    match super::json::parse(number.as_bytes()) {
        Ok(Value::Number(n)) if !number.starts_with('-') => Some(if negative { -n } else { n }),
        _ => None,
    }
}

/// Boolean words, as attributes give them; `""` is a bare attribute (on).
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn show_flag<'a>(show: &'a mut Show, name: &str) -> Option<&'a mut bool> {
    match name.trim().to_ascii_lowercase().as_str() {
        "image" | "images" => Some(&mut show.image),
        "excerpt" | "excerpts" => Some(&mut show.excerpt),
        "topics" | "topic" => Some(&mut show.topics),
        "provider" | "providers" => Some(&mut show.provider),
        _ => None,
    }
}

/// A short, bounded description of a value for warnings.
fn describe_value(v: &Value) -> String {
    let mut s = String::new();
    v.write_json(&mut s);
    if s.chars().count() > 40 {
        s = s.chars().take(39).collect::<String>() + "…";
    }
    s
}

/// Loose BCP 47: a 2–3 letter (or 4–8 registered) language subtag, then
/// subtags of 1–8 letters or digits, `-` or `_` separated, at most 35 chars.
pub fn is_locale(s: &str) -> bool {
    if s.is_empty() || s.len() > 35 {
        return false;
    }
    let mut parts = s.split(['-', '_']);
    let lang_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether `rel` keeps `window.opener` from a page opened in a new tab:
/// `noopener` and no `opener` (link types ignore ASCII case).
fn is_rel_for_new_tab(rel: &str) -> bool {
    let has = |word: &str| {
        rel.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(word))
    };
    has("noopener") && !has("opener")
}

fn is_rel(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.split_ascii_whitespace()
            .all(|t| t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::json::from_serde as from_json;

    fn raw(v: serde_json::Value) -> RawOptions<'static> {
        RawOptions::from_value(from_json(&v)).unwrap()
    }

    fn ok(v: serde_json::Value) -> (Options, Vec<String>) {
        resolve(&raw(v)).unwrap()
    }

    #[test]
    fn defaults_from_src_only() {
        let (o, w) = ok(json!({"src": "/bundle.json"}));
        assert!(w.is_empty());
        assert_eq!(o, Options::with_src("/bundle.json"));
        assert_eq!(o.limit, 6);
        assert_eq!(o.excerpt_lines, 3);
        assert_eq!(o.rel, "noopener noreferrer");
        assert_eq!(o.target, Target::Blank);
        assert_eq!(o.timeout_ms, 8000);
        assert_eq!(o.retries, 2);
        assert_eq!(o.show, Show::default());
        assert_eq!(o.layout, Layout::Grid);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(o.sort, Sort::Newest);
    }

    #[test]
    fn src_required_and_safe() {
        assert!(resolve(&raw(json!({}))).is_err());
        assert!(resolve(&raw(json!({"src": null}))).is_err());
        assert!(resolve(&raw(json!({"src": "  "}))).is_err());
        assert!(resolve(&raw(json!({"src": 5}))).is_err());
        let err = resolve(&raw(json!({"src": "javascript:alert(1)"}))).unwrap_err();
        assert!(err.contains("src"), "{err}");
        assert!(resolve(&raw(json!({"src": "//evil.example/b.json"}))).is_err());
        let (o, _) = ok(json!({"url": " https://e.example/b.json "}));
        assert_eq!(o.src, "https://e.example/b.json");
    }

    #[test]
    fn valid_values_snake_and_camel() {
        let (o, w) = ok(json!({
            "src": "b.json",
            "topics": ["Climate", " tech "],
            "providers": "Harbour Gazette, news.example",
            "types": "video",
            "limit": "12",
            "sort": "HEAT",
            "layout": "list",
            "theme": "dark",
            "locale": "pt-BR",
            "excerptLines": 0,
            "show": {"image": false},
            "target": "_self",
            "rel": "noopener",
            "timeoutMs": 3000,
            "retries": 0
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            &*o.topics,
            &[AttrValue::from("Climate"), AttrValue::from("tech")]
        );
        assert_eq!(o.providers.len(), 2);
        assert_eq!(&*o.types, &[ArticleType::Video]);
        assert_eq!(o.limit, 12);
        assert_eq!(o.sort, Sort::Heat);
        assert_eq!(o.layout, Layout::List);
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.locale.as_deref(), Some("pt-BR"));
        assert_eq!(o.excerpt_lines, 0);
        assert!(!o.show.image && o.show.excerpt && o.show.topics && o.show.provider);
        assert_eq!(o.target, Target::SelfFrame);
        assert_eq!(o.rel, "noopener");
        assert_eq!(o.timeout_ms, 3000);
        assert_eq!(o.retries, 0);

        let (o, w) = ok(json!({"src": "b.json", "excerpt_lines": 5, "timeout_ms": "1000"}));
        assert!(w.is_empty());
        assert_eq!((o.excerpt_lines, o.timeout_ms), (5, 1000));
    }

    /// Reverse tabnabbing: a page opened in a new tab with `opener` (or
    /// without `noopener`) could navigate the reader's tab through
    /// `window.opener`.
    #[test]
    fn finding_5_rel_never_allows_opener_with_target_blank() {
        for (target, rel) in [
            (None, "opener"),
            (Some("_blank"), "opener"),
            (None, "Opener nofollow"),
            (None, "nofollow"),
            (None, "noreferrer"),
            (None, "opener noopener external"),
        ] {
            let (o, w) = ok(json!({"src": "b.json", "target": target, "rel": rel}));
            assert_eq!(o.rel, "noopener noreferrer", "{rel}");
            assert_eq!(w.len(), 1, "{rel}: {w:?}");
            assert!(w[0].contains("without `opener` for `_blank`"), "{w:?}");
        }
        for (target, rel) in [
            ("_blank", "noopener"),
            ("_blank", "NoOpener nofollow"),
            ("_blank", "noreferrer noopener"),
            // No new browsing context, so no opener to protect.
            ("_self", "opener"),
        ] {
            let (o, w) = ok(json!({"src": "b.json", "target": target, "rel": rel}));
            assert_eq!((o.rel.as_str(), w), (rel, vec![]));
        }
        // Options built in Rust, not resolved, are held to it where links
        // are rendered.
        let o = Options {
            rel: AttrValue::from("opener nofollow"),
            ..Options::with_src("b.json")
        };
        assert_eq!(o.link_rel(), "noopener noreferrer");
        let o = Options {
            target: Target::SelfFrame,
            ..o
        };
        assert_eq!(o.link_rel(), "opener nofollow");
    }

    #[test]
    fn every_invalid_value_warns_once_and_defaults() {
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("topics", json!(5)),
            ("topics", json!(["a", 1])),
            ("providers", json!({"a": 1})),
            ("types", json!("podcast")),
            ("limit", json!("many")),
            ("limit", json!(2.5)),
            ("limit", json!(true)),
            ("sort", json!("random")),
            ("layout", json!("slideshow")),
            ("related", json!("sometimes")),
            ("related", json!(1)),
            ("related_limit", json!("few")),
            ("autoplay", json!("fast")),
            ("autoplay", json!(2500.5)),
            ("autoplay", json!({"ms": 3000})),
            ("theme", json!("purple")),
            ("locale", json!("not a locale!")),
            ("locale", json!(7)),
            ("excerpt_lines", json!("three")),
            ("show", json!("image, sparkles")),
            ("show", json!({"image": "yes"})),
            ("show", json!({"nope": true})),
            ("show", json!(3)),
            ("target", json!("_top")),
            ("rel", json!("noopener \"><script>")),
            ("rel", json!(1)),
            ("timeout_ms", json!("soon")),
            ("retries", json!(-1.5)),
            ("label", json!(5)),
            ("label", json!(["News"])),
            ("heading_level", json!(1)),
            ("heading_level", json!(7)),
            ("heading_level", json!("h2")),
            ("heading_level", json!(2.5)),
        ];
        let base = Options::with_src("b.json");
        for (name, value) in cases {
            let (o, w) = ok(json!({"src": "b.json", name: value}));
            assert_eq!(w.len(), 1, "{name}={value}: {w:?}");
            let warning = w.first().unwrap();
            assert!(warning.contains(&format!("`{name}`")), "{warning}");
            assert_eq!(o, base, "{name}={value} did not fall back");
        }
    }

    #[test]
    fn out_of_range_numbers_clamp_with_warning() {
        for (name, value, check) in [
            ("limit", json!(0), 1.0),
            ("limit", json!(500), 100.0),
            ("excerpt_lines", json!(11), 10.0),
            ("timeout_ms", json!(1), 500.0),
            ("retries", json!(99), 10.0),
        ] {
            let (o, w) = ok(json!({"src": "b.json", name: value}));
            assert_eq!(w.len(), 1, "{name}");
            assert!(w.first().unwrap().contains(name));
            let got = match name {
                "limit" => o.limit as f64,
                "excerpt_lines" => f64::from(o.excerpt_lines),
                "timeout_ms" => f64::from(o.timeout_ms),
                _ => f64::from(o.retries),
            };
            assert_eq!(got, check, "{name}");
        }
    }

    #[test]
    fn show_string_lists_parts_to_show() {
        let (o, w) = ok(json!({"src": "b.json", "show": "image provider"}));
        assert!(w.is_empty());
        assert_eq!(
            o.show,
            Show {
                image: true,
                excerpt: false,
                topics: false,
                provider: true
            }
        );
        let (o, _) = ok(json!({"src": "b.json", "show": "none"}));
        assert!(!o.show.image && !o.show.excerpt && !o.show.topics && !o.show.provider);
        let (o, _) = ok(json!({"src": "b.json", "show": ["topics"]}));
        assert!(o.show.topics && !o.show.image);
    }

    #[test]
    fn nulls_are_silent_defaults() {
        let (o, w) = ok(json!({"src": "b.json", "limit": null, "theme": null}));
        assert!(w.is_empty());
        assert_eq!(o, Options::with_src("b.json"));
    }

    #[test]
    fn attributes_map_to_raw_options() {
        let raw = from_attributes(
            [
                ("src", "/b.json"),
                ("data-topics", "climate,tech"),
                ("LIMIT", "3"),
                ("data-ac-layout", "compact"),
                ("theme", "light"),
                ("excerpt-lines", "2"),
                ("show", "image,excerpt"),
                ("timeout-ms", "2000"),
                ("class", "ignored"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned())),
        );
        let (o, w) = resolve(&raw).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.src, "/b.json");
        assert_eq!(o.topics.len(), 2);
        assert_eq!(o.limit, 3);
        assert_eq!(o.layout, Layout::Compact);
        assert_eq!(o.theme, Theme::Light);
        assert_eq!(o.excerpt_lines, 2);
        assert!(o.show.image && o.show.excerpt && !o.show.topics);
        assert_eq!(o.timeout_ms, 2000);
    }

    #[test]
    fn carousel_options() {
        let (o, w) = ok(json!({"src": "b.json"}));
        assert!(w.is_empty());
        assert!(o.related);
        assert_eq!(o.related_limit, 6);
        assert_eq!(o.autoplay, None);

        let (o, w) = ok(json!({
            "src": "b.json",
            "layout": " Carousel ",
            "related": false,
            "relatedLimit": 3,
            "autoplay": true
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.layout, Layout::Carousel);
        assert_eq!(Layout::Carousel.as_str(), "carousel");
        assert!(!o.related);
        assert_eq!(o.related_limit, 3);
        assert_eq!(o.autoplay, Some(6000));

        for (value, want) in [
            (json!(false), None),
            (json!(0), None),
            (json!("off"), None),
            (json!(2000), Some(2000)),
            (json!("4500"), Some(4500)),
            (json!("on"), Some(6000)),
            (json!(""), Some(6000)),
        ] {
            let (o, w) = ok(json!({"src": "b.json", "layout": "carousel", "autoplay": value}));
            assert!(w.is_empty(), "{value}: {w:?}");
            assert_eq!(o.autoplay, want, "{value}");
        }

        // Too fast to read, or too slow: clamped, with a warning.
        for (value, want) in [
            (json!(500), 2000),
            (json!("1999"), 2000),
            (json!(1_000_000), 120_000),
        ] {
            let (o, w) = ok(json!({"src": "b.json", "layout": "carousel", "autoplay": value}));
            assert_eq!(w.len(), 1, "{value}");
            assert!(w.first().unwrap().contains("`autoplay`"));
            assert_eq!(o.autoplay, Some(want), "{value}");
        }

        // Other layouts do not rotate: one warning, no autoplay.
        let (o, w) = ok(json!({"src": "b.json", "layout": "list", "autoplay": 3000}));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w.first().unwrap().contains("`autoplay`"));
        assert_eq!(o.autoplay, None);
        let (_, w) = ok(json!({"src": "b.json", "autoplay": false}));
        assert!(w.is_empty());

        for (value, want) in [(json!(0), 1), (json!(13), 12), (json!("99"), 12)] {
            let (o, w) = ok(json!({"src": "b.json", "related_limit": value}));
            assert_eq!(w.len(), 1, "{value}");
            assert!(w.first().unwrap().contains("`related_limit`"));
            assert_eq!(o.related_limit, want, "{value}");
        }
        let (o, w) = ok(json!({"src": "b.json", "related_limit": "12"}));
        assert!(w.is_empty());
        assert_eq!(o.related_limit, 12);

        for (value, want) in [
            (json!(true), true),
            (json!("false"), false),
            (json!("no"), false),
            (json!(" ON "), true),
        ] {
            let (o, w) = ok(json!({"src": "b.json", "related": value}));
            assert!(w.is_empty(), "{value}: {w:?}");
            assert_eq!(o.related, want, "{value}");
        }

        let raw = from_attributes(
            [
                ("src", "/b.json"),
                ("data-layout", "carousel"),
                ("related", "off"),
                ("data-ac-related-limit", "4"),
                ("autoplay", ""),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned())),
        );
        let (o, w) = resolve(&raw).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.layout, Layout::Carousel);
        assert!(!o.related);
        assert_eq!(o.related_limit, 4);
        assert_eq!(o.autoplay, Some(6000));
    }

    #[test]
    fn label_and_heading_level() {
        let (o, w) = ok(json!({"src": "b.json"}));
        assert!(w.is_empty());
        assert_eq!(o.label, None);
        assert_eq!(o.heading_level, 3);

        let (o, w) = ok(json!({
            "src": "b.json",
            "label": "  Latest\n  science\tnews <b>  ",
            "headingLevel": "2"
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.label.as_deref(), Some("Latest science news <b>"));
        assert_eq!(o.heading_level, 2);

        // Blank: no label, silently.
        let (o, w) = ok(json!({"src": "b.json", "label": " \n ", "heading_level": 6}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.label, None);
        assert_eq!(o.heading_level, 6);

        // Too long: cut at 80 characters (not bytes), with one warning.
        let long = "é".repeat(79) + " and more";
        let (o, w) = ok(json!({"src": "b.json", "label": long}));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w.first().unwrap().contains("`label`"));
        assert_eq!(o.label.as_deref(), Some("é".repeat(79).as_str()));

        let raw = from_attributes(
            [
                ("src", "/b.json"),
                ("data-label", " World "),
                ("heading-level", "4"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned())),
        );
        let (o, w) = resolve(&raw).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.label.as_deref(), Some("World"));
        assert_eq!(o.heading_level, 4);
        let raw = from_attributes([
            ("src".to_owned(), "/b.json".to_owned()),
            ("label".to_owned(), "Hi".to_owned()),
        ]);
        assert_eq!(resolve(&raw).unwrap().0.label.as_deref(), Some("Hi"));
    }

    #[test]
    fn images_option() {
        let (o, w) = ok(json!({"src": "b.json"}));
        assert!(w.is_empty());
        assert_eq!(o.images, Images::Auto);
        let (o, w) = ok(json!({"src": "b.json", "images": " Cached-Only "}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.images, Images::CachedOnly);
        let (o, w) = ok(json!({"src": "b.json", "imageMode": "cached-only"}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.images, Images::CachedOnly);
        for bad in [json!("none"), json!(true), json!(3)] {
            let (o, w) = ok(json!({"src": "b.json", "images": bad}));
            assert_eq!(w.len(), 1, "{w:?}");
            assert!(w[0].contains("`images`"), "{w:?}");
            assert_eq!(o.images, Images::Auto);
        }
        let raw = from_attributes([
            ("src".to_owned(), "/b.json".to_owned()),
            ("data-images".to_owned(), "cached-only".to_owned()),
        ]);
        assert_eq!(resolve(&raw).unwrap().0.images, Images::CachedOnly);
    }

    #[test]
    fn numbers_without_float_parsing_or_formatting() {
        for (s, want) in [
            ("12", Some(12.0)),
            ("+12", Some(12.0)),
            ("-3", Some(-3.0)),
            ("12.0", Some(12.0)),
            ("1e3", Some(1000.0)),
            ("1.5E1", Some(15.0)),
            ("150e-1", Some(15.0)),
            ("0.0", Some(0.0)),
            ("007", Some(7.0)),
            ("2.5", None),
            ("1e-1", None),
            (".5", None),
            ("1e400", None),
            ("", None),
            ("-", None),
            (".", None),
            ("1e", None),
            ("1x", None),
            ("inf", None),
            ("NaN", None),
            ("0x10", None),
            ("1.", None),
            ("+-3", None),
            ("--3", None),
            ("000", Some(0.0)),
            (" 12", Some(12.0)),
            ("[12]", None),
            ("\"12\"", None),
        ] {
            assert_eq!(whole_number(&Value::String(s.into())), want, "{s:?}");
        }
        let text = |n: f64| {
            let mut s = String::new();
            push_number(&mut s, n);
            s
        };
        assert_eq!(text(3000.0), "3000");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(2.5), "2.5");
        assert_eq!(text(-1.5), "-1.5");
        assert_eq!(text(0.1), "0.1");
        assert_eq!(text(2500.5), "2500.5");
        assert_eq!(text(1e300), "1e300");
        assert_eq!(text(f64::NAN), "null");
    }

    #[test]
    fn warnings_describe_values_as_json() {
        let (_, w) = ok(json!({"src": "b.json", "show": {"image": "yes"}}));
        assert!(
            w.first().unwrap().contains(r#"got {"image":"yes"}"#),
            "{w:?}"
        );
        let (_, w) = ok(json!({"src": "b.json", "topics": ["a\"b\n", 1.5, null, true]}));
        assert!(
            w.first()
                .unwrap()
                .contains(r#"got ["a\"b\n",1.5,null,true]"#),
            "{w:?}"
        );
        let (_, w) = ok(json!({"src": "b.json", "limit": 1e300}));
        assert!(
            w.first()
                .unwrap()
                .contains("1e300 is outside 1..=100; using 100"),
            "{w:?}"
        );
        let long = "x".repeat(60);
        let (_, w) = ok(json!({"src": "b.json", "theme": long}));
        assert!(
            w.first()
                .unwrap()
                .contains(&format!("\"{}…", "x".repeat(38))),
            "{w:?}"
        );
    }

    #[test]
    fn one_option_under_two_names_is_an_error() {
        let raw = |v: serde_json::Value| RawOptions::from_value(from_json(&v));
        assert!(raw(json!({"src": "a.json", "url": "b.json"})).is_err());
        assert!(raw(json!({"timeout": 1, "timeoutMs": 2})).is_err());
        let o = raw(json!({"bundle": "a.json", "lang": "fr", "excerptLines": null})).unwrap();
        assert_eq!(o.src, Some(Value::String("a.json".into())));
        assert_eq!(o.locale, Some(Value::String("fr".into())));
        assert_eq!(o.excerpt_lines, None);
    }

    #[test]
    fn keys_name_each_option_once() {
        let mut keys: Vec<&str> = RawOptions::KEYS.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "a key names two options");
        let mut raw = RawOptions::default();
        for (key, i) in RawOptions::KEYS {
            assert!(raw.slot(*i).is_some(), "{key}");
        }
    }

    /// `element.js` turns an attribute into a key by `-` → `_`.
    #[cfg(feature = "schema")]
    #[test]
    fn each_attribute_is_its_key_in_kebab_case() {
        for row in OPTION_TABLE {
            assert_eq!(row.attribute.replace('-', "_"), row.key);
            let raw = from_attributes([(format!("data-{}", row.attribute), "x".to_owned())]);
            assert_ne!(raw, RawOptions::default(), "{}", row.attribute);
        }
        assert_eq!(
            OPTION_TABLE.len() + OPTION_TABLE.iter().map(|r| r.aliases.len()).sum::<usize>(),
            RawOptions::KEYS.len()
        );
    }

    /// `resolve`'s warnings name each option by its key in the table.
    #[cfg(feature = "schema")]
    #[test]
    fn warnings_name_options_by_their_table_key() {
        for row in OPTION_TABLE.iter().filter(|row| row.key != "src") {
            let (o, w) = ok(json!({"src": "b.json", row.key: [[]]}));
            assert_eq!(w.len(), 1, "{}: {w:?}", row.key);
            assert!(
                w[0].starts_with(&format!("`{}`", row.key)),
                "{}: {w:?}",
                row.key
            );
            assert_eq!(o, Options::with_src("b.json"), "{}", row.key);
        }
    }

    /// The documented defaults are the ones `resolve` applies.
    #[cfg(feature = "schema")]
    #[test]
    fn documented_defaults_are_the_defaults() {
        let base = Options::with_src("b.json");
        for row in OPTION_TABLE {
            if ["required", "all", "none"].contains(&row.default) || row.key == "locale" {
                continue;
            }
            let value = row.default.trim_matches('`');
            let (o, w) = ok(json!({"src": "b.json", row.key: value}));
            assert!(w.is_empty(), "{}: {w:?}", row.key);
            assert_eq!(
                o, base,
                "{}'s documented default {value} is not its default",
                row.key
            );
        }
    }

    #[test]
    fn locales() {
        for ok in ["en", "en-GB", "pt_BR", "zh-Hant-TW", "de-DE-u-co-phonebk"] {
            assert!(is_locale(ok), "{ok}");
        }
        for bad in ["", "e", "en-", "en--GB", "1en", "en GB", "en-toolongsubtag"] {
            assert!(!is_locale(bad), "{bad}");
        }
    }
}
