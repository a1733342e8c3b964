//! Browser tests of the widget's edge: mount/update/destroy, loading (with a
//! stubbed `window.fetch`: nothing comes from the network), retries,
//! timeouts, errors, events, shadow DOM isolation, image fallback and the
//! video facade.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test web` (capabilities in `webdriver.json`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::cell::RefCell;
use std::rc::Rc;

use article_cards_widget::mount::{Handle, mount};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, ShadowRoot};

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

fn shadow(host: &Element) -> ShadowRoot {
    host.shadow_root().expect("an open shadow root")
}

fn text(host: &Element, selector: &str) -> String {
    find(host, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The delays, in ms, of every `setTimeout` the page has set since this
/// was first called, cleared on each call: what the widget chose to wait,
/// read without timing it. The first call wraps `window.setTimeout`
/// (web-sys looks the method up on each call, so the widget's timers go
/// through the wrapper).
fn timer_delays() -> Vec<f64> {
    let read = js_sys::Function::new_no_args(
        "if (!window.__acTimers) {\n\
           const original = window.setTimeout.bind(window);\n\
           window.__acTimers = [];\n\
           window.setTimeout = (f, ms, ...rest) => {\n\
             window.__acTimers.push(Number(ms) || 0);\n\
             return original(f, ms, ...rest);\n\
           };\n\
         }\n\
         return window.__acTimers.splice(0);",
    );
    let delays: Array = read.call0(&JsValue::NULL).unwrap().unchecked_into();
    delays.iter().filter_map(|d| d.as_f64()).collect()
}

/// Records the `detail` of every `name` event from `host` that reaches the
/// document (so the event must bubble and cross the shadow boundary).
fn record(host: &Element, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    let host = host.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let target: Option<Element> = e.target().and_then(|t| t.dyn_into().ok());
            if target.as_ref() == Some(&host) {
                sink.borrow_mut().push(e.detail());
            }
        });
    document()
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    seen
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

/// A bundle of `articles`, with the related records `x1` to `x3`.
fn bundle_json(articles: &str) -> String {
    format!(
        r#"{{"version":1,"generatedAt":"2024-05-01T10:00:00Z",
            "providers":{{"hg":{{"name":"Harbour Gazette","domain":"harbourgazette.example"}}}},
            "related":{{"x1":{{"title":"One","url":"https://news.example/x1"}},
                        "x2":{{"title":"Two","url":"https://news.example/x2"}},
                        "x3":{{"title":"Three","url":"https://news.example/x3"}}}},
            "articles":[{articles}]}}"#
    )
}

const TWO_ARTICLES: &str = r#"
    {"id":"a1","title":"First story","url":"https://news.example/1","provider":"hg",
     "published":"2024-05-01T09:00:00Z"},
    {"id":"a2","title":"Second story","url":"story/2.html","provider":"hg",
     "published":"2024-04-30T09:00:00Z"}"#;

async fn mounted(path: &str, steps: Vec<Step>, extra: &[(&str, JsValue)]) -> (Element, Handle) {
    route(path, steps);
    let host = host();
    let handle = mount(host.clone(), options(path, extra)).expect("mounted");
    (host, handle)
}

// ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn success_renders_cards_in_an_open_shadow_root_and_fires_ready() {
    let path = "/__edge/success/bundle.json";
    route(path, vec![ok(bundle_json(TWO_ARTICLES))]);
    let host = host();
    let ready = record(&host, "article-cards:ready");
    let errors = record(&host, "article-cards:error");
    let handle = mount(host.clone(), options(path, &[])).unwrap();

    until("two cards", 3000.0, || count(&host, ".ac-card") == 2).await;
    until("ready event", 1000.0, || ready.borrow().len() == 1).await;
    assert_eq!(get(&ready.borrow()[0], "count").as_f64(), Some(2.0));
    assert!(errors.borrow().is_empty());
    assert_eq!(calls(path), 1);

    let root = shadow(&host);
    assert_eq!(root.mode(), web_sys::ShadowRootMode::Open);
    // Styles come from one adopted sheet: no <style> and no style attributes.
    assert_eq!(root.adopted_style_sheets().length(), 1);
    assert_eq!(count(&host, "style"), 0);
    assert_eq!(count(&host, "[style]"), 0);
    // The relative article URL was resolved against the bundle's URL.
    let second = root.query_selector_all(".ac-link").unwrap().get(1).unwrap();
    let href = second
        .dyn_into::<Element>()
        .unwrap()
        .get_attribute("href")
        .unwrap();
    assert!(href.ends_with("/__edge/success/story/2.html"), "{href}");
    assert!(href.starts_with("http"), "{href}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn not_found_fails_at_once_without_retrying() {
    let path = "/__edge/missing/bundle.json";
    route(path, vec![Step::Reply(404, "nope".into())]);
    let host = host();
    let errors = record(&host, "article-cards:error");
    let handle = mount(host.clone(), options(path, &[])).unwrap();

    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert!(text(&host, ".ac-msg").contains("HTTP 404"));
    until("error event", 1000.0, || errors.borrow().len() == 1).await;
    let message = get(&errors.borrow()[0], "message").as_string().unwrap();
    assert_eq!(message, "The articles could not be loaded (HTTP 404).");
    assert_eq!(calls(path), 1);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn server_error_is_retried_then_succeeds() {
    let path = "/__edge/flaky/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![
            Step::Reply(500, "oops".into()),
            ok(bundle_json(TWO_ARTICLES)),
        ],
        &[],
    )
    .await;
    until("cards after a retry", 5000.0, || {
        count(&host, ".ac-card") == 2
    })
    .await;
    assert_eq!(calls(path), 2);
    assert!(find(&host, ".is-error").is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn persistent_503_gives_up_after_the_retries() {
    let path = "/__edge/down/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::Reply(503, "down".into())],
        &[("retries", 1.into())],
    )
    .await;
    until("error state", 5000.0, || find(&host, ".is-error").is_some()).await;
    assert!(text(&host, ".ac-msg").contains("HTTP 503"));
    assert_eq!(calls(path), 2);
    handle.destroy();
}

