//! A card's hero image. Decorative (`alt=""`): it illustrates the linked
//! title right next to it, so describing it again would only make screen
//! readers say the headline twice; the bundle has no real image
//! descriptions to offer. Missing, unsafe or failing images become a
//! placeholder panel with the provider's logo or monogram, in the same box,
//! so the grid keeps its rhythm.
//!
//! A cached image (`article-cards bundle --cache-images`) is a `<picture>`:
//! a WebP `<source>` and an `<img>` with the JPEG/PNG fallback, both with a
//! `srcset` of the variants and a `sizes` fitting the layout
//! ([`sizes_for`]). When an image fails the next one is tried: the cached
//! copy, then the publisher's `original` (decoding has already removed it
//! under `images: "cached-only"` when it is on another origin), then the
//! provider's logo, then its monogram ([`provider_mark`] does the last step).
//!
//! The placeholder colour is painted while the image loads without any
//! `style` attribute (the widget runs under a strict CSP): the `#rrggbb`
//! is quantised to one of [`PLACEHOLDER_SHADES`] shades (`data-ph="0"` …
//! `"15"`, four greys and six hues × dark/light, see [`placeholder_shade`])
//! whose `background-color` is in the stylesheet. Sixteen colours are
//! plenty for the second or so before a photo arrives, and an attribute
//! costs no DOM work at the edge.
//!
//! Images from another origin than the bundle's get
//! `referrerpolicy="no-referrer"`: the reader's page is nobody's business.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::{Failed, Mark, provider_mark};
use crate::decode::is_hex_colour;
use crate::options::Layout;
use crate::url::same_origin;
use bundle::safe_url::{is_absolute_http, is_safe_url};
use bundle::{Image, ImageVariant};

/// What images need to know about where they are, and which have failed:
/// made by the view ([`use_view`](crate::components::use_view))
/// and handed down (a Yew context would cost its provider component and
/// hook in the wasm; see docs/size.md).
#[derive(Debug, Clone, Default)]
pub struct ImageEnv {
    /// The URL the bundle was loaded from (after redirects); `None`:
    /// unknown, every absolute image URL then counts as another origin.
    pub bundle_url: Option<AttrValue>,
    pub layout: Layout,
    /// The image URLs that failed to load in this widget (a hero image's
    /// `src` or `original`, a logo's `src`): each is skipped for the next
    /// fallback wherever it appears.
    pub failed: Rc<RefCell<Failed>>,
    /// Told an image's URL when it fails to load: adds it to `failed` and
    /// renders the view again.
    pub on_failed: Callback<AttrValue>,
}

impl ImageEnv {
    /// `url` has failed to load before.
    pub fn has_failed(&self, url: &str) -> bool {
        self.failed.borrow().urls.iter().any(|f| f == url)
    }

    /// The `onerror` of an image loaded from `url`.
    pub fn onerror(&self, url: &str) -> Callback<Event> {
        let url = AttrValue::from(url.to_owned());
        self.on_failed.reform(move |_: Event| url.clone())
    }

    /// `url` is on another origin than the bundle (relative URLs are not).
    pub fn is_foreign(&self, url: &str) -> bool {
        is_absolute_http(url)
            && !self
                .bundle_url
                .as_deref()
                .is_some_and(|b| same_origin(b, url))
    }

    /// `Some("no-referrer")` for an image on another origin.
    pub fn referrer_policy(&self, url: &str) -> Option<AttrValue> {
        self.is_foreign(url)
            .then_some(AttrValue::Static("no-referrer"))
    }
}

/// Number of placeholder shades in the stylesheet.
pub const PLACEHOLDER_SHADES: u32 = 16;

