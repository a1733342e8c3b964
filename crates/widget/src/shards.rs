//! Reading a version 2 bundle (a manifest and page shards; docs/bundle.md,
//! "Version 2"): which chain of the manifest a widget reads for its
//! options, and how the pages read so far become the one [`Bundle`] the
//! components render. Pure and target-independent: the browser edge
//! (`load.rs`, `root.rs`) does the fetching.
//!
//! The chain read is the smallest one that holds every article the filters
//! can match: the topic's chain when exactly one topic is asked for, the
//! provider's when the provider filter names exactly one provider key, the
//! type's when one type is asked for, else the `all` chain. The widget
//! still applies every filter to what it reads ([`select::matches`]), so
//! with several filters it reads the smallest of their chains and filters
//! the rest itself, fetching older pages until the page of cards is full or
//! the chain ends. Several topics (or several providers) are an OR, which
//! no single chain serves: the widget then reads the next smaller filter's
//! chain, or `all`, and filters (a documented simplification: it fetches
//! more pages than a merge of the topics' chains would).

use bundle::v2::{Page, fields};
use bundle::{ArticleType, Bundle, Providers};

use crate::json::Value;
use crate::options::Options;
use crate::select;

/// Most of a chain's `pages` read from the manifest: it names one or two
/// for the first screen (the widget fetches the first and follows `prev`,
/// which names the second too).
pub const FIRST_PAGES: usize = 2;

/// Most pages fetched for one screen of cards (the first, or one "Load
/// more") while the filters the chain does not cover leave it short: past
/// this the widget shows what it has, and "Load more" goes on from there,
/// so a filter that matches little never walks a whole archive unasked.
pub const PAGES_PER_SCREEN: usize = 8;

/// The chain of a manifest (its JSON tree, `providers` read from it) to
/// read for `options`' filters; `Ok(None)` when a filter names nothing the
/// manifest has (no article can match: nothing to fetch). Only the chains
/// looked at are read; one that is not an object counts as absent.
pub fn chain_for<'v, 'a>(
    manifest: &'v Value<'a>,
    providers: &Providers,
    options: &Options,
) -> Result<Option<&'v Value<'a>>, &'static str> {
    let mut best: Option<(u32, &'v Value<'a>)> = None;
    // A filter's chain; `false` when it has none (so no article matches).
    let mut consider = |chain: Option<&'v Value<'a>>| {
        let Some(chain) = chain.filter(|c| matches!(c, Value::Object(_))) else {
            return false;
        };
        let count = chain
            .get(fields::chain::COUNT)
            .and_then(Value::as_u32)
            .unwrap_or(u32::MAX);
        if best.is_none_or(|(fewest, _)| count < fewest) {
            best = Some((count, chain));
        }
        true
    };
    if !options.topics.is_empty() {
        let topics = match manifest.get(fields::manifest::TOPICS) {
            Some(Value::Array(topics)) => topics.as_slice(),
            _ => &[],
        };
        let mut found = topics.iter().filter(|topic| {
            topic
                .get(fields::topic::NAME)
                .and_then(Value::as_str)
                .is_some_and(|name| options.topics.iter().any(|want| select::same(want, name)))
        });
        let chain = match (found.next(), found.next()) {
            (None, _) => return Ok(None),
            (Some(topic), None) => Some(topic.get(fields::topic::CHAIN)),
            // An OR of topics: no one chain holds them.
            _ => None,
        };
        if chain.is_some_and(|chain| !consider(chain)) {
            return Ok(None);
        }
    }
    if !options.providers.is_empty() {
        let mut keys = providers.iter().filter(|(key, provider)| {
            options
                .providers
                .iter()
                .any(|want| select::provider_matches(want, key, provider))
        });
        let chain = match (keys.next(), keys.next()) {
            (None, _) => return Ok(None),
            (Some((key, _)), None) => Some(
                manifest
                    .get(fields::manifest::PROVIDER_CHAINS)
                    .and_then(|c| c.get(key)),
            ),
            _ => None,
        };
        if chain.is_some_and(|chain| !consider(chain)) {
            return Ok(None);
        }
    }
    // Both types are every article: only one type has a chain of its own.
    if let [kind] = *options.types {
        let name = match kind {
            ArticleType::Article => fields::types::ARTICLE,
            ArticleType::Video => fields::types::VIDEO,
        };
        let types = manifest.get(fields::manifest::TYPES);
        if !consider(types.and_then(|t| t.get(name))) {
            return Ok(None);
        }
    }
    match best {
        Some((_, chain)) => Ok(Some(chain)),
        None => manifest
            .get(fields::manifest::ALL)
            .filter(|c| matches!(c, Value::Object(_)))
            .map(Some)
            .ok_or("`all` is not a chain"),
    }
}