#[wasm_bindgen(module = "/src/edge.js")]
extern "C" {
    #[wasm_bindgen(js_name = retryAfterMs)]
    fn retry_after_ms(status: u16, value: &str) -> Option<f64>;
}

#[wasm_bindgen_test]
fn retry_after_seconds_are_read_and_capped() {
    assert_eq!(retry_after_ms(429, "1"), Some(1000.0));
    assert_eq!(retry_after_ms(503, " 0 "), Some(0.0));
    assert_eq!(retry_after_ms(429, "120"), Some(10_000.0));
    assert_eq!(retry_after_ms(429, "99999999999999999999"), Some(10_000.0));
    for other in ["", "-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"] {
        assert_eq!(retry_after_ms(429, other), None, "{other:?}");
    }
    // Only a 429 or a 503 asks to wait.
    assert_eq!(retry_after_ms(500, "1"), None);
}

#[wasm_bindgen_test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let path = "/__edge/busy/bundle.json";
    timer_delays();
    let (host, handle) = mounted(
        path,
        vec![Step::ReplyAfter(429, "1"), ok(bundle_json(TWO_ARTICLES))],
        &[],
    )
    .await;
    until("cards after Retry-After", 5000.0, || {
        count(&host, ".ac-card") == 2
    })
    .await;
    assert_eq!(times(path).len(), 2);
    // What the widget waited is read from the timers it set, not from a
    // clock: the 1 s asked for, not the first backoff (300 ms).
    let delays = timer_delays();
    assert!(delays.contains(&1000.0), "timers set: {delays:?}");
    assert!(!delays.contains(&300.0), "timers set: {delays:?}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn retry_after_stays_within_the_retry_budget() {
    let path = "/__edge/busy-down/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::ReplyAfter(503, "0")],
        &[("retries", 1.into())],
    )
    .await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert!(text(&host, ".ac-msg").contains("HTTP 503"));
    // Within the retry budget: one retry, whatever `Retry-After` says
    // (`retry_after_seconds_are_read_and_capped` checks that `0` means no
    // wait; an upper bound on the time here would depend on the machine).
    assert_eq!(calls(path), 2);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_hanging_request_times_out_and_is_aborted() {
    let path = "/__edge/slow/bundle.json";
    timer_delays();
    let (host, handle) = mounted(
        path,
        vec![Step::Hang],
        &[("timeoutMs", 500.into()), ("retries", 0.into())],
    )
    .await;
    until("timeout error", 4000.0, || {
        find(&host, ".is-error").is_some()
    })
    .await;
    let delays = timer_delays();
    assert!(delays.contains(&500.0), "timers set: {delays:?}");
    assert!(text(&host, ".ac-msg").contains("did not answer in time"));
    assert_eq!(calls(path), 1);
    assert!(
        signals(path)[0].aborted(),
        "the timed-out request is aborted"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_timeout_bounds_the_whole_load_retries_included() {
    let path = "/__edge/slow-all/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::Hang],
        &[("timeoutMs", 500.into()), ("retries", 3.into())],
    )
    .await;
    until("timeout error", 4000.0, || {
        find(&host, ".is-error").is_some()
    })
    .await;
    assert!(text(&host, ".ac-msg").contains("did not answer in time"));
    // Per attempt, the hanging server would have been asked four times.
    assert_eq!(calls(path), 1);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let path = "/__edge/busy-long/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::ReplyAfter(503, "5")],
        &[("timeoutMs", 1000.into()), ("retries", 2.into())],
    )
    .await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert!(text(&host, ".ac-msg").contains("HTTP 503"));
    assert_eq!(calls(path), 1);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn html_instead_of_json_is_reported() {
    let path = "/__edge/html/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![ok("<!doctype html><title>Not here</title>".into())],
        &[],
    )
    .await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert!(
        text(&host, ".ac-msg").contains("not JSON"),
        "{}",
        text(&host, ".ac-msg")
    );
    assert_eq!(calls(path), 1);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_bundle_of_another_version_is_reported() {
    let path = "/__edge/v3/bundle.json";
    let (host, handle) =
        mounted(path, vec![ok(r#"{"version":3,"articles":[]}"#.into())], &[]).await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert_eq!(
        text(&host, ".ac-msg"),
        "This bundle is version 3; this widget reads versions 1 and 2."
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn retry_button_fetches_again() {
    let path = "/__edge/retry/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::Reply(404, "".into()), ok(bundle_json(TWO_ARTICLES))],
        &[],
    )
    .await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    click(&find(&host, ".is-error .ac-btn").unwrap());
    until("cards after Retry", 3000.0, || {
        count(&host, ".ac-card") == 2
    })
    .await;
    assert_eq!(calls(path), 2);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn selecting_an_article_fires_select_with_id_and_url() {
    let path = "/__edge/select/bundle.json";
    route(path, vec![ok(bundle_json(TWO_ARTICLES))]);
    let host = host();
    let selected = record(&host, "article-cards:select");
    // Keep the test page where it is: cancel the link's navigation.
    let stop = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    host.add_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap();
    stop.forget();
    let handle = mount(host.clone(), options(path, &[])).unwrap();
    until("cards", 3000.0, || count(&host, ".ac-link") == 2).await;
    click(&find(&host, ".ac-link").unwrap());
    until("select event", 1000.0, || selected.borrow().len() == 1).await;
    let detail = selected.borrow()[0].clone();
    assert_eq!(get(&detail, "id").as_string().as_deref(), Some("a1"));
    assert_eq!(
        get(&detail, "url").as_string().as_deref(),
        Some("https://news.example/1")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn update_with_the_same_src_does_not_refetch_and_a_new_src_does() {
    let path = "/__edge/update-a/bundle.json";
    let other = "/__edge/update-b/bundle.json";
    route(
        other,
        vec![ok(bundle_json(
            r#"{"id":"b1","title":"Only one","url":"https://news.example/b1"}"#,
        ))],
    );
    let (host, handle) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    // The event listener goes on before the bundle can have arrived (the
    // request is answered asynchronously).
    let ready = record(&host, "article-cards:ready");
    until("cards", 3000.0, || count(&host, ".ac-card") == 2).await;
    until("ready event", 1000.0, || ready.borrow().len() == 1).await;

    handle
        .update(options(
            path,
            &[("layout", "list".into()), ("locale", "fr".into())],
        ))
        .unwrap();
    until("list layout", 2000.0, || {
        find(&host, "[data-layout=list]").is_some()
    })
    .await;
    assert_eq!(count(&host, ".ac-card"), 2);
    assert_eq!(calls(path), 1, "same src: no second request");
    for _ in 0..5 {
        frame().await;
    }
    assert_eq!(
        ready.borrow().len(),
        1,
        "no new load: no second ready event"
    );

    handle.update(options(other, &[])).unwrap();
    until("the other bundle", 3000.0, || count(&host, ".ac-card") == 1).await;
    assert_eq!(calls(other), 1);
    until("ready event of the new load", 1000.0, || {
        ready.borrow().len() == 2
    })
    .await;
    // `update` merges: nothing to merge is no change and no new request;
    // `replace` takes the whole set, and a set without `src` is an error.
    assert!(handle.update(JsValue::from(Object::new())).is_ok());
    assert_eq!(calls(other), 1);
    assert!(handle.replace(JsValue::from(Object::new())).is_err());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn mounting_twice_on_one_element_is_harmless() {
    let path = "/__edge/twice/bundle.json";
    let (host, first) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    let second = mount(host.clone(), options(path, &[])).unwrap();
    until("cards", 3000.0, || count(&host, ".ac-card") == 2).await;
    assert_eq!(count(&host, ".article-cards"), 1);
    assert_eq!(shadow(&host).adopted_style_sheets().length(), 1);
    assert_eq!(calls(path), 1);
    second.destroy();
    assert_eq!(count(&host, ".article-cards"), 0);
    first.destroy(); // already gone: a no-op

    // A fresh mount on the same element works again.
    let third = mount(host.clone(), options(path, &[])).unwrap();
    until("cards again", 3000.0, || count(&host, ".ac-card") == 2).await;
    third.destroy();
}

#[wasm_bindgen_test]
async fn a_host_removed_without_destroy_is_cleaned_up_at_the_next_mount() {
    let path = "/__edge/removed/bundle.json";
    let (gone, gone_handle) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    until("cards", 3000.0, || count(&gone, ".ac-card") == 2).await;
    // Mounted before it is added to the page: not swept meanwhile.
    let late = document().create_element("div").unwrap();
    let late_handle = mount(late.clone(), options(path, &[])).unwrap();

    gone.remove();
    let (other, other_handle) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    assert_eq!(
        count(&gone, ".article-cards"),
        0,
        "the removed host's widget"
    );
    assert_eq!(shadow(&gone).adopted_style_sheets().length(), 0);
    assert!(gone_handle.update(options(path, &[])).is_err());
    assert_eq!(count(&late, ".article-cards"), 1, "not in the page yet");
    assert_eq!(count(&other, ".article-cards"), 1);

    document().body().unwrap().append_child(&late).unwrap();
    until("cards in the late host", 3000.0, || {
        count(&late, ".ac-card") == 2
    })
    .await;
    late_handle.destroy();
    other_handle.destroy();
}

fn height(host: &Element, selector: &str) -> f64 {
    find(host, selector)
        .expect(selector)
        .get_bounding_client_rect()
        .height()
}

#[wasm_bindgen_test]
async fn the_related_strip_is_as_tall_loading_loaded_and_empty() {
    // While loading: the skeleton's cards show the strip's room.
    let hang = "/__edge/strip-loading/bundle.json";
    let (loading, loading_handle) = mounted(hang, vec![Step::Hang], &[]).await;
    until("skeleton", 3000.0, || count(&loading, ".ac-rel-ph") == 6).await;
    let skeleton = height(&loading, ".ac-rel-ph");
    loading_handle.destroy();

    // Loaded, at the same width: one card with related articles, one
    // without (which keeps the room, invisible).
    let path = "/__edge/strip/bundle.json";
    let related = r#"
        {"id":"r1","title":"With related","url":"https://news.example/r1","provider":"hg",
         "published":"2024-05-01T09:00:00Z",
         "related":["x1","x2","x3"]},
        {"id":"r2","title":"Without","url":"https://news.example/r2","provider":"hg",
         "published":"2024-04-30T09:00:00Z"}"#;
    let (loaded, handle) = mounted(path, vec![ok(bundle_json(related))], &[]).await;
    until("cards", 3000.0, || count(&loaded, ".ac-card") == 2).await;
    let strip = height(&loaded, r#"section.ac-carousel[data-kind="related"]"#);
    let reserved = height(&loaded, ".ac-rel-ph[data-reserved]");
    assert!(skeleton > 100.0, "{skeleton}");
    assert!(
        (strip - skeleton).abs() < 1.0,
        "strip {strip}, skeleton {skeleton}"
    );
    assert!(
        (reserved - strip).abs() < 1.0,
        "reserved {reserved}, strip {strip}"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn destroy_aborts_the_request_and_cleans_up() {
    let path = "/__edge/destroy/bundle.json";
    route(path, vec![Step::Hang]);
    let host = host();
    let errors = record(&host, "article-cards:error");
    let handle = mount(host.clone(), options(path, &[])).unwrap();
    until("the request", 2000.0, || calls(path) == 1).await;
    assert!(find(&host, ".article-cards").is_some());
    assert!(!signals(path)[0].aborted());

    handle.destroy();
    until("abort", 1000.0, || signals(path)[0].aborted()).await;
    assert_eq!(count(&host, ".article-cards"), 0);
    assert_eq!(shadow(&host).adopted_style_sheets().length(), 0);
    for _ in 0..5 {
        frame().await;
    }
    assert!(errors.borrow().is_empty(), "no error after destroy");
    assert_eq!(calls(path), 1, "no retry after destroy");
    assert!(handle.update(options(path, &[])).is_err());
}

#[wasm_bindgen_test]
async fn bad_options_are_errors_a_person_can_act_on() {
    let host = host();
    let err = mount(host.clone(), JsValue::from(Object::new()))
        .err()
        .unwrap();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.starts_with("article-cards: "), "{message}");
    assert!(message.contains("`src`"), "{message}");
    assert!(host.shadow_root().is_none(), "nothing attached on error");

    let err = mount(host.clone(), options("javascript:alert(1)", &[]))
        .err()
        .unwrap();
    assert!(get(&err, "message").as_string().unwrap().contains("src"));

    let img = document().create_element("img").unwrap();
    let err = mount(img, options("/x.json", &[])).err().unwrap();
    assert!(
        get(&err, "message")
            .as_string()
            .unwrap()
            .contains("shadow root")
    );

    // The options are read as JSON: one option under two names, a cyclic
    // value and a function are errors, not hangs or traps, and a function
    // is named by its key rather than left out.
    let message = |extra: &[(&str, JsValue)]| {
        let err = mount(host.clone(), options("/x.json", extra))
            .err()
            .unwrap();
        get(&err, "message").as_string().unwrap()
    };
    assert!(message(&[("url", "/y.json".into())]).contains("duplicate"));
    let cyclic = Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    assert!(message(&[("show", cyclic.clone().into())]).contains("refers to itself"));
    let function = js_sys::Function::new_no_args("return 1");
    assert!(message(&[("limit", function.clone().into())]).contains("`limit`"));
    assert!(host.shadow_root().is_none(), "nothing attached on error");
    // Keys the widget does not know are never read: a callback or a
    // cyclic object there is no error.
    let extra = [("onReady", function.into()), ("owner", cyclic.into())];
    let handle = mount(host.clone(), options("/x.json", &extra)).unwrap();
    handle.destroy();
}

#[wasm_bindgen_test]
async fn page_css_does_not_reach_inside() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some("a { color: rgb(255, 0, 0) !important; }"));
    document().head().unwrap().append_child(&style).unwrap();
    let page_link = document().create_element("a").unwrap();
    page_link.set_attribute("href", "#").unwrap();
    document().body().unwrap().append_child(&page_link).unwrap();

    let path = "/__edge/css/bundle.json";
    let (host, handle) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    until("cards", 3000.0, || count(&host, ".ac-link") == 2).await;

    let colour = |el: &Element| {
        window()
            .get_computed_style(el)
            .unwrap()
            .unwrap()
            .get_property_value("color")
            .unwrap()
    };
    assert_eq!(
        colour(&page_link),
        "rgb(255, 0, 0)",
        "the page rule applies outside"
    );
    let inside = colour(&find(&host, ".ac-link").unwrap());
    assert_ne!(
        inside, "rgb(255, 0, 0)",
        "the page rule stops at the shadow root"
    );

    handle.destroy();
    style.remove();
    page_link.remove();
}

#[wasm_bindgen_test]
async fn a_broken_image_falls_back_to_the_monogram() {
    let path = "/__edge/img/bundle.json";
    // Relative: resolved against the bundle URL on the test server, where it
    // does not exist (a local 404, no network).
    let article = r#"{"id":"i1","title":"Pictured","url":"https://news.example/i1",
        "provider":"hg","image":{"src":"images/missing.png","width":800,"height":450}}"#;
    let (host, handle) = mounted(path, vec![ok(bundle_json(article))], &[]).await;
    until("card", 3000.0, || count(&host, ".ac-card") == 1).await;
    let img = find(&host, "img.ac-img");
    if let Some(img) = &img {
        let src = img.get_attribute("src").unwrap();
        assert!(src.ends_with("/__edge/img/images/missing.png"), "{src}");
    }
    until("monogram placeholder", 5000.0, || {
        find(&host, ".ac-ph .ac-mono").is_some() && find(&host, "img.ac-img").is_none()
    })
    .await;
    assert!(!text(&host, ".ac-ph .ac-mono").trim().is_empty());
    handle.destroy();
}

/// A logo that fails turns into the monogram on every card that shows it,
/// and a related slide's image falls back inside its carousel.
#[wasm_bindgen_test]
async fn a_failing_logo_falls_back_on_every_card_and_in_related_slides() {
    let path = "/__edge/logo-shared/bundle.json";
    // Relative: local 404s on the test server, no network.
    let bundle = r##"{"version":1,"providers":{"hg":{"name":"Harbour Gazette",
        "logo":{"src":"logos/gone.png","width":64,"height":64}}},
        "related":{"r":{"title":"Elsewhere","url":"https://other.example/r",
             "image":{"src":"images/gone-related.jpg","width":400,"height":225}}},
        "articles":[
          {"id":"a1","title":"First","url":"https://news.example/1","provider":"hg",
           "related":["r"]},
          {"id":"a2","title":"Second","url":"https://news.example/2","provider":"hg"}]}"##;
    let (host, handle) = mounted(path, vec![ok(bundle.to_owned())], &[]).await;
    until("two cards", 3000.0, || count(&host, ".ac-card") == 2).await;
    until(
        "monograms on both cards, none of the logo left",
        5000.0,
        || count(&host, ".ac-provider .ac-mono") == 2 && count(&host, "img.ac-logo") == 0,
    )
    .await;
    until("the related slide's placeholder", 5000.0, || {
        find(&host, ".ac-rel-media .ac-ph").is_some()
            && find(&host, ".ac-rel-media img.ac-img").is_none()
    })
    .await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_failing_cached_image_falls_back_to_the_original_then_the_logo_then_the_monogram() {
    let path = "/__edge/cached-fallback/bundle.json";
    // Everything relative: local 404s on the test server, no network.
    let bundle = r##"{"version":1,"providers":{"hg":{"name":"Harbour Gazette",
        "logo":{"src":"logos/missing.png","width":64,"height":64}}},
        "articles":[{"id":"c1","title":"Cached","url":"https://news.example/c1","provider":"hg",
        "image":{"src":"cache/c1-640w.jpg","width":1600,"height":900,"cached":true,
          "placeholder":"#2040c0","original":"orig/missing.jpg",
          "variants":[{"src":"cache/c1-640w.webp","width":640,"height":360,"type":"image/webp"},
                      {"src":"cache/c1-640w.jpg","width":640,"height":360,"type":"image/jpeg"}]}}]}"##;
    let (host, handle) = mounted(path, vec![ok(bundle.to_owned())], &[]).await;
    until("card", 3000.0, || count(&host, ".ac-card") == 1).await;
    if let Some(img) = find(&host, "picture img.ac-img") {
        assert_eq!(img.get_attribute("data-ph").as_deref(), Some("12"));
        assert!(img.get_attribute("srcset").is_some());
    }
    until(
        "the original, then the logo, then the monogram",
        8000.0,
        || find(&host, ".ac-ph .ac-mono").is_some() && find(&host, "img.ac-img").is_none(),
    )
    .await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_original_is_tried_when_the_cached_copy_fails() {
    let path = "/__edge/cached-original/bundle.json";
    let bundle = r##"{"version":1,"providers":{},
        "articles":[{"id":"c1","title":"Cached","url":"https://news.example/c1",
        "image":{"src":"cache/gone-640w.jpg","width":16,"height":9,"cached":true,
          "original":"orig/also-gone.jpg",
          "variants":[{"src":"cache/gone-640w.jpg","width":640,"height":360,"type":"image/jpeg"}]}}]}"##;
    let (host, handle) = mounted(path, vec![ok(bundle.to_owned())], &[]).await;
    until("the original URL in an <img>", 5000.0, || {
        find(&host, "img.ac-img")
            .and_then(|i| i.get_attribute("src"))
            .is_some_and(|src| src.ends_with("/__edge/cached-original/orig/also-gone.jpg"))
            || find(&host, ".ac-ph").is_some()
    })
    .await;
    until("placeholder panel", 5000.0, || {
        find(&host, ".ac-ph").is_some()
    })
    .await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn cached_only_renders_nothing_from_another_origin() {
    let path = "/__edge/cached-only/bundle.json";
    let bundle = r##"{"version":1,"providers":{"hg":{"name":"Harbour Gazette",
        "logo":{"src":"https://logos.example/hg.png","width":64,"height":64}}},
        "articles":[
        {"id":"c1","title":"Cached","url":"https://news.example/c1","provider":"hg",
         "image":{"src":"cache/c1-640w.jpg","width":1600,"height":900,"cached":true,
          "original":"https://img.example/c1.jpg",
          "variants":[{"src":"cache/c1-640w.webp","width":640,"height":360,"type":"image/webp"},
                      {"src":"https://img.example/c1-640w.jpg","width":640,"height":360,"type":"image/jpeg"},
                      {"src":"cache/c1-640w.jpg","width":640,"height":360,"type":"image/jpeg"}]}},
        {"id":"c2","title":"Hot-linked","url":"https://news.example/c2","provider":"hg",
         "image":{"src":"https://img.example/c2.jpg","width":800,"height":450}},
        {"id":"v1","title":"Video","url":"https://news.example/v1","type":"video",
         "video":{"provider":"youtube","id":"dQw4w9WgXcQ"}}]}"##;
    let (host, handle) = mounted(
        path,
        vec![ok(bundle.to_owned())],
        &[("images", "cached-only".into())],
    )
    .await;
    until("cards", 3000.0, || count(&host, ".ac-card") == 3).await;
    assert_eq!(calls(path), 1, "fetch saw only the bundle");
    let origin = window().location().origin().unwrap();
    let nodes = shadow(&host)
        .query_selector_all("img, source, iframe")
        .unwrap();
    assert!(nodes.length() >= 1);
    for i in 0..nodes.length() {
        let el: Element = nodes.item(i).unwrap().dyn_into().unwrap();
        for attr in ["src", "srcset"] {
            if let Some(value) = el.get_attribute(attr) {
                for candidate in value.split(',') {
                    let url = candidate.split_whitespace().next().unwrap_or_default();
                    assert!(url.starts_with(&origin), "{attr}={value}");
                }
            }
        }
    }
    let html = shadow(&host).inner_html();
    assert!(
        !html.contains("img.example") && !html.contains("logos.example"),
        "no image from another host is named"
    );
    handle.destroy();
}

