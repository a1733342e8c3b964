//! Which articles a widget shows, in which order: pure functions over a
//! bundle and the options, returning indices into `bundle.articles`.

use std::cmp::Ordering;
use std::rc::Rc;

use yew::AttrValue;

use crate::case;
use crate::options::{Options, Sort};
use crate::time::parse_rfc3339;
use bundle::{Article, Bundle, Provider};

/// Indices of the articles matching the filters, in display order.
pub fn select(bundle: &Bundle, options: &Options) -> Rc<[usize]> {
    let mut keyed: Vec<(usize, Option<f64>, Option<u32>)> = bundle
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| matches(bundle, a, options))
        .map(|(i, a)| (i, a.published.as_deref().and_then(parse_rfc3339), a.heat))
        .collect();
    // A stable sort: ties keep the bundle's order. One comparator for both
    // orders, so the sort is instantiated once.
    let by_heat = options.sort == Sort::Heat;
    // By heat: scored before unscored, higher first; then newest.
    let heat = |k: &(usize, Option<f64>, Option<u32>)| k.2.map_or(0, |h| u64::from(h) + 1);
    keyed.sort_by(|a, b| {
        let first = if by_heat {
            heat(b).cmp(&heat(a))
        } else {
            Ordering::Equal
        };
        first.then_with(|| newest_first(a.1, b.1))
    });
    keyed.into_iter().map(|(i, _, _)| i).collect()
}

