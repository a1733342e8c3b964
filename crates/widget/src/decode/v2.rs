//! Version 2 of the bundle (docs/bundle.md, "Version 2"): the manifest
//! and its page shards, read by the same rules as a version 1 bundle (the
//! same caps, the same article reader, every URL checked and resolved), and
//! the one entry point that tells the versions apart by their content.
//!
//! Shard names (a chain's `pages`, a page's `prev`) are resolved against
//! the manifest's URL and must stay on its origin. What that guards
//! against: a manifest naming a shard on another host would have every
//! reader's browser request that host (their address and the time of their
//! visit given to a third party, or a request to a host on their own
//! network) and let that host supply the cards; `data:`, `javascript:` and
//! the like are refused by [`check_url`] before that. A name that climbs
//! out of the manifest's folder (`../other/x.json`) but stays on its
//! origin is not refused: it reaches only what that origin serves the
//! page anyway, and is then read as a page like any other, by the rules
//! above.

use bundle::v2::{self, Page};
use bundle::{Bundle, Providers};

use super::{Decoder, LoadError, LoadErrorKind, Value};
use crate::options::{Images, Options};
use crate::shards::{self, FIRST_PAGES};
use crate::url;
use bundle::safe_url::{check_url, is_absolute_http};

/// What a fetched `src` turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A version 1 bundle: every article.
    Bundle(Bundle),
    /// A version 2 manifest: its providers, in a bundle whose articles the
    /// pages will bring, and the URLs of the first pages of the chain the
    /// options need ([`shards::chain_for`]; none when no article can match
    /// them).
    Manifest { bundle: Bundle, first: Vec<String> },
}

/// Decodes the file at `src`, whichever version it is (by its `version`
/// member, not its name), for `options` (a manifest's chain depends on
/// the filters, and images on `images`). `base_url` as for
/// [`decode_with`](super::decode_with).
///
/// Of a manifest only what the options need is read: the page size (so a
/// file that is not a manifest is told), the providers, and the chain
/// picked; the other chains are not looked at.
pub fn decode_any(
    bytes: &[u8],
    base_url: Option<&str>,
    options: &Options,
) -> Result<(Decoded, Vec<String>), LoadError> {
    let root = super::parse(bytes)?;
    let cached_only = options.images == Images::CachedOnly;
    match super::version(&root)? {
        v2::VERSION => {
            let mut d = Decoder::new(base_url, cached_only);
            let page_size = root.get(v2::fields::manifest::PAGE_SIZE);
            if !page_size
                .and_then(Value::as_u32)
                .is_some_and(|n| (v2::MIN_PAGE_SIZE..=v2::MAX_PAGE_SIZE).contains(&n))
            {
                return Err(bad_manifest(
                    "`pageSize` is not a whole number from 1 to 100",
                ));
            }
            let providers = d.providers(root.get(v2::fields::manifest::PROVIDERS));
            let first = match shards::chain_for(&root, &providers, options) {
                Ok(None) => Vec::new(),
                Ok(Some(chain)) => d.first_pages(chain)?,
                Err(why) => return Err(bad_manifest(why)),
            };
            let generated_at = root
                .get(v2::fields::manifest::GENERATED_AT)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let bundle = Bundle {
                version: v2::VERSION,
                generated_at,
                providers,
                related: Default::default(),
                articles: Vec::new(),
            };
            Ok((Decoded::Manifest { bundle, first }, d.warnings))
        }
        bundle::BUNDLE_VERSION => super::from_tree(&root, base_url, cached_only)
            .map(|(bundle, warnings)| (Decoded::Bundle(bundle), warnings)),
        v => Err(LoadError {
            kind: LoadErrorKind::WrongVersion(v),
            message: format!("This bundle is version {v}; this widget reads versions 1 and 2.")
                .into(),
        }),
    }
}