/// Adds a page read after those already in `bundle`: its articles after
/// theirs (so the index of every article shown stays the same), except
/// those whose id is already there, and its related records. Returns how
/// many articles were added.
pub fn append(bundle: &mut Bundle, page: Page) -> usize {
    let before = bundle.articles.len();
    // A linear search per article: a page is short, and the ids read so
    // far are few next to an archive (see `PAGES_PER_SCREEN`).
    for article in page.articles {
        if !bundle.articles.iter().any(|a| a.id == article.id) {
            bundle.articles.push(article);
        }
    }
    for (rid, record) in page.related.iter() {
        if bundle.related.get(rid).is_none() {
            bundle.related.insert(rid.clone(), record.clone());
        }
    }
    bundle.articles.len() - before
}

/// How many of `bundle`'s articles `options` select.
pub fn selected(bundle: &Bundle, options: &Options) -> usize {
    bundle
        .articles
        .iter()
        .filter(|a| select::matches(bundle, a, options))
        .count()
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use serde_json::json;
    use yew::AttrValue;

    use super::*;
    use bundle::{Article, Provider, RelatedRecord};

    fn chain(count: u32, name: &str) -> serde_json::Value {
        json!({ "count": count, "pages": [format!("shards/{name}.json")] })
    }

    fn manifest() -> serde_json::Value {
        json!({
            "version": 2,
            "pageSize": 24,
            "all": chain(100, "all"),
            "topics": [
                { "name": "Privacy", "chain": chain(30, "privacy") },
                { "name": "Space", "chain": chain(5, "space") },
                { "name": "Broken", "chain": 7 }
            ],
            "providerChains": { "hg": chain(40, "hg") },
            "types": { "video": chain(10, "video"), "article": chain(90, "article") }
        })
    }

    fn providers() -> Providers {
        let mut providers = Providers::default();
        providers.insert(
            "hg".into(),
            Provider {
                name: "Harbour Gazette".into(),
                domain: Some("harbourgazette.example".into()),
                logo: None,
            },
        );
        providers.insert(
            "dp".into(),
            Provider {
                name: "Daily Ping".into(),
                domain: None,
                logo: None,
            },
        );
        providers
    }

    fn read_in(
        manifest: &serde_json::Value,
        topics: &[&str],
        providers: &[&str],
        types: &[ArticleType],
    ) -> Result<Option<String>, &'static str> {
        let options = Options {
            topics: topics
                .iter()
                .map(|t| AttrValue::from(t.to_string()))
                .collect(),
            providers: providers
                .iter()
                .map(|t| AttrValue::from(t.to_string()))
                .collect(),
            types: Rc::from(types),
            ..Options::with_src("index.json")
        };
        let text = serde_json::to_string(manifest).unwrap();
        let tree = crate::json::parse(text.as_bytes()).unwrap();
        let chain = chain_for(&tree, &self::providers(), &options)?;
        Ok(chain.map(|c| match c.get("pages") {
            Some(Value::Array(pages)) => pages[0].as_str().unwrap().to_owned(),
            _ => panic!("a chain without pages"),
        }))
    }

    fn read(topics: &[&str], providers: &[&str], types: &[ArticleType]) -> Option<String> {
        read_in(&manifest(), topics, providers, types).unwrap()
    }

    #[test]
    fn the_smallest_chain_that_holds_every_match_is_read() {
        let page = |name: &str| Some(format!("shards/{name}.json"));
        assert_eq!(read(&[], &[], &[]), page("all"));
        assert_eq!(read(&[" PRIVACY "], &[], &[]), page("privacy"));
        assert_eq!(read(&[], &["www.HarbourGazette.example"], &[]), page("hg"));
        assert_eq!(read(&[], &["harbour gazette"], &[]), page("hg"));
        assert_eq!(read(&[], &[], &[ArticleType::Video]), page("video"));
        assert_eq!(read(&["privacy"], &["hg"], &[]), page("privacy"));
        assert_eq!(
            read(&["privacy"], &["hg"], &[ArticleType::Video]),
            page("video")
        );
        assert_eq!(read(&["space"], &[], &[ArticleType::Video]), page("space"));
        // An OR of topics: no one chain, so the next filter's, or all.
        assert_eq!(read(&["privacy", "space"], &[], &[]), page("all"));
        assert_eq!(read(&["privacy", "space"], &["hg"], &[]), page("hg"));
        assert_eq!(
            read(&[], &[], &[ArticleType::Video, ArticleType::Article]),
            page("all")
        );
        // A topic asked for that the manifest lacks does not stop the others.
        assert_eq!(read(&["privacy", "sport"], &[], &[]), page("privacy"));
    }

    #[test]
    fn a_filter_that_names_nothing_reads_nothing() {
        assert_eq!(read(&["sport"], &[], &[]), None);
        assert_eq!(read(&["broken"], &[], &[]), None);
        assert_eq!(read(&[], &["nobody"], &[]), None);
        // A provider without articles has no chain.
        assert_eq!(read(&[], &["daily ping"], &[]), None);
        let mut m = manifest();
        m["types"].as_object_mut().unwrap().remove("video");
        assert_eq!(read_in(&m, &[], &[], &[ArticleType::Video]), Ok(None));
        m.as_object_mut().unwrap().remove("all");
        assert_eq!(read_in(&m, &[], &[], &[]), Err("`all` is not a chain"));
        assert_eq!(read_in(&m, &["space"], &[], &[]), Ok(page_of("space")));
    }

    fn page_of(name: &str) -> Option<String> {
        Some(format!("shards/{name}.json"))
    }

    fn article(id: &str) -> Article {
        Article {
            id: id.into(),
            title: id.into(),
            excerpt: None,
            url: format!("https://n.example/{id}"),
            published: None,
            updated: None,
            kind: ArticleType::Article,
            topics: vec![],
            provider: None,
            image: None,
            video: None,
            heat: None,
            quality: None,
            related: vec![],
        }
    }

    fn page(ids: &[&str], records: &[&str]) -> Page {
        let mut related = bundle::RelatedRecords::default();
        for r in records {
            related.insert(
                (*r).into(),
                RelatedRecord {
                    title: format!("{r} from this page"),
                    url: format!("https://n.example/{r}"),
                    published: None,
                    kind: ArticleType::Article,
                    provider: None,
                    image: None,
                },
            );
        }
        Page {
            version: 2,
            articles: ids.iter().map(|id| article(id)).collect(),
            related,
            prev: None,
        }
    }

    #[test]
    fn pages_append_without_repeats_and_keep_indices() {
        let mut b = Bundle {
            version: 2,
            generated_at: String::new(),
            providers: providers(),
            related: Default::default(),
            articles: vec![],
        };
        assert_eq!(append(&mut b, page(&["c", "b"], &["r1"])), 2);
        assert_eq!(append(&mut b, page(&["b", "a", "a"], &["r1", "r2"])), 1);
        let ids: Vec<&str> = b.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
        assert_eq!(b.related.len(), 2);
        assert_eq!(b.related.get("r1").unwrap().title, "r1 from this page");
        let options = Options::with_src("index.json");
        assert_eq!(selected(&b, &options), 3);
    }
}
