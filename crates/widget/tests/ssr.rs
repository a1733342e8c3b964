//! Server-side renders of the widget's `View` in every state, layout, theme
//! and card variant, compared with snapshots in `tests/snapshots/*.html`.
//! `UPDATE_SNAPSHOTS=1 cargo test --test ssr` rewrites them.

// Test helpers fail loudly; the crate's no-panic lints are for the widget.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use article_cards_widget::components::{STYLE, View, ViewProps, derived_name};
use article_cards_widget::model::{LoadError, LoadErrorKind, LoadState};
use article_cards_widget::options::{self, Layout, Options, Show, Target, Theme};
use article_cards_widget::time::parse_rfc3339;
use bundle::{
    Article, ArticleType, Bundle, Image, ImageVariant, Provider, RelatedRecord, Video,
    VideoProvider,
};
use yew::{AttrValue, Callback, LocalServerRenderer};

const NOW: &str = "2021-05-01T12:00:00Z";

fn now_ms() -> f64 {
    parse_rfc3339(NOW).unwrap()
}

/// Compares `html` with `tests/snapshots/<name>.html` (one tag per line for
/// readable diffs), or writes it when `UPDATE_SNAPSHOTS` is set.
fn check(name: &str, html: &str) {
    let pretty = html.replace("><", ">\n<") + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.html"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {path:?}; run with UPDATE_SNAPSHOTS=1"));
    if want != pretty {
        let line = want
            .lines()
            .zip(pretty.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(pretty.lines().count()));
        panic!(
            "snapshot {name} differs at line {}:\n  want: {:?}\n  got:  {:?}\n(UPDATE_SNAPSHOTS=1 to accept)",
            line + 1,
            want.lines().nth(line),
            pretty.lines().nth(line)
        );
    }
}

fn opts() -> Options {
    Options::with_src("bundle.json")
}

async fn render_with(state: LoadState, options: Options) -> String {
    let props = ViewProps {
        state,
        options: Rc::new(options),
        now_ms: now_ms(),
        locale: AttrValue::from("en-GB"),
        on_retry: Callback::noop(),
        on_select: Callback::from(|_| true),
        bundle_url: None,
    };
    LocalServerRenderer::<View>::with_props(props)
        .hydratable(false)
        .render()
        .await
}

async fn render(bundle: Bundle, options: Options) -> String {
    render_with(LoadState::Ready(Rc::new(bundle)), options).await
}

fn image(src: &str, w: u32, h: u32) -> Image {
    Image {
        src: src.into(),
        width: Some(w),
        height: Some(h),
        ..Image::default()
    }
}

fn article(id: &str, title: &str) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        excerpt: Some(format!("Excerpt of {title}.")),
        url: format!("https://harbourgazette.example/{id}"),
        published: Some("2021-04-28T16:08:00Z".into()),
        updated: None,
        kind: ArticleType::Article,
        topics: vec!["Climate".into(), "Harbour".into()],
        provider: Some("hg".into()),
        image: Some(image(&format!("images/{id}.jpg"), 1200, 675)),
        video: None,
        heat: None,
        quality: None,
        related: vec![],
    }
}

fn providers() -> BTreeMap<String, Provider> {
    let mut p = BTreeMap::new();
    p.insert(
        "hg".into(),
        Provider {
            name: "The Harbour Gazette".into(),
            domain: Some("harbourgazette.example".into()),
            logo: Some(image("images/hg-logo.png", 64, 64)),
        },
    );
    p.insert(
        "dp".into(),
        Provider {
            name: "Daily Ping".into(),
            domain: Some("dailyping.example".into()),
            logo: None,
        },
    );
    p.insert(
        "evil".into(),
        Provider {
            name: "Evil <b>Corp</b>".into(),
            domain: Some("evil.example".into()),
            logo: Some(image("javascript:alert('logo')", 64, 64)),
        },
    );
    p
}

/// A bundle of `articles`, with the related records `r1` to `r6` (see
/// [`related_record`]) and then `records` (replacing those of the same id).
fn bundle_of(articles: Vec<Article>) -> Bundle {
    bundle_with(articles, Vec::new())
}

fn bundle_with(articles: Vec<Article>, records: Vec<(&str, RelatedRecord)>) -> Bundle {
    let mut related = bundle::RelatedRecords::default();
    for n in 1..=6 {
        related.insert(format!("r{n}"), related_record(n));
    }
    for (id, record) in records {
        related.insert(id.to_owned(), record);
    }
    Bundle {
        version: 1,
        generated_at: NOW.into(),
        providers: providers().into(),
        related,
        articles,
    }
}

fn with_image() -> Article {
    article("a1", "Harbour wall repairs finish ahead of storm season")
}