/// Decodes one page shard of a manifest at `base_url`, its articles read
/// against the manifest's `providers`.
pub fn decode_page(
    bytes: &[u8],
    base_url: Option<&str>,
    cached_only: bool,
    providers: &Providers,
) -> Result<(Page, Vec<String>), LoadError> {
    let root = super::parse(bytes)?;
    let version = root.get(v2::fields::page::VERSION).and_then(Value::as_u32);
    if version != Some(v2::VERSION) {
        return Err(bad_page("its `version` is not 2"));
    }
    let Some(Value::Array(articles)) = root.get(v2::fields::page::ARTICLES) else {
        return Err(bad_page("it has no `articles` list"));
    };
    let mut d = Decoder::new(base_url, cached_only);
    let prev = match root.get(v2::fields::page::PREV) {
        None | Some(Value::Null) => None,
        Some(prev) => Some(
            prev.as_str()
                .ok_or("is not a string")
                .and_then(|p| d.shard_url(p))
                .map_err(|why| bad_page(&format!("`prev` {why}")))?,
        ),
    };
    let (related, articles) = d.contents(&root, articles, providers);
    Ok((
        Page {
            version: v2::VERSION,
            articles,
            related,
            prev,
        },
        d.warnings,
    ))
}

fn bad_manifest(why: &str) -> LoadError {
    LoadError {
        kind: LoadErrorKind::NotJson,
        message: format!("The articles manifest is not valid ({why}).").into(),
    }
}

fn bad_page(why: &str) -> LoadError {
    LoadError {
        kind: LoadErrorKind::NotJson,
        message: format!("A page of articles is not valid ({why}).").into(),
    }
}

