//! The view of a widget: one of loading (skeleton), failed (message +
//! Retry), empty, or the cards with "Load more" (a last good copy with an
//! "offline copy" note and Retry first). It is a hook, [`use_view`], that
//! the widget's root calls with the load's outcome; [`View`] wraps it as a
//! component for the tests. The view keeps, in its own reducer
//! ([`ViewState`]), how many pages are shown (which starts over when the
//! bundle or the options that select articles change), which video is
//! playing (while its card is shown), where focus goes next, and which
//! images failed.
//!
//! A version 2 chain ([`ChainView`]) grows as its pages arrive: "Load more"
//! shows the next page of cards and, when the pages read do not fill it,
//! asks the root for older ones (the button says when that failed, and
//! tries again).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::{
    ArticleCard, ByPtr, Carousel, ImageEnv, article_card, skeleton, use_keyed_effect,
};
use crate::model::{ChainView, LoadState, Selection};
use crate::options::{Layout, Options, Sort};
use crate::select;
use bundle::text::truncate_chars;
use bundle::{ArticleType, Bundle};

#[derive(Properties, Clone, PartialEq)]
pub struct ViewProps {
    /// What the edge has loaded.
    pub state: LoadState,
    /// Resolved options.
    pub options: Rc<Options>,
    /// "Now" for relative dates, in ms since the epoch (fixed in tests).
    pub now_ms: f64,
    /// Locale for dates, already resolved by the edge (option, page lang, browser).
    pub locale: AttrValue,
    pub on_retry: Callback<()>,
    pub on_select: Callback<Selection, bool>,
    /// The URL the bundle was loaded from (after redirects): images on
    /// other origins get `referrerpolicy="no-referrer"`.
    #[prop_or_default]
    pub bundle_url: Option<AttrValue>,
}

/// Longest derived accessible name, in characters.
const NAME_MAX_CHARS: usize = 80;

/// The widget's accessible name, and whether the widget is a landmark.
///
/// - With a `label` from the host page, the widget is a landmark named by
///   it: a region (`<section aria-label>`), or in the carousel layout the
///   carousel's region. The page's author knows what each widget is about
///   and can keep the names unique, which is what makes a landmark useful.
/// - Without one, the widget is not a landmark. Several unnamed widgets
///   would otherwise give screen reader users a landmark list of identical
///   "Articles" regions to tell apart (axe's `landmark-unique`), and a name
///   derived from the filters cannot be unique either (two widgets with
///   the same filters, or none). The cards are still found by their
///   headings and their list, which is named from the content instead
///   ("Articles: Privacy, Space", "Videos"; see [`derived_name`]): names of
///   lists and groups need not be unique, and this one says which articles
///   the list holds. The carousel layout keeps the WAI-ARIA carousel
///   semantics as a named `group` with `aria-roledescription="carousel"`,
///   which the pattern allows in place of a region.
pub struct AccessibleName {
    pub text: AttrValue,
    pub landmark: bool,
}

impl AccessibleName {
    pub fn of(options: &Options) -> Self {
        match &options.label {
            Some(label) => AccessibleName {
                text: label.clone(),
                landmark: true,
            },
            None => AccessibleName {
                text: AttrValue::from(derived_name(options)),
                landmark: false,
            },
        }
    }
}

/// A name for an unlabelled widget from what it shows: "Articles" (or
/// "Videos" when only videos are shown), then the topic and provider
/// filters ("Articles: Privacy, Space"), at most [`NAME_MAX_CHARS`] long.
pub fn derived_name(options: &Options) -> String {
    let noun = if matches!(*options.types, [ArticleType::Video]) {
        "Videos"
    } else {
        "Articles"
    };
    let mut name = noun.to_owned();
    let mut separator = ": ";
    for filter in options.topics.iter().chain(options.providers.iter()) {
        name.push_str(separator);
        name.push_str(filter);
        separator = ", ";
    }
    truncate_chars(&name, NAME_MAX_CHARS).0
}

