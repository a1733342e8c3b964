//! Browser tests of the carousels: the `Carousel` component and the `View`
//! in the carousel layout, rendered straight into a fixed-width container
//! on the page (with the widget's stylesheet), no fetch. Checks the button
//! states at both ends, arrow keys (mirrored in right-to-left), that focus
//! can only reach slides on screen, rotation (paused by focus, never under
//! reduced motion) and nested carousels.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test web_carousel`.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use article_cards_widget::components::{Carousel, CarouselProps, STYLE, View, ViewProps};
use article_cards_widget::model::LoadState;
use article_cards_widget::options::{Layout, Options};
use bundle::{Article, ArticleType, Bundle, Provider, RelatedRecord, RelatedRecords};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, FocusEvent, FocusEventInit, HtmlElement, KeyboardEvent, KeyboardEventInit};
use yew::platform::time::sleep;
use yew::{AppHandle, AttrValue, Callback, Html, html};

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------
// Page helpers

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The widget's stylesheet in the page (once), with instant scrolling so
/// that the tests do not wait for smooth scroll animations.
fn install_style() {
    let doc = document();
    if doc.get_element_by_id("ac-test-style").is_some() {
        return;
    }
    let style = doc.create_element("style").unwrap();
    style.set_id("ac-test-style");
    style.set_text_content(Some(&format!(
        "{STYLE}\n.ac-track {{ scroll-behavior: auto !important; }}\n\
         .ac.smooth .ac-track {{ scroll-behavior: smooth !important; }}"
    )));
    doc.head().unwrap().append_child(&style).unwrap();
}

/// A `.ac` container of a fixed width at the top of the page.
fn container(width: u32, rtl: bool) -> HtmlElement {
    install_style();
    let doc = document();
    let div: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    div.set_class_name("ac");
    div.set_attribute("style", &format!("width: {width}px"))
        .unwrap();
    if rtl {
        div.set_attribute("dir", "rtl").unwrap();
    }
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

struct Mounted<C: yew::BaseComponent> {
    root: HtmlElement,
    app: Option<AppHandle<C>>,
}

impl<C: yew::BaseComponent> Drop for Mounted<C> {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.remove();
    }
}

fn slides(n: usize) -> Vec<Html> {
    (1..=n)
        .map(|i| {
            html! {
                <a class="test-link" href={format!("#slide-{i}")}>{ format!("Slide number {i}") }</a>
            }
        })
        .collect()
}

fn carousel_props(n: usize) -> CarouselProps {
    CarouselProps {
        label: AttrValue::from("Related articles"),
        landmark: true,
        slides: slides(n).into(),
        kind: Some("related"),
        caption: Some(AttrValue::from("Related")),
        per_page: 2,
        autoplay: None,
        reduced_motion: None,
    }
}

/// Renders into a new container and waits for the first render.
async fn mount<C: yew::BaseComponent>(width: u32, rtl: bool, props: C::Properties) -> Mounted<C> {
    let root = container(width, rtl);
    let app = yew::Renderer::<C>::with_root_and_props(root.clone().into(), props).render();
    let m = Mounted {
        root,
        app: Some(app),
    };
    until("the first render", 2000, || {
        m.root.query_selector(".ac-carousel").unwrap().is_some()
    })
    .await;
    m
}

async fn mount_carousel(width: u32, rtl: bool, props: CarouselProps) -> Mounted<Carousel> {
    mount(width, rtl, props).await
}

fn find(root: &Element, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into()
        .unwrap()
}

fn all(root: &Element, selector: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().dyn_into().unwrap())
        .collect()
}

fn disabled(el: &Element) -> bool {
    el.has_attribute("disabled")
}

/// The slides of the first carousel under `root` that are not inert.
fn visible(root: &Element) -> Vec<usize> {
    let track = find(root, ".ac-track");
    all(&track, ":scope > .ac-slide")
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.has_attribute("inert"))
        .map(|(i, _)| i)
        .collect()
}

/// Polls `cond` every frame-ish until it holds, or fails after `ms`.
async fn until(what: &str, ms: u32, mut cond: impl FnMut() -> bool) {
    let mut waited = 0;
    while !cond() {
        if waited >= ms {
            panic!("timed out waiting for {what}");
        }
        sleep(Duration::from_millis(16)).await;
        waited += 16;
    }
}

/// Lets layout, the resize observer and the settle timer run.
async fn settle() {
    sleep(Duration::from_millis(200)).await;
}

