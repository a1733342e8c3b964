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

use bundle::Bundle;
use bundle::v2::{Chain, Manifest, Page};

use crate::options::Options;
use crate::select;

/// Most pages of a chain fetched at once: the manifest names one or two
/// for the first screen; more are reached by `prev`.
pub const FIRST_PAGES: usize = 2;

/// Most pages fetched for one screen of cards (the first, or one "Load
/// more") while the filters the chain does not cover leave it short: past
/// this the widget shows what it has, and "Load more" goes on from there,
/// so a filter that matches little never walks a whole archive unasked.
pub const PAGES_PER_SCREEN: usize = 8;

/// The chain to read for `options`' filters; `None` when a filter names
/// nothing the manifest has (no article can match: nothing to fetch).
pub fn chain_for<'m>(manifest: &'m Manifest, options: &Options) -> Option<&'m Chain> {
    let mut best: Option<&Chain> = None;
    let mut consider = |chain: &'m Chain| {
        if best.is_none_or(|b| chain.count < b.count) {
            best = Some(chain);
        }
    };
    if !options.topics.is_empty() {
        let mut found = manifest.topics.iter().filter(|t| {
            options
                .topics
                .iter()
                .any(|want| select::same(want, &t.name))
        });
        match (found.next(), found.next()) {
            (None, _) => return None,
            (Some(topic), None) => consider(&topic.chain),
            // An OR of topics: no one chain holds them.
            _ => {}
        }
    }
    if !options.providers.is_empty() {
        let mut keys = manifest.providers.iter().filter(|(key, provider)| {
            options
                .providers
                .iter()
                .any(|want| select::provider_matches(want, key, provider))
        });
        match (keys.next(), keys.next()) {
            (None, _) => return None,
            (Some((key, _)), None) => consider(manifest.provider_chains.get(key)?),
            _ => {}
        }
    }
    // Both types are every article: only one type has a chain of its own.
    if let [kind] = *options.types {
        consider(manifest.types.get(kind)?);
    }
    Some(best.unwrap_or(&manifest.all))
}

/// The bundle the components render before any page is read: the
/// manifest's providers, no articles.
pub fn empty_bundle(manifest: &Manifest) -> Bundle {
    Bundle {
        version: manifest.version,
        generated_at: manifest.generated_at.clone(),
        providers: manifest.providers.clone(),
        related: Default::default(),
        articles: Vec::new(),
    }
}

/// Adds a page read after those already in `bundle`: its articles after
/// theirs (so the index of every article shown stays the same), except
/// those whose id is already there, and its related records. Returns how
/// many articles were added.
pub fn append(bundle: &mut Bundle, page: Page) -> usize {
    let before = bundle.articles.len();
    let ids = |articles: &[bundle::Article]| -> Vec<String> {
        let mut ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
        ids.sort_unstable();
        ids
    };
    let known = ids(&bundle.articles);
    for article in page.articles {
        if known.binary_search(&article.id).is_err()
            && !bundle
                .articles
                .get(before..)
                .is_some_and(|new| new.iter().any(|a| a.id == article.id))
        {
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

    use yew::AttrValue;

    use super::*;
    use bundle::v2::TopicChain;
    use bundle::{Article, ArticleType, Provider, RelatedRecord};

    fn chain(count: u32, name: &str) -> Chain {
        Chain {
            count,
            pages: vec![format!("shards/{name}.json")],
        }
    }

    fn manifest() -> Manifest {
        let mut m = Manifest {
            version: 2,
            generated_at: String::new(),
            page_size: 24,
            count: 100,
            providers: Default::default(),
            all: chain(100, "all"),
            topics: vec![
                TopicChain {
                    name: "Privacy".into(),
                    chain: chain(30, "privacy"),
                },
                TopicChain {
                    name: "Space".into(),
                    chain: chain(5, "space"),
                },
            ],
            provider_chains: Default::default(),
            types: Default::default(),
        };
        m.providers.insert(
            "hg".into(),
            Provider {
                name: "Harbour Gazette".into(),
                domain: Some("harbourgazette.example".into()),
                logo: None,
            },
        );
        m.providers.insert(
            "dp".into(),
            Provider {
                name: "Daily Ping".into(),
                domain: None,
                logo: None,
            },
        );
        m.provider_chains.insert("hg".into(), chain(40, "hg"));
        m.types.set(ArticleType::Video, chain(10, "video"));
        m.types.set(ArticleType::Article, chain(90, "article"));
        m
    }

    fn read(topics: &[&str], providers: &[&str], types: &[ArticleType]) -> Option<String> {
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
        chain_for(&manifest(), &options).map(|c| c.pages.join(","))
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
        // A topic among several asked for that the manifest lacks does not
        // stop the others.
        assert_eq!(read(&["privacy", "sport"], &[], &[]), page("privacy"));
    }

    #[test]
    fn a_filter_that_names_nothing_reads_nothing() {
        assert_eq!(read(&["sport"], &[], &[]), None);
        assert_eq!(read(&[], &["nobody"], &[]), None);
        // A provider without articles has no chain.
        assert_eq!(read(&[], &["daily ping"], &[]), None);
        let mut m = manifest();
        m.types.video = None;
        let options = Options {
            types: Rc::from([ArticleType::Video]),
            ..Options::with_src("index.json")
        };
        assert!(chain_for(&m, &options).is_none());
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
        let mut b = empty_bundle(&manifest());
        assert_eq!(b.providers.len(), 2);
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