/// What the order belongs to: another bundle, or options that select or
/// order other articles or page them otherwise, select again. The options
/// that only change how cards look (theme, layout, locale, `show`, …) keep
/// the order and the pages shown, and compare less code.
#[derive(Clone, PartialEq)]
pub struct OrderKey {
    bundle: Option<ByPtr<Bundle>>,
    selecting: Selecting,
}

/// What the view's article indices count: a bundle (by identity), or a
/// version 2 chain (by the load that reads it: it grows by appending, so
/// an index keeps naming the same article).
#[derive(Clone, PartialEq)]
pub enum Source {
    Bundle(ByPtr<Bundle>),
    Chain(u32),
}

/// What the page count belongs to: another source, or options that select
/// other articles, start over at one page.
#[derive(Clone, PartialEq)]
pub struct PagingKey {
    source: Option<Source>,
    selecting: Selecting,
}

/// The options [`select::select`] and the paging read.
#[derive(Clone, PartialEq)]
pub struct Selecting {
    topics: Rc<[AttrValue]>,
    providers: Rc<[AttrValue]>,
    types: Rc<[ArticleType]>,
    sort: Sort,
    limit: usize,
}

/// The articles selected for a key, as indices in display order: a cache
/// of [`select::select`], the one cell the view changes while rendering
/// (see [`OrderCache::get`]).
#[derive(Default)]
struct OrderCache {
    key: Option<OrderKey>,
    order: Rc<[usize]>,
}

impl OrderCache {
    /// The order for `key`, selected again only when the key changed.
    ///
    /// This is the view's one change of state while rendering, and a
    /// lawful one: the cache holds a pure function of its key, so a render
    /// reads the same order whether or not the cache was filled before,
    /// and no render is asked for. It spares the sort on renders that do
    /// not change what is selected (a page more, a video, an image that
    /// failed), without a `use_memo` (one hook type less; see docs/size.md).
    fn get(&mut self, key: &OrderKey, options: &Options) -> Rc<[usize]> {
        if self.key.as_ref() != Some(key) {
            self.order = key
                .bundle
                .as_ref()
                .map(|b| select::select(&b.0, options))
                .unwrap_or_else(|| Rc::from([]));
            self.key = Some(key.clone());
        }
        Rc::clone(&self.order)
    }
}

/// How many pages are shown, for what they were counted for.
#[derive(Clone, Default)]
struct Paging {
    key: Option<PagingKey>,
    pages: usize,
}

/// The article whose video plays, by index into its source.
#[derive(Clone, PartialEq)]
pub struct Playing {
    pub source: Source,
    pub index: usize,
}

/// Where to move focus after the next render, numbered so that each
/// request runs the effect once.
#[derive(Clone, Copy, Default)]
struct FocusRequest {
    request: u32,
    focus: Option<Focus>,
}

/// What the view keeps between renders: the pages shown, the video
/// playing, where focus goes next, and (shared by every state) the
/// articles in order and the images that failed. [`use_view`] keeps it in
/// a reducer of its own.
#[derive(Clone, Default)]
pub struct ViewState {
    order: Rc<RefCell<OrderCache>>,
    /// Changed by image error handlers, never while rendering.
    failed: Rc<RefCell<Failed>>,
    paging: Paging,
    playing: Option<Playing>,
    focus: FocusRequest,
}

/// Focus to move, after the render that shows what it moves to.
#[derive(Clone, Copy, Debug)]
enum Focus {
    /// After "Load more": the first new card's link, so keyboard and
    /// screen reader users continue where the new articles start (and are
    /// not left on a button that may have disappeared). The 1-based
    /// position of that card in the list.
    FirstNew(usize),
    /// When a video starts playing: into its player (the Play button the
    /// reader pressed is gone).
    Player,
}

/// A change to a [`ViewState`].
pub enum ViewChange {
    /// "Load more": `pages` pages shown for `key`.
    Pages { key: PagingKey, pages: usize },
    /// A video starts playing, or (`None`) the player closes.
    Play(Option<Playing>),
    /// Images failed: render again to show their fallbacks.
    Rerender,
}