/// Dated before undated, later before earlier.
fn newest_first(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Whether one article passes the topic, provider and type filters (each
/// empty filter passes everything; names compare case-insensitively).
pub fn matches(bundle: &Bundle, article: &Article, options: &Options) -> bool {
    let types_ok = options.types.is_empty() || options.types.contains(&article.kind);
    let topics_ok = options.topics.is_empty()
        || article
            .topics
            .iter()
            .any(|t| options.topics.iter().any(|want| same(want, t)));
    let providers_ok = options.providers.is_empty()
        || article.provider.as_deref().is_some_and(|key| {
            bundle.providers.get(key).is_some_and(|provider| {
                options
                    .providers
                    .iter()
                    .any(|want| provider_matches(want, key, provider))
            })
        });
    types_ok && topics_ok && providers_ok
}

/// Whether a provider filter names the provider under `key`: by key, name
/// or domain.
pub fn provider_matches(want: &AttrValue, key: &str, provider: &Provider) -> bool {
    same(want, key)
        || same(want, &provider.name)
        || provider
            .domain
            .as_deref()
            .is_some_and(|d| same_domain(want, d))
}

/// Names compare trimmed and case-insensitively.
pub fn same(want: &AttrValue, have: &str) -> bool {
    case::eq_ignore_case(want.trim(), have.trim())
}

/// `example.com` matches `example.com` and `www.example.com`.
fn same_domain(want: &AttrValue, have: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim().trim_end_matches('.');
        s.get(..4)
            .filter(|p| p.eq_ignore_ascii_case("www."))
            .and_then(|_| s.get(4..))
            .unwrap_or(s)
            .to_ascii_lowercase()
    };
    strip(want) == strip(have)
}

/// The first `pages` pages of `limit` items (what is on screen after
/// `pages - 1` clicks on "Load more").
pub fn visible(order: &[usize], limit: usize, pages: usize) -> &[usize] {
    let n = limit.saturating_mul(pages.max(1)).min(order.len());
    order.get(..n).unwrap_or(order)
}

/// Whether another page exists after the first `pages`.
pub fn has_more(order: &[usize], limit: usize, pages: usize) -> bool {
    order.len() > limit.saturating_mul(pages.max(1))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use bundle::{ArticleType, Provider};

    fn article(id: &str, published: Option<&str>, heat: Option<u32>) -> Article {
        Article {
            id: id.into(),
            title: format!("Title {id}"),
            excerpt: None,
            url: format!("https://news.example/{id}"),
            published: published.map(Into::into),
            updated: None,
            kind: ArticleType::Article,
            topics: vec![],
            provider: None,
            image: None,
            video: None,
            heat,
            quality: None,
            related: vec![],
        }
    }

    fn bundle() -> Bundle {
        let mut a = article("a", Some("2021-04-01T00:00:00Z"), Some(5));
        a.topics = vec!["Climate".into()];
        a.provider = Some("hg".into());
        let b = article("b", None, Some(50));
        let mut c = article("c", Some("2021-05-01T00:00:00Z"), None);
        c.kind = ArticleType::Video;
        c.topics = vec!["Tech".into(), "climate".into()];
        c.provider = Some("dp".into());
        let d = article("d", Some("2021-03-01T00:00:00Z"), Some(50));
        let e = article("e", Some("not a date"), None);
        let mut providers = BTreeMap::new();
        providers.insert(
            "hg".to_owned(),
            Provider {
                name: "The Harbour Gazette".into(),
                domain: Some("harbourgazette.example".into()),
                logo: None,
            },
        );
        providers.insert(
            "dp".to_owned(),
            Provider {
                name: "Daily Ping".into(),
                domain: None,
                logo: None,
            },
        );
        Bundle {
            version: 1,
            generated_at: "2021-05-02T00:00:00Z".into(),
            providers: providers.into(),
            related: Default::default(),
            articles: vec![a, b, c, d, e],
        }
    }

    fn ids(b: &Bundle, order: &[usize]) -> String {
        order
            .iter()
            .map(|&i| b.articles[i].id.as_str())
            .collect::<Vec<_>>()
            .join("")
    }

    fn opts() -> Options {
        Options::with_src("b.json")
    }

    #[test]
    fn newest_first_undated_last_stable() {
        let b = bundle();
        assert_eq!(ids(&b, &select(&b, &opts())), "cadbe");
    }

    #[test]
    fn heat_then_newest() {
        let b = bundle();
        let o = Options {
            sort: Sort::Heat,
            ..opts()
        };
        // b and d tie on 50: d is dated, so first; then a (5); then unscored by date.
        assert_eq!(ids(&b, &select(&b, &o)), "dbace");
    }

    #[test]
    fn filters() {
        let b = bundle();
        let o = Options {
            topics: Rc::from([AttrValue::from("CLIMATE")]),
            ..opts()
        };
        assert_eq!(ids(&b, &select(&b, &o)), "ca");
        let o = Options {
            types: Rc::from([ArticleType::Video]),
            ..opts()
        };
        assert_eq!(ids(&b, &select(&b, &o)), "c");
        for want in ["the harbour GAZETTE", "www.HarbourGazette.example", "hg"] {
            let o = Options {
                providers: Rc::from([AttrValue::from(want)]),
                ..opts()
            };
            assert_eq!(ids(&b, &select(&b, &o)), "a", "{want}");
        }
        let o = Options {
            providers: Rc::from([AttrValue::from("daily ping"), AttrValue::from("nobody")]),
            topics: Rc::from([AttrValue::from("tech")]),
            ..opts()
        };
        assert_eq!(ids(&b, &select(&b, &o)), "c");
        let o = Options {
            topics: Rc::from([AttrValue::from("sport")]),
            ..opts()
        };
        assert!(select(&b, &o).is_empty());
    }

    #[test]
    fn paging() {
        let order = [4, 3, 2, 1, 0];
        assert_eq!(visible(&order, 2, 1), &[4, 3]);
        assert_eq!(visible(&order, 2, 2), &[4, 3, 2, 1]);
        assert_eq!(visible(&order, 2, 3), &order);
        assert_eq!(visible(&order, 2, 0), &[4, 3]);
        assert_eq!(visible(&order, usize::MAX, usize::MAX), &order);
        assert!(has_more(&order, 2, 2));
        assert!(!has_more(&order, 2, 3));
        assert!(!has_more(&[], 6, 1));
    }
}
