//! The widget's markup: the view (a hook), the carousel (a component) and
//! plain functions for the rest. All are pure functions of their inputs
//! plus small UI state that the view and the carousel keep (pages shown,
//! failed images, the playing video; the carousel's position), so they
//! render the same natively (Yew SSR, in `tests/ssr.rs`) and in the
//! browser. Bundle text is only ever rendered as text, and every URL is
//! checked again with [`bundle::safe_url::is_safe_url`] right where it
//! becomes an `href` or `src`.
//!
//! Classes are always string literals in `html!`; what varies (`data-media`,
//! `data-hue`, `data-ph`, `data-large`, `data-kind`, `data-reserved`) is a
//! data attribute. Yew passes every non-literal `class={…}` through its
//! `Classes` set, an `IndexSet` whose hashing and splitting code the wasm
//! would carry for what is a string (docs/size.md has the measurement).

mod article_card;
mod carousel;
mod effect;
mod hero_image;
mod meta;
mod provider_mark;
mod related_slide;
mod skeleton;
mod video_facade;
mod view;

use std::rc::Rc;

pub use article_card::{ArticleCard, article_card, heading_tag};
pub use carousel::{Carousel, CarouselProps, announcement};
pub use effect::{Cleanup, EffectKey, text_key, use_keyed_effect};
pub use hero_image::{
    HeroImage, ImageEnv, PLACEHOLDER_SHADES, hero_image, placeholder_shade, sizes_for, srcset,
};
pub use meta::{MetaLine, Title, meta_line, title};
pub use provider_mark::{Mark, provider_mark};
pub use related_slide::{RelatedSlide, appearance, related_slide};
pub use skeleton::{related_placeholder, skeleton};
pub use video_facade::{VideoFacade, embed_src, video_facade};
pub use view::{AccessibleName, Failed, Playing, View, ViewProps, derived_name, use_view};

/// The widget's one stylesheet (`style.css`, minified by `build.rs`); the
/// edge adopts it into each shadow root.
pub const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

/// An `Rc` compared by identity: for props and memo keys that hold the
/// (possibly large) bundle or a list of slides, where a deep comparison on
/// every render would cost as much as rendering. Equal values are the same
/// allocation, so the comparison is reflexive, symmetric and transitive.
#[derive(Debug)]
pub struct ByPtr<T: ?Sized>(pub Rc<T>);

impl<T: ?Sized> Clone for ByPtr<T> {
    fn clone(&self) -> Self {
        ByPtr(Rc::clone(&self.0))
    }
}

impl<T: ?Sized> PartialEq for ByPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> From<Vec<T>> for ByPtr<[T]> {
    fn from(items: Vec<T>) -> Self {
        ByPtr(Rc::from(items))
    }
}