fn active() -> Option<Element> {
    document().active_element()
}

fn key(target: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn focus_event(target: &Element, kind: &str, related: Option<&Element>) {
    let init = FocusEventInit::new();
    init.set_bubbles(true);
    init.set_related_target(related.map(|r| r.as_ref()));
    let event = FocusEvent::new_with_focus_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Links and enabled buttons that are not inside an inert subtree.
fn focusable(root: &Element) -> Vec<HtmlElement> {
    all(root, "a[href], button:not([disabled])")
        .into_iter()
        .filter(|el| el.closest("[inert]").unwrap().is_none())
        .collect()
}

/// Whether the element's box lies (almost) wholly inside the track's.
fn on_screen(track: &Element, el: &Element) -> bool {
    let t = track.get_bounding_client_rect();
    let r = el.get_bounding_client_rect();
    r.left() >= t.left() - 2.0 && r.right() <= t.right() + 2.0
}

// ---------------------------------------------------------------------------
// The component

#[wasm_bindgen_test]
async fn buttons_disabled_at_the_ends() {
    let m = mount_carousel(400, false, carousel_props(6)).await;
    let root: &Element = &m.root;
    let (prev, next) = (find(root, ".ac-prev"), find(root, ".ac-next"));
    settle().await;
    assert_eq!(visible(root), vec![0, 1]);
    assert!(disabled(&prev), "Previous disabled at the start");
    assert!(!disabled(&next), "Next enabled at the start");
    assert_eq!(prev.get_attribute("aria-label").unwrap(), "Previous slides");
    assert_eq!(next.get_attribute("aria-label").unwrap(), "Next slides");
    let region = find(root, "section.ac-carousel");
    assert_eq!(
        region.get_attribute("aria-roledescription").unwrap(),
        "carousel"
    );
    assert_eq!(
        region.get_attribute("aria-label").unwrap(),
        "Related articles"
    );

    // Press Next (with focus on it) until it is disabled: a page at a time.
    next.focus().unwrap();
    let mut pages = vec![visible(root)];
    for _ in 0..6 {
        if disabled(&next) {
            break;
        }
        let before = visible(root);
        next.click();
        until("the next page", 2000, || visible(root) != before).await;
        settle().await;
        pages.push(visible(root));
    }
    assert_eq!(pages, vec![vec![0, 1], vec![2, 3], vec![4, 5]]);
    assert!(disabled(&next), "Next disabled at the end");
    assert!(!disabled(&prev), "Previous enabled at the end");
    assert_eq!(
        find(root, "[aria-live=polite]").text_content().unwrap(),
        "Showing 5 to 6 of 6"
    );
    // Next became disabled under focus: focus moved to Previous.
    assert_eq!(active(), Some(prev.clone().into()));

    prev.click();
    until("the previous page", 2000, || visible(root) == vec![2, 3]).await;
    settle().await;
    assert!(!disabled(&next) && !disabled(&prev));
    assert_eq!(
        find(root, "[aria-live=polite]").text_content().unwrap(),
        "Showing 3 to 4 of 6"
    );
}

#[wasm_bindgen_test]
async fn smooth_scrolling_announces_where_it_stops() {
    let m = mount_carousel(400, false, carousel_props(6)).await;
    let root: &Element = &m.root;
    root.set_class_name("ac smooth");
    let next = find(root, ".ac-next");
    settle().await;
    next.click();
    until("the next page", 3000, || visible(root) == vec![2, 3]).await;
    until("the announcement", 1000, || {
        find(root, "[aria-live=polite]").text_content().unwrap() == "Showing 3 to 4 of 6"
    })
    .await;
    next.click();
    until("the last page", 3000, || visible(root) == vec![4, 5]).await;
    until("the end", 1000, || disabled(&next)).await;
    // Announced once the scrolling is over, never an in-between position.
    until("the final announcement", 1000, || {
        find(root, "[aria-live=polite]").text_content().unwrap() == "Showing 5 to 6 of 6"
    })
    .await;
}

#[wasm_bindgen_test]
async fn single_page_has_both_buttons_disabled() {
    let m = mount_carousel(400, false, carousel_props(2)).await;
    settle().await;
    assert!(disabled(&find(&m.root, ".ac-prev")));
    assert!(disabled(&find(&m.root, ".ac-next")));
    assert_eq!(visible(&m.root), vec![0, 1]);
}

#[wasm_bindgen_test]
async fn arrow_keys_move_by_a_page_and_keep_focus_on_screen() {
    let m = mount_carousel(400, false, carousel_props(6)).await;
    let root: &Element = &m.root;
    settle().await;
    let links = all(root, ".test-link");
    links[0].focus().unwrap();
    assert_eq!(active(), Some(links[0].clone().into()));

    key(&links[0], "ArrowRight");
    until("ArrowRight", 2000, || visible(root) == vec![2, 3]).await;
    settle().await;
    // The focused slide went off screen (inert): focus follows to the
    // first slide on screen.
    assert_eq!(active(), Some(links[2].clone().into()));

    key(&links[2], "ArrowLeft");
    until("ArrowLeft", 2000, || visible(root) == vec![0, 1]).await;
    settle().await;
    assert_eq!(active(), Some(links[0].clone().into()));

    // Other keys are left alone; at the start ArrowLeft does nothing.
    key(&links[0], "ArrowLeft");
    key(&links[0], "Enter");
    settle().await;
    assert_eq!(visible(root), vec![0, 1]);
    assert!(disabled(&find(root, ".ac-prev")));
}

#[wasm_bindgen_test]
async fn focus_never_reaches_an_off_screen_slide() {
    let m = mount_carousel(400, false, carousel_props(5)).await;
    let root: &Element = &m.root;
    let track = find(root, ".ac-track");
    let next = find(root, ".ac-next");
    settle().await;
    for page in 0..3 {
        let slides = all(&track, ":scope > .ac-slide");
        for (i, slide) in slides.iter().enumerate() {
            // Inert exactly when not (wholly) on screen.
            assert_eq!(
                slide.has_attribute("inert"),
                !on_screen(&track, slide),
                "page {page}, slide {i}"
            );
        }
        // Tab order: the enabled buttons, then only the links on screen.
        let reachable = focusable(root);
        for el in &reachable {
            if el.tag_name() == "A" {
                assert!(
                    on_screen(&track, el),
                    "page {page}: {:?}",
                    el.text_content()
                );
            }
        }
        let links = reachable.iter().filter(|e| e.tag_name() == "A").count();
        assert!((1..=2).contains(&links), "page {page}: {links} links");
        // Focusing a hidden link fails.
        for slide in slides.iter().filter(|s| s.has_attribute("inert")) {
            let link = find(slide, "a");
            link.focus().unwrap();
            assert_ne!(active(), Some(link.into()), "page {page}");
        }
        if disabled(&next) {
            break;
        }
        let before = visible(root);
        next.click();
        until("the next page", 2000, || visible(root) != before).await;
        settle().await;
    }
    assert!(disabled(&next));
    assert_eq!(visible(root), vec![3, 4]);
}

#[wasm_bindgen_test]
async fn right_to_left_mirrors_the_direction() {
    let m = mount_carousel(400, true, carousel_props(6)).await;
    let root: &Element = &m.root;
    let track = find(root, ".ac-track");
    let (prev, next) = (find(root, ".ac-prev"), find(root, ".ac-next"));
    settle().await;
    assert_eq!(visible(root), vec![0, 1]);
    assert!(disabled(&prev) && !disabled(&next));
    let slides = all(&track, ":scope > .ac-slide");
    // Slide 1 is at the right-hand edge; slide 2 to its left.
    let t = track.get_bounding_client_rect();
    assert!((slides[0].get_bounding_client_rect().right() - t.right()).abs() < 2.0);
    assert!(
        slides[1].get_bounding_client_rect().right()
            < slides[0].get_bounding_client_rect().left() + 1.0
    );
    let x0 = slides[0].get_bounding_client_rect().left();

    next.click();
    until("the next page", 2000, || visible(root) == vec![2, 3]).await;
    settle().await;
    // Towards the left: the content moved right, scrollLeft went negative.
    assert!(slides[0].get_bounding_client_rect().left() > x0 + 50.0);
    assert!(
        track.scroll_left() < 0,
        "scrollLeft {}",
        track.scroll_left()
    );
    assert!((slides[2].get_bounding_client_rect().right() - t.right()).abs() < 2.0);
    assert!(!disabled(&prev) && !disabled(&next));

    next.click();
    until("the last page", 2000, || visible(root) == vec![4, 5]).await;
    settle().await;
    assert!(disabled(&next) && !disabled(&prev));

    // Keys are mirrored: ArrowRight goes back in right-to-left.
    let link = find(&slides[4], "a");
    key(&link, "ArrowRight");
    until("ArrowRight = back", 2000, || visible(root) == vec![2, 3]).await;
    settle().await;
    let link = find(&slides[2], "a");
    key(&link, "ArrowLeft");
    until("ArrowLeft = forward", 2000, || visible(root) == vec![4, 5]).await;
}

fn rotating(n: usize, ms: u32, reduced: bool) -> CarouselProps {
    CarouselProps {
        autoplay: Some(ms),
        reduced_motion: Some(reduced),
        ..carousel_props(n)
    }
}

#[wasm_bindgen_test]
async fn autoplay_rotates_and_wraps() {
    let m = mount_carousel(400, false, rotating(4, 150, false)).await;
    let root: &Element = &m.root;
    let region = find(root, "section.ac-carousel");
    let rotate = find(root, ".ac-rotate");
    // First in the carousel, before Previous.
    assert_eq!(
        find(root, ".ac-controls").first_element_child().unwrap(),
        rotate.clone().into()
    );
    assert_eq!(
        rotate.get_attribute("aria-label").unwrap(),
        "Stop automatic slide show"
    );
    assert_eq!(region.get_attribute("data-autoplay").unwrap(), "running");
    until("rotation", 2000, || visible(root) == vec![2, 3]).await;
    until("back to the start", 2000, || visible(root) == vec![0, 1]).await;

    // The button stops it (and says so).
    rotate.click();
    until("stopped", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("stopped")
    })
    .await;
    assert_eq!(
        rotate.get_attribute("aria-label").unwrap(),
        "Start automatic slide show"
    );
    let now = visible(root);
    sleep(Duration::from_millis(450)).await;
    assert_eq!(visible(root), now, "no rotation once stopped");
}

#[wasm_bindgen_test]
async fn focus_within_pauses_rotation() {
    let m = mount_carousel(400, false, rotating(6, 150, false)).await;
    let root: &Element = &m.root;
    let region = find(root, "section.ac-carousel");
    let link = find(root, ".test-link");
    focus_event(&link, "focusin", None);
    until("paused", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("paused")
    })
    .await;
    let rotate = find(root, ".ac-rotate");
    // Paused for now, not stopped: the button still offers to stop.
    assert_eq!(
        rotate.get_attribute("aria-label").unwrap(),
        "Stop automatic slide show"
    );
    sleep(Duration::from_millis(500)).await;
    assert_eq!(visible(root), vec![0, 1], "no advance while focused");

    // Focus leaving the carousel resumes it.
    focus_event(&link, "focusout", None);
    until("running", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("running")
    })
    .await;
    until("rotation", 2000, || visible(root) != vec![0, 1]).await;

    // Focus on the pause button itself does not pause.
    focus_event(&rotate, "focusin", None);
    settle().await;
    assert_eq!(region.get_attribute("data-autoplay").unwrap(), "running");
}