/// The shade nearest to a `#rrggbb` colour, as `data-ph`'s value: `0` …
/// `3` greys by lightness when the colour is nearly grey, else `4` + 2 ×
/// hue sextant (red, yellow, green, cyan, blue, magenta) + 1 when light.
pub fn placeholder_shade(colour: &str) -> Option<AttrValue> {
    if !is_hex_colour(colour) {
        return None;
    }
    let hex = colour.get(1..)?;
    let value = u32::from_str_radix(hex, 16).ok()?;
    let (r, g, b) = (
        i32::try_from((value >> 16) & 0xff).ok()?,
        i32::try_from((value >> 8) & 0xff).ok()?,
        i32::try_from(value & 0xff).ok()?,
    );
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    let lightness = max + min; // 0 ..= 510
    let n = if chroma < 24 {
        // 0 ..= 3 by lightness.
        (lightness * 4 / 511).clamp(0, 3)
    } else {
        // Hue in sixths of a turn (×60 to stay in integers), centred on
        // the primaries and secondaries.
        let h60 = if max == r {
            (g - b) * 60 / chroma
        } else if max == g {
            120 + (b - r) * 60 / chroma
        } else {
            240 + (r - g) * 60 / chroma
        };
        let sextant = ((h60 + 360 + 30) / 60) % 6;
        4 + sextant * 2 + i32::from(lightness > 255)
    };
    Some(AttrValue::from(n.to_string()))
}

/// The `sizes` of a hero image: its rendered CSS width in each layout.
/// Grid and carousel cards are at most about 340 px wide from 700 px up
/// (full width below), list thumbnails at most 260 px (34 % of the card,
/// which is the page's width at most), and a list card narrower than
/// 480 px shows its picture across the whole card (phones), compact
/// thumbnails 64 px, related slides about 200 px (half the width on
/// phones). `sizes` can only ask about the viewport while the cards lay
/// out by their own width (container queries): these assume a widget
/// about as wide as the page, and err larger.
pub fn sizes_for(layout: Layout, related: bool) -> &'static str {
    if related {
        return "(min-width: 700px) 200px, 50vw";
    }
    match layout {
        Layout::Grid | Layout::Carousel => "(min-width: 700px) 340px, 100vw",
        Layout::List => "(min-width: 700px) 260px, (min-width: 480px) 34vw, 100vw",
        Layout::Compact => "64px",
    }
}

