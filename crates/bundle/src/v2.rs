//! Bundle version 2: a small manifest (`index.json`) naming chains of
//! content-addressed page shards (`shards/<hash>.json`), so a reader
//! fetches what its options show instead of the whole archive. The
//! contract is docs/bundle.md ("Version 2"); `article-cards bundle
//! --out-dir` writes these types and the widget reads them.
//!
//! A chain is the articles it covers in newest order, cut into pages
//! counted from the oldest end: only the newest page of a chain changes
//! when a newer article is added, so every other page keeps its bytes and
//! its name, and can be cached forever.

use serde::{Deserialize, Serialize};

use crate::{Article, Providers};

/// The related record type of a page's `related` table: the same record
/// as a version 1 bundle's table (docs/bundle.md, "Related items").
pub use crate::RelatedRecord as Record;

/// The version a manifest and each of its pages carry.
pub const VERSION: u32 = 2;
/// Articles per page when `--page-size` is not given.
pub const DEFAULT_PAGE_SIZE: u32 = 24;
/// Smallest and largest page sizes a manifest may have.
pub const MIN_PAGE_SIZE: u32 = 1;
pub const MAX_PAGE_SIZE: u32 = 100;
/// File name of the manifest in the output directory.
pub const MANIFEST_NAME: &str = "index.json";
/// Directory of the page shards, relative to the manifest.
pub const SHARD_DIR: &str = "shards";
/// Hex digits of SHA-256 kept in a shard's name.
pub const SHARD_HASH_HEX: usize = 24;

/// `DIR/index.json`: everything a reader needs before its first page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always [`VERSION`].
    pub version: u32,
    /// When the manifest was generated (RFC 3339, UTC).
    pub generated_at: String,
    /// Articles per page ([`MIN_PAGE_SIZE`]..=[`MAX_PAGE_SIZE`]); every
    /// page of a chain holds this many, except its newest.
    pub page_size: u32,
    /// Articles in the archive (the `all` chain's count).
    pub count: u32,
    /// Providers (outlets), stored once for every page.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<String, crate::Provider>")
    )]
    pub providers: Providers,
    /// Every article.
    pub all: Chain,
    /// One chain per topic (topics compared case-insensitively), by count
    /// descending, then name.
    #[serde(default)]
    pub topics: Vec<TopicChain>,
    /// One chain per provider key of [`Manifest::providers`] that has
    /// articles.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<String, Chain>")
    )]
    pub provider_chains: Chains,
    /// One chain per article type present.
    #[serde(default)]
    pub types: TypeChains,
}

/// The entry points of one chain of pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Chain {
    /// Articles in the chain, over all its pages.
    pub count: u32,
    /// The newest pages, newest first: just enough to hold at least
    /// `pageSize` articles (one or two), so a reader can fetch its first
    /// screen at once. Older pages are reached through [`Page::prev`].
    /// Each is `shards/<hash>.json`, relative to the manifest's URL.
    pub pages: Vec<String>,
}

/// A topic's chain and the spelling to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TopicChain {
    /// The most used spelling of the topic among its articles.
    pub name: String,
    pub chain: Chain,
}

/// Chains by type; a type with no article has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TypeChains {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<Chain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Chain>,
}

impl TypeChains {
    pub fn get(&self, kind: crate::ArticleType) -> Option<&Chain> {
        match kind {
            crate::ArticleType::Article => self.article.as_ref(),
            crate::ArticleType::Video => self.video.as_ref(),
        }
    }

    pub fn set(&mut self, kind: crate::ArticleType, chain: Chain) {
        match kind {
            crate::ArticleType::Article => self.article = Some(chain),
            crate::ArticleType::Video => self.video = Some(chain),
        }
    }
}

/// [`Chain`]s by key, a JSON object kept as a key-sorted `Vec` (see
/// [`crate::Table`]).
pub type Chains = crate::Table<Chain>;

/// One page shard, `shards/<hash>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Always [`VERSION`].
    pub version: u32,
    /// The page's articles, newest first; complete, like version 1's.
    pub articles: Vec<Article>,
    /// The related records this page's articles reference, by record id
    /// (exactly those, each once).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<String, Record>")
    )]
    pub related: crate::RelatedRecords,
    /// The page just older than this one in its chain (relative to the
    /// manifest's URL, like [`Chain::pages`]); absent on the oldest page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

