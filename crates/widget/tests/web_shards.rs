//! Browser tests of version 2 bundles (a manifest and page shards): the
//! first screen comes from the manifest's first pages, "Load more" follows
//! `prev`, a topic filter reads only its topic's chain, a page that fails
//! keeps the cards shown and "Load more" tries again, and a new load aborts
//! the pages in flight. `window.fetch` is stubbed as in `web.rs`: nothing
//! comes from the network, and every request is counted.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test web_shards`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use article_cards_widget::mount::{Handle, mount};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------
// A stubbed `window.fetch` and page helpers (support/).

#[path = "support/fetch_stub.rs"]
mod fetch_stub;
use fetch_stub::*;

#[path = "support/page.rs"]
mod page;
use page::*;

// ---------------------------------------------------------------------------
// More page helpers.

fn texts(host: &Element, selector: &str) -> Vec<String> {
    let Some(shadow) = host.shadow_root() else {
        return vec![];
    };
    let list = shadow.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}

// ---------------------------------------------------------------------------
// An archive of five articles, two to a page, in three shards counted from
// the oldest end: `a` (n1, n2), `b` (n3, n4) and the newest, `c` (n5). The
// manifest names `c` and `b` (one page would not fill a screen); `a` is
// reached through `b`'s `prev`. One topic, "Privacy", has its own chain of
// one page, `t` (n4 again: a topic's page repeats the articles it shares).

fn article(n: u32, topics: &str) -> String {
    format!(
        r#"{{"id":"n{n}","title":"Story {n}","url":"https://news.example/{n}",
            "published":"2024-05-0{n}T09:00:00Z","provider":"hg","topics":[{topics}],
            "related":["r{n}"]}}"#
    )
}

