//! What a card and a related slide share: the meta line (provider, video
//! badge, date) and the linked title. Plain functions rather than
//! components: they hold no state, and rendering them from one place keeps
//! one copy of their markup in the wasm instead of one per caller.

use yew::prelude::*;

use crate::components::{ImageEnv, Mark, heading_tag, provider_mark};
use crate::model::Selection;
use crate::options::Options;
use crate::time;
use bundle::safe_url::is_safe_url;

/// What the meta line shows.
pub struct MetaLine<'a> {
    /// In a related slide (`ac-rel-meta`), not a card.
    pub related: bool,
    /// The provider, shown when it has a name and `show_provider` is set.
    pub mark: &'a Mark,
    pub env: &'a ImageEnv,
    pub show_provider: bool,
    /// A "Video" badge.
    pub is_video: bool,
    /// RFC 3339 publication time (nothing is shown when it does not parse).
    pub published: Option<&'a str>,
    /// "Now" for the relative date; not finite when there is no clock to
    /// read it from (a prerender, `crate::prerender`): then the date is
    /// shown absolute, for the widget to make relative when it takes over.
    pub now_ms: f64,
    pub locale: &'a str,
}

/// The meta line: provider mark and name, video badge, relative date.
pub fn meta_line(m: &MetaLine<'_>) -> Html {
    let provider = (m.show_provider && !m.mark.name.is_empty()).then(|| {
        html! {
            <span class="ac-provider" part="provider">
                { provider_mark(m.mark, m.env, false) }
                <span class="ac-provider-name">{ m.mark.name.clone() }</span>
            </span>
        }
    });
    let badge = m
        .is_video
        .then(|| html! { <span class="ac-badge" part="badge">{ "Video" }</span> });
    let date = m
        .published
        .and_then(|p| time::describe(p, m.now_ms, m.locale))
        .map(|d| {
            // The widget always has a clock.
            #[cfg(target_arch = "wasm32")]
            let text = d.relative;
            #[cfg(not(target_arch = "wasm32"))]
            let text = if m.now_ms.is_finite() {
                d.relative
            } else {
                d.absolute.clone()
            };
            html! {
                <time class="ac-date" part="date" datetime={d.datetime} title={d.absolute}>
                    { text }
                </time>
            }
        });
    // Literal classes (see `components`): one `html!` per variant.
    let items = html! { <>{ provider }{ badge }{ date }</> };
    if m.related {
        html! { <div class="ac-meta ac-rel-meta">{ items }</div> }
    } else {
        html! { <div class="ac-meta">{ items }</div> }
    }
}

/// A heading of `level` holding the title: a link to `url` when it passes
/// the URL policy (opening it is reported to `on_select`, which answers
/// whether the link may be followed),
/// else plain text.
pub struct Title<'a> {
    pub level: u8,
    /// A related slide's title (`ac-rel-title`, `ac-rel-link`), not a
    /// card's (`ac-title` with `part="title"`, `ac-link`).
    pub related: bool,
    pub text: &'a AttrValue,
    pub url: &'a str,
    pub options: &'a Options,
    /// What `on_select` is told when the link is opened.
    pub selection: Selection,
    pub on_select: &'a Callback<Selection, bool>,
}

/// See [`Title`].
pub fn title(t: Title<'_>) -> Html {
    let inner = if is_safe_url(t.url) {
        let on_select = t.on_select.clone();
        let selection = t.selection;
        // A middle click (auxclick, button 1) opens the link too. The page
        // may cancel the select event (an app's router takes the click):
        // then the link is not followed.
        let report = Callback::from(move |e: MouseEvent| {
            if (e.type_() == "click" || e.button() == 1) && !on_select.emit(selection.clone()) {
                e.prevent_default();
            }
        });
        let (href, target, rel) = (
            t.url.to_owned(),
            t.options.target.as_str(),
            t.options.link_rel(),
        );
        if t.related {
            html! {
                <a class="ac-rel-link" {href} {target} {rel} onclick={report.clone()}
                    onauxclick={report}>{ t.text.clone() }</a>
            }
        } else {
            html! {
                <a class="ac-link" {href} {target} {rel} onclick={report.clone()}
                    onauxclick={report}>{ t.text.clone() }</a>
            }
        }
    } else {
        html! { <span>{ t.text.clone() }</span> }
    };
    let tag = heading_tag(t.level);
    if t.related {
        html! { <@{tag} class="ac-rel-title">{ inner }</@> }
    } else {
        html! { <@{tag} class="ac-title" part="title">{ inner }</@> }
    }
}
