//! A click-to-play video: until the reader asks for it, nothing is
//! requested from YouTube (the thumbnail is the article's own image). On
//! click the facade becomes a privacy-enhanced (`youtube-nocookie.com`)
//! iframe built only from a re-validated id, and the view moves focus into
//! it.
//!
//! A plain function, not a component (each component costs the wasm its
//! own lifecycle code; see docs/size.md): which video is playing is the view's state (see
//! [`use_view`](crate::components::use_view)), one at a time, so
//! starting another video stops the first instead of playing both aloud.

use yew::prelude::*;

use crate::components::{HeroImage, ImageEnv, Mark, hero_image};
use crate::options::Options;
use bundle::Image;
#[cfg(not(target_arch = "wasm32"))]
use bundle::safe_url::is_safe_url;
use bundle::youtube;

/// `https://www.youtube-nocookie.com/embed/<id>?autoplay=1`, or `None` for
/// an id that is not exactly 11 of `[A-Za-z0-9_-]`.
pub fn embed_src(id: &str) -> Option<String> {
    youtube::embed_url(id).map(|url| format!("{url}?autoplay=1"))
}

/// What a facade is rendered from.
pub struct VideoFacade<'a> {
    /// The YouTube id from the bundle (validated again before use).
    pub id: &'a str,
    /// The article's title: the button's label and the iframe's title.
    pub title: &'a AttrValue,
    /// The article's image, shown as the poster.
    pub image: &'a Option<Image>,
    pub mark: &'a Mark,
    /// Where the widget's images come from.
    pub env: &'a ImageEnv,
    /// The reader has pressed Play: show the player.
    pub playing: bool,
    /// Pressing Play: the view then shows this video's player.
    pub on_play: Callback<MouseEvent>,
    /// Markup for readers without script (a prerender): the video's page,
    /// which the Play control links to instead of being a button that
    /// needs the widget (see [`page_link`]); the link's `target` and `rel`
    /// come from `options`.
    pub page: Option<(&'a str, &'a Options)>,
}

/// See [`VideoFacade`].
pub fn video_facade(v: &VideoFacade<'_>) -> Html {
    let poster = hero_image(&HeroImage {
        image: v.image.as_ref(),
        mark: v.mark,
        env: v.env,
        related: false,
    });
    let Some(src) = embed_src(v.id) else {
        // Not a playable id: just the picture.
        return html! { <div class="ac-media">{ poster }</div> };
    };
    #[cfg(not(target_arch = "wasm32"))]
    if let Some((href, options)) = v.page.filter(|(href, _)| is_safe_url(href))
        && !v.playing
    {
        return page_link(href, options, poster, v.title);
    }
    #[cfg(target_arch = "wasm32")]
    let _ = v.page;
    if v.playing {
        html! {
            <div class="ac-media is-playing">
                <iframe class="ac-frame" {src} title={v.title.clone()}
                    allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture; fullscreen"
                    sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
                    referrerpolicy="strict-origin-when-cross-origin"
                    allowfullscreen=true loading="lazy"></iframe>
            </div>
        }
    } else {
        html! {
            <div class="ac-media ac-video">
                { poster }
                <button type="button" class="ac-play" part="button" onclick={v.on_play.clone()}>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                        <path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14z" />
                    </svg>
                    <span class="ac-sr">{ "Play video: " }{ v.title.clone() }</span>
                </button>
            </div>
        }
    }
}

/// The facade for readers without script: the Play control is a link to
/// the video's page, in the same box as the button (`.ac-play`), so the
/// widget's button takes its place without a shift. Native only: the
/// widget never renders it.
#[cfg(not(target_arch = "wasm32"))]
fn page_link(href: &str, options: &Options, poster: Html, title: &AttrValue) -> Html {
    html! {
        <div class="ac-media ac-video">
            { poster }
            <a class="ac-play" part="button" href={href.to_owned()}
                target={options.target.as_str()} rel={options.link_rel()}>
                <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                    <path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14z" />
                </svg>
                <span class="ac-sr">{ "Watch video: " }{ title.clone() }</span>
            </a>
        </div>
    }
}