/// A `srcset` of the variants of one type; variants whose URL could break
/// the list (whitespace, commas) or is unsafe are left out.
pub fn srcset(variants: &[ImageVariant], mime: &str) -> String {
    variants
        .iter()
        .filter(|v| v.mime == mime)
        .filter(|v| is_safe_url(&v.src) && !v.src.contains(|c: char| c == ',' || c.is_whitespace()))
        .map(|v| format!("{} {}w", v.src, v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a hero image is rendered from.
pub struct HeroImage<'a> {
    /// The article's image, if any (checked again here).
    pub image: Option<&'a Image>,
    /// Fallback when there is no usable image.
    pub mark: &'a Mark,
    /// Where the widget's images come from, and which have failed.
    pub env: &'a ImageEnv,
    /// In a related slide (smaller `sizes`).
    pub related: bool,
}

/// The sources an image is tried from, in order.
enum Try<'a> {
    /// `src` with its variants (a plain `<img>` when there are none).
    Primary(&'a Image),
    /// The publisher's URL of a cached image.
    Original(&'a str),
}

impl Try<'_> {
    /// What a failure of this try is recorded under.
    fn url(&self) -> &str {
        match self {
            Try::Primary(img) => &img.src,
            Try::Original(src) => src,
        }
    }
}

/// The first of the image's sources that has not failed, else the
/// provider's mark. A plain function, not a component: which images failed
/// is the view's state (see [`ImageEnv::failed`]).
pub fn hero_image(h: &HeroImage<'_>) -> Html {
    let env = h.env;
    let primary = h
        .image
        .filter(|img| is_safe_url(&img.src))
        .map(Try::Primary);
    let original = h
        .image
        .and_then(|img| img.original.as_deref())
        .filter(|o| is_safe_url(o))
        .map(Try::Original);
    let attempt = [primary, original]
        .into_iter()
        .flatten()
        .find(|t| !env.has_failed(t.url()));
    let Some((attempt, img)) = attempt.zip(h.image) else {
        return html! {
            <div class="ac-img ac-ph" data-hue={h.mark.hue.clone()} part="image">
                { provider_mark(h.mark, env, true) }
            </div>
        };
    };
    let onerror = env.onerror(attempt.url());
    // Both sizes or neither: one alone would distort the ratio.
    let (width, height) = match (img.width, img.height) {
        (Some(w), Some(h)) => (Some(w.to_string()), Some(h.to_string())),
        _ => (None, None),
    };
    let shade = img.placeholder.as_deref().and_then(placeholder_shade);
    match attempt {
        Try::Primary(img) if !img.variants.is_empty() => {
            let sizes = sizes_for(env.layout, h.related);
            let webp = srcset(&img.variants, "image/webp");
            let fallback_mime = img
                .variants
                .iter()
                .map(|v| v.mime.as_str())
                .find(|m| *m != "image/webp")
                .unwrap_or("image/jpeg");
            let fallback = srcset(&img.variants, fallback_mime);
            let source = (!webp.is_empty()).then(|| {
                html! { <source type="image/webp" srcset={webp} {sizes} /> }
            });
            let (fallback, img_sizes) = if fallback.is_empty() {
                (None, None)
            } else {
                (Some(fallback), Some(sizes))
            };
            html! {
                <picture class="ac-pic">
                    { source }
                    <img class="ac-img" data-ph={shade} part="image" src={img.src.clone()} srcset={fallback}
                        sizes={img_sizes} {width} {height} alt="" loading="lazy"
                        decoding="async" referrerpolicy={env.referrer_policy(&img.src)}
                        {onerror} />
                </picture>
            }
        }
        Try::Primary(img) => html! {
            <img class="ac-img" data-ph={shade} part="image" src={img.src.clone()} {width} {height} alt=""
                loading="lazy" decoding="async" referrerpolicy={env.referrer_policy(&img.src)}
                {onerror} />
        },
        Try::Original(src) => html! {
            <img class="ac-img" data-ph={shade} part="image" src={(*src).to_owned()} {width} {height} alt=""
                loading="lazy" decoding="async" referrerpolicy={env.referrer_policy(src)}
                {onerror} />
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_shades() {
        let shade = |c: &str| placeholder_shade(c).map(|a| a.to_string());
        assert_eq!(shade("#000000").as_deref(), Some("0"));
        assert_eq!(shade("#ffffff").as_deref(), Some("3"));
        assert_eq!(shade("#808080").as_deref(), Some("2"));
        assert_eq!(shade("#800000").as_deref(), Some("4"), "dark red");
        assert_eq!(shade("#ff8080").as_deref(), Some("5"), "light red");
        assert_eq!(shade("#2040c0").as_deref(), Some("12"), "dark blue");
        assert_eq!(shade("#ff00ff").as_deref(), Some("14"), "magenta at L=0.5");
        assert_eq!(shade("#fe0010").as_deref(), Some("4"), "red wraps around");
        assert_eq!(shade("red"), None);
        assert_eq!(shade("#12345"), None);
        for v in 0..=255u32 {
            let c = format!("#{:02x}{:02x}{:02x}", v, (v * 7) % 256, 255 - v);
            let n: u32 = shade(&c).unwrap().parse().unwrap();
            assert!(n < PLACEHOLDER_SHADES);
        }
    }

    #[test]
    fn foreign_images() {
        let env = ImageEnv {
            bundle_url: Some("https://site.example/news/bundle.json".into()),
            layout: Layout::Grid,
            ..ImageEnv::default()
        };
        assert!(!env.is_foreign("https://site.example/cache/a.jpg"));
        assert!(!env.is_foreign("cache/a.jpg"));
        assert!(env.is_foreign("https://img.example/a.jpg"));
        assert!(ImageEnv::default().is_foreign("https://site.example/a.jpg"));
        assert_eq!(
            env.referrer_policy("https://img.example/a.jpg").as_deref(),
            Some("no-referrer")
        );
    }

    #[test]
    fn srcsets_skip_breaking_urls() {
        let v = |src: &str, w: u32, mime: &str| ImageVariant {
            src: src.into(),
            width: w,
            height: w / 2,
            mime: mime.into(),
        };
        let variants = [
            v("c/a-320w.webp", 320, "image/webp"),
            v("c/a-320w.jpg", 320, "image/jpeg"),
            v("c/a,b.jpg", 480, "image/jpeg"),
            v("javascript:x", 560, "image/jpeg"),
            v("c/a-640w.jpg", 640, "image/jpeg"),
        ];
        assert_eq!(srcset(&variants, "image/webp"), "c/a-320w.webp 320w");
        assert_eq!(
            srcset(&variants, "image/jpeg"),
            "c/a-320w.jpg 320w, c/a-640w.jpg 640w"
        );
    }
}