fn without_image() -> Article {
    let mut a = article("a2", "Council publishes the ferry timetable");
    a.image = None;
    a.published = Some("2021-05-01T09:30:00Z".into());
    a
}

fn monogram() -> Article {
    let mut a = article("a3", "Ping: the week in local tech");
    a.provider = Some("dp".into());
    a.topics = vec!["Tech".into()];
    a.published = Some("2021-04-30T08:00:00Z".into());
    a
}

fn video() -> Article {
    let mut a = article("v1", "Watch: the lighthouse at dawn");
    a.kind = ArticleType::Video;
    a.video = Some(Video {
        provider: VideoProvider::Youtube,
        id: "6NPtZSMH0h4".into(),
    });
    a.published = Some("2021-04-20T10:00:00Z".into());
    a
}

fn long_title() -> Article {
    let title = "A very long headline about the harbour, ".repeat(7);
    let mut a = article("a4", title.trim_end());
    a.excerpt = Some("Lorem ipsum dolor sit amet. ".repeat(20));
    a.published = Some("2020-01-15T00:00:00Z".into());
    a
}

fn hostile() -> Article {
    let mut a = article("x1", "<script>alert('title')</script> & \"quotes\"");
    a.excerpt = Some("<img src=x onerror=alert(1)> excerpt".into());
    a.topics = vec!["\"><svg onload=alert(1)>".into()];
    a.provider = Some("evil".into());
    a
}

fn unsafe_urls() -> Article {
    let mut a = article("x2", "Links that must not survive");
    a.url = "javascript:alert('href')".into();
    a.image = Some(image("data:image/svg+xml,<svg onload=alert(1)>", 10, 10));
    a.provider = Some("evil".into());
    a
}

fn all_cards() -> Vec<Article> {
    vec![
        with_image(),
        without_image(),
        monogram(),
        video(),
        long_title(),
        hostile(),
    ]
}

#[tokio::test(flavor = "current_thread")]
async fn states() {
    check(
        "state_loading",
        &render_with(LoadState::Loading, opts()).await,
    );
    let small = Options {
        limit: 2,
        layout: Layout::List,
        show: Show {
            image: false,
            ..Show::default()
        },
        excerpt_lines: 2,
        ..opts()
    };
    let html = render_with(LoadState::Loading, small).await;
    assert_eq!(html.matches("class=\"ac-card ac-skel\"").count(), 2);
    assert!(!html.contains("ac-ph"));
    check("state_loading_list_noimage", &html);

    let failed = LoadState::Failed(LoadError {
        kind: LoadErrorKind::Http(404),
        message: AttrValue::from("The articles could not be loaded (HTTP 404)."),
    });
    let html = render_with(failed, opts()).await;
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains(">Retry</button>"));
    assert!(html.contains("aria-busy=\"false\""));
    check("state_error", &html);

    let nothing = Options {
        topics: Rc::from([AttrValue::from("Astronomy")]),
        ..opts()
    };
    let html = render(bundle_of(all_cards()), nothing).await;
    assert!(html.contains("No articles match these filters."));
    check("state_empty", &html);
    let html = render(bundle_of(vec![]), opts()).await;
    assert!(html.contains("No articles match these filters."));

    let html = render(bundle_of(all_cards()), opts()).await;
    check("state_ready_grid", &html);
}

