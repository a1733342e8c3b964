//! Placeholder cards while the bundle loads: the same boxes as real cards
//! (media, meta line, two title lines, the excerpt's lines, a row of
//! chips, the related-articles strip), so the widget takes its final
//! height at once and nothing jumps when articles arrive.

use yew::prelude::*;

use crate::options::{Layout, Options};

/// One shimmering line: a function, so its element is built by one copy
/// of the code rather than inline at each of its places.
fn bar() -> Html {
    html! { <span class="ac-bar"></span> }
}

/// The room of a card's related-articles strip: the strip's bar (caption,
/// buttons) and a row of slides (picture, two title lines, meta line), in
/// the real strip's classes, so that it has the same height at every width
/// (slides per page follow the same container queries).
///
/// Which cards have related articles is only known once the bundle has
/// arrived, so in the layouts that show strips (`related` on, all but
/// `compact`) every card reserves one: the skeleton's cards show it
/// (shimmering), and a loaded card without related articles keeps it,
/// invisible (`reserved`). No card grows when its strip arrives, and none
/// shrinks for lack of one; in the grid, a row's cards share the tallest
/// card's height anyway. Bundles have related articles by default
/// (`--related auto`), so an empty strip is the exception; a page whose
/// bundle has none sets `related` off, and then nothing is reserved.
pub fn related_placeholder(show_image: bool, reserved: bool) -> Html {
    let slide = |n: usize| {
        html! {
            <div class="ac-slide" key={n}>
                <div class="ac-rel">
                    if show_image {
                        <div class="ac-rel-media"><div class="ac-img ac-ph"></div></div>
                    }
                    <div class="ac-rel-title">{ bar() }<span class="ac-bar is-mid"></span></div>
                    <div class="ac-meta ac-rel-meta">{ bar() }</div>
                </div>
            </div>
        }
    };
    html! {
        <div class="ac-carousel ac-rel-ph" data-kind="related"
            data-reserved={reserved.then_some("")} aria-hidden="true">
            <div class="ac-carousel-bar">
                <span class="ac-bar is-caption"></span>
                <div class="ac-controls"><span class="ac-cbtn"></span><span class="ac-cbtn"></span></div>
            </div>
            // Up to four slides show at once; an invisible one holds the
            // height alone.
            <div class="ac-track">{ for (0..if reserved { 1 } else { 4 }).map(slide) }</div>
        </div>
    }
}

/// The loading list: `limit` placeholder cards for `o`'s layout and `show`
/// flags. A plain function, not a component: it has no state, and its
/// parent only re-renders it when the options change anyway.
pub fn skeleton(o: &Options) -> Html {
    let lines = if o.excerpt_lines == 0 {
        3
    } else {
        o.excerpt_lines
    };
    let related = o.related && o.layout != Layout::Compact;
    let card = |n: usize| {
        html! {
            <li class="ac-item" key={n}>
                <div class="ac-card ac-skel" part="card">
                    if o.show.image {
                        <div class="ac-media"><div class="ac-img ac-ph"></div></div>
                    }
                    <div class="ac-body">
                        <div class="ac-meta"><span class="ac-bar is-short"></span></div>
                        <div class="ac-title">{ bar() }<span class="ac-bar is-mid"></span></div>
                        if o.show.excerpt {
                            <div class="ac-excerpt" data-lines={lines.to_string()}>
                                { for (0..lines).map(|_| bar()) }
                            </div>
                        }
                        if o.show.topics {
                            <div class="ac-topics">{ bar() }{ bar() }</div>
                        }
                    </div>
                    if related {
                        { related_placeholder(o.show.image, false) }
                    }
                </div>
            </li>
        }
    };
    html! {
        <ul class="ac-list" role="list" aria-hidden="true">
            { for (0..o.limit).map(card) }
        </ul>
    }
}
