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

use bundle::v2::{self, Chain, Manifest, Page, TopicChain, TypeChains};
use bundle::{ArticleType, Providers};

use super::{Decoder, Fields, LoadError, LoadErrorKind, Value, drop_repeated_ids};
use crate::url;
use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::clean_text;

/// What a fetched `src` turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A version 1 bundle: every article.
    Bundle(bundle::Bundle),
    /// A version 2 manifest: the chains to read pages from (their URLs
    /// resolved against the manifest's).
    Manifest(Manifest),
}

/// Decodes the file at `src`, whichever version it is (by its `version`
/// member, not its name). `base_url` and `cached_only` as for
/// [`decode_with`](super::decode_with).
pub fn decode_any(
    bytes: &[u8],
    base_url: Option<&str>,
    cached_only: bool,
) -> Result<(Decoded, Vec<String>), LoadError> {
    let root = super::parse(bytes)?;
    match super::version(&root)? {
        v2::VERSION => {
            let mut d = Decoder::new(base_url, cached_only);
            let manifest = d.manifest(&root)?;
            Ok((Decoded::Manifest(manifest), d.warnings))
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
                .ok_or_else(|| "is not a string".to_owned())
                .and_then(|p| d.shard_url(p))
                .map_err(|why| bad_page(&format!("`prev` {why}")))?,
        ),
    };
    let related = d.records(root.get(v2::fields::page::RELATED), providers);
    let mut kept = Vec::with_capacity(articles.len());
    for (index, raw) in articles.iter().enumerate() {
        let mark = d.warnings.len();
        match d.article(raw, providers, &related) {
            Ok(article) => kept.push(article),
            Err(why) => d.dropped(mark, &format!("article #{}", index + 1), why),
        }
    }
    let mut warnings = d.warnings;
    let articles = drop_repeated_ids(kept, &mut warnings);
    Ok((
        Page {
            version: v2::VERSION,
            articles,
            related,
            prev,
        },
        warnings,
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
    fn manifest(&mut self, root: &Value) -> Result<Manifest, LoadError> {
        use v2::fields::manifest as m;
        let mut f = Fields::of(root).map_err(|why| bad_manifest(&why))?;
        let generated_at = f.string(m::GENERATED_AT).unwrap_or_default();
        f.present(m::PAGE_SIZE);
        let page_size = f.whole(m::PAGE_SIZE).unwrap_or(0);
        if !(v2::MIN_PAGE_SIZE..=v2::MAX_PAGE_SIZE).contains(&page_size) {
            f.fail(m::PAGE_SIZE, "is not a whole number from 1 to 100");
        }
        let count = f.whole(m::COUNT).unwrap_or(0);
        f.present(m::ALL);
        let all = self.chain(&mut f, m::ALL).unwrap_or_default();
        let mut topics = Vec::new();
        for raw in f.list(m::TOPICS) {
            match self.topic(raw) {
                Ok(topic) => topics.push(topic),
                Err(why) => f.fail(m::TOPICS, &why),
            }
        }
        let mut provider_chains = v2::Chains::default();
        match f.get(m::PROVIDER_CHAINS) {
            None => {}
            Some(Value::Object(members)) => {
                for (key, raw) in members {
                    match self.read_chain(raw) {
                        Ok(chain) => provider_chains.insert(key.to_string(), chain),
                        Err(why) => f.fail(m::PROVIDER_CHAINS, &why),
                    }
                }
            }
            Some(_) => f.fail(m::PROVIDER_CHAINS, "is not an object"),
        }
        let mut types = TypeChains::default();
        if let Some(raw) = f.get(m::TYPES) {
            match Fields::of(raw) {
                Ok(mut t) => {
                    for (key, kind) in [
                        (v2::fields::types::ARTICLE, ArticleType::Article),
                        (v2::fields::types::VIDEO, ArticleType::Video),
                    ] {
                        if let Some(chain) = self.chain(&mut t, key) {
                            types.set(kind, chain);
                        }
                    }
                    if let Err(why) = t.done() {
                        f.fail(m::TYPES, &why);
                    }
                }
                Err(why) => f.fail(m::TYPES, &why),
            }
        }
        f.done().map_err(|why| bad_manifest(&why))?;
        let providers = self.providers(root.get(m::PROVIDERS));
        Ok(Manifest {
            version: v2::VERSION,
            generated_at,
            page_size,
            count,
            providers,
            all,
            topics,
            provider_chains,
            types,
        })
    }

    fn topic(&mut self, raw: &Value) -> Result<TopicChain, String> {
        let mut f = Fields::of(raw)?;
        let name = clean_text(f.req(v2::fields::topic::NAME));
        f.present(v2::fields::topic::CHAIN);
        let chain = self.chain(&mut f, v2::fields::topic::CHAIN);
        f.done()?;
        Ok(TopicChain {
            name,
            chain: chain.unwrap_or_default(),
        })
    }

    /// Chain `key` of `f` (a fault of `f` when malformed).
    fn chain(&mut self, f: &mut Fields, key: &str) -> Option<Chain> {
        match self.read_chain(f.get(key)?) {
            Ok(chain) => Some(chain),
            Err(why) => {
                f.fail(key, &why);
                None
            }
        }
    }

    fn read_chain(&mut self, raw: &Value) -> Result<Chain, String> {
        let mut f = Fields::of(raw)?;
        let count = f.whole(v2::fields::chain::COUNT).unwrap_or(0);
        let mut pages = Vec::new();
        for page in f.list(v2::fields::chain::PAGES) {
            match page.as_str().map(|p| self.shard_url(p)) {
                Some(Ok(url)) => pages.push(url),
                Some(Err(why)) => f.fail(v2::fields::chain::PAGES, &why),
                None => f.fail(
                    v2::fields::chain::PAGES,
                    "holds a name that is not a string",
                ),
            }
        }
        f.done()?;
        Ok(Chain { count, pages })
    }

    /// A shard's name checked, resolved against the manifest's URL, and on
    /// its origin (see the module's comment); without a base, only a
    /// relative name.
    fn shard_url(&self, raw: &str) -> Result<String, String> {
        let checked = check_url(raw).map_err(|e| format!("names an unusable file: {e}"))?;
        let Some(base) = self.base else {
            return if is_absolute_http(&checked) {
                Err("names a file on another origin".to_owned())
            } else {
                Ok(checked)
            };
        };
        let resolved = url::resolve(base, &checked)
            .filter(|u| url::same_origin(base, u))
            .ok_or_else(|| "names a file on another origin".to_owned())?;
        check_url(&resolved).map_err(|e| format!("names an unusable file: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "https://cdn.example/news/index.json";

    fn chain(count: u32, pages: &[&str]) -> serde_json::Value {
        json!({ "count": count, "pages": pages })
    }

    fn manifest_with(all_pages: &[&str]) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "version": 2,
            "generatedAt": "2026-01-01T00:00:00Z",
            "pageSize": 2,
            "count": 3,
            "providers": { "hg": { "name": "Harbour Gazette", "domain": "hg.example" } },
            "all": chain(3, all_pages),
            "topics": [{ "name": "Privacy", "chain": chain(1, &["shards/p.json"]) }],
            "providerChains": { "hg": chain(2, &["shards/h.json"]) },
            "types": { "video": chain(1, &["shards/v.json"]) }
        }))
        .unwrap()
    }

    fn manifest(bytes: &[u8], base: Option<&str>) -> Result<Manifest, LoadError> {
        match decode_any(bytes, base, false)?.0 {
            Decoded::Manifest(m) => Ok(m),
            Decoded::Bundle(_) => panic!("read as a version 1 bundle"),
        }
    }

    #[test]
    fn a_manifest_is_told_from_its_content_and_its_names_resolved() {
        let m = manifest(
            &manifest_with(&["shards/a.json", "shards/b.json"]),
            Some(BASE),
        )
        .unwrap();
        assert_eq!(m.page_size, 2);
        assert_eq!(m.count, 3);
        assert_eq!(
            m.all.pages,
            [
                "https://cdn.example/news/shards/a.json",
                "https://cdn.example/news/shards/b.json"
            ]
        );
        assert_eq!(m.topics[0].name, "Privacy");
        assert_eq!(
            m.topics[0].chain.pages,
            ["https://cdn.example/news/shards/p.json"]
        );
        assert_eq!(m.provider_chains.get("hg").unwrap().count, 2);
        assert!(m.types.article.is_none());
        assert_eq!(m.types.video.as_ref().unwrap().count, 1);
        assert_eq!(m.providers.get("hg").unwrap().name, "Harbour Gazette");
    }

    #[test]
    fn a_version_1_bundle_is_still_a_bundle() {
        let v1 = br#"{"version": 1, "articles": [{"id": "a", "title": "A", "url": "a.html"}]}"#;
        let (decoded, _) = decode_any(v1, Some(BASE), false).unwrap();
        let Decoded::Bundle(b) = decoded else {
            panic!("not a bundle")
        };
        assert_eq!(b.articles[0].url, "https://cdn.example/news/a.html");
    }

    #[test]
    fn other_versions_are_refused_by_name() {
        for (text, v) in [
            (r#"{"version": 3, "articles": []}"#, 3),
            (r#"{"version": 0}"#, 0),
            (r#"{"version": -2}"#, u32::MAX),
        ] {
            let err = decode_any(text.as_bytes(), Some(BASE), false).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::WrongVersion(v), "{text}");
            assert!(err.message.ends_with("this widget reads versions 1 and 2."));
        }
        let err = decode_any(br#"{"version": "2"}"#, Some(BASE), false).unwrap_err();
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
            let err = manifest(&manifest_with(&[bad]), Some(BASE)).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::NotJson, "{bad}");
            assert!(
                err.message
                    .starts_with("The articles manifest is not valid (`all` "),
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
            let m = manifest(&manifest_with(&[good]), Some(BASE)).unwrap();
            assert_eq!(m.all.pages, [url], "{good}");
        }
        // Without a base URL only relative names can be on its origin.
        assert!(manifest(&manifest_with(&["https://cdn.example/a.json"]), None).is_err());
        assert_eq!(
            manifest(&manifest_with(&["shards/a.json"]), None)
                .unwrap()
                .all
                .pages,
            ["shards/a.json"]
        );
    }

    #[test]
    fn malformed_manifests_are_refused() {
        let good: serde_json::Value = serde_json::from_slice(&manifest_with(&["a.json"])).unwrap();
        let with = |key: &str, value: serde_json::Value| {
            let mut m = good.clone();
            match value {
                serde_json::Value::Null => {
                    m.as_object_mut().unwrap().remove(key);
                }
                v => m[key] = v,
            }
            serde_json::to_vec(&m).unwrap()
        };
        for (bytes, why) in [
            (
                with("pageSize", json!(0)),
                "`pageSize` is not a whole number from 1 to 100",
            ),
            (
                with("pageSize", json!(101)),
                "`pageSize` is not a whole number from 1 to 100",
            ),
            (
                with("pageSize", serde_json::Value::Null),
                "`pageSize` is missing",
            ),
            (with("all", serde_json::Value::Null), "`all` is missing"),
            (
                with("all", json!({ "count": 1, "pages": [1] })),
                "`all` `pages` holds a name that is not a string",
            ),
            (
                with("topics", json!([{ "name": "x" }])),
                "`topics` `chain` is missing",
            ),
            (
                with("providerChains", json!([])),
                "`providerChains` is not an object",
            ),
            (
                with("types", json!({ "video": 1 })),
                "`types` `video` is not an object",
            ),
        ] {
            let err = manifest(&bytes, Some(BASE)).unwrap_err();
            assert_eq!(
                err.message,
                format!("The articles manifest is not valid ({why}).")
            );
        }
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
                json!({ "version": 2, "articles": [], "prev": "https://evil.example/a.json" }),
                "`prev` names a file on another origin",
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