#[tokio::test(flavor = "current_thread")]
async fn card_variants() {
    let one = |a: Article| render(bundle_of(vec![a]), opts());

    let html = one(with_image()).await;
    for part in [
        "part=\"card\"",
        "part=\"image\"",
        "part=\"title\"",
        "part=\"excerpt\"",
        "part=\"provider\"",
        "part=\"provider-logo\"",
        "part=\"date\"",
        "part=\"topic\"",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert!(html.contains(r#"<time part="date" datetime="2021-04-28T16:08:00Z" title="28 Apr 2021" class="ac-date">2 days ago</time>"#), "{html}");
    assert!(html.contains(r#"loading="lazy""#) && html.contains(r#"decoding="async""#));
    assert!(html.contains(r#"width="1200" height="675""#));
    assert!(html.contains(r#"target="_blank" rel="noopener noreferrer""#));
    assert!(!html.contains("style="));
    check("card_with_image", &html);

    let html = one(without_image()).await;
    assert!(
        html.contains(r#"part="image" class="ac-img ac-ph">"#),
        "{html}"
    );
    assert!(html.contains(r#"<div data-hue=""#), "{html}");
    assert!(html.contains("in 3 hours") || html.contains("hours ago"));
    check("card_without_image", &html);

    let html = one(monogram()).await;
    assert!(
        html.contains(r#"part="provider-logo" aria-hidden="true" class="ac-mark ac-mono">"#),
        "{html}"
    );
    assert!(html.contains(r#"<span data-hue=""#), "{html}");
    assert!(html.contains(">DP</span>"));
    assert!(html.contains("yesterday"));
    check("card_monogram", &html);

    let html = one(video()).await;
    assert!(html.contains("Play video: Watch: the lighthouse at dawn"));
    assert!(html.contains("<button type=\"button\""));
    assert!(html.contains(">Video</span>"));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<iframe"));
    assert!(
        !html.to_lowercase().contains("youtube"),
        "nothing from YouTube before a click"
    );
    check("card_video", &html);

    let mut bad_video = video();
    bad_video.video = Some(Video {
        provider: VideoProvider::Youtube,
        id: "bad\"><x>".into(),
    });
    let html = one(bad_video).await;
    assert!(!html.contains("Play video") && !html.contains("bad\""));

    let html = one(long_title()).await;
    assert!(html.contains(&"A very long headline about the harbour, ".repeat(6)));
    assert!(html.contains("last year"));
    check("card_long_title", &html);

    let html = one(hostile()).await;
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("<svg onload"));
    assert!(!html.contains("<b>Corp"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("javascript:"), "unsafe logo dropped");
    assert!(
        html.contains(r#"aria-hidden="true" class="ac-mark ac-mono">"#),
        "monogram instead of unsafe logo"
    );
    check("card_hostile_text", &html);

    let html = one(unsafe_urls()).await;
    assert!(!html.contains("javascript:"));
    assert!(!html.contains("data:"));
    assert!(!html.contains("<a "), "no link for an unsafe URL");
    assert!(html.contains("<span>Links that must not survive</span>"));
    check("card_unsafe_urls", &html);

    let mut bare = without_image();
    bare.provider = None;
    bare.published = Some("not a date".into());
    bare.excerpt = None;
    bare.topics = vec![];
    let html = one(bare).await;
    assert!(!html.contains("<time") && !html.contains("part=\"provider\""));
    check("card_bare", &html);
}

#[tokio::test(flavor = "current_thread")]
async fn layouts_and_themes() {
    let cards = || bundle_of(vec![with_image(), monogram(), video()]);
    for layout in [Layout::Grid, Layout::List, Layout::Compact] {
        let html = render(cards(), Options { layout, ..opts() }).await;
        assert!(html.contains(&format!("data-layout=\"{}\"", layout.as_str())));
        if layout == Layout::Compact {
            assert!(!html.contains("Play video"), "no player in compact rows");
        }
        check(&format!("layout_{}", layout.as_str()), &html);
    }
    for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
        let html = render(cards(), Options { theme, ..opts() }).await;
        // Unlabelled: not a landmark; the list is named from the content.
        assert!(html.starts_with(&format!(
            "<div data-theme=\"{}\" data-layout=\"grid\" aria-busy=\"false\" class=\"ac\"><ul role=\"list\" aria-label=\"Articles\" class=\"ac-list\">",
            theme.as_str()
        )), "{html}");
        if theme == Theme::Dark {
            check("theme_dark", &html);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn options_shape_cards() {
    let o = Options {
        show: Show {
            image: false,
            excerpt: true,
            topics: false,
            provider: false,
        },
        excerpt_lines: 5,
        target: Target::SelfFrame,
        rel: AttrValue::from("noopener"),
        ..opts()
    };
    let html = render(bundle_of(vec![with_image(), video()]), o).await;
    assert!(!html.contains("ac-media") && !html.contains("part=\"topic\""));
    assert!(!html.contains("part=\"provider\""));
    assert!(html.contains("data-lines=\"5\""));
    assert!(html.contains(r#"target="_self" rel="noopener""#));
    check("options_minimal", &html);

    // Filters and order come from `select`: newest first.
    let o = Options {
        types: Rc::from([ArticleType::Article]),
        ..opts()
    };
    let html = render(bundle_of(all_cards()), o).await;
    assert!(!html.contains("Watch: the lighthouse"));
    let first = html.find("Council publishes").unwrap();
    let second = html.find("Ping: the week").unwrap();
    assert!(first < second);
}

#[tokio::test(flavor = "current_thread")]
async fn load_more() {
    let o = Options { limit: 2, ..opts() };
    let html = render(bundle_of(all_cards()), o.clone()).await;
    assert_eq!(html.matches("<article ").count(), 2);
    assert!(html.contains(">Load more</button>"));
    assert!(html.contains(r#"<p role="status" aria-live="polite" class="ac-sr"></p>"#));
    check("load_more", &html);

    let html = render(bundle_of(all_cards()), Options { limit: 6, ..o }).await;
    assert_eq!(html.matches("<article ").count(), 6);
    assert!(!html.contains("Load more"));
}

#[tokio::test(flavor = "current_thread")]
async fn labels_landmarks_and_headings() {
    let cards = || bundle_of(vec![with_related(3), monogram()]);
    // A label makes the widget a named region; the list needs no name then.
    let labelled = Options {
        label: Some(AttrValue::from("Harbour news")),
        heading_level: 2,
        ..opts()
    };
    let html = render(cards(), labelled.clone()).await;
    assert!(html.starts_with(
        r#"<section data-theme="auto" data-layout="grid" aria-label="Harbour news" aria-busy="false" class="ac"><ul role="list" class="ac-list">"#
    ), "{html}");
    // Titles at the level asked for, related titles one below.
    assert_eq!(html.matches("<h2 ").count(), 2);
    assert_eq!(html.matches("<h3 ").count(), 3);
    assert!(!html.contains("<h4"));
    check("options_label_heading", &html);

    let html = render(
        cards(),
        Options {
            heading_level: 6,
            ..opts()
        },
    )
    .await;
    assert_eq!(html.matches("<h6 ").count(), 5, "h6 stays h6");

    // The carousel layout: labelled, its carousel is the region.
    let html = render(
        cards(),
        Options {
            layout: Layout::Carousel,
            ..labelled
        },
    )
    .await;
    assert!(html.starts_with(
        r#"<div data-theme="auto" data-layout="carousel" aria-busy="false" class="ac"><section data-kind="list" aria-roledescription="carousel" aria-label="Harbour news" class="ac-carousel">"#
    ), "{html}");
    // Related strips are groups, never more landmarks.
    assert!(html.contains(
        r#"<section data-kind="related" role="group" aria-roledescription="carousel" aria-label="Related articles" class="ac-carousel">"#
    ));

    // Unlabelled: a name from the filters, on the list (or carousel group).
    let topics = Options {
        topics: Rc::from([AttrValue::from("Privacy"), AttrValue::from("Space")]),
        ..opts()
    };
    assert_eq!(derived_name(&opts()), "Articles");
    assert_eq!(derived_name(&topics), "Articles: Privacy, Space");
    let videos = Options {
        types: Rc::from([ArticleType::Video]),
        providers: Rc::from([AttrValue::from("Daily Ping")]),
        ..opts()
    };
    assert_eq!(derived_name(&videos), "Videos: Daily Ping");
    let many = Options {
        topics: (0..40)
            .map(|n| AttrValue::from(format!("topic {n}")))
            .collect(),
        ..opts()
    };
    let name = derived_name(&many);
    // At most 80 characters, cut at a word with an ellipsis.
    assert_eq!(
        name,
        "Articles: topic 0, topic 1, topic 2, topic 3, topic 4, topic 5, topic 6, topic…"
    );
    let html = render(
        cards(),
        Options {
            topics: Rc::from([AttrValue::from("climate")]),
            ..opts()
        },
    )
    .await;
    assert!(html.contains(r#"<ul role="list" aria-label="Articles: climate" class="ac-list">"#));
}

#[tokio::test(flavor = "current_thread")]
async fn skeleton_reserves_the_related_strip() {
    let html = render_with(LoadState::Loading, opts()).await;
    assert_eq!(
        html.matches(
            r#"<div data-kind="related" aria-hidden="true" class="ac-carousel ac-rel-ph">"#
        )
        .count(),
        6,
        "one strip per skeleton card"
    );
    assert!(!html.contains("data-reserved"));
    for o in [
        Options {
            related: false,
            ..opts()
        },
        Options {
            layout: Layout::Compact,
            ..opts()
        },
    ] {
        let html = render_with(LoadState::Loading, o).await;
        assert!(!html.contains("ac-rel-ph"), "{html}");
    }
}

#[test]
fn options_resolve_end_to_end() {
    let raw = options::from_attributes([
        ("src".to_owned(), "bundle.json".to_owned()),
        ("layout".to_owned(), "slideshow".to_owned()),
    ]);
    let (o, warnings) = options::resolve(&raw).unwrap();
    assert_eq!(o.layout, Layout::Grid);
    assert_eq!(warnings.len(), 1);

    let raw = options::from_attributes([
        ("src".to_owned(), "bundle.json".to_owned()),
        ("layout".to_owned(), "carousel".to_owned()),
        ("related-limit".to_owned(), "4".to_owned()),
        ("autoplay".to_owned(), "3000".to_owned()),
    ]);
    let (o, warnings) = options::resolve(&raw).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(o.layout, Layout::Carousel);
    assert_eq!(o.related_limit, 4);
    assert_eq!(o.autoplay, Some(3000));
}

// ---------------------------------------------------------------------------
// Carousels: a card's related articles, and the list as a carousel.

/// Related record `r{n}` of every [`bundle_of`] bundle.
fn related_record(n: usize) -> RelatedRecord {
    RelatedRecord {
        title: format!("Related story number {n}"),
        url: format!("https://dailyping.example/related-{n}"),
        published: Some("2021-04-29T10:00:00Z".into()),
        kind: ArticleType::Article,
        provider: Some("dp".into()),
        image: (n % 2 == 1).then(|| image(&format!("images/r{n}.jpg"), 640, 360)),
    }
}

fn with_related(n: usize) -> Article {
    let mut a = with_image();
    a.related = (1..=n).map(|n| format!("r{n}")).collect();
    a
}

/// The attributes of every slide (`role="group"` elements), in order.
fn slides(html: &str) -> Vec<&str> {
    html.split("<div ")
        .filter(|tag| tag.contains("aria-roledescription=\"slide\""))
        .map(|tag| tag.split('>').next().unwrap())
        .collect()
}

fn button<'a>(html: &'a str, class: &str) -> &'a str {
    let at = html.find(&format!("class=\"ac-cbtn {class}\"")).unwrap();
    let start = html[..at].rfind("<button").unwrap();
    &html[start..at + html[at..].find('>').unwrap()]
}

/// Reverse tabnabbing: whatever `rel` the options hold, every link that
/// opens a new tab (card titles and related slides) has `noopener` and no
/// `opener`.
#[tokio::test(flavor = "current_thread")]
async fn finding_5_links_that_open_a_new_tab_have_noopener() {
    for rel in ["opener", "opener noreferrer", "nofollow", "OPENER"] {
        let o = Options {
            rel: AttrValue::from(rel),
            ..opts()
        };
        let html = render(bundle_of(vec![with_related(3), video()]), o).await;
        let links: Vec<&str> = html
            .split("<a ")
            .skip(1)
            .map(|tag| tag.split('>').next().unwrap())
            .collect();
        assert_eq!(links.len(), 5, "{rel}: two titles and three slides");
        for tag in links {
            assert!(tag.contains(r#"target="_blank""#), "{tag}");
            let rel_value = tag
                .split(r#"rel=""#)
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let tokens: Vec<String> = rel_value
                .split_ascii_whitespace()
                .map(str::to_ascii_lowercase)
                .collect();
            assert!(tokens.iter().any(|t| t == "noopener"), "{rel}: {tag}");
            assert!(!tokens.iter().any(|t| t == "opener"), "{rel}: {tag}");
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn related_carousel() {
    let html = render(bundle_of(vec![with_related(6)]), opts()).await;
    assert!(html.contains(
        r#"<section data-kind="related" role="group" aria-roledescription="carousel" aria-label="Related articles" class="ac-carousel">"#
    ), "{html}");
    let all = slides(&html);
    assert_eq!(all.len(), 6);
    for (i, slide) in all.iter().enumerate() {
        assert!(slide.contains(r#"role="group""#));
        assert!(
            slide.contains(&format!("aria-label=\"{} of 6\"", i + 1)),
            "{slide}"
        );
        // The first page (two slides) is on screen, the rest inert.
        assert_eq!(slide.contains("inert"), i >= 2, "{slide}");
    }
    let prev = button(&html, "ac-prev");
    assert!(prev.contains(r#"aria-label="Previous slides""#) && prev.contains("disabled"));
    let next = button(&html, "ac-next");
    assert!(next.contains(r#"aria-label="Next slides""#) && !next.contains("disabled"));
    assert!(
        !html.contains("ac-rotate"),
        "no rotation in related carousels"
    );
    assert!(html.contains(r#"aria-live="polite""#));
    // Related slides: own link, provider and date; picture or monogram tile.
    assert!(html.contains(r#"href="https://dailyping.example/related-1""#));
    assert!(html.contains(r#"src="images/r1.jpg""#));
    assert!(html.contains("Related story number 6"));
    assert_eq!(html.matches(">Daily Ping</span>").count(), 6);
    assert_eq!(
        html.matches(r#"part="image" class="ac-img ac-ph">"#)
            .count(),
        3
    );
    assert!(html.contains(r#"datetime="2021-04-29T10:00:00Z""#));
    assert!(!html.contains("style="));
    check("carousel_related", &html);

    // `related_limit` caps the slides.
    let html = render(
        bundle_of(vec![with_related(6)]),
        Options {
            related_limit: 3,
            ..opts()
        },
    )
    .await;
    assert_eq!(slides(&html).len(), 3);
    assert!(html.contains(r#"aria-label="1 of 3""#));

    // One page: both buttons disabled, nothing inert.
    let html = render(bundle_of(vec![with_related(2)]), opts()).await;
    assert_eq!(slides(&html).len(), 2);
    assert!(slides(&html).iter().all(|s| !s.contains("inert")));
    assert!(button(&html, "ac-prev").contains("disabled"));
    assert!(button(&html, "ac-next").contains("disabled"));
    check("carousel_related_single_page", &html);

    // Off, compact, or nothing related: no carousel.
    for o in [
        Options {
            related: false,
            ..opts()
        },
        Options {
            layout: Layout::Compact,
            ..opts()
        },
    ] {
        let html = render(bundle_of(vec![with_related(6)]), o).await;
        assert!(!html.contains("carousel"), "{html}");
    }
    // Nothing related: no carousel, but the strip's room, kept invisible
    // (as tall as the skeleton's), so the card does not shrink on load.
    let html = render(bundle_of(vec![with_related(0)]), opts()).await;
    assert!(!html.contains("aria-roledescription=\"carousel\""));
    assert_eq!(
        html.matches(
            r#"<div data-kind="related" data-reserved="" aria-hidden="true" class="ac-carousel ac-rel-ph">"#
        )
        .count(),
        1,
        "{html}"
    );
    assert_eq!(html.matches(r#"class="ac-slide""#).count(), 1);

    // The list layout expects three per page.
    let html = render(
        bundle_of(vec![with_related(6)]),
        Options {
            layout: Layout::List,
            ..opts()
        },
    )
    .await;
    assert_eq!(
        slides(&html)
            .iter()
            .filter(|s| !s.contains("inert"))
            .count(),
        3
    );
}

#[tokio::test(flavor = "current_thread")]
async fn related_slide_uses_the_bundled_article() {
    // The related item points at `a3` (Daily Ping, images/a3.jpg) but
    // carries another provider and picture of its own: the bundled
    // article's win.
    let mut first = with_image();
    let mut item = related_record(2);
    item.title = "Ping: the week in local tech".into();
    item.provider = Some("hg".into());
    item.image = Some(image("images/other.jpg", 10, 10));
    let mut stray = related_record(4);
    stray.url = "javascript:alert('related')".into();
    stray.provider = None;
    // The record's id is the bundled article's: the record is that article.
    first.related = vec!["a3".into(), "r4".into()];
    let bundle = bundle_with(vec![first, monogram()], vec![("a3", item), ("r4", stray)]);
    let html = render(bundle, opts()).await;
    let carousel = &html[html.find("aria-roledescription=\"carousel\"").unwrap()..];
    let carousel = &carousel[..carousel.find("</section>").unwrap()];
    assert!(carousel.contains(r#"src="images/a3.jpg""#), "{carousel}");
    assert!(!carousel.contains("images/other.jpg"));
    assert!(carousel.contains(">Daily Ping</span>"));
    assert!(!carousel.contains("Harbour Gazette"));
    // Unsafe URL: text, no link; no provider: a monogram of the title.
    assert!(!html.contains("javascript:"));
    assert!(carousel.contains("<span>Related story number 4</span>"));
    check("carousel_related_bundled", &html);
}

#[tokio::test(flavor = "current_thread")]
async fn list_carousel() {
    let cards = || bundle_of(vec![with_image(), monogram(), video(), long_title()]);
    let carousel = Options {
        layout: Layout::Carousel,
        limit: 3,
        ..opts()
    };
    let html = render(cards(), carousel.clone()).await;
    assert!(html.starts_with(
        r#"<div data-theme="auto" data-layout="carousel" aria-busy="false" class="ac"><section data-kind="list" role="group" aria-roledescription="carousel" aria-label="Articles" class="ac-carousel">"#
    ), "{html}");
    assert_eq!(html.matches("<article ").count(), 3);
    assert_eq!(slides(&html).len(), 3);
    assert!(!html.contains("Load more"));
    assert!(button(&html, "ac-prev").contains("disabled"));
    assert!(
        button(&html, "ac-next").contains("disabled"),
        "one page of three"
    );
    assert!(!html.contains("ac-rotate") && !html.contains("data-autoplay"));
    check("layout_carousel", &html);

    let html = render(
        cards(),
        Options {
            limit: 4,
            ..carousel.clone()
        },
    )
    .await;
    assert!(!button(&html, "ac-next").contains("disabled"));
    assert!(slides(&html).last().unwrap().contains("inert"));

    // Autoplay: a pause button first in the carousel.
    let html = render(
        cards(),
        Options {
            autoplay: Some(6000),
            ..carousel
        },
    )
    .await;
    assert!(html.contains(r#"data-autoplay="running""#));
    let rotate = button(&html, "ac-rotate");
    assert!(
        rotate.contains(r#"aria-label="Stop automatic slide show""#),
        "{rotate}"
    );
    assert!(html.find("ac-rotate").unwrap() < html.find("ac-prev").unwrap());
    check("carousel_autoplay", &html);
}

fn cached(id: &str, src: &str) -> Article {
    let mut a = article(id, "Cranes get a quieter night shift");
    let v = |w: u32, mime: &str, ext: &str| ImageVariant {
        src: format!("{src}-{w}w.{ext}"),
        width: w,
        height: w * 9 / 16,
        mime: mime.into(),
    };
    a.image = Some(Image {
        src: format!("{src}-640w.jpg"),
        width: Some(1600),
        height: Some(900),
        cached: true,
        variants: vec![
            v(320, "image/webp", "webp"),
            v(320, "image/jpeg", "jpg"),
            v(640, "image/webp", "webp"),
            v(640, "image/jpeg", "jpg"),
        ],
        placeholder: Some("#2040c0".into()),
        original: Some("https://img.example/cranes.jpg".into()),
    });
    a
}

#[tokio::test(flavor = "current_thread")]
async fn cached_images_are_pictures() {
    let html = render(bundle_of(vec![cached("c1", "cache/c1")]), opts()).await;
    assert!(html.contains(r#"<picture class="ac-pic">"#), "{html}");
    assert!(html.contains(r#"type="image/webp""#));
    assert!(html.contains(r#"srcset="cache/c1-320w.webp 320w, cache/c1-640w.webp 640w""#));
    assert!(html.contains(r#"srcset="cache/c1-320w.jpg 320w, cache/c1-640w.jpg 640w""#));
    assert!(html.contains(r#"sizes="(min-width: 700px) 340px, 100vw""#));
    assert!(html.contains(r#"src="cache/c1-640w.jpg""#));
    assert!(
        html.contains(r#"<img data-ph="12" part="image""#),
        "dark blue placeholder: {html}"
    );
    assert!(html.contains(r#"width="1600" height="900""#));
    assert!(!html.contains("referrerpolicy"), "same origin: {html}");
    assert!(!html.contains("img.example"), "the original only on error");
    assert!(!html.contains("style="));
    check("card_cached_image", &html);

    // Other layouts get their own sizes.
    let mut list = opts();
    list.layout = Layout::List;
    let html = render(bundle_of(vec![cached("c1", "cache/c1")]), list).await;
    assert!(html.contains(r#"sizes="(min-width: 700px) 260px, (min-width: 480px) 34vw, 100vw""#));
    let mut compact = opts();
    compact.layout = Layout::Compact;
    let html = render(bundle_of(vec![cached("c1", "cache/c1")]), compact).await;
    assert!(html.contains(r#"sizes="64px""#));
}

#[tokio::test(flavor = "current_thread")]
async fn images_from_other_origins_send_no_referrer() {
    let mut a = cached("c1", "https://site.example/cache/c1");
    a.related = vec!["r1".into()];
    let record = RelatedRecord {
        image: Some(Image {
            src: "https://img.example/r.jpg".into(),
            ..Image::default()
        }),
        ..related_record(1)
    };
    let props = ViewProps {
        state: LoadState::Ready(Rc::new(bundle_with(vec![a], vec![("r1", record)]))),
        options: Rc::new(opts()),
        now_ms: now_ms(),
        locale: AttrValue::from("en-GB"),
        on_retry: Callback::noop(),
        on_select: Callback::from(|_| true),
        bundle_url: Some("https://site.example/news/bundle.json".into()),
    };
    let html = LocalServerRenderer::<View>::with_props(props)
        .hydratable(false)
        .render()
        .await;
    let imgs: Vec<&str> = html.split("<img").skip(1).collect();
    let own = imgs
        .iter()
        .find(|i| i.contains("site.example/cache/c1-640w.jpg"))
        .unwrap();
    assert!(!own.contains("referrerpolicy"), "{own}");
    let other = imgs
        .iter()
        .find(|i| i.contains("img.example/r.jpg"))
        .unwrap();
    assert!(other.contains(r#"referrerpolicy="no-referrer""#), "{other}");
}

/// The harbour gazette's logo as `--cache-images` writes it: 1× and 2× of
/// the 64 px mark, each as WebP and PNG, `src` the largest PNG.
fn cached_logo(base: &str) -> Image {
    let v = |w: u32, mime: &str, ext: &str| ImageVariant {
        src: format!("{base}hg-{w}.{ext}"),
        width: w,
        height: w,
        mime: mime.into(),
    };
    Image {
        src: format!("{base}hg-128.png"),
        width: Some(256),
        height: Some(256),
        cached: true,
        variants: vec![
            v(64, "image/webp", "webp"),
            v(64, "image/png", "png"),
            v(128, "image/webp", "webp"),
            v(128, "image/png", "png"),
        ],
        placeholder: Some("#204080".into()),
        original: Some("https://logos.example/hg.png".into()),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn cached_logos_have_a_srcset_sized_to_the_mark() {
    let mut bundle = bundle_of(vec![with_image(), without_image()]);
    bundle.providers.get_mut("hg").unwrap().logo = Some(cached_logo("cache/"));
    let html = render(bundle, opts()).await;
    let logos: Vec<&str> = html
        .split("<img")
        .filter(|i| i.contains("provider-logo"))
        .collect();
    assert_eq!(logos.len(), 3, "two inline marks and one large: {html}");
    for logo in &logos {
        assert!(
            logo.contains(
                r#"src="cache/hg-128.png" srcset="cache/hg-64.png 64w, cache/hg-128.png 128w""#
            ),
            "PNG copies only, w descriptors: {logo}"
        );
        assert!(logo.contains(r#"width="256" height="256""#), "{logo}");
        assert!(!logo.contains(".webp") && !logo.contains("logos.example"));
    }
    let large = logos.iter().filter(|l| l.contains("data-large")).count();
    let large_sized = logos
        .iter()
        .filter(|l| l.contains(r#"sizes="64px""#))
        .count();
    let small_sized = logos
        .iter()
        .filter(|l| l.contains(r#"sizes="20px""#))
        .count();
    assert_eq!((large, large_sized, small_sized), (1, 1, 2), "{logos:?}");
    check("card_cached_logo", &html);

    // A plain logo keeps a plain <img>; one on another origin than the
    // bundle sends no referrer.
    let html = render(bundle_of(vec![with_image()]), opts()).await;
    assert!(!html.contains("srcset=\"images/hg") && !html.contains(r#"sizes="20px""#));
    let mut bundle = bundle_of(vec![with_image()]);
    bundle.providers.get_mut("hg").unwrap().logo = Some(cached_logo("https://cdn.example/logos/"));
    let props = ViewProps {
        state: LoadState::Ready(Rc::new(bundle)),
        options: Rc::new(opts()),
        now_ms: now_ms(),
        locale: AttrValue::from("en-GB"),
        on_retry: Callback::noop(),
        on_select: Callback::from(|_| true),
        bundle_url: Some("https://site.example/news/bundle.json".into()),
    };
    let html = LocalServerRenderer::<View>::with_props(props)
        .hydratable(false)
        .render()
        .await;
    let logo = html
        .split("<img")
        .find(|i| i.contains("provider-logo"))
        .unwrap();
    assert!(
        logo.contains("https://cdn.example/logos/hg-64.png 64w")
            && logo.contains(r#"referrerpolicy="no-referrer""#),
        "{logo}"
    );
}

#[test]
fn stylesheet_is_scoped_and_themable() {
    for needle in [
        ":host",
        "all:initial",
        "--ac-accent",
        "--ac-bg",
        "--ac-text",
        "--ac-muted",
        "--ac-border",
        "--ac-radius",
        "--ac-font",
        "--ac-gap",
        "--ac-card-width",
        "prefers-color-scheme:dark",
        "prefers-reduced-motion",
        ":focus-visible",
        "object-fit:cover",
        "data-layout=\"list\"",
        "data-layout=\"compact\"",
        "data-layout=\"carousel\"",
        "scroll-snap-type",
        ".ac-slide",
        "[data-hue=\"9\"]",
    ] {
        assert!(STYLE.contains(needle), "{needle}");
    }
    // Every rule outside @-rules targets :host or our root class.
    let mut depth = 0usize;
    let mut selector = String::new();
    for c in STYLE
        .split("*/")
        .map(|chunk| chunk.split("/*").next().unwrap_or_default())
        .collect::<String>()
        .chars()
    {
        match c {
            '{' => {
                let s = selector.trim();
                if !s.starts_with('@') && !s.starts_with("from") && !s.starts_with("to") {
                    let mut parens = 0i32;
                    let top_level = s.split(|c: char| {
                        match c {
                            '(' => parens += 1,
                            ')' => parens -= 1,
                            _ => {}
                        }
                        c == ',' && parens == 0
                    });
                    for sel in top_level {
                        let sel = sel.trim();
                        assert!(
                            sel.starts_with(":host") || sel.starts_with(".ac"),
                            "unscoped selector {sel:?}"
                        );
                    }
                }
                depth += 1;
                selector.clear();
            }
            '}' => {
                depth = depth.saturating_sub(1);
                selector.clear();
            }
            ';' => selector.clear(),
            _ => selector.push(c),
        }
    }
    assert_eq!(depth, 0, "balanced braces");
}
