//! The stateful root of one widget: owns the load ([`RootState`]), starts
//! it when rendering with a new `src` (or Retry; see
//! [`CurrentLoad::start_if_new`]), renders the view ([`use_view`], which
//! keeps its own state) and reports to the page with events on the host
//! element: `article-cards:ready` `{count, offline}`, `article-cards:error`
//! `{message, offline}` (both, with `offline: true`, when the last good copy
//! is shown), `article-cards:select` `{id, url}` (bubbling, composed
//! `CustomEvent`s).
//!
//! For a version 2 manifest the root also keeps how far the chain has been
//! read ([`ChainState`]) and fetches older pages when the view asks for
//! more articles than it has ([`load::more`]), under the load's [`Cancel`].

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;
use yew::prelude::*;

use crate::browser;
use crate::components::{ViewProps, text_key, use_keyed_effect, use_view};
use crate::load::{self, Cancel, ChainRead, Outcome};
use crate::model::{ChainView, LoadError, LoadState, Selection};
use crate::options::{Images, Options};
use crate::time;
use bundle::ArticleType;

pub const EVENT_READY: &str = "article-cards:ready";
pub const EVENT_ERROR: &str = "article-cards:error";
pub const EVENT_SELECT: &str = "article-cards:select";

/// Equal when they hold the same options (by identity) for the same host:
/// each `update` brings new options, so it renders again; whether it loads
/// again is decided by the load's key (same `src`: no refetch).
#[derive(Properties, Clone)]
pub struct WidgetProps {
    pub options: Rc<Options>,
    /// The page element the widget is mounted on: events are dispatched here.
    pub host: Element,
}

impl PartialEq for WidgetProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.options, &other.options) && self.host == other.host
    }
}

/// What a load depends on: a render with the same key does not load again.
#[derive(Clone, PartialEq)]
struct LoadKey {
    src: AttrValue,
    /// Decoding drops images from other origins under `cached-only`.
    images: Images,
    /// The Retry count.
    retry: u32,
    /// What picks a version 2 manifest's chain and its first screen; a
    /// version 1 bundle holds every article, so for it these do not count.
    filters: Filters,
}

#[derive(Clone, PartialEq)]
struct Filters {
    topics: Rc<[AttrValue]>,
    providers: Rc<[AttrValue]>,
    types: Rc<[ArticleType]>,
    limit: usize,
}

impl LoadKey {
    /// Whether a load for `self` is one for `other` too (`sharded`: that
    /// load read a version 2 manifest, whose chain depends on the filters).
    fn same_load(&self, other: &LoadKey, sharded: bool) -> bool {
        self.src == other.src
            && self.images == other.images
            && self.retry == other.retry
            && (!sharded || self.filters == other.filters)
    }
}

/// Which load of this widget, counted from 1 as they start.
type LoadId = u32;

/// The root's state: what the loads came to.
#[derive(Clone, Default)]
struct RootState {
    /// The last load that finished: shown while it is the current load.
    finished: Option<Finished>,
    /// Bumped by Retry: part of the load's key.
    retry: u32,
    /// Where the last bundle came from (after redirects), for the images.
    bundle_url: Option<AttrValue>,
}

/// A finished load and its outcome.
#[derive(Clone)]
struct Finished {
    id: LoadId,
    load: LoadState,
    /// For a version 2 manifest: the chain being read.
    chain: Option<Rc<ChainRead>>,
    /// Older pages of the chain are being fetched.
    fetching: bool,
    /// Why the last fetch of older pages failed (the cards read before
    /// stay).
    error: Option<LoadError>,
}

/// A change to a [`RootState`].
enum RootAction {
    /// Load `id` finished (or read older pages of its chain), with the
    /// URL its bundle came from.
    Finish {
        id: LoadId,
        load: LoadState,
        bundle_url: Option<AttrValue>,
        chain: Option<Rc<ChainRead>>,
        /// Older pages could not be read: `load` is what was shown.
        error: Option<LoadError>,
    },
    /// Load `id` fetches older pages of its chain.
    Fetching(LoadId),
    Retry,
}

impl RootState {
    /// What load `current` has come to: `Loading` until it finishes.
    fn load(&self, current: LoadId) -> LoadState {
        match &self.finished {
            Some(finished) if finished.id == current => finished.load.clone(),
            _ => LoadState::Loading,
        }
    }

    /// Load `id`, when it finished reading a manifest's chain.
    fn chain(&self, id: LoadId) -> Option<&Finished> {
        self.finished
            .as_ref()
            .filter(|f| f.id == id && f.chain.is_some())
    }
}

impl Reducible for RootState {
    type Action = RootAction;

    fn reduce(self: Rc<Self>, action: RootAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            RootAction::Finish {
                id,
                load,
                bundle_url,
                chain,
                error,
            } => {
                next.finished = Some(Finished {
                    id,
                    load,
                    chain,
                    fetching: false,
                    error,
                });
                if bundle_url.is_some() {
                    next.bundle_url = bundle_url;
                }
            }
            RootAction::Fetching(id) => {
                if let Some(finished) = next.finished.as_mut().filter(|f| f.id == id) {
                    finished.fetching = true;
                    finished.error = None;
                }
            }
            RootAction::Retry => next.retry = self.retry.wrapping_add(1),
        }
        Rc::new(next)
    }
}