/// Three articles two to a page, mounted at `path` and showing the first
/// page with its "Load more" button.
async fn two_to_a_page(path: &str) -> (Element, Handle) {
    let articles = r#"
        {"id":"m1","title":"One","url":"https://news.example/m1","published":"2024-05-01T09:00:00Z"},
        {"id":"m2","title":"Two","url":"https://news.example/m2","published":"2024-04-30T09:00:00Z"},
        {"id":"m3","title":"Three","url":"https://news.example/m3","published":"2024-04-29T09:00:00Z"}"#;
    let (host, handle) = mounted(
        path,
        vec![ok(bundle_json(articles))],
        &[("limit", 2.into())],
    )
    .await;
    until("the first page", 3000.0, || {
        find(&host, ".ac-more button").is_some()
    })
    .await;
    (host, handle)
}

/// "Load more" appends the next page and moves focus to its first link.
#[wasm_bindgen_test]
async fn load_more_focuses_the_first_new_card() {
    let (host, handle) = two_to_a_page("/__edge/load-more/bundle.json").await;
    assert_eq!(count(&host, ".ac-card"), 2);
    click(&find(&host, ".ac-more button").unwrap());
    until("focus on the new card's link", 2000.0, || {
        count(&host, ".ac-card") == 3
            && shadow(&host)
                .active_element()
                .is_some_and(|el| el.text_content().as_deref() == Some("Three"))
    })
    .await;
    handle.destroy();
}

