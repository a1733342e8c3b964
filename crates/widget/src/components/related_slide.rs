//! One related article, as a slide of a card's related carousel: picture
//! (or the provider's monogram tile), linked title, provider and date. When
//! the item names an article that is in the bundle, that article's provider
//! and image are used, so both look the same wherever they appear.

use yew::prelude::*;

use crate::components::{HeroImage, ImageEnv, Mark, MetaLine, Title, hero_image, meta_line, title};
use crate::model::Selection;
use crate::options::Options;
use bundle::{ArticleType, Bundle, Image, RelatedItem};

/// What a slide is rendered from.
pub struct RelatedSlide<'a> {
    pub bundle: &'a Bundle,
    pub item: &'a RelatedItem,
    pub options: &'a Options,
    pub now_ms: f64,
    pub locale: &'a str,
    pub on_select: &'a Callback<Selection, bool>,
    /// Where the widget's images come from.
    pub env: &'a ImageEnv,
}

/// What a related item looks like: the bundled article's provider mark and
/// image when it names one that is in the bundle, else its own (a
/// monogram coloured by its URL when it has no provider).
pub fn appearance<'b>(bundle: &'b Bundle, item: &'b RelatedItem) -> (Mark, Option<&'b Image>) {
    let bundled = item
        .article
        .as_deref()
        .and_then(|id| bundle.articles.iter().find(|a| a.id == id));
    match bundled {
        Some(a) => (
            Mark::for_article(bundle, a),
            a.image.as_ref().or(item.image.as_ref()),
        ),
        None => (
            Mark::of(bundle, item.provider.as_deref(), &item.title, &item.url),
            item.image.as_ref(),
        ),
    }
}

/// One slide. A plain function, not a component: it holds no state, and
/// its card renders it once (cards re-render only when their props change).
pub fn related_slide(props: &RelatedSlide<'_>) -> Html {
    let item = props.item;
    let options = props.options;
    let show = options.show;
    let (mark, image) = appearance(props.bundle, item);
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
            id: AttrValue::from(item.article.clone().unwrap_or_else(|| item.url.clone())),
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