/// Focus is put back once per move: the rotation pausing and resuming
/// afterwards (focus leaving the carousel) does not pull it back in.
#[wasm_bindgen_test]
async fn focus_is_put_back_once_per_move() {
    // A period long enough that nothing rotates during the test.
    let m = mount_carousel(400, false, rotating(4, 60_000, false)).await;
    let root: &Element = &m.root;
    let region = find(root, "section.ac-carousel");
    let (prev, next) = (find(root, ".ac-prev"), find(root, ".ac-next"));
    settle().await;
    next.focus().unwrap();
    next.click();
    until("the last page", 2000, || visible(root) == vec![2, 3]).await;
    until("focus handed to Previous", 1000, || {
        active() == Some(prev.clone().into())
    })
    .await;
    focus_event(&prev, "focusin", None);
    until("paused", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("paused")
    })
    .await;

    let outside: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&outside).unwrap();
    outside.focus().unwrap();
    focus_event(&prev, "focusout", Some(&outside));
    until("running again", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("running")
    })
    .await;
    settle().await;
    assert_eq!(
        active(),
        Some(outside.clone().into()),
        "focus stays outside"
    );
    outside.remove();
}

#[wasm_bindgen_test]
async fn hover_pauses_rotation() {
    let m = mount_carousel(400, false, rotating(6, 150, false)).await;
    let root: &Element = &m.root;
    let region = find(root, "section.ac-carousel");
    let enter = web_sys::MouseEvent::new("mouseenter").unwrap();
    region.dispatch_event(&enter).unwrap();
    until("paused", 500, || {
        region.get_attribute("data-autoplay").as_deref() == Some("paused")
    })
    .await;
    sleep(Duration::from_millis(450)).await;
    assert_eq!(visible(root), vec![0, 1], "no advance while hovered");
    let leave = web_sys::MouseEvent::new("mouseleave").unwrap();
    region.dispatch_event(&leave).unwrap();
    until("rotation", 2000, || visible(root) != vec![0, 1]).await;
}