/// The pages "Load more" added stay through an update that only changes
/// how cards look, and start over when the update selects other articles.
#[wasm_bindgen_test]
async fn loaded_pages_survive_a_look_update_but_not_a_new_selection() {
    let path = "/__edge/pages-kept/bundle.json";
    let (host, handle) = two_to_a_page(path).await;
    click(&find(&host, ".ac-more button").unwrap());
    until("two pages", 2000.0, || count(&host, ".ac-card") == 3).await;

    handle
        .update(options(
            path,
            &[("limit", 2.into()), ("theme", "dark".into())],
        ))
        .unwrap();
    until("the dark theme", 2000.0, || {
        find(&host, ".ac[data-theme=dark]").is_some()
    })
    .await;
    assert_eq!(
        count(&host, ".ac-card"),
        3,
        "a theme change keeps the pages"
    );

    handle
        .update(options(
            path,
            &[
                ("limit", 2.into()),
                ("theme", "dark".into()),
                ("sort", "heat".into()),
            ],
        ))
        .unwrap();
    until("one page again", 2000.0, || count(&host, ".ac-card") == 2).await;
    handle.destroy();
}

/// Waits for a Play button, presses the first one and waits for its player.
async fn play_first_video(host: &Element) {
    until("play button", 3000.0, || find(host, ".ac-play").is_some()).await;
    click(&find(host, ".ac-play").unwrap());
    until("the player", 2000.0, || count(host, "iframe") == 1).await;
}

