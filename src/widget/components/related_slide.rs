//! One related article, as a slide of a card's related carousel: picture
//! (or the provider's monogram tile), linked title, provider and date. When
//! the item names an article that is in the bundle, that article's provider
//! and image are used, so both look the same wherever they appear.

use std::rc::Rc;

use yew::prelude::*;

use crate::bundle::{Article, ArticleType, Bundle, Image, RelatedItem};
use crate::safe_url::is_safe_url;
use crate::widget::components::{ByPtr, HeroImage, Mark, ProviderMark, heading_tag};
use crate::widget::model::Selection;
use crate::widget::options::Options;
use crate::widget::time;

#[derive(Properties, Clone, PartialEq)]
pub struct RelatedSlideProps {
    /// The bundle (compared by identity).
    pub bundle: ByPtr<Bundle>,
    pub item: RelatedItem,
    pub options: Rc<Options>,
    pub now_ms: f64,
    pub locale: AttrValue,
    pub on_select: Callback<Selection>,
}

/// What a related item looks like: the bundled article's provider mark and
/// image when it names one that is in the bundle, else its own.
pub fn appearance(bundle: &Bundle, item: &RelatedItem) -> (Mark, Option<Image>) {
    let bundled = item
        .article
        .as_deref()
        .and_then(|id| bundle.articles.iter().find(|a| a.id == id));
    match bundled {
        Some(a) => (
            Mark::for_article(bundle, a),
            a.image.clone().or_else(|| item.image.clone()),
        ),
        None => (
            Mark::for_article(bundle, &stand_in(item)),
            item.image.clone(),
        ),
    }
}

/// The item as an article, for [`Mark::for_article`]: same provider
/// lookup, and a monogram coloured by the URL when there is no provider.
fn stand_in(item: &RelatedItem) -> Article {
    Article {
        id: item.url.clone(),
        title: item.title.clone(),
        excerpt: None,
        url: item.url.clone(),
        published: None,
        updated: None,
        kind: item.kind,
        topics: Vec::new(),
        provider: item.provider.clone(),
        image: None,
        video: None,
        heat: None,
        quality: None,
        related: Vec::new(),
    }
}

#[function_component(RelatedSlide)]
pub fn related_slide(props: &RelatedSlideProps) -> Html {
    let item = &props.item;
    let options = &props.options;
    let show = options.show;
    let (mark, image) = use_memo((props.bundle.clone(), item.clone()), |(bundle, item)| {
        appearance(&bundle.0, item)
    })
    .as_ref()
    .clone();
    let title = AttrValue::from(item.title.clone());

    let media = show.image.then(|| {
        html! {
            <div class="ac-rel-media">
                <HeroImage {image} mark={mark.clone()} related=true />
            </div>
        }
    });

    let link = is_safe_url(&item.url).then(|| {
        let on_select = props.on_select.clone();
        let selection = Selection {
            id: AttrValue::from(item.article.clone().unwrap_or_else(|| item.url.clone())),
            url: AttrValue::from(item.url.clone()),
        };
        // Reported, not intercepted, like the card's own link.
        let report = Callback::from(move |e: MouseEvent| {
            if e.type_() == "click" || e.button() == 1 {
                on_select.emit(selection.clone());
            }
        });
        html! {
            <a class="ac-rel-link" href={item.url.clone()} target={options.target.as_str()}
                rel={options.rel.clone()} onclick={report.clone()} onauxclick={report}>
                { title.clone() }
            </a>
        }
    });

    let provider = (show.provider && !mark.name.is_empty()).then(|| {
        html! {
            <span class="ac-provider" part="provider">
                <ProviderMark mark={mark.clone()} />
                <span class="ac-provider-name">{ mark.name.clone() }</span>
            </span>
        }
    });
    let date = item
        .published
        .as_deref()
        .and_then(|p| time::describe(p, props.now_ms, &props.locale))
        .map(|d| {
            html! {
                <time class="ac-date" part="date" datetime={d.datetime} title={d.absolute}>
                    { d.relative }
                </time>
            }
        });
    let is_video = item.kind == ArticleType::Video;
    let badge = is_video.then(|| html! { <span class="ac-badge" part="badge">{ "Video" }</span> });

    html! {
        <div class="ac-rel" data-type={if is_video { "video" } else { "article" }}>
            { media }
            // One level below the card's title (h6 stays h6).
            <@{heading_tag(options.heading_level.saturating_add(1))} class="ac-rel-title">
                { link.unwrap_or_else(|| html! { <span>{ title.clone() }</span> }) }
            </@>
            <div class="ac-meta ac-rel-meta">
                { provider }
                { badge }
                { date }
            </div>
        </div>
    }
}
