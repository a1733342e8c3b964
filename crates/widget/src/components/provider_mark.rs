//! A provider's logo, or, when there is none or it fails to load, a
//! monogram tile: the provider's initials on one of ten colours picked by
//! hashing its domain (`data-hue="0"` … `"9"`; no inline styles).
//!
//! A cached logo (`--cache-images` writes it at 1× and 2× of the largest
//! mark) gets a `srcset` of its JPEG/PNG copies with `w` descriptors and a
//! `sizes` of the mark's box, so the 20 px mark beside the provider name
//! takes the small copy even on a 2× screen, and only the 64 px mark that
//! stands in for a missing hero image takes the large one there.

use yew::prelude::*;

use crate::case;
use crate::components::{ImageEnv, srcset};
use bundle::safe_url::is_safe_url;
use bundle::{Article, Bundle, Image};

/// Number of monogram colours in the stylesheet (`data-hue`).
pub const HUES: u32 = 10;

/// What a provider looks like: derived once per card.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Display name ("" when the article has no known provider).
    pub name: AttrValue,
    /// One or two letters for the monogram.
    pub initials: AttrValue,
    /// `0` … `9`: the tile's colour (`data-hue`).
    pub hue: AttrValue,
    /// A logo that passed the URL policy.
    pub logo: Option<Logo>,
}

/// A provider's logo, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub src: AttrValue,
    /// `srcset` of the cached copies (`w` descriptors); `None` without.
    pub srcset: Option<AttrValue>,
    pub width: u32,
    pub height: u32,
}

impl Mark {
    /// The mark of an article's provider; without one, a monogram of the
    /// title coloured by the article id.
    pub fn for_article(bundle: &Bundle, article: &Article) -> Mark {
        Mark::of(
            bundle,
            article.provider.as_deref(),
            &article.title,
            &article.id,
        )
    }

    /// The mark of the provider under key `provider`; without one, the
    /// initial of `title` on a colour derived from `seed`.
    pub fn of(bundle: &Bundle, provider: Option<&str>, title: &str, seed: &str) -> Mark {
        match provider.and_then(|key| bundle.providers.get(key)) {
            Some(p) => {
                let seed = case::to_lowercase(
                    p.domain
                        .as_deref()
                        .filter(|d| !d.trim().is_empty())
                        .unwrap_or(&p.name),
                );
                Mark {
                    name: AttrValue::from(p.name.clone()),
                    initials: AttrValue::from(initials(&p.name)),
                    hue: hue(&seed),
                    logo: p.logo.as_ref().and_then(logo),
                }
            }
            None => Mark {
                name: AttrValue::Static(""),
                initials: AttrValue::from(initials(title).chars().take(1).collect::<String>()),
                hue: hue(seed),
                logo: None,
            },
        }
    }
}

fn logo(image: &Image) -> Option<Logo> {
    if !is_safe_url(&image.src) {
        return None;
    }
    // The WebP copies are left out: an `<img>` has no type fallback.
    let srcset = image
        .variants
        .iter()
        .find(|v| v.mime != "image/webp")
        .map(|v| srcset(&image.variants, &v.mime))
        .filter(|s| !s.is_empty())
        .map(AttrValue::from);
    // Logos are square in practice; the attributes only give the ratio.
    let width = image.width.unwrap_or(64);
    Some(Logo {
        src: AttrValue::from(image.src.clone()),
        srcset,
        width,
        height: image.height.unwrap_or(width),
    })
}

/// Up to two initials: the first letters of the first two words, skipping a
/// leading article ("The Harbour Gazette" → "HG").
pub fn initials(name: &str) -> String {
    const SKIP: [&str; 8] = ["the", "a", "an", "le", "la", "les", "el", "die"];
    let words: Vec<&str> = name
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    let words = match words.split_first() {
        Some((first, rest))
            if !rest.is_empty() && SKIP.iter().any(|s| first.eq_ignore_ascii_case(s)) =>
        {
            rest
        }
        _ => words.as_slice(),
    };
    let firsts: String = words
        .iter()
        .take(2)
        .filter_map(|w| w.chars().next())
        .collect();
    let letters = case::to_uppercase(&firsts);
    if letters.is_empty() {
        "•".into()
    } else {
        letters
    }
}

/// Whether `c` can be part of a word of a name: ASCII letters and digits,
/// and any other character outside the blocks of punctuation, symbols and
/// emoji. Close to `char::is_alphanumeric` for names, without its Unicode
/// tables, which the wasm would carry for two initials (see docs/size.md).
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !matches!(c,
        // Latin-1 punctuation and symbols (« » ¿ © …), × and ÷
        '\u{80}'..='\u{BF}' | '\u{D7}' | '\u{F7}'
        // general punctuation, currency, letterlike, arrows, maths,
        // technical, box drawing, shapes, dingbats
        | '\u{2000}'..='\u{2BFF}'
        // CJK punctuation; variation selectors, vertical and small forms;
        // full-width punctuation
        | '\u{3000}'..='\u{303F}'
        | '\u{FE00}'..='\u{FE6F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
        // emoji and pictographs
        | '\u{1F000}'..='\u{1FAFF}'
    )
}

/// FNV-1a of the seed into one of [`HUES`] colours, as `data-hue`'s value.
pub fn hue(seed: &str) -> AttrValue {
    let hash = seed.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    AttrValue::from((hash % HUES).to_string())
}

/// Logo `<img>` (decorative: the name is next to it) or monogram tile;
/// `large` fills a missing hero image. A plain function, not a component:
/// a logo that failed is in [`ImageEnv::failed`](crate::components::ImageEnv),
/// so a new logo gets its own chance.
pub fn provider_mark(mark: &Mark, env: &ImageEnv, large: bool) -> Html {
    // The box sizes in the stylesheet (some layouts make them smaller).
    let (large, sizes) = if large {
        (Some(""), "64px")
    } else {
        (None, "20px")
    };
    match &mark.logo {
        Some(logo) if !env.has_failed(&logo.src) => {
            let onerror = env.onerror(&logo.src);
            let sizes = logo.srcset.is_some().then_some(sizes);
            html! {
                <img class="ac-mark ac-logo" data-large={large} part="provider-logo" src={logo.src.clone()}
                    srcset={logo.srcset.clone()} {sizes} width={logo.width.to_string()}
                    height={logo.height.to_string()} alt="" loading="lazy" decoding="async"
                    referrerpolicy={env.referrer_policy(&logo.src)} {onerror} />
            }
        }
        _ => html! {
            <span class="ac-mark ac-mono" data-large={large} data-hue={mark.hue.clone()} part="provider-logo"
                aria-hidden="true">{ mark.initials.clone() }</span>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_hues() {
        assert_eq!(initials("The Harbour Gazette"), "HG");
        assert_eq!(initials("Daily Ping"), "DP");
        assert_eq!(initials("reuters"), "R");
        assert_eq!(initials("The"), "T");
        assert_eq!(initials("élan vital"), "ÉV");
        assert_eq!(initials("--"), "•");
        // Punctuation and symbols of other scripts separate words too.
        assert_eq!(initials("«Le Monde» diplomatique"), "MD");
        assert_eq!(initials("Día — Noticias"), "DN");
        assert_eq!(initials("東京 · 新聞"), "東新");
        assert_eq!(initials("📰 Ping"), "P");
        assert_eq!(initials("Αθήνα Νέα"), "ΑΝ");
        assert_eq!(hue("harbourgazette.example"), hue("harbourgazette.example"));
        for seed in ["", "a", "b", "news.example", "ü"] {
            let n: u32 = hue(seed).parse().unwrap();
            assert!(n < HUES);
        }
    }
}