impl ViewState {
    fn apply(&mut self, change: ViewChange) {
        let focus = match change {
            ViewChange::Pages { key, pages } => {
                let nth = key.selecting.limit.saturating_mul(pages.saturating_sub(1)) + 1;
                self.paging = Paging {
                    key: Some(key),
                    pages,
                };
                Some(Focus::FirstNew(nth))
            }
            ViewChange::Play(playing) => {
                let focus = playing.as_ref().map(|_| Focus::Player);
                self.playing = playing;
                focus
            }
            ViewChange::Rerender => None,
        };
        if focus.is_some() {
            self.focus = FocusRequest {
                request: self.focus.request.wrapping_add(1),
                focus,
            };
        }
    }
}

impl Reducible for ViewState {
    type Action = ViewChange;

    fn reduce(self: Rc<Self>, change: ViewChange) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(change);
        Rc::new(next)
    }
}

/// Image URLs that failed to load, and whether a render for them is due.
#[derive(Debug, Default)]
pub struct Failed {
    pub urls: Vec<AttrValue>,
    render_pending: bool,
}

/// The view as a component: what the SSR and browser tests render. The
/// widget itself calls [`use_view`] from its root instead, so the wasm
/// carries one component less (its lifecycle code and props check; see
/// docs/size.md): the root renders the view again on every render anyway,
/// with a new "now".
#[component]
pub fn View(props: &ViewProps) -> Html {
    use_view(props, None)
}