#[wasm_bindgen_test]
async fn reduced_motion_never_rotates() {
    let m = mount_carousel(400, false, rotating(6, 100, true)).await;
    let root: &Element = &m.root;
    assert!(root.query_selector(".ac-rotate").unwrap().is_none());
    assert!(!find(root, "section.ac-carousel").has_attribute("data-autoplay"));
    sleep(Duration::from_millis(450)).await;
    assert_eq!(visible(root), vec![0, 1], "no rotation");
}

// ---------------------------------------------------------------------------
// The view: the list as a carousel, cards with related carousels

fn related(n: usize) -> RelatedRecord {
    RelatedRecord {
        title: format!("Related {n}"),
        url: format!("https://dailyping.example/related-{n}"),
        published: None,
        kind: ArticleType::Article,
        provider: Some("dp".into()),
        image: None,
    }
}

fn bundle(n: usize) -> Bundle {
    let mut providers = BTreeMap::new();
    providers.insert(
        "dp".into(),
        Provider {
            name: "Daily Ping".into(),
            domain: Some("dailyping.example".into()),
            logo: None,
        },
    );
    let articles = (1..=n)
        .map(|i| Article {
            id: format!("a{i}"),
            title: format!("Article {i}"),
            excerpt: Some("An excerpt.".into()),
            url: format!("https://dailyping.example/a{i}"),
            published: Some(format!("2021-04-{:02}T10:00:00Z", 28 - i)),
            updated: None,
            kind: ArticleType::Article,
            topics: vec![],
            provider: Some("dp".into()),
            image: None,
            video: None,
            heat: None,
            quality: None,
            related: (1..=4).map(|r| format!("r{r}")).collect(),
        })
        .collect();
    let mut records = RelatedRecords::default();
    for r in 1..=4 {
        records.insert(format!("r{r}"), related(r));
    }
    Bundle {
        version: 1,
        generated_at: "2021-05-01T12:00:00Z".into(),
        providers: providers.into(),
        related: records,
        articles,
    }
}

