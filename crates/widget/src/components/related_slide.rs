//! One related article, as a slide of a card's related carousel: picture
//! (or the provider's monogram tile), linked title, provider and date. When
//! the record's id is an article's in the bundle, the record is that
//! article: its provider and image are used, so both look the same wherever
//! they appear.

use yew::prelude::*;

use crate::components::{HeroImage, ImageEnv, Mark, MetaLine, Title, hero_image, meta_line, title};
use crate::model::Selection;
use crate::options::Options;
use bundle::{ArticleType, Bundle, Image, RelatedRecord};

/// What a slide is rendered from.
pub struct RelatedSlide<'a> {
    pub bundle: &'a Bundle,
    /// The record's id (a key of `bundle.related`).
    pub id: &'a str,
    pub item: &'a RelatedRecord,
    pub options: &'a Options,
    pub now_ms: f64,
    pub locale: &'a str,
    pub on_select: &'a Callback<Selection, bool>,
    /// Where the widget's images come from.
    pub env: &'a ImageEnv,
}

/// What a related record looks like: the bundled article's provider mark
/// and image when its id is an article's, else its own (a monogram
/// coloured by its URL when it has no provider); and whether it is a
/// bundled article.
pub fn appearance<'b>(
    bundle: &'b Bundle,
    id: &str,
    item: &'b RelatedRecord,
) -> (Mark, Option<&'b Image>, bool) {
    match bundle.articles.iter().find(|a| a.id == id) {
        Some(a) => (
            Mark::for_article(bundle, a),
            a.image.as_ref().or(item.image.as_ref()),
            true,
        ),
        None => (
            Mark::of(bundle, item.provider.as_deref(), &item.title, &item.url),
            item.image.as_ref(),
            false,
        ),
    }
}

/// One slide. A plain function, not a component: it holds no state, and
/// its card renders it once (cards re-render only when their props change).
pub fn related_slide(props: &RelatedSlide<'_>) -> Html {
    let item = props.item;
    let options = props.options;
    let show = options.show;
    let (mark, image, bundled) = appearance(props.bundle, props.id, item);
    let title_text = AttrValue::from(item.title.clone());

    let media = show.image.then(|| {
        html! {
            <div class="ac-rel-media">
                { hero_image(&HeroImage {
                    image,
                    mark: &mark,
                    env: props.env,
                    related: true,
                }) }
            </div>
        }
    });

    let is_video = item.kind == ArticleType::Video;
    let meta = meta_line(&MetaLine {
        related: true,
        mark: &mark,
        env: props.env,
        show_provider: show.provider,
        is_video,
        published: item.published.as_deref(),
        now_ms: props.now_ms,
        locale: props.locale,
    });
    // One level below the card's title (h6 stays h6).
    let heading = title(Title {
        level: options.heading_level.saturating_add(1),
        related: true,
        text: &title_text,
        url: &item.url,
        options,
        selection: Selection {
            id: AttrValue::from(if bundled { props.id } else { &item.url }.to_owned()),
            url: AttrValue::from(item.url.clone()),
        },
        on_select: props.on_select,
    });

    html! {
        <div class="ac-rel" data-type={if is_video { "video" } else { "article" }}>
            { media }
            { heading }
            { meta }
        </div>
    }
}
