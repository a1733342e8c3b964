//! The stateful root of one widget: owns the load state (its part of a
//! [`Store`]), starts
//! the load when rendering with a new `src` (or Retry), renders the
//! pure view ([`use_view`]) and reports to the page with events on the host element:
//! `article-cards:ready` `{count, offline}`, `article-cards:error`
//! `{message, offline}` (both, with `offline: true`, when the last good copy
//! is shown), `article-cards:select` `{id, url}` (bubbling, composed
//! `CustomEvent`s).

use std::rc::Rc;

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;
use yew::prelude::*;

use crate::widget::browser;
use crate::widget::components::{
    RootAction, Store, StoreAction, ViewDispatch, ViewProps, text_key, use_keyed_effect, use_view,
};
use crate::widget::load::{self, Cancel, Outcome};
use crate::widget::model::{LoadState, Selection};
use crate::widget::options::{Images, Options};
use crate::widget::time;

pub const EVENT_READY: &str = "article-cards:ready";
pub const EVENT_ERROR: &str = "article-cards:error";
pub const EVENT_SELECT: &str = "article-cards:select";

#[derive(Properties, Clone)]
pub struct WidgetProps {
    pub options: Rc<Options>,
    /// The page element the widget is mounted on: events are dispatched here.
    pub host: Element,
}

/// Never equal: `handle.update` always renders again. Options are compared
/// where it matters, by the load's key (same `src`: no refetch); a derived
/// deep comparison of every option would only spare a render of an update
/// that changed nothing, and cost the wasm its code.
impl PartialEq for WidgetProps {
    fn eq(&self, _other: &Self) -> bool {
        false
    }
}

/// What a load depends on: the bundle URL, the image policy, the Retry count.
type LoadKey = (AttrValue, Images, u32);

/// The load in flight and its key. Dropped with the root's hooks when the
/// widget is destroyed, which cancels the load: no unmount effect needed.
struct CurrentLoad {
    load: Option<(LoadKey, Rc<Cancel>)>,
}

impl Drop for CurrentLoad {
    fn drop(&mut self) {
        if let Some((_, cancel)) = self.load.take() {
            cancel.cancel();
        }
    }
}

/// Starts loading `options.src` (the request is sent right away, see
/// [`load::load`]): the outcome is dispatched as [`RootAction::Finish`]
/// unless the returned [`Cancel`] fires first.
fn start_load(options: Rc<Options>, dispatcher: UseReducerDispatcher<Store>) -> Rc<Cancel> {
    let cancel = Cancel::new();
    let task_cancel = Rc::clone(&cancel);
    let loading = load::load(
        &options.src,
        options.timeout_ms,
        options.retries,
        options.images == Images::CachedOnly,
        &cancel,
    );
    spawn_local(async move {
        let outcome = loading.await;
        if task_cancel.is_cancelled() {
            return;
        }
        let mut bundle_url = None;
        let state = match outcome {
            Outcome::Cancelled => return,
            Outcome::Loaded {
                bundle,
                warnings,
                base,
                offline,
            } => {
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
                        LoadState::Offline(bundle, error)
                    }
                    None => LoadState::Ready(bundle),
                }
            }
            Outcome::Failed(error) => {
                // A warning, not an error: the reader sees the error state
                // and the page gets `article-cards:error`; a bundle that is
                // down is not a fault in the page's own code.
                browser::warn(&format!("{} ({})", error.message, options.src));
                LoadState::Failed(error)
            }
        };
        dispatcher.dispatch(StoreAction::Root(RootAction::Finish(state, bundle_url)));
    });
    cancel
}

#[function_component]
pub fn Widget(props: &WidgetProps) -> Html {
    let store = use_reducer(Store::default);
    let load = &store.root;

    // The load: keyed on src, the image policy (decoding drops images
    // from other origins under `cached-only`) and the Retry counter, so an
    // `update` with the same src re-renders without refetching. It starts
    // while rendering, not in an effect: Yew runs effects after yielding to
    // the browser, which first lays out the skeleton (the request started
    // 100–230 ms after `mount` that way in `cargo xtask bench widget`). A
    // new key aborts the request in flight, and so does destroying the
    // widget (see `CurrentLoad`).
    let current = use_mut_ref(|| CurrentLoad { load: None });
    let key = (props.options.src.clone(), props.options.images, load.retry);
    {
        let mut slot = current.borrow_mut();
        if slot.load.as_ref().map(|(k, _)| k) != Some(&key) {
            if let Some((_, previous)) = slot.load.take() {
                previous.cancel();
            }
            store.dispatch(StoreAction::Root(RootAction::Start));
            let cancel = start_load(Rc::clone(&props.options), store.dispatcher());
            slot.load = Some((key, cancel));
        }
    }

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
        let state = load.state.clone();
        let finished = load.finished;
        use_keyed_effect(
            [finished, 0, 0, 0],
            Box::new(move || {
                if finished > 0 {
                    // The last good copy is both: the load failed, and
                    // cards are shown (`offline: true` in each detail).
                    let (error, bundle) = match &state {
                        LoadState::Ready(bundle) => (None, Some(bundle)),
                        LoadState::Failed(error) => (Some(error), None),
                        LoadState::Offline(bundle, error) => (Some(error), Some(bundle)),
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
        let dispatcher = store.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(StoreAction::Root(RootAction::Retry)))
    };
    let host = props.host.clone();
    let on_select = Callback::from(move |selection: Selection| {
        browser::dispatch(
            &host,
            EVENT_SELECT,
            &browser::detail(&[
                ("id", JsValue::from_str(&selection.id)),
                ("url", JsValue::from_str(&selection.url)),
            ]),
        );
    });

    let dispatcher = store.dispatcher();
    let change: ViewDispatch = Rc::new(move |change| {
        dispatcher.dispatch(StoreAction::Root(RootAction::View(change)));
    });
    use_view(
        &ViewProps {
            state: load.state.clone(),
            options: Rc::clone(&props.options),
            now_ms: browser::now_ms(),
            locale,
            on_retry,
            on_select,
            bundle_url: load.bundle_url.clone(),
        },
        &load.view,
        change,
    )
}