/// The load in flight (or finished) and its key. Dropped with the root's
/// hooks when the widget is destroyed, which cancels the load: no unmount
/// effect needed.
#[derive(Default)]
struct CurrentLoad {
    /// The number of loads started.
    started: LoadId,
    load: Option<InFlight>,
}

struct InFlight {
    key: LoadKey,
    cancel: Rc<Cancel>,
}

/// Reading older pages of a finished load's chain.
struct Resume {
    chain: Rc<ChainRead>,
    /// Until the chain holds this many articles (or ends).
    wanted: usize,
    /// What is shown meanwhile, and stays if the read fails.
    shown: LoadState,
}

impl CurrentLoad {
    /// The one thing the widget does while rendering rather than in an
    /// effect: start the load for `key`, unless it is the current one, and
    /// return the current load's id.
    ///
    /// Yew runs effects only after yielding to the browser, which lays out
    /// the skeleton first; starting here sends the request before that
    /// (`cargo xtask bench widget` measures the difference).
    ///
    /// Lawful: it changes only this cell, never the reducer's state (the
    /// outcome comes back later as [`RootAction::Finish`]), and it is
    /// idempotent: rendering again with the same key returns the same id
    /// and starts nothing. A new key cancels the load in flight, so its
    /// outcome is never dispatched.
    ///
    /// `sharded`: the current load read a version 2 manifest, so other
    /// filters need another chain, and so another load.
    fn start_if_new(
        &mut self,
        key: LoadKey,
        sharded: bool,
        options: &Rc<Options>,
        dispatcher: &UseReducerDispatcher<RootState>,
    ) -> LoadId {
        if self
            .load
            .as_ref()
            .is_some_and(|load| load.key.same_load(&key, sharded))
        {
            return self.started;
        }
        if let Some(previous) = self.load.take() {
            previous.cancel.cancel();
        }
        self.started = self.started.wrapping_add(1);
        let cancel = start_load(self.started, Rc::clone(options), dispatcher.clone(), None);
        self.load = Some(InFlight { key, cancel });
        self.started
    }

    /// Starts reading older pages of load `id`'s chain, if `id` is still
    /// the current load: its outcome is dispatched as another
    /// [`RootAction::Finish`] of `id`, under a [`Cancel`] of its own.
    fn resume(
        &mut self,
        id: LoadId,
        resume: Resume,
        options: &Rc<Options>,
        dispatcher: &UseReducerDispatcher<RootState>,
    ) {
        if let Some(load) = self.load.as_mut().filter(|_| self.started == id) {
            load.cancel = start_load(id, Rc::clone(options), dispatcher.clone(), Some(resume));
        }
    }
}

impl Drop for CurrentLoad {
    fn drop(&mut self) {
        if let Some(load) = self.load.take() {
            load.cancel.cancel();
        }
    }
}

/// Starts loading `options.src`, or with `resume` older pages of its
/// chain (the request is sent right away, see [`load::load`]): the
/// outcome is dispatched as [`RootAction::Finish`] unless the returned
/// [`Cancel`] fires first.
fn start_load(
    id: LoadId,
    options: Rc<Options>,
    dispatcher: UseReducerDispatcher<RootState>,
    resume: Option<Resume>,
) -> Rc<Cancel> {
    let cancel = Cancel::new();
    let task_cancel = Rc::clone(&cancel);
    let (loading, shown): (Pin<Box<dyn Future<Output = Outcome>>>, _) = match resume {
        None => (Box::pin(load::load(&options, &cancel)), None),
        Some(resume) => (
            Box::pin(load::more(
                (*resume.chain).clone(),
                resume.wanted,
                &options,
                &cancel,
                None,
            )),
            Some((resume.shown, resume.chain)),
        ),
    };
    spawn_local(async move {
        let outcome = loading.await;
        if task_cancel.is_cancelled() {
            return;
        }
        let mut bundle_url = None;
        let mut chain = None;
        let mut error = None;
        let load = match (outcome, shown) {
            (Outcome::Cancelled, _) => return,
            (
                Outcome::Loaded {
                    bundle,
                    warnings,
                    base,
                    offline,
                    chain: read,
                },
                _,
            ) => {
                chain = read.map(Rc::new);
                for warning in &warnings {
                    browser::warn(warning);
                }
                bundle_url = Some(AttrValue::from(base));
                let bundle = Rc::new(bundle);
                match offline {
                    Some(error) => {
                        browser::warn(&format!(
                            "{} ({}); showing the last good copy",
                            error.message, options.src
                        ));
                        LoadState::Offline { bundle, error }
                    }
                    None => LoadState::Ready(bundle),
                }
            }
            // A warning, not an error: the reader sees the error state
            // (or, for older pages, a message by "Load more") and the page
            // gets `article-cards:error`; a bundle that is down is not a
            // fault in the page's own code.
            (Outcome::Failed(failed), shown) => {
                browser::warn(&format!("{} ({})", failed.message, options.src));
                match shown {
                    Some((shown, read)) => {
                        chain = Some(read);
                        error = Some(failed);
                        shown
                    }
                    None => LoadState::Failed(failed),
                }
            }
        };
        dispatcher.dispatch(RootAction::Finish {
            id,
            load,
            bundle_url,
            chain,
            error,
        });
    });
    cancel
}

