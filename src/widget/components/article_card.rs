//! One article as a card: media (image, placeholder or video facade),
//! provider and date, the linked title (the whole card is its click target),
//! a clamped excerpt and topic chips.

use std::rc::Rc;

use yew::prelude::*;

use crate::bundle::{ArticleType, Bundle};
use crate::safe_url::is_safe_url;
use crate::widget::components::{
    ByPtr, Carousel, HeroImage, Mark, ProviderMark, RelatedSlide, VideoFacade, class,
    related_placeholder,
};
use crate::widget::model::Selection;
use crate::widget::options::{Layout, Options};
use crate::widget::time;
use crate::youtube;

#[derive(Properties, Clone, PartialEq)]
pub struct ArticleCardProps {
    /// The bundle (compared by identity).
    pub bundle: ByPtr<Bundle>,
    /// Index into `bundle.articles`.
    pub index: usize,
    pub options: Rc<Options>,
    pub now_ms: f64,
    pub locale: AttrValue,
    pub on_select: Callback<Selection>,
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

#[function_component(ArticleCard)]
pub fn article_card(props: &ArticleCardProps) -> Html {
    let bundle = &props.bundle.0;
    let Some(article) = bundle.articles.get(props.index) else {
        return Html::default();
    };
    let options = &props.options;
    let show = options.show;
    let mark = Mark::for_article(bundle, article);
    let title = AttrValue::from(article.title.clone());
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
            Some(id) if options.layout != Layout::Compact => html! {
                <VideoFacade id={AttrValue::from(id.to_owned())} title={title.clone()}
                    image={article.image.clone()} mark={mark.clone()} />
            },
            _ => html! {
                <div class="ac-media">
                    <HeroImage image={article.image.clone()} mark={mark.clone()} />
                </div>
            },
        }
    };

    let provider = (show.provider && !mark.name.is_empty()).then(|| {
        html! {
            <span class="ac-provider" part="provider">
                <ProviderMark mark={mark.clone()} />
                <span class="ac-provider-name">{ mark.name.clone() }</span>
            </span>
        }
    });

    let date = article
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

    let badge = is_video.then(|| html! { <span class="ac-badge" part="badge">{ "Video" }</span> });

    let link = is_safe_url(&article.url).then(|| {
        let on_select = props.on_select.clone();
        let selection = Selection {
            id: AttrValue::from(article.id.clone()),
            url: AttrValue::from(article.url.clone()),
        };
        // Reported, not intercepted: the link still opens as usual. A
        // middle click (auxclick, button 1) opens it too.
        let report = Callback::from(move |e: MouseEvent| {
            if e.type_() == "click" || e.button() == 1 {
                on_select.emit(selection.clone());
            }
        });
        html! {
            <a class="ac-link" href={article.url.clone()} target={options.target.as_str()}
                rel={options.rel.clone()} onclick={report.clone()} onauxclick={report}>
                { title.clone() }
            </a>
        }
    });
    let heading = html! {
        <@{heading_tag(options.heading_level)} class="ac-title" part="title">
            { link.unwrap_or_else(|| html! { <span>{ title.clone() }</span> }) }
        </@>
    };

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
            .filter(|r| r.article.as_deref() != Some(article.id.as_str()))
            .take(options.related_limit)
            .map(|item| {
                html! {
                    <RelatedSlide bundle={props.bundle.clone()} item={item.clone()}
                        options={Rc::clone(options)} now_ms={props.now_ms}
                        locale={props.locale.clone()} on_select={props.on_select.clone()} />
                }
            })
            .collect();
        let per_page = if options.layout == Layout::List { 3 } else { 2 };
        if slides.is_empty() {
            related_placeholder(show.image, true)
        } else {
            // A group, not a landmark: one per card would flood the page's
            // landmarks with "Related articles".
            html! {
                <Carousel label="Related articles" landmark={false} caption="Related"
                    class="is-related" {per_page} {slides} />
            }
        }
    });

    let kind = if is_video { "video" } else { "article" };
    html! {
        <article class={class("ac-card", &[show.image.then_some("has-media")])} part="card"
            data-type={kind}>
            { media }
            <div class="ac-body">
                <div class="ac-meta">
                    { provider }
                    { badge }
                    { date }
                </div>
                { heading }
                { excerpt }
                { topics }
            </div>
            { related }
        </article>
    }
}