#[wasm_bindgen_test]
async fn the_video_iframe_exists_only_after_a_click() {
    let path = "/__edge/video/bundle.json";
    let article = r#"{"id":"v1","title":"Watch this","url":"https://news.example/v1",
        "type":"video","video":{"provider":"youtube","id":"dQw4w9WgXcQ"}}"#;
    let (host, handle) = mounted(path, vec![ok(bundle_json(article))], &[]).await;
    until("play button", 3000.0, || find(&host, ".ac-play").is_some()).await;
    assert_eq!(count(&host, "iframe"), 0, "no iframe before the click");

    click(&find(&host, ".ac-play").unwrap());
    until("iframe", 2000.0, || count(&host, "iframe") == 1).await;
    let src = find(&host, "iframe").unwrap().get_attribute("src").unwrap();
    assert!(
        src.starts_with("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        "{src}"
    );
    handle.destroy();
}

/// Cards are keyed by article: when new options put another video where
/// a played one was (here in the carousel layout, whose slides are placed
/// by position), its facade starts over instead of inheriting the player.
#[wasm_bindgen_test]
async fn another_video_in_a_played_ones_place_is_not_played() {
    let path = "/__edge/video-swap/bundle.json";
    let articles = r#"
        {"id":"v1","title":"First video","url":"https://news.example/v1","topics":["One"],
         "type":"video","video":{"provider":"youtube","id":"dQw4w9WgXcQ"}},
        {"id":"v2","title":"Second video","url":"https://news.example/v2","topics":["Two"],
         "type":"video","video":{"provider":"youtube","id":"9bZkp7q19f0"}}"#;
    let carousel = |topic: &str| {
        options(
            path,
            &[("layout", "carousel".into()), ("topics", topic.into())],
        )
    };
    route(path, vec![ok(bundle_json(articles))]);
    let host = host();
    let handle = mount(host.clone(), carousel("One")).expect("mounted");
    play_first_video(&host).await;

    handle.update(carousel("Two")).unwrap();
    until("the other video", 2000.0, || {
        text(&host, ".ac-title").contains("Second video")
    })
    .await;
    assert_eq!(count(&host, "iframe"), 0, "no player before its own click");
    assert!(find(&host, ".ac-play").is_some());
    handle.destroy();
}