#[component]
pub fn Widget(props: &WidgetProps) -> Html {
    let root = use_reducer(RootState::default);
    let current = use_mut_ref(CurrentLoad::default);
    let options = &props.options;
    let key = LoadKey {
        src: options.src.clone(),
        images: options.images,
        retry: root.retry,
        filters: Filters {
            topics: Rc::clone(&options.topics),
            providers: Rc::clone(&options.providers),
            types: Rc::clone(&options.types),
            limit: options.limit,
        },
    };
    let sharded = root.chain(current.borrow().started).is_some();
    let id = current
        .borrow_mut()
        .start_if_new(key, sharded, options, &root.dispatcher());
    let load = root.load(id);

    let locale = AttrValue::from(browser::resolve_locale(props.options.locale.as_deref()));
    // After the first render (the skeleton), while the bundle is loading:
    // the date formatters for the locale (`time::prepare` keeps them per
    // locale).
    {
        let locale = locale.clone();
        use_keyed_effect(
            [text_key(&locale), 0, 0, 0],
            Box::new(move || {
                time::prepare(&locale);
                None
            }),
        );
    }

    // Events after the finished state has rendered, so listeners see it.
    {
        let host = props.host.clone();
        let state = load.clone();
        // 0 until the current load finishes, then its id.
        let finished = if matches!(load, LoadState::Loading) {
            0
        } else {
            id
        };
        use_keyed_effect(
            [finished, 0, 0, 0],
            Box::new(move || {
                if finished > 0 {
                    // The last good copy is both: the load failed, and
                    // cards are shown (`offline: true` in each detail).
                    let (error, bundle) = match &state {
                        LoadState::Ready(bundle) => (None, Some(bundle)),
                        LoadState::Failed(error) => (Some(error), None),
                        LoadState::Offline { bundle, error } => (Some(error), Some(bundle)),
                        LoadState::Loading => (None, None),
                    };
                    let offline = JsValue::from_bool(error.is_some() && bundle.is_some());
                    if let Some(error) = error {
                        browser::dispatch(
                            &host,
                            EVENT_ERROR,
                            &browser::detail(&[
                                ("message", JsValue::from_str(&error.message)),
                                ("offline", offline.clone()),
                            ]),
                        );
                    }
                    if let Some(bundle) = bundle {
                        browser::dispatch(
                            &host,
                            EVENT_READY,
                            &browser::detail(&[
                                ("count", JsValue::from_f64(bundle.articles.len() as f64)),
                                ("offline", offline),
                            ]),
                        );
                    }
                }
                None
            }),
        );
    }

    // Plain callbacks, not memoized: the view is rendered with the root,
    // and nothing below compares them.
    let on_retry = {
        let dispatcher = root.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(RootAction::Retry))
    };
    let host = props.host.clone();
    // Cancelable: a page that calls `preventDefault()` takes the click.
    let on_select = Callback::from(move |selection: Selection| {
        browser::dispatch_cancelable(
            &host,
            EVENT_SELECT,
            &browser::detail(&[
                ("id", JsValue::from_str(&selection.id)),
                ("url", JsValue::from_str(&selection.url)),
            ]),
        )
    });

    // A version 2 chain: what "Load more" can still fetch, and how.
    let chain = root.chain(id).and_then(|finished| {
        let read = Rc::clone(finished.chain.as_ref()?);
        let shown = finished.load.clone();
        let (current, options, dispatcher) = (
            Rc::clone(&current),
            Rc::clone(&props.options),
            root.dispatcher(),
        );
        Some(ChainView {
            id,
            more: read.more,
            fetching: finished.fetching,
            error: finished.error.clone(),
            on_more: Callback::from(move |wanted: usize| {
                if !read.more {
                    return;
                }
                let resume = Resume {
                    chain: Rc::clone(&read),
                    wanted,
                    shown: shown.clone(),
                };
                // Not borrowed across the dispatch, which may render (and
                // so borrow the current load) at once.
                current
                    .borrow_mut()
                    .resume(id, resume, &options, &dispatcher);
                dispatcher.dispatch(RootAction::Fetching(id));
            }),
        })
    });

    use_view(
        &ViewProps {
            state: load,
            options: Rc::clone(&props.options),
            now_ms: browser::now_ms(),
            locale,
            on_retry,
            on_select,
            bundle_url: root.bundle_url.clone(),
        },
        chain.as_ref(),
    )
}
