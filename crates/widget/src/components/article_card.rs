//! One article as a card: media (image, placeholder or video facade),
//! provider and date, the linked title (the whole card is its click target),
//! a clamped excerpt and topic chips.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::{
    ByPtr, Carousel, HeroImage, ImageEnv, Mark, MetaLine, RelatedSlide, Title, VideoFacade,
    hero_image, meta_line, related_placeholder, related_slide, title, video_facade,
};
use crate::model::Selection;
use crate::options::{Layout, Options};
use bundle::youtube;
use bundle::{ArticleType, Bundle};

/// What a card is rendered from.
pub struct ArticleCard<'a> {
    pub bundle: &'a ByPtr<Bundle>,
    /// Index into `bundle.articles`; also the card's key, so another
    /// article in the same place is a new card (its image and video state
    /// start over).
    pub index: usize,
    pub options: &'a Rc<Options>,
    pub now_ms: f64,
    pub locale: &'a AttrValue,
    pub on_select: &'a Callback<Selection, bool>,
    /// Where the widget's images come from.
    pub env: &'a ImageEnv,
    /// The article whose video is playing, by index (one at a time).
    pub playing: Option<usize>,
    /// Plays the video of the article at an index.
    pub on_play: &'a Callback<usize>,
}

/// The element of a heading of `level` (2 to 6; out of range: the nearest).
pub fn heading_tag(level: u8) -> &'static str {
    match level {
        0..=2 => "h2",
        3 => "h3",
        4 => "h4",
        5 => "h5",
        _ => "h6",
    }
}

/// One card. A plain function, not a component: it holds no state (its
/// failed images and the playing video are the view's), and the list re-renders rarely (a
/// loaded bundle, "Load more", new options), so Yew's per-component props
/// check would save little and cost the wasm its lifecycle code (see
/// docs/size.md).
pub fn article_card(props: &ArticleCard<'_>) -> Html {
    let bundle = &props.bundle.0;
    let Some(article) = bundle.articles.get(props.index) else {
        return Html::default();
    };
    let options = &props.options;
    let show = options.show;
    let mark = Mark::for_article(bundle, article);
    let title_text = AttrValue::from(article.title.clone());
    let is_video = article.kind == ArticleType::Video;
    let playable_id = article
        .video
        .as_ref()
        .map(|v| v.id.as_str())
        .filter(|id| youtube::is_valid_id(id));

    let media = if !show.image {
        Html::default()
    } else {
        match playable_id {
            // A player in a compact row's thumbnail would be unusable.
            Some(id) if options.layout != Layout::Compact => video_facade(&VideoFacade {
                id,
                title: &title_text,
                image: &article.image,
                mark: &mark,
                env: props.env,
                playing: props.playing == Some(props.index),
                on_play: props.on_play.reform({
                    let index = props.index;
                    move |_| index
                }),
                // No clock means no script either (see `MetaLine::now_ms`);
                // the widget always has both.
                #[cfg(not(target_arch = "wasm32"))]
                page: (!props.now_ms.is_finite()).then_some((article.url.as_str(), options)),
                #[cfg(target_arch = "wasm32")]
                page: None,
            }),
            _ => html! {
                <div class="ac-media">
                    { hero_image(&HeroImage {
                        image: article.image.as_ref(),
                        mark: &mark,
                        env: props.env,
                        related: false,
                    }) }
                </div>
            },
        }
    };

    let meta = meta_line(&MetaLine {
        related: false,
        mark: &mark,
        env: props.env,
        show_provider: show.provider,
        is_video,
        published: article.published.as_deref(),
        now_ms: props.now_ms,
        locale: props.locale,
    });
    let heading = title(Title {
        level: options.heading_level,
        related: false,
        text: &title_text,
        url: &article.url,
        options,
        selection: Selection {
            id: AttrValue::from(article.id.clone()),
            url: AttrValue::from(article.url.clone()),
        },
        on_select: props.on_select,
    });

    let excerpt = article
        .excerpt
        .as_deref()
        .filter(|e| show.excerpt && !e.trim().is_empty())
        .map(|e| {
            html! {
                <p class="ac-excerpt" part="excerpt" data-lines={options.excerpt_lines.to_string()}>
                    { e.to_owned() }
                </p>
            }
        });

    let topics = (show.topics && !article.topics.is_empty()).then(|| {
        html! {
            <ul class="ac-topics" role="list" aria-label="Topics">
                { for article.topics.iter().map(|t| html! {
                    <li class="ac-topic" part="topic">{ t.clone() }</li>
                }) }
            </ul>
        }
    });

    // Related articles, under the card's own text (not in compact rows).
    // A card without any keeps the strip's room, empty (see
    // `related_placeholder`): every card of these layouts then has the
    // height the loading skeleton gave it.
    let related = (options.related && options.layout != Layout::Compact).then(|| {
        let slides: Vec<Html> = article
            .related
            .iter()
            .filter(|id| **id != article.id)
            .filter_map(|id| bundle.related.get(id).map(|item| (id, item)))
            .take(options.related_limit)
            .map(|(id, item)| {
                related_slide(&RelatedSlide {
                    bundle,
                    id,
                    item,
                    options,
                    now_ms: props.now_ms,
                    locale: props.locale,
                    on_select: props.on_select,
                    env: props.env,
                })
            })
            .collect();
        let per_page = if options.layout == Layout::List { 3 } else { 2 };
        if slides.is_empty() {
            related_placeholder(show.image, true)
        } else {
            // A group, not a landmark: one per card would flood the page's
            // landmarks with "Related articles".
            let slides: ByPtr<[Html]> = slides.into();
            html! {
                <Carousel label="Related articles" landmark={false} caption="Related"
                    kind="related" {per_page} {slides} />
            }
        }
    });

    let kind = if is_video { "video" } else { "article" };
    html! {
        <article key={props.index} class="ac-card" part="card" data-type={kind}
            data-media={show.image.then_some("")}>
            { media }
            <div class="ac-body">
                { meta }
                { heading }
                { excerpt }
                { topics }
            </div>
            { related }
        </article>
    }
}