/// Play moves focus into the player (the pressed button is gone), and
/// one video plays at a time: Play on another closes the first player.
#[wasm_bindgen_test]
async fn one_video_plays_at_a_time_and_focus_moves_into_its_player() {
    let path = "/__edge/video-two/bundle.json";
    let articles = r#"
        {"id":"v1","title":"First video","url":"https://news.example/v1",
         "type":"video","video":{"provider":"youtube","id":"dQw4w9WgXcQ"}},
        {"id":"v2","title":"Second video","url":"https://news.example/v2",
         "type":"video","video":{"provider":"youtube","id":"9bZkp7q19f0"}}"#;
    let (host, handle) = mounted(path, vec![ok(bundle_json(articles))], &[]).await;
    until("two play buttons", 3000.0, || count(&host, ".ac-play") == 2).await;
    let iframe_src = || {
        find(&host, "iframe")
            .and_then(|f| f.get_attribute("src"))
            .unwrap_or_default()
    };

    play_first_video(&host).await;
    // Focus moves in an effect, after the render that made the player.
    until("focus in the player", 2000.0, || {
        shadow(&host)
            .active_element()
            .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("iframe"))
    })
    .await;
    let first = iframe_src();

    click(&find(&host, ".ac-play").unwrap());
    until("the second player", 2000.0, || {
        count(&host, "iframe") == 1 && iframe_src() != first
    })
    .await;
    assert!(iframe_src().contains("9bZkp7q19f0"), "{}", iframe_src());
    assert_eq!(
        count(&host, ".ac-play"),
        1,
        "the first video shows Play again"
    );
    handle.destroy();
}

/// A player whose card is filtered away is closed: the card comes back
/// with its Play button, not with the video starting again.
#[wasm_bindgen_test]
async fn a_video_filtered_away_and_back_is_not_playing() {
    let path = "/__edge/video-back/bundle.json";
    let articles = r#"
        {"id":"v1","title":"A video","url":"https://news.example/v1","topics":["One"],
         "type":"video","video":{"provider":"youtube","id":"dQw4w9WgXcQ"}},
        {"id":"a2","title":"A story","url":"https://news.example/a2","topics":["Two"]}"#;
    let with_topic = |topic: &str| options(path, &[("topics", topic.into())]);
    route(path, vec![ok(bundle_json(articles))]);
    let host = host();
    let handle = mount(host.clone(), with_topic("One")).expect("mounted");
    play_first_video(&host).await;

    handle.update(with_topic("Two")).unwrap();
    until("the other card", 2000.0, || {
        text(&host, ".ac-title").contains("A story")
    })
    .await;
    handle.update(with_topic("One")).unwrap();
    until("the video's card again", 2000.0, || {
        find(&host, ".ac-play").is_some() || count(&host, "iframe") > 0
    })
    .await;
    assert_eq!(
        count(&host, "iframe"),
        0,
        "the player does not come back by itself"
    );
    handle.destroy();
}

