//! The bundle format, version 1: the one definition of the JSON that
//! `article-cards bundle` writes and the widget reads. The JSON Schema and
//! TypeScript declarations in `docs/` and `pkg/` are generated from these
//! types (`cargo xtask codegen`); a test fails when they are stale.
//!
//! Every string here is plain text or a URL that passed [`crate::safe_url`]:
//! no field is ever HTML.

pub mod safe_url;
pub mod text;
pub mod v2;
pub mod youtube;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The only bundle version this crate writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// Longest title kept, in characters (longer ones are cut with an ellipsis).
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest excerpt kept, in characters (longer ones are cut with an ellipsis).
pub const MAX_EXCERPT_CHARS: usize = 600;
/// Image sizes at or above this are dropped as implausible.
pub const MAX_IMAGE_SIDE: u32 = 20_000;
/// Largest bundle the widget accepts, in bytes; the bundler refuses to
/// write a larger one.
pub const MAX_BUNDLE_BYTES: usize = 5 * 1024 * 1024;
/// Most topics kept per article (after case-insensitive de-duplication).
pub const MAX_TOPICS: usize = 50;
/// Most related items kept per article.
pub const MAX_RELATED: usize = 20;
/// Longest URL kept, in bytes; a longer one is dropped.
pub const MAX_URL_BYTES: usize = 2048;

/// A prebuilt set of articles, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Format version; always [`BUNDLE_VERSION`] for this crate.
    pub version: u32,
    /// When the bundle was generated (RFC 3339, UTC).
    pub generated_at: String,
    /// Providers (outlets), stored once and referenced by key from articles.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, Provider>"))]
    pub providers: Providers,
    /// Related records, stored once and referenced by id from articles'
    /// `related` lists. A record's id is [`article_id`] of its URL, so a
    /// record whose id is also an article's id is that article. The bundler
    /// writes exactly the records its articles reference.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, RelatedRecord>"))]
    pub related: RelatedRecords,
    /// The articles, newest first.
    pub articles: Vec<Article>,
}

/// Values by key: a JSON object, kept as a `Vec` sorted by key (so
/// serialized in key order, like a `BTreeMap`, and the output is
/// deterministic). Not a `BTreeMap` because the widget only looks keys up,
/// and the B-tree code is large in its wasm (see docs/size.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "BTreeMap<String, T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Table<T>(Vec<(String, T)>);

/// [`Provider`]s by key.
pub type Providers = Table<Provider>;

/// [`RelatedRecord`]s by record id (see [`Bundle::related`]).
pub type RelatedRecords = Table<RelatedRecord>;

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<T> Table<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.find(key)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        let i = self.find(key).ok()?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    /// Adds or replaces the value under `key`.
    pub fn insert(&mut self, key: String, value: T) {
        match self.find(&key) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> From<BTreeMap<String, T>> for Table<T> {
    fn from(map: BTreeMap<String, T>) -> Self {
        Table(map.into_iter().collect())
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A news outlet or publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// Display name, e.g. "The Harbour Gazette".
    pub name: String,
    /// Registrable domain, e.g. "harbourgazette.example".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Logo image, square in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Image>,
}

/// MIME types an [`ImageVariant`] may have.
pub const VARIANT_MIMES: [&str; 4] = ["image/webp", "image/jpeg", "image/png", "image/gif"];

/// An image reference. `width`/`height` are intrinsic pixel sizes when known
/// (positive and below [`MAX_IMAGE_SIDE`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Absolute http(s) URL or a relative path. For a cached image
    /// (`article-cards bundle --cache-images`): the largest fallback
    /// (JPEG/PNG) variant up to 1280 px wide.
    pub src: String,
    /// Intrinsic width of the original image, in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Intrinsic height of the original image, in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The image is a copy: cached by the publisher's pipeline, or by
    /// `article-cards bundle --cache-images` (then `original` is set).
    #[serde(default, skip_serializing_if = "is_false")]
    pub cached: bool,
    /// Resized copies of the image (from `--cache-images`), by ascending
    /// width; per width the WebP before its JPEG/PNG fallback. The widget
    /// builds `<picture>` `srcset`s from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<ImageVariant>,
    /// Average colour of the image, `#rrggbb`, painted while it loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The publisher's URL of the image when `src` is a cached copy: the
    /// widget's fallback when the copy fails to load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// One resized copy of an [`Image`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageVariant {
    /// Absolute http(s) URL or a relative path.
    pub src: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// MIME type: `image/webp`, `image/jpeg`, `image/png` or `image/gif`
    /// (see [`VARIANT_MIMES`]).
    #[serde(rename = "type")]
    pub mime: String,
}

/// What kind of item an article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ArticleType {
    #[default]
    Article,
    Video,
}

/// Hosts a video facade can be rebuilt for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum VideoProvider {
    Youtube,
}

/// A playable video, reduced to a validated id: the embed HTML is rebuilt
/// from it by the widget and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Video {
    pub provider: VideoProvider,
    /// For YouTube: exactly 11 characters of `[A-Za-z0-9_-]`.
    pub id: String,
}