impl Decoder<'_> {
    /// The URLs of a chain's first pages (at most [`FIRST_PAGES`]).
    fn first_pages(&self, chain: &Value) -> Result<Vec<String>, LoadError> {
        let Some(Value::Array(pages)) = chain.get(v2::fields::chain::PAGES) else {
            return Err(bad_manifest("a chain has no `pages` list"));
        };
        pages
            .iter()
            .take(FIRST_PAGES)
            .map(|page| {
                page.as_str()
                    .ok_or("is not a string")
                    .and_then(|p| self.shard_url(p))
                    .map_err(|why| bad_manifest(&format!("a chain's page {why}")))
            })
            .collect()
    }

    /// A shard's name checked, resolved against the manifest's URL, and on
    /// its origin (see the module's comment); without a base, only a
    /// relative name.
    fn shard_url(&self, raw: &str) -> Result<String, &'static str> {
        const ELSEWHERE: &str = "names a file on another origin";
        let checked = check_url(raw).map_err(|_| "names an unusable URL")?;
        let Some(base) = self.base else {
            return if is_absolute_http(&checked) {
                Err(ELSEWHERE)
            } else {
                Ok(checked)
            };
        };
        url::resolve(base, &checked)
            .filter(|u| url::same_origin(base, u) && check_url(u).is_ok())
            .ok_or(ELSEWHERE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use yew::AttrValue;

    const BASE: &str = "https://cdn.example/news/index.json";

    fn chain(count: u32, pages: &[&str]) -> serde_json::Value {
        json!({ "count": count, "pages": pages })
    }

    fn manifest_with(all_pages: &[&str]) -> serde_json::Value {
        json!({
            "version": 2,
            "generatedAt": "2026-01-01T00:00:00Z",
            "pageSize": 2,
            "count": 3,
            "providers": { "hg": { "name": "Harbour Gazette", "domain": "hg.example" } },
            "all": chain(3, all_pages),
            "topics": [{ "name": "Privacy", "chain": chain(1, &["shards/p.json"]) }],
            "providerChains": { "hg": chain(2, &["shards/h.json"]) },
            "types": { "video": chain(1, &["shards/v.json"]) }
        })
    }

    /// The bundle and first pages of `manifest` for the topic filter `topics`.
    fn read(
        manifest: &serde_json::Value,
        base: Option<&str>,
        topics: &[&str],
    ) -> Result<(Bundle, Vec<String>), LoadError> {
        let options = Options {
            topics: topics
                .iter()
                .map(|t| AttrValue::from(t.to_string()))
                .collect(),
            ..Options::with_src("index.json")
        };
        let bytes = serde_json::to_vec(manifest).unwrap();
        match decode_any(&bytes, base, &options)?.0 {
            Decoded::Manifest { bundle, first } => Ok((bundle, first)),
            Decoded::Bundle(_) => panic!("read as a version 1 bundle"),
        }
    }

    fn first_pages(all_pages: &[&str], base: Option<&str>) -> Result<Vec<String>, LoadError> {
        read(&manifest_with(all_pages), base, &[]).map(|(_, first)| first)
    }

    #[test]
    fn a_manifest_is_told_from_its_content_and_its_first_pages_resolved() {
        let (bundle, first) = read(
            &manifest_with(&["shards/a.json", "shards/b.json", "shards/c.json"]),
            Some(BASE),
            &[],
        )
        .unwrap();
        assert_eq!(
            first,
            [
                "https://cdn.example/news/shards/a.json",
                "https://cdn.example/news/shards/b.json"
            ],
            "at most two first pages"
        );
        assert_eq!(bundle.version, 2);
        assert_eq!(bundle.generated_at, "2026-01-01T00:00:00Z");
        assert_eq!(bundle.providers.get("hg").unwrap().name, "Harbour Gazette");
        assert!(bundle.articles.is_empty());
        let (_, first) = read(&manifest_with(&[]), Some(BASE), &["privacy"]).unwrap();
        assert_eq!(first, ["https://cdn.example/news/shards/p.json"]);
        let (_, first) = read(&manifest_with(&[]), Some(BASE), &["sport"]).unwrap();
        assert!(first.is_empty(), "no chain, nothing to fetch");
    }

    #[test]
    fn a_version_1_bundle_is_still_a_bundle() {
        let v1 = br#"{"version": 1, "articles": [{"id": "a", "title": "A", "url": "a.html"}]}"#;
        let options = Options::with_src("b.json");
        let (decoded, _) = decode_any(v1, Some(BASE), &options).unwrap();
        let Decoded::Bundle(b) = decoded else {
            panic!("not a bundle")
        };
        assert_eq!(b.articles[0].url, "https://cdn.example/news/a.html");
    }

    #[test]
    fn other_versions_are_refused_by_name() {
        let options = Options::with_src("b.json");
        for (text, v) in [
            (r#"{"version": 3, "articles": []}"#, 3),
            (r#"{"version": 0}"#, 0),
            (r#"{"version": -2}"#, u32::MAX),
        ] {
            let err = decode_any(text.as_bytes(), Some(BASE), &options).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::WrongVersion(v), "{text}");
            assert!(err.message.ends_with("this widget reads versions 1 and 2."));
        }
        let err = decode_any(br#"{"version": "2"}"#, Some(BASE), &options).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::NotJson);
    }

    /// Shard names that leave the manifest's origin are refused, whatever
    /// their spelling; names that climb folders but stay are not (see the
    /// module's comment for why).
    #[test]
    fn shard_names_stay_on_the_manifests_origin() {
        for bad in [
            "https://evil.example/shards/a.json",
            "//evil.example/shards/a.json",
            "http://cdn.example/news/shards/a.json",
            "https://cdn.example:8443/shards/a.json",
            "javascript:alert(1)",
            "data:application/json,{}",
            "https://user@cdn.example/shards/a.json",
            "\\\\evil.example\\a.json",
        ] {
            let err = first_pages(&[bad], Some(BASE)).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::NotJson, "{bad}");
            assert!(
                err.message
                    .starts_with("The articles manifest is not valid (a chain's page names "),
                "{bad}: {}",
                err.message
            );
        }
        for (good, url) in [
            ("../../x.json", "https://cdn.example/x.json"),
            (
                "shards/../../other/a.json",
                "https://cdn.example/other/a.json",
            ),
            ("/feeds/a.json?v=2", "https://cdn.example/feeds/a.json?v=2"),
            (
                "https://cdn.example/abs.json",
                "https://cdn.example/abs.json",
            ),
        ] {
            assert_eq!(first_pages(&[good], Some(BASE)).unwrap(), [url], "{good}");
        }
        // Without a base URL only relative names can be on its origin.
        assert!(first_pages(&["https://cdn.example/a.json"], None).is_err());
        assert_eq!(
            first_pages(&["shards/a.json"], None).unwrap(),
            ["shards/a.json"]
        );
    }

    #[test]
    fn malformed_manifests_are_refused() {
        let good = manifest_with(&["a.json"]);
        let with = |key: &str, value: serde_json::Value| {
            let mut m = good.clone();
            match value {
                serde_json::Value::Null => {
                    m.as_object_mut().unwrap().remove(key);
                }
                v => m[key] = v,
            }
            m
        };
        let page_size = "`pageSize` is not a whole number from 1 to 100";
        for (manifest, why) in [
            (with("pageSize", json!(0)), page_size),
            (with("pageSize", json!(101)), page_size),
            (with("pageSize", json!(2.5)), page_size),
            (with("pageSize", serde_json::Value::Null), page_size),
            (with("all", serde_json::Value::Null), "`all` is not a chain"),
            (with("all", json!([])), "`all` is not a chain"),
            (
                with("all", json!({ "count": 1 })),
                "a chain has no `pages` list",
            ),
            (
                with("all", json!({ "count": 1, "pages": [1] })),
                "a chain's page is not a string",
            ),
        ] {
            let err = read(&manifest, Some(BASE), &[]).unwrap_err();
            assert_eq!(
                err.message,
                format!("The articles manifest is not valid ({why}).")
            );
        }
        // Chains not asked for are not read.
        let (_, first) = read(&with("topics", json!(7)), Some(BASE), &[]).unwrap();
        assert_eq!(first, ["https://cdn.example/news/a.json"]);
    }

    fn page(value: serde_json::Value) -> Result<(Page, Vec<String>), LoadError> {
        let mut providers = Providers::default();
        providers.insert(
            "hg".into(),
            bundle::Provider {
                name: "Harbour Gazette".into(),
                domain: None,
                logo: None,
            },
        );
        decode_page(
            &serde_json::to_vec(&value).unwrap(),
            Some(BASE),
            false,
            &providers,
        )
    }

    #[test]
    fn a_page_is_read_like_a_bundle() {
        let (p, warnings) = page(json!({
            "version": 2,
            "articles": [
                { "id": "a", "title": "A", "url": "a.html", "provider": "hg", "related": ["r1", "gone"] },
                { "id": "b", "title": "B", "url": "javascript:alert(1)" },
                { "id": "a", "title": "A again", "url": "a2.html" }
            ],
            "related": { "r1": { "title": "R", "url": "r.html" } },
            "prev": "shards/older.json"
        }))
        .unwrap();
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.articles[0].url, "https://cdn.example/news/a.html");
        assert_eq!(p.articles[0].provider.as_deref(), Some("hg"));
        assert_eq!(p.articles[0].related, ["r1"]);
        assert_eq!(
            p.related.get("r1").unwrap().url,
            "https://cdn.example/news/r.html"
        );
        assert_eq!(
            p.prev.as_deref(),
            Some("https://cdn.example/news/shards/older.json")
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn hostile_pages_are_refused() {
        for (value, why) in [
            (
                json!({ "version": 1, "articles": [] }),
                "its `version` is not 2",
            ),
            (json!({ "articles": [] }), "its `version` is not 2"),
            (json!({ "version": 2 }), "it has no `articles` list"),
            (
                json!({ "version": 2, "articles": {} }),
                "it has no `articles` list",
            ),
            (
                json!({ "version": 2, "articles": [], "prev": "https://evil.example/a.json" }),
                "`prev` names a file on another origin",
            ),
            (
                json!({ "version": 2, "articles": [], "prev": "javascript:x" }),
                "`prev` names an unusable URL",
            ),
            (
                json!({ "version": 2, "articles": [], "prev": 7 }),
                "`prev` is not a string",
            ),
        ] {
            let err = page(value).unwrap_err();
            assert_eq!(
                err.message,
                format!("A page of articles is not valid ({why}).")
            );
        }
        let big = vec![b' '; crate::decode::MAX_BUNDLE_BYTES + 1];
        let err = decode_page(&big, Some(BASE), false, &Providers::default()).unwrap_err();
        assert!(matches!(err.kind, LoadErrorKind::TooLarge(_)));
    }
}