/// The view's hooks and markup: see [`View`]. `chain`: the version 2
/// chain the cards come from, if they do.
#[hook]
pub fn use_view(props: &ViewProps, chain: Option<&ChainView>) -> Html {
    let view_state = use_reducer(ViewState::default);
    let change = view_state.dispatcher();
    let options = &props.options;
    let bundle = match &props.state {
        LoadState::Ready(b) | LoadState::Offline { bundle: b, .. } => Some(ByPtr(Rc::clone(b))),
        _ => None,
    };
    let selecting = Selecting {
        topics: Rc::clone(&options.topics),
        providers: Rc::clone(&options.providers),
        types: Rc::clone(&options.types),
        sort: options.sort,
        limit: options.limit,
    };
    let source = match (chain, &bundle) {
        (Some(chain), _) => Some(Source::Chain(chain.id)),
        (None, Some(bundle)) => Some(Source::Bundle(bundle.clone())),
        (None, None) => None,
    };
    let key = PagingKey {
        source: source.clone(),
        selecting: selecting.clone(),
    };
    let order = view_state.order.borrow_mut().get(
        &OrderKey {
            bundle: bundle.clone(),
            selecting,
        },
        options,
    );
    let pages = if view_state.paging.key.as_ref() == Some(&key) {
        view_state.paging.pages
    } else {
        1
    };
    // The cards shown: one row in the carousel layout, else `pages` pages.
    let shown_pages = if options.layout == Layout::Carousel {
        1
    } else {
        pages
    };
    let shown = select::visible(&order, options.limit, shown_pages);
    let root_ref = use_node_ref();
    {
        let root = root_ref.clone();
        let FocusRequest { request, focus } = view_state.focus;
        // The first new card may come later than the click (a chain's page
        // being fetched): focus moves when it is there.
        let arrived = matches!(focus, Some(Focus::FirstNew(nth)) if shown.len() >= nth);
        use_keyed_effect(
            [request, u32::from(arrived), 0, 0],
            Box::new(move || {
                match focus {
                    Some(Focus::FirstNew(nth)) => {
                        let item = format!(".ac-list > li:nth-child({nth})");
                        let _ = focus_first(&root, &format!("{item} .ac-link"))
                            || focus_first(&root, &format!("{item} button"));
                    }
                    Some(Focus::Player) => {
                        focus_first(&root, "iframe.ac-frame");
                    }
                    None => {}
                }
                None
            }),
        );
    }

    // The article whose video plays, by index, while its card is shown
    // (new options keep it playing while its card stays). One at a time:
    // Play on another video closes the first player. A player whose card
    // has gone (other options, another bundle) is not rendered, and is
    // closed after that render, so it does not start again, with sound,
    // when the card comes back.
    let playing = view_state
        .playing
        .as_ref()
        .filter(|p| Some(&p.source) == source.as_ref() && shown.contains(&p.index))
        .map(|p| p.index);
    {
        let gone = view_state.playing.is_some() && playing.is_none();
        let change = change.clone();
        use_keyed_effect(
            [u32::from(gone), 0, 0, 0],
            Box::new(move || {
                if gone {
                    change.dispatch(ViewChange::Play(None));
                }
                None
            }),
        );
    }
    let on_play = {
        let (change, source) = (change.clone(), source.clone());
        Callback::from(move |index: usize| {
            change.dispatch(ViewChange::Play(
                source.clone().map(|source| Playing { source, index }),
            ));
        })
    };

    let name = AccessibleName::of(options);
    // The list carries the derived name when the widget has none.
    let list_name = (!name.landmark).then(|| name.text.clone());
    let busy = matches!(props.state, LoadState::Loading);
    // Images that failed to load: the render after a failure shows the
    // next fallback of every image with that URL. Failures are collected
    // until the next frame, so that many images failing at once (an image
    // host that is down) cost one render of the cards, not one each.
    let failed = Rc::clone(&view_state.failed);
    let on_failed = {
        let (failed, change) = (Rc::clone(&failed), change.clone());
        Callback::from(move |url: AttrValue| {
            let mut failed_now = failed.borrow_mut();
            if failed_now.urls.contains(&url) {
                return;
            }
            failed_now.urls.push(url);
            if !std::mem::replace(&mut failed_now.render_pending, true) {
                let (failed, change) = (Rc::clone(&failed), change.clone());
                before_next_frame(move || {
                    failed.borrow_mut().render_pending = false;
                    change.dispatch(ViewChange::Rerender);
                });
            }
        })
    };
    let env = ImageEnv {
        bundle_url: props.bundle_url.clone(),
        layout: options.layout,
        failed,
        on_failed,
    };
    let card = |index: usize| {
        bundle.as_ref().map_or_else(Html::default, |bundle| {
            article_card(&ArticleCard {
                bundle,
                index,
                options,
                now_ms: props.now_ms,
                locale: &props.locale,
                on_select: &props.on_select,
                env: &env,
                playing,
                on_play: &on_play,
            })
        })
    };
    let on_retry = {
        let on_retry = props.on_retry.clone();
        Callback::from(move |_: MouseEvent| on_retry.emit(()))
    };
    // The last good copy: say so once (a status, not an alert: the cards
    // are there), with Retry.
    let note = matches!(props.state, LoadState::Offline { .. }).then(|| {
        html! {
            <div class="ac-note">
                <p role="status">{ "Offline copy: these articles may be out of date." }</p>
                <button type="button" class="ac-btn" part="button" onclick={on_retry.clone()}>
                    { "Retry" }
                </button>
            </div>
        }
    });
    // A version 2 chain with older pages: how "Load more" asks for them
    // (a fetch under way leaves `more` as it was).
    let on_more = chain.filter(|c| c.more).map(|c| c.on_more.clone());
    let body = match &props.state {
        LoadState::Loading => html! {
            <>
                <p class="ac-sr" role="status">{ "Loading articles…" }</p>
                { skeleton(options) }
            </>
        },
        LoadState::Failed(err) => html! {
            <div class="ac-state is-error">
                <p class="ac-msg" role="alert">{ err.message.clone() }</p>
                <button type="button" class="ac-btn" part="button" onclick={on_retry}>{ "Retry" }</button>
            </div>
        },
        // `Ready` or `Offline`: the cards.
        _ if order.is_empty() && on_more.is_none() => html! {
            <div class="ac-state is-empty">
                <p class="ac-msg" role="status">{ "No articles match these filters." }</p>
            </div>
        },
        _ if options.layout == Layout::Carousel => {
            // One row of `limit` cards; no "Load more" (new cards would
            // arrive off screen).
            let slides: Vec<Html> = shown.iter().map(|&index| card(index)).collect();
            let slides: ByPtr<[Html]> = slides.into();
            html! {
                <Carousel label={name.text.clone()} landmark={name.landmark} kind="list"
                    per_page={3} autoplay={options.autoplay} {slides} />
            }
        }
        _ => {
            let limit = options.limit;
            let more = (select::has_more(&order, limit, pages) || on_more.is_some()).then(|| {
                let (change, key) = (change.clone(), key.clone());
                let fetching = chain.is_some_and(|c| c.fetching);
                // A chain's pages read may not fill the pages shown (a
                // fetch failed, is under way, or the filters keep fewer
                // articles than a page): then the click asks for more
                // pages instead of showing a page more.
                let read = order.len();
                let filled = read >= limit.saturating_mul(pages);
                let onclick = Callback::from(move |_: MouseEvent| {
                    if fetching {
                        return;
                    }
                    let next = pages + usize::from(filled);
                    if filled {
                        change.dispatch(ViewChange::Pages {
                            key: key.clone(),
                            pages: next,
                        });
                    }
                    let wanted = limit.saturating_mul(next);
                    if let Some(on_more) = on_more.as_ref().filter(|_| read < wanted) {
                        on_more.emit(wanted);
                    }
                });
                let error = chain.and_then(|c| c.error.as_ref()).map(|e| {
                    html! { <p class="ac-msg" role="alert">{ e.message.clone() }</p> }
                });
                let busy = fetching.then_some("true");
                html! {
                    <div class="ac-more">
                        { error }
                        <button type="button" class="ac-btn" part="button" aria-disabled={busy} {onclick}>
                            { if fetching { "Loading…" } else { "Load more" } }
                        </button>
                    </div>
                }
            });
            let announcement = if pages > 1 {
                let added = shown.len().saturating_sub(limit.saturating_mul(pages - 1));
                format!(
                    "{added} more {} shown, {} of {}.",
                    if added == 1 { "article" } else { "articles" },
                    shown.len(),
                    order.len()
                )
            } else {
                String::new()
            };
            html! {
                <>
                    <ul class="ac-list" role="list" aria-label={list_name}>
                        { for shown.iter().map(|&index| html! {
                            <li class="ac-item" key={index}>{ card(index) }</li>
                        }) }
                    </ul>
                    { more }
                    <p class="ac-sr" role="status" aria-live="polite">{ announcement }</p>
                </>
            }
        }
    };

    let busy = if busy { "true" } else { "false" };
    if options.layout == Layout::Carousel || !name.landmark {
        // Not a landmark: without a label (see `AccessibleName`), or with
        // the carousel layout, whose carousel is the region.
        html! {
            <div ref={root_ref} class="ac" data-theme={options.theme.as_str()}
                data-layout={options.layout.as_str()} aria-busy={busy}>
                { note }
                { body }
            </div>
        }
    } else {
        html! {
            <section ref={root_ref} class="ac" data-theme={options.theme.as_str()}
                data-layout={options.layout.as_str()} aria-label={name.text} aria-busy={busy}>
                { note }
                { body }
            </section>
        }
    }
}

/// Focuses the first element under `root` that matches `selector`;
/// whether there was one (natively: never).
fn focus_first(root: &NodeRef, selector: &str) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        root.cast::<web_sys::Element>()
            .and_then(|el| el.query_selector(selector).ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            .is_some_and(|el| el.focus().is_ok())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (root, selector);
        false
    }
}

/// Runs `f` before the browser paints its next frame (natively: now).
fn before_next_frame(f: impl FnOnce() + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        if let Some(window) = web_sys::window() {
            let callback = wasm_bindgen::closure::Closure::once_into_js(f);
            let _ = window.request_animation_frame(callback.unchecked_ref());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    f();
}
