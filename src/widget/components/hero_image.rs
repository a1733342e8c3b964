//! A card's hero image. Decorative (`alt=""`): it illustrates the linked
//! title right next to it, so describing it again would only make screen
//! readers say the headline twice; the bundle has no real image
//! descriptions to offer. Missing, unsafe or failing images become a
//! placeholder panel with the provider's logo or monogram, in the same box,
//! so the grid keeps its rhythm.

use yew::prelude::*;

use crate::bundle::Image;
use crate::safe_url::is_safe_url;
use crate::widget::components::{Mark, ProviderMark};

#[derive(Properties, PartialEq)]
pub struct HeroImageProps {
    /// The article's image, if any (checked again here).
    pub image: Option<Image>,
    /// Fallback when there is no usable image.
    pub mark: Mark,
}

#[function_component(HeroImage)]
pub fn hero_image(props: &HeroImageProps) -> Html {
    let failed = use_state(|| None::<String>);
    let usable = props
        .image
        .as_ref()
        .filter(|img| is_safe_url(&img.src) && failed.as_deref() != Some(img.src.as_str()));
    match usable {
        Some(img) => {
            let onerror = {
                let failed = failed.clone();
                let src = img.src.clone();
                Callback::from(move |_: Event| failed.set(Some(src.clone())))
            };
            // Both sizes or neither: one alone would distort the ratio.
            let (width, height) = match (img.width, img.height) {
                (Some(w), Some(h)) => (Some(w.to_string()), Some(h.to_string())),
                _ => (None, None),
            };
            html! {
                <img class="ac-img" part="image" src={img.src.clone()} {width} {height} alt=""
                    loading="lazy" decoding="async" {onerror} />
            }
        }
        None => html! {
            <div class={classes!("ac-img", "ac-ph", props.mark.hue.clone())} part="image">
                <ProviderMark mark={props.mark.clone()} large=true />
            </div>
        },
    }
}