fn page(articles: &[u32], prev: Option<&str>) -> String {
    let topics: Vec<(u32, &str)> = articles
        .iter()
        .map(|&n| (n, if n == 4 { r#""privacy""# } else { "" }))
        .collect();
    page_of(&topics, prev)
}

/// A page of these articles, each with these topics (JSON strings).
fn page_of(articles: &[(u32, &str)], prev: Option<&str>) -> String {
    let list: Vec<String> = articles.iter().map(|&(n, t)| article(n, t)).collect();
    let related: Vec<String> = articles
        .iter()
        .map(|(n, _)| {
            format!(r#""r{n}":{{"title":"Related {n}","url":"https://news.example/r{n}"}}"#)
        })
        .collect();
    let prev = prev.map_or(String::new(), |p| format!(r#","prev":"{p}""#));
    format!(
        r#"{{"version":2,"articles":[{}],"related":{{{}}}{prev}}}"#,
        list.join(","),
        related.join(",")
    )
}

/// Routes the archive under `/__shards/<name>/` and returns the manifest's
/// path and the shards' paths (`a`, `b`, `c`, `t`).
fn archive(name: &str, a: Vec<Step>) -> (String, [String; 4]) {
    let dir = format!("/__shards/{name}");
    let manifest = format!("{dir}/index.json");
    let shard = |s: &str| format!("{dir}/shards/{s}.json");
    route(
        &manifest,
        vec![ok(
            r#"{"version":2,"generatedAt":"2024-05-06T00:00:00Z","pageSize":2,"count":5,
                "providers":{"hg":{"name":"Harbour Gazette"}},
                "all":{"count":5,"pages":["shards/c.json","shards/b.json"]},
                "topics":[{"name":"Privacy","chain":{"count":1,"pages":["shards/t.json"]}}],
                "providerChains":{"hg":{"count":5,"pages":["shards/c.json","shards/b.json"]}},
                "types":{"article":{"count":5,"pages":["shards/c.json","shards/b.json"]}}}"#
                .to_owned(),
        )],
    );
    route(&shard("a"), a);
    route(&shard("b"), vec![ok(page(&[4, 3], Some("shards/a.json")))]);
    route(&shard("c"), vec![ok(page(&[5], Some("shards/b.json")))]);
    route(&shard("t"), vec![ok(page(&[4], None))]);
    (manifest, ["a", "b", "c", "t"].map(shard))
}

/// Real cards, not the loading skeleton's.
const CARD: &str = ".ac-card:not(.ac-skel)";

fn titles(host: &Element) -> Vec<String> {
    texts(host, ".ac-card .ac-link")
}

async fn mounted(manifest: &str, extra: &[(&str, JsValue)]) -> (Element, Handle) {
    let host = host();
    let handle = mount(host.clone(), options(manifest, extra)).expect("mounted");
    (host, handle)
}

#[wasm_bindgen_test]
async fn a_manifest_renders_its_first_pages_and_nothing_older() {
    let (manifest, [a, b, c, t]) = archive("first", vec![ok(page(&[2, 1], None))]);
    let (host, handle) = mounted(&manifest, &[("limit", 2.into())]).await;
    until("the first screen", 3000.0, || count(&host, CARD) == 2).await;
    assert_eq!(titles(&host), ["Story 5", "Story 4"]);
    assert_eq!(calls(&manifest), 1);
    assert_eq!((calls(&c), calls(&b)), (1, 1), "the manifest's pages");
    assert_eq!(
        (calls(&a), calls(&t)),
        (0, 0),
        "nothing older, nothing else"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn load_more_follows_prev_until_the_chain_ends() {
    let (manifest, [a, ..]) = archive("more", vec![ok(page(&[2, 1], None))]);
    let (host, handle) = mounted(&manifest, &[("limit", 2.into())]).await;
    until("the first screen", 3000.0, || count(&host, CARD) == 2).await;
    click(&find(&host, ".ac-more button").unwrap());
    until("the second page", 3000.0, || count(&host, CARD) == 4).await;
    assert_eq!(calls(&a), 1, "`b`'s prev, once");
    assert_eq!(titles(&host), ["Story 5", "Story 4", "Story 3", "Story 2"]);
    click(&find(&host, ".ac-more button").unwrap());
    until("the last card", 3000.0, || count(&host, CARD) == 5).await;
    assert!(
        find(&host, ".ac-more button").is_none(),
        "the chain has ended: no Load more"
    );
    assert_eq!(calls(&a), 1, "nothing fetched again");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn load_more_reads_an_older_page_when_the_filters_keep_fewer_than_were_read() {
    // Two topics are an OR no chain holds: `all` is read and filtered. Its
    // first pages (three articles) hold one card that matches, the older
    // page `a` another.
    let older = page_of(&[(2, ""), (1, r#""privacy""#)], None);
    let (manifest, [a, ..]) = archive("narrow", vec![ok(older)]);
    let filters = [("limit", 2.into()), ("topics", "privacy, sport".into())];
    let (host, handle) = mounted(&manifest, &filters).await;
    until("the first screen", 3000.0, || count(&host, CARD) == 1).await;
    assert_eq!(calls(&a), 0);
    click(&find(&host, ".ac-more button").unwrap());
    until("the older page's card", 3000.0, || count(&host, CARD) == 2).await;
    assert_eq!(titles(&host), ["Story 4", "Story 1"]);
    assert_eq!(calls(&a), 1);
    assert!(
        find(&host, ".ac-more button").is_none(),
        "the chain has ended: no Load more"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_topic_filter_fetches_only_its_topics_chain() {
    let (manifest, [a, b, c, t]) = archive("topic", vec![ok(page(&[2, 1], None))]);
    let (host, handle) = mounted(&manifest, &[("topics", "PRIVACY".into())]).await;
    until("the topic's card", 3000.0, || count(&host, CARD) == 1).await;
    assert_eq!(titles(&host), ["Story 4"]);
    assert_eq!(calls(&t), 1);
    assert_eq!((calls(&a), calls(&b), calls(&c)), (0, 0, 0));
    assert!(find(&host, ".ac-more button").is_none());

    // Another topic filter on the same manifest reads another chain: here
    // none, as the manifest has no such topic (and so no article has it).
    handle
        .update(options(&manifest, &[("topics", "sport".into())]))
        .unwrap();
    until("the empty state", 3000.0, || {
        find(&host, ".is-empty").is_some()
    })
    .await;
    assert_eq!((calls(&a), calls(&b), calls(&c)), (0, 0, 0));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_page_that_fails_keeps_the_cards_and_load_more_tries_again() {
    let (manifest, [a, ..]) = archive(
        "fails",
        vec![Step::Reply(404, String::new()), ok(page(&[2, 1], None))],
    );
    let (host, handle) = mounted(&manifest, &[("limit", 2.into())]).await;
    until("the first screen", 3000.0, || count(&host, CARD) == 2).await;
    click(&find(&host, ".ac-more button").unwrap());
    until("the error under the cards", 3000.0, || {
        find(&host, ".ac-more .ac-msg").is_some()
    })
    .await;
    assert_eq!(
        texts(&host, ".ac-more .ac-msg"),
        ["The articles could not be loaded (HTTP 404)."]
    );
    assert_eq!(count(&host, CARD), 3, "the cards read stay");
    click(&find(&host, ".ac-more button").unwrap());
    until("the page read on the second try", 3000.0, || {
        count(&host, CARD) == 4
    })
    .await;
    assert_eq!(calls(&a), 2);
    assert!(find(&host, ".ac-more .ac-msg").is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_new_load_aborts_the_pages_in_flight() {
    let (manifest, [a, ..]) = archive("abort", vec![Step::Hang]);
    let (host, handle) = mounted(&manifest, &[("limit", 2.into())]).await;
    until("the first screen", 3000.0, || count(&host, CARD) == 2).await;
    click(&find(&host, ".ac-more button").unwrap());
    until("the older page requested", 3000.0, || calls(&a) == 1).await;
    assert!(!signals(&a)[0].aborted());
    handle
        .update(options(&manifest, &[("topics", "privacy".into())]))
        .unwrap();
    until("the older page aborted", 3000.0, || {
        signals(&a)[0].aborted()
    })
    .await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_manifest_that_fails_is_the_load_error_and_a_first_page_too() {
    let path = "/__shards/down/index.json";
    route(path, vec![Step::Reply(404, String::new())]);
    let (host, handle) = mounted(path, &[("retries", 0.into())]).await;
    until("the error state", 3000.0, || {
        find(&host, ".is-error").is_some()
    })
    .await;
    handle.destroy();

    let (manifest, [_, b, ..]) = archive("first-down", vec![]);
    route(&b, vec![Step::Reply(404, String::new())]);
    let (host, handle) = mounted(&manifest, &[("retries", 0.into())]).await;
    until("the error state", 3000.0, || {
        find(&host, ".is-error").is_some()
    })
    .await;
    assert_eq!(count(&host, CARD), 0);
    handle.destroy();
}