/// One article card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// Stable id derived from the canonical URL (16 lowercase hex digits).
    pub id: String,
    /// Plain text, at most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// Plain text, at most [`MAX_EXCERPT_CHARS`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Canonical URL: `webUrl`, else `originalUrl`.
    pub url: String,
    /// Publication time (RFC 3339, UTC, e.g. `2021-04-28T16:08:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Last update time (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: ArticleType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Key into [`Bundle::providers`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Hero image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
    /// Popularity score from the source, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat: Option<u32>,
    /// Editorial quality score from the source, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<u32>,
    /// Ids of records in [`Bundle::related`], in display order, at most
    /// [`MAX_RELATED`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// A small article shown in a card's related carousel, stored once in
/// [`Bundle::related`] under [`article_id`] of its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelatedRecord {
    /// Plain text, at most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: ArticleType,
    /// Key into [`Bundle::providers`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

/// FNV-1a, 64 bits, as 16 lowercase hex digits: the id of an article and
/// of a related record, from its canonical URL.
pub fn article_id(url: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The JSON member names of the bundle types, for the reader that does not
/// go through serde (the widget's decoder). serde's attributes need
/// literals, so the names are spelled here once more; `crates/widget/tests/decode_vs_serde.rs`
/// fails when a list differs from the members serde writes, or when the
/// decoder spells a member name itself.
pub mod fields {
    /// Members of [`Bundle`](super::Bundle).
    pub mod bundle {
        pub const VERSION: &str = "version";
        pub const GENERATED_AT: &str = "generatedAt";
        pub const PROVIDERS: &str = "providers";
        pub const RELATED: &str = "related";
        pub const ARTICLES: &str = "articles";
        pub const ALL: [&str; 5] = [VERSION, GENERATED_AT, PROVIDERS, RELATED, ARTICLES];
    }

    /// Members of [`Provider`](super::Provider).
    pub mod provider {
        pub const NAME: &str = "name";
        pub const DOMAIN: &str = "domain";
        pub const LOGO: &str = "logo";
        pub const ALL: [&str; 3] = [NAME, DOMAIN, LOGO];
    }

    /// Members of [`Image`](super::Image).
    pub mod image {
        pub const SRC: &str = "src";
        pub const WIDTH: &str = "width";
        pub const HEIGHT: &str = "height";
        pub const CACHED: &str = "cached";
        pub const VARIANTS: &str = "variants";
        pub const PLACEHOLDER: &str = "placeholder";
        pub const ORIGINAL: &str = "original";
        pub const ALL: [&str; 7] = [SRC, WIDTH, HEIGHT, CACHED, VARIANTS, PLACEHOLDER, ORIGINAL];
    }

    /// Members of [`ImageVariant`](super::ImageVariant).
    pub mod variant {
        pub const SRC: &str = "src";
        pub const WIDTH: &str = "width";
        pub const HEIGHT: &str = "height";
        pub const TYPE: &str = "type";
        pub const ALL: [&str; 4] = [SRC, WIDTH, HEIGHT, TYPE];
    }

    /// Members of [`Video`](super::Video).
    pub mod video {
        pub const PROVIDER: &str = "provider";
        pub const ID: &str = "id";
        pub const ALL: [&str; 2] = [PROVIDER, ID];
    }

    /// Members of [`Article`](super::Article).
    pub mod article {
        pub const ID: &str = "id";
        pub const TITLE: &str = "title";
        pub const EXCERPT: &str = "excerpt";
        pub const URL: &str = "url";
        pub const PUBLISHED: &str = "published";
        pub const UPDATED: &str = "updated";
        pub const TYPE: &str = "type";
        pub const TOPICS: &str = "topics";
        pub const PROVIDER: &str = "provider";
        pub const IMAGE: &str = "image";
        pub const VIDEO: &str = "video";
        pub const HEAT: &str = "heat";
        pub const QUALITY: &str = "quality";
        pub const RELATED: &str = "related";
        pub const ALL: [&str; 14] = [
            ID, TITLE, EXCERPT, URL, PUBLISHED, UPDATED, TYPE, TOPICS, PROVIDER, IMAGE, VIDEO,
            HEAT, QUALITY, RELATED,
        ];
    }

    /// Members of [`RelatedRecord`](super::RelatedRecord).
    pub mod related {
        pub const TITLE: &str = "title";
        pub const URL: &str = "url";
        pub const PUBLISHED: &str = "published";
        pub const TYPE: &str = "type";
        pub const PROVIDER: &str = "provider";
        pub const IMAGE: &str = "image";
        pub const ALL: [&str; 6] = [TITLE, URL, PUBLISHED, TYPE, PROVIDER, IMAGE];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fnv1a() {
        assert_eq!(article_id(""), "cbf29ce484222325");
        assert_eq!(article_id("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn tables_serialize_in_key_order() {
        let mut t: Table<u32> = Table::default();
        t.insert("b".into(), 2);
        t.insert("a".into(), 1);
        t.insert("b".into(), 3);
        assert_eq!(
            serde_json::to_string(&t).unwrap_or_default(),
            r#"{"a":1,"b":3}"#
        );
        assert_eq!(t.get("b"), Some(&3));
        assert_eq!(t.get("c"), None);
    }
}