/// In the browser, URLs resolve through its own `URL`: checked against
/// the cases of the native tests (`crates/widget/src/url.rs`).
#[wasm_bindgen_test]
fn urls_resolve_and_compare_by_the_browser() {
    use article_cards_widget::url::{examples, resolve, same_origin};
    for (base, reference, want) in examples::RESOLVE {
        assert_eq!(
            resolve(base, reference).as_deref(),
            want,
            "{base} + {reference:?}"
        );
    }
    for (a, b, want) in examples::SAME_ORIGIN {
        assert_eq!(same_origin(a, b), want, "{a} ~ {b}");
    }
}

#[wasm_bindgen_test]
async fn several_widgets_share_one_stylesheet() {
    let a = "/__edge/shared-a/bundle.json";
    let b = "/__edge/shared-b/bundle.json";
    let (host_a, handle_a) = mounted(a, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    let (host_b, handle_b) = mounted(b, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
    until("both", 3000.0, || {
        count(&host_a, ".ac-card") == 2 && count(&host_b, ".ac-card") == 2
    })
    .await;
    let sheet_a = shadow(&host_a).adopted_style_sheets().get(0);
    let sheet_b = shadow(&host_b).adopted_style_sheets().get(0);
    assert!(sheet_a.is_object());
    assert_eq!(sheet_a, sheet_b, "one CSSStyleSheet object");
    handle_a.destroy();
    handle_b.destroy();
}

// ---------------------------------------------------------------------------
// The allocator (`article_cards_widget::heap`), on an instance of its own.

#[wasm_bindgen_test]
fn the_heap_aligns_recycles_and_keeps_contents() {
    use article_cards_widget::heap::Heap;
    use std::alloc::{GlobalAlloc, Layout};

    let heap = Heap::new();
    let fill = |p: *mut u8, len: usize, seed: u8| {
        for i in 0..len {
            unsafe { p.add(i).write(seed.wrapping_add(i as u8)) };
        }
    };
    let holds = |p: *mut u8, len: usize, seed: u8| {
        (0..len).all(|i| unsafe { p.add(i).read() } == seed.wrapping_add(i as u8))
    };
    unsafe {
        // Sizes across classes, alignments up to a page; every block is
        // aligned, distinct and keeps what was written while the others
        // are written.
        let mut blocks = Vec::new();
        for (i, &(size, align)) in [
            (1, 1),
            (15, 8),
            (16, 16),
            (17, 4),
            (100, 32),
            (4096, 4096),
            (70_000, 8),
            (3, 64),
            (2_000_000, 16),
        ]
        .iter()
        .enumerate()
        {
            let layout = Layout::from_size_align(size, align).unwrap();
            let p = heap.alloc(layout);
            assert!(!p.is_null(), "{size}/{align}");
            assert_eq!(p as usize % align.max(16), 0, "{size}/{align}");
            fill(p, size, i as u8);
            blocks.push((p, layout, i as u8));
        }
        for &(p, layout, seed) in &blocks {
            assert!(holds(p, layout.size(), seed), "{layout:?}");
        }
        // A freed block serves the next request of its class.
        let (p, layout, _) = blocks[3];
        heap.dealloc(p, layout);
        let again = heap.alloc(Layout::from_size_align(20, 4).unwrap());
        assert_eq!(again, p, "17 and 20 bytes are both 32-byte blocks");
        // Growing within the class stays put; past it the contents move.
        let (p, layout, seed) = blocks[4];
        assert_eq!(heap.realloc(p, layout, 128), p);
        let moved = heap.realloc(p, Layout::from_size_align(128, 32).unwrap(), 129);
        assert_ne!(moved, p);
        assert_eq!(moved as usize % 32, 0);
        assert!(holds(moved, 100, seed));
        let (p, layout, seed) = blocks[6];
        let shrunk = heap.realloc(p, layout, 10);
        assert!(holds(shrunk, 10, seed));
        // More than the largest class is refused, not a trap.
        assert!(
            heap.alloc(Layout::from_size_align((1 << 31) - 8, 8).unwrap())
                .is_null()
        );
    }
}

// ---------------------------------------------------------------------------
// The body read as a stream (finding 5) and the last good copy.

#[wasm_bindgen_test]
async fn finding_5_a_body_past_the_cap_is_stopped_while_streaming() {
    use article_cards_widget::decode::MAX_BUNDLE_BYTES;
    let path = "/__edge/endless/bundle.json";
    let chunk = 256 * 1024;
    STREAMED.with(|s| s.set(0));
    let (host, handle) = mounted(
        path,
        vec![Step::Endless(chunk)],
        &[("timeoutMs", 20_000.into()), ("retries", 0.into())],
    )
    .await;
    // Buffered whole, the body would be read until the timeout.
    until("the size error", 5000.0, || {
        find(&host, ".is-error").is_some()
    })
    .await;
    assert!(
        text(&host, ".ac-msg").contains("too large"),
        "{}",
        text(&host, ".ac-msg")
    );
    let streamed = STREAMED.with(|s| s.get());
    for _ in 0..5 {
        frame().await;
    }
    assert_eq!(STREAMED.with(|s| s.get()), streamed, "reading stopped");
    assert!(
        streamed <= (MAX_BUNDLE_BYTES as u64) + 3 * u64::from(chunk),
        "{streamed} bytes read"
    );
    assert_eq!(calls(path), 1);
    handle.destroy();
}

/// The URLs with a last good copy, oldest first.
async fn kept_urls() -> Vec<String> {
    use article_cards_widget::load::KEPT_CACHE;
    let caches = window().caches().unwrap();
    let cache: web_sys::Cache = JsFuture::from(caches.open(KEPT_CACHE))
        .await
        .unwrap()
        .unchecked_into();
    let keys = JsFuture::from(cache.keys()).await.unwrap();
    js_sys::Array::from(&keys)
        .iter()
        .map(|r| r.unchecked_into::<web_sys::Request>().url())
        .collect()
}

/// Waits until the copies kept (stored in the background) satisfy `done`.
async fn until_kept(what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = js_sys::Date::now() + 3000.0;
    loop {
        let kept = kept_urls().await;
        if done(&kept) {
            return kept;
        }
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for {what}: {kept:?}"
        );
        frame().await;
    }
}

#[wasm_bindgen_test]
async fn a_failed_load_shows_the_last_good_copy_with_a_note() {
    let path = "/__edge/offline/bundle.json";
    let (first, handle) = mounted(
        path,
        vec![
            ok(bundle_json(TWO_ARTICLES)),
            Step::Reply(503, "down".into()),
            ok(bundle_json(TWO_ARTICLES)),
        ],
        &[("retries", 0.into())],
    )
    .await;
    until("cards", 3000.0, || count(&first, ".ac-card") == 2).await;
    assert!(find(&first, ".ac-note").is_none());
    until_kept("the copy", |kept| kept.iter().any(|u| u.ends_with(path))).await;
    handle.destroy();

    // The next page view: the server is down.
    let next = host();
    let ready = record(&next, "article-cards:ready");
    let errors = record(&next, "article-cards:error");
    let handle = mount(next.clone(), options(path, &[("retries", 0.into())])).unwrap();
    until("the offline copy", 3000.0, || {
        find(&next, ".ac-note").is_some()
    })
    .await;
    assert_eq!(count(&next, ".ac-card"), 2);
    assert_eq!(
        text(&next, ".ac-note [role=status]"),
        "Offline copy: these articles may be out of date."
    );
    assert!(find(&next, ".is-error").is_none());
    until("both events", 1000.0, || {
        ready.borrow().len() == 1 && errors.borrow().len() == 1
    })
    .await;
    assert_eq!(get(&ready.borrow()[0], "count").as_f64(), Some(2.0));
    assert_eq!(get(&ready.borrow()[0], "offline"), JsValue::TRUE);
    assert_eq!(get(&errors.borrow()[0], "offline"), JsValue::TRUE);
    assert!(
        get(&errors.borrow()[0], "message")
            .as_string()
            .unwrap()
            .contains("HTTP 503")
    );
    // The second request's links resolve against the bundle URL, as the
    // first did.
    let link = find(&next, ".ac-card a[href$='story/2.html']").unwrap();
    assert!(
        link.get_attribute("href")
            .unwrap()
            .contains("/__edge/offline/story/2.html")
    );

    // Retry, and the server is back: the note goes.
    click(&find(&next, ".ac-note .ac-btn").unwrap());
    until("fresh cards", 3000.0, || {
        find(&next, ".ac-note").is_none() && count(&next, ".ac-card") == 2
    })
    .await;
    assert_eq!(calls(path), 3);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn without_a_kept_copy_a_failure_is_the_error_state() {
    let path = "/__edge/never-loaded/bundle.json";
    let (host, handle) = mounted(
        path,
        vec![Step::Reply(500, "".into())],
        &[("retries", 0.into())],
    )
    .await;
    until("error state", 3000.0, || find(&host, ".is-error").is_some()).await;
    assert!(find(&host, ".ac-note").is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_last_good_copies_are_bounded_and_the_oldest_goes_first() {
    use article_cards_widget::load::KEPT_URLS;
    let paths: Vec<String> = (0..=KEPT_URLS)
        .map(|i| format!("/__edge/kept-{i}/bundle.json"))
        .collect();
    for path in &paths {
        let (host, handle) = mounted(path, vec![ok(bundle_json(TWO_ARTICLES))], &[]).await;
        until("cards", 3000.0, || count(&host, ".ac-card") == 2).await;
        until_kept("the copy", |kept| {
            kept.iter().any(|u| u.ends_with(path.as_str()))
        })
        .await;
        handle.destroy();
    }
    let kept = until_kept("the oldest dropped", |kept| {
        !kept.iter().any(|u| u.ends_with(paths[0].as_str()))
    })
    .await;
    assert!(kept.len() <= KEPT_URLS as usize, "{kept:?}");
    for path in &paths[1..] {
        assert!(
            kept.iter().any(|u| u.ends_with(path.as_str())),
            "{path} in {kept:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_cache_that_fails_is_ignored() {
    // `caches` as in a private mode that refuses storage: every call rejects.
    let refusing = Object::new();
    let reject = Closure::<dyn FnMut() -> Promise>::new(|| {
        Promise::reject(&js_sys::Error::new("SecurityError").into())
    });
    Reflect::set(&refusing, &"open".into(), reject.as_ref()).unwrap();
    reject.forget();
    let window_object: Object = window().unchecked_into();
    let window_object = &window_object;
    let define = |value: &JsValue| {
        let descriptor = Object::new();
        Reflect::set(&descriptor, &"value".into(), value).unwrap();
        Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
        Object::define_property(window_object, &"caches".into(), &descriptor);
    };
    for caches in [JsValue::from(refusing), JsValue::UNDEFINED] {
        define(&caches);
        let path = "/__edge/no-cache/bundle.json";
        let (first, handle) = mounted(
            path,
            vec![ok(bundle_json(TWO_ARTICLES)), Step::Reply(503, "".into())],
            &[("retries", 0.into())],
        )
        .await;
        until("cards", 3000.0, || count(&first, ".ac-card") == 2).await;
        handle.destroy();
        let next = host();
        let handle = mount(next.clone(), options(path, &[("retries", 0.into())])).unwrap();
        until("error state", 3000.0, || find(&next, ".is-error").is_some()).await;
        handle.destroy();
        Reflect::delete_property(window_object, &"caches".into()).unwrap();
    }
}