/// `shards/<hash>.json` for a shard whose SHA-256 begins with the hex
/// digits `hash` (the first [`SHARD_HASH_HEX`] are used).
pub fn shard_path(hash_hex: &str) -> String {
    let short = hash_hex.get(..SHARD_HASH_HEX).unwrap_or(hash_hex);
    format!("{SHARD_DIR}/{short}.json")
}

/// Whether `name` is a shard file name the bundler writes:
/// [`SHARD_HASH_HEX`] lowercase hex digits and `.json`.
pub fn is_shard_file_name(name: &str) -> bool {
    name.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == SHARD_HASH_HEX
            && stem
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `path` is a shard path as a manifest or page names it:
/// `shards/` and a shard file name.
pub fn is_shard_path(path: &str) -> bool {
    path.strip_prefix(SHARD_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(is_shard_file_name)
}

/// The JSON member names of the version 2 types, for readers that do not go
/// through serde (see [`crate::fields`]).
pub mod fields {
    /// Members of [`Manifest`](super::Manifest).
    pub mod manifest {
        pub const VERSION: &str = "version";
        pub const GENERATED_AT: &str = "generatedAt";
        pub const PAGE_SIZE: &str = "pageSize";
        pub const COUNT: &str = "count";
        pub const PROVIDERS: &str = "providers";
        pub const ALL: &str = "all";
        pub const TOPICS: &str = "topics";
        pub const PROVIDER_CHAINS: &str = "providerChains";
        pub const TYPES: &str = "types";
        pub const MEMBERS: [&str; 9] = [
            VERSION,
            GENERATED_AT,
            PAGE_SIZE,
            COUNT,
            PROVIDERS,
            ALL,
            TOPICS,
            PROVIDER_CHAINS,
            TYPES,
        ];
    }

    /// Members of [`Chain`](super::Chain).
    pub mod chain {
        pub const COUNT: &str = "count";
        pub const PAGES: &str = "pages";
        pub const ALL: [&str; 2] = [COUNT, PAGES];
    }

    /// Members of [`TopicChain`](super::TopicChain).
    pub mod topic {
        pub const NAME: &str = "name";
        pub const CHAIN: &str = "chain";
        pub const ALL: [&str; 2] = [NAME, CHAIN];
    }

    /// Members of [`TypeChains`](super::TypeChains).
    pub mod types {
        pub const ARTICLE: &str = "article";
        pub const VIDEO: &str = "video";
        pub const ALL: [&str; 2] = [ARTICLE, VIDEO];
    }

    /// Members of [`Page`](super::Page).
    pub mod page {
        pub const VERSION: &str = "version";
        pub const ARTICLES: &str = "articles";
        pub const RELATED: &str = "related";
        pub const PREV: &str = "prev";
        pub const ALL: [&str; 4] = [VERSION, ARTICLES, RELATED, PREV];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names() {
        let hex = "9f2c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
        let path = shard_path(hex);
        assert_eq!(path, "shards/9f2c0123456789abcdef0123.json");
        assert!(is_shard_path(&path));
        assert!(!is_shard_path("shards/9F2C0123456789ABCDEF0123.json"));
        assert!(!is_shard_path("shards/9f2c.json"));
        assert!(!is_shard_path("other/9f2c0123456789abcdef0123.json"));
        assert!(!is_shard_file_name("9f2c0123456789abcdef0123.json.tmp"));
    }

    #[test]
    fn manifest_members_are_camel_case() {
        let m = Manifest {
            version: VERSION,
            generated_at: "2026-01-01T00:00:00Z".to_owned(),
            page_size: DEFAULT_PAGE_SIZE,
            count: 0,
            providers: Providers::default(),
            all: Chain::default(),
            topics: Vec::new(),
            provider_chains: Chains::default(),
            types: TypeChains::default(),
        };
        let v = serde_json::to_value(&m).unwrap_or_default();
        let keys: Vec<&str> = v
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut want = fields::manifest::MEMBERS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
    }
}