#[wasm_bindgen_test]
async fn view_list_carousel_with_related_carousels() {
    let props = ViewProps {
        state: LoadState::Ready(Rc::new(bundle(5))),
        options: Rc::new(Options {
            layout: Layout::Carousel,
            limit: 5,
            ..Options::with_src("bundle.json")
        }),
        now_ms: 1_619_870_400_000.0,
        locale: AttrValue::from("en-GB"),
        on_retry: Callback::noop(),
        on_select: Callback::from(|_| true),
        bundle_url: None,
    };
    let m = mount::<View>(640, false, props).await;
    let root: &Element = &m.root;
    settle().await;
    let list = find(root, r#"section.ac-carousel[data-kind="list"]"#);
    assert_eq!(list.get_attribute("aria-label").unwrap(), "Articles");
    let outer = visible(&list);
    // 640px wide: two cards per page.
    assert_eq!(outer, vec![0, 1]);
    let inner = all(&list, r#"section.ac-carousel[data-kind="related"]"#);
    assert_eq!(inner.len(), 5);

    // An arrow key in a card's related carousel moves that one only.
    let first_related = &inner[0];
    assert_eq!(visible(first_related), vec![0, 1]);
    let link = find(first_related, ".ac-rel-link");
    link.focus().unwrap();
    key(&link, "ArrowRight");
    until("the related page", 2000, || {
        visible(first_related) == vec![2, 3]
    })
    .await;
    settle().await;
    assert_eq!(visible(&list), vec![0, 1], "the list did not move");
    assert!(disabled(&find(first_related, ".ac-next")));

    // The list's own Next button.
    let next = find(&list, ":scope > .ac-carousel-bar .ac-next");
    next.click();
    until("the list's next page", 2000, || {
        visible(&list) == vec![2, 3]
    })
    .await;
    settle().await;
    // Cards off screen are inert, with everything in them.
    for el in focusable(root) {
        let track = find(&list, ":scope > .ac-track");
        assert!(
            on_screen(&track, &el)
                || list
                    .query_selector(":scope > .ac-carousel-bar")
                    .unwrap()
                    .unwrap()
                    .contains(Some(&el))
        );
    }
}
