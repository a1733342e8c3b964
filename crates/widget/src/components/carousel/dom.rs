//! The few browser calls a carousel makes, behind small functions so the
//! component itself renders natively (Yew SSR) where each of them is a
//! no-op: measuring which slides are visible, scrolling the track, reading
//! the text direction and `prefers-reduced-motion`, moving focus, and the
//! listeners and timers whose handles clean up on drop.

use std::rc::Rc;

/// Slides (inclusive indices) that are on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: usize,
    pub last: usize,
}

/// Called with a fresh measurement (`None` when the track is not laid out),
/// and whether the scrolling has settled.
pub type Report = Rc<dyn Fn(Option<Span>, bool)>;

#[cfg(target_arch = "wasm32")]
pub use web::*;

#[cfg(not(target_arch = "wasm32"))]
pub use native::*;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::{Report, Span};
    use yew::NodeRef;
    use yew::events::{Event, FocusEvent};

    /// Natively there is nothing to listen to; the handles only mirror the
    /// browser's (which release their listeners and timers on drop).
    pub struct Watch;
    pub struct Interval;

    impl Drop for Watch {
        fn drop(&mut self) {}
    }
    impl Drop for Interval {
        fn drop(&mut self) {}
    }

    pub fn measure(_track: &NodeRef) -> Option<Span> {
        None
    }
    pub fn scroll_to(_track: &NodeRef, _index: usize) {}
    pub fn is_rtl(_node: &NodeRef) -> bool {
        false
    }
    pub fn prefers_reduced_motion() -> bool {
        false
    }
    pub fn focus(_node: &NodeRef) -> bool {
        false
    }
    pub fn focus_slide(_track: &NodeRef, _index: usize) {}
    pub fn has_focus_within(_node: &NodeRef) -> bool {
        false
    }
    pub fn contains_target(_node: &NodeRef, _event: &Event) -> bool {
        false
    }
    pub fn is_target(_node: &NodeRef, _event: &Event) -> bool {
        false
    }
    pub fn contains_related(_node: &NodeRef, _event: &FocusEvent) -> bool {
        false
    }
    pub fn watch(_track: &NodeRef, _report: Report) -> Option<Watch> {
        None
    }
    pub fn interval(_ms: u32, _tick: impl FnMut() + 'static) -> Option<Interval> {
        None
    }
}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::Cell;
    use std::rc::Rc;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Element, Event, FocusEvent, HtmlElement, Node, ResizeObserver, ScrollToOptions};
    use yew::NodeRef;

    use super::{Report, Span};

    /// How long the track must be still before scrolling counts as over,
    /// where there is no `scrollend`; also after a resize.
    const SETTLE_MS: i32 = 120;

    /// Share of a slide (or of the track, for a slide wider than it) that
    /// must be on screen for the slide to count as visible.
    const VISIBLE: f64 = 0.9;

    fn window() -> Option<web_sys::Window> {
        web_sys::window()
    }

    /// Which slides are (almost) entirely inside the track. Works from
    /// bounding boxes, so it is the same in both directions and whatever
    /// sign the browser gives `scrollLeft` in right-to-left.
    pub fn measure(track: &NodeRef) -> Option<Span> {
        measure_element(&track.cast::<Element>()?)
    }

    fn measure_element(track: &Element) -> Option<Span> {
        let t = track.get_bounding_client_rect();
        if t.width() <= 0.0 {
            return None;
        }
        let slides = track.children();
        let (mut first, mut last) = (None, None);
        for i in 0..slides.length() {
            let Some(slide) = slides.item(i) else {
                continue;
            };
            let r = slide.get_bounding_client_rect();
            let overlap = r.right().min(t.right()) - r.left().max(t.left());
            if r.width() > 0.0 && overlap >= r.width().min(t.width()) * VISIBLE {
                let i = i as usize;
                first.get_or_insert(i);
                last = Some(i);
            }
        }
        Some(Span {
            first: first?,
            last: last?,
        })
    }

    /// Scrolls the track so that slide `index` starts at the track's start
    /// edge (right in right-to-left). `scrollBy` takes physical offsets, so
    /// the distance between the two edges is right in both directions; the
    /// stylesheet decides smooth or instant (`prefers-reduced-motion`).
    pub fn scroll_to(track: &NodeRef, index: usize) {
        let Some(track) = track.cast::<Element>() else {
            return;
        };
        let Some(slide) = u32::try_from(index)
            .ok()
            .and_then(|i| track.children().item(i))
        else {
            return;
        };
        let t = track.get_bounding_client_rect();
        let r = slide.get_bounding_client_rect();
        let delta = if direction_is_rtl(&track) {
            r.right() - t.right()
        } else {
            r.left() - t.left()
        };
        let options = ScrollToOptions::new();
        options.set_left(delta);
        track.scroll_by_with_scroll_to_options(&options);
    }

    fn direction_is_rtl(el: &Element) -> bool {
        window()
            .and_then(|w| w.get_computed_style(el).ok().flatten())
            .and_then(|style| style.get_property_value("direction").ok())
            .is_some_and(|d| d == "rtl")
    }

    /// The computed `direction` (from `dir` on the page or any ancestor).
    pub fn is_rtl(node: &NodeRef) -> bool {
        node.cast::<Element>()
            .is_some_and(|el| direction_is_rtl(&el))
    }

    pub fn prefers_reduced_motion() -> bool {
        window()
            .and_then(|w| {
                w.match_media("(prefers-reduced-motion: reduce)")
                    .ok()
                    .flatten()
            })
            .is_some_and(|m| m.matches())
    }

    /// Focuses the element; whether it now has focus.
    pub fn focus(node: &NodeRef) -> bool {
        node.cast::<HtmlElement>()
            .is_some_and(|el| el.focus().is_ok())
    }

    /// Focuses the first link or button in slide `index`.
    pub fn focus_slide(track: &NodeRef, index: usize) {
        let target = track
            .cast::<Element>()
            .and_then(|t| u32::try_from(index).ok().and_then(|i| t.children().item(i)))
            .and_then(|slide| {
                slide
                    .query_selector("a[href], button:not([disabled])")
                    .ok()
                    .flatten()
            })
            .and_then(|el| el.dyn_into::<HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
    }

    /// Whether the focused element (in the node's document or shadow root)
    /// is inside `node` and not inert.
    pub fn has_focus_within(node: &NodeRef) -> bool {
        let Some(el) = node.cast::<Element>() else {
            return false;
        };
        let root = el.get_root_node();
        let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
            Some(shadow) => shadow.active_element(),
            None => root
                .dyn_ref::<web_sys::Document>()
                .and_then(web_sys::Document::active_element),
        };
        // A focused element that just became inert may not have lost focus
        // yet (the focus fixup waits for the next rendering update).
        active
            .is_some_and(|a| el.contains(Some(&a)) && a.closest("[inert]").ok().flatten().is_none())
    }

    /// Whether the event happened inside `node` (or on it).
    pub fn contains_target(node: &NodeRef, event: &Event) -> bool {
        let target = event.target().and_then(|t| t.dyn_into::<Node>().ok());
        node.get()
            .is_some_and(|n| target.is_some_and(|t| n.contains(Some(&t))))
    }

    /// Whether the event's target is `node` itself.
    pub fn is_target(node: &NodeRef, event: &Event) -> bool {
        let target = event.target().map(wasm_bindgen::JsValue::from);
        node.get()
            .is_some_and(|n| target.is_some_and(|t| wasm_bindgen::JsValue::from(n) == t))
    }

    /// Whether focus is moving to somewhere inside `node`.
    pub fn contains_related(node: &NodeRef, event: &FocusEvent) -> bool {
        let related = event
            .related_target()
            .and_then(|t| t.dyn_into::<Node>().ok());
        node.get()
            .is_some_and(|n| related.is_some_and(|r| n.contains(Some(&r))))
    }

    /// Listens to the track's scrolling and size: measures once per frame
    /// while it moves (`requestAnimationFrame`), and once more when it has
    /// been still for a moment. Everything is released on drop.
    pub struct Watch {
        track: Element,
        state: Rc<Pending>,
        on_scroll: Closure<dyn FnMut()>,
        observer: Option<ResizeObserver>,
        _on_resize: Closure<dyn FnMut()>,
        _on_frame: Closure<dyn FnMut()>,
        _on_settle: Closure<dyn FnMut()>,
    }

    #[derive(Default)]
    struct Pending {
        frame: Cell<Option<i32>>,
        settle: Cell<Option<i32>>,
    }

    pub fn watch(track: &NodeRef, report: Report) -> Option<Watch> {
        let track = track.cast::<Element>()?;
        let state = Rc::new(Pending::default());

        let on_frame = {
            let (state, track, report) = (Rc::clone(&state), track.clone(), Rc::clone(&report));
            Closure::<dyn FnMut()>::new(move || {
                state.frame.set(None);
                report(measure_element(&track), false);
            })
        };
        let on_settle = {
            let (state, track) = (Rc::clone(&state), track.clone());
            Closure::<dyn FnMut()>::new(move || {
                state.settle.set(None);
                report(measure_element(&track), true);
            })
        };
        let frame_fn: js_sys::Function = on_frame.as_ref().clone().unchecked_into();
        let settle_fn: js_sys::Function = on_settle.as_ref().clone().unchecked_into();
        // Where `scrollend` exists it says when scrolling (smooth, snapping,
        // a finger) is over; a pause in `scroll` events can only guess.
        let has_scrollend = js_sys::Reflect::has(&track, &"onscrollend".into()).unwrap_or(false);
        let moved = {
            let state = Rc::clone(&state);
            let settle_fn = settle_fn.clone();
            move |scrolled: bool| {
                let Some(w) = window() else {
                    return;
                };
                if state.frame.get().is_none() {
                    state.frame.set(w.request_animation_frame(&frame_fn).ok());
                }
                if scrolled && has_scrollend {
                    return;
                }
                if let Some(id) = state.settle.take() {
                    w.clear_timeout_with_handle(id);
                }
                state.settle.set(
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(&settle_fn, SETTLE_MS)
                        .ok(),
                );
            }
        };
        let moved = Rc::new(moved);
        let on_scroll = {
            let moved = Rc::clone(&moved);
            Closure::<dyn FnMut()>::new(move || moved(true))
        };
        let on_resize = Closure::<dyn FnMut()>::new(move || moved(false));
        let _ =
            track.add_event_listener_with_callback("scroll", on_scroll.as_ref().unchecked_ref());
        if has_scrollend {
            let _ = track.add_event_listener_with_callback("scrollend", &settle_fn);
        }
        // Also fires once right away: the first measurement.
        let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
        if let Some(o) = &observer {
            o.observe(&track);
        }
        Some(Watch {
            track,
            state,
            on_scroll,
            observer,
            _on_resize: on_resize,
            _on_frame: on_frame,
            _on_settle: on_settle,
        })
    }

    impl Drop for Watch {
        fn drop(&mut self) {
            let _ = self.track.remove_event_listener_with_callback(
                "scroll",
                self.on_scroll.as_ref().unchecked_ref(),
            );
            let _ = self.track.remove_event_listener_with_callback(
                "scrollend",
                self._on_settle.as_ref().unchecked_ref(),
            );
            if let Some(o) = &self.observer {
                o.disconnect();
            }
            if let Some(w) = window() {
                if let Some(id) = self.state.frame.take() {
                    let _ = w.cancel_animation_frame(id);
                }
                if let Some(id) = self.state.settle.take() {
                    w.clear_timeout_with_handle(id);
                }
            }
        }
    }

    /// `setInterval`, cleared on drop.
    pub struct Interval {
        id: i32,
        _tick: Closure<dyn FnMut()>,
    }

    pub fn interval(ms: u32, tick: impl FnMut() + 'static) -> Option<Interval> {
        let tick = Closure::<dyn FnMut()>::new(tick);
        let id = window()?
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                i32::try_from(ms).unwrap_or(i32::MAX),
            )
            .ok()?;
        Some(Interval { id, _tick: tick })
    }

    impl Drop for Interval {
        fn drop(&mut self) {
            if let Some(w) = window() {
                w.clear_interval_with_handle(self.id);
            }
        }
    }
}
