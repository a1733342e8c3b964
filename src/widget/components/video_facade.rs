//! A click-to-play video: until the reader asks for it, nothing is
//! requested from YouTube (the thumbnail is the article's own image). On
//! click the facade becomes a privacy-enhanced (`youtube-nocookie.com`)
//! iframe built only from a re-validated id, and focus moves into it.

use yew::prelude::*;

use crate::bundle::Image;
use crate::widget::components::{HeroImage, ImageEnv, Mark};
use crate::youtube;

/// `https://www.youtube-nocookie.com/embed/<id>?autoplay=1`, or `None` for
/// an id that is not exactly 11 of `[A-Za-z0-9_-]`.
pub fn embed_src(id: &str) -> Option<String> {
    youtube::embed_url(id).map(|url| format!("{url}?autoplay=1"))
}

#[derive(Properties, PartialEq)]
pub struct VideoFacadeProps {
    /// The YouTube id from the bundle (validated again before use).
    pub id: AttrValue,
    /// The article's title: the button's label and the iframe's title.
    pub title: AttrValue,
    /// The article's image, shown as the poster.
    pub image: Option<Image>,
    pub mark: Mark,
    /// Where the widget's images come from.
    pub env: ImageEnv,
}

#[function_component(VideoFacade)]
pub fn video_facade(props: &VideoFacadeProps) -> Html {
    let playing = use_state(|| false);
    let frame = use_node_ref();
    {
        let frame = frame.clone();
        use_effect_with(*playing, move |playing| {
            // The button the reader pressed is gone: continue in the player.
            #[cfg(target_arch = "wasm32")]
            if *playing {
                use wasm_bindgen::JsCast;
                if let Some(el) = frame
                    .get()
                    .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (playing, frame);
        });
    }
    let poster = html! {
        <HeroImage image={props.image.clone()} mark={props.mark.clone()} env={props.env.clone()} />
    };
    let Some(src) = embed_src(&props.id) else {
        // Not a playable id: just the picture.
        return html! { <div class="ac-media">{ poster }</div> };
    };
    if *playing {
        html! {
            <div class="ac-media is-playing">
                <iframe ref={frame} class="ac-frame" {src} title={props.title.clone()}
                    allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture; fullscreen"
                    sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
                    referrerpolicy="strict-origin-when-cross-origin"
                    allowfullscreen=true loading="lazy"></iframe>
            </div>
        }
    } else {
        let onclick = {
            let playing = playing.clone();
            Callback::from(move |_: MouseEvent| playing.set(true))
        };
        html! {
            <div class="ac-media ac-video">
                { poster }
                <button type="button" class="ac-play" part="button" {onclick}>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                        <path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14z" />
                    </svg>
                    <span class="ac-sr">{ "Play video: " }{ props.title.clone() }</span>
                </button>
            </div>
        }
    }
}
