//! A carousel after the WAI-ARIA Authoring Practices pattern, used for a
//! card's related articles and for the `carousel` layout of the list.
//!
//! - A region (`<section aria-roledescription="carousel">`) named by
//!   `label`, or a named group when it is not worth a landmark (see
//!   [`CarouselProps::landmark`]); each slide a group
//!   (`aria-roledescription="slide"`, "2 of 6").
//! - The track scrolls natively with CSS scroll snapping, so touch swipes,
//!   trackpads and wheels need no gesture code. Which slides are on screen
//!   is measured from their boxes on `scroll` (once per animation frame) and
//!   on resize; the others are `inert`, so focus never lands on hidden
//!   content and screen readers skip it.
//! - Previous/Next buttons scroll by one page of slides and are disabled at
//!   the ends (no wrapping). ArrowLeft/ArrowRight do the same, mirrored in
//!   right-to-left. After a press, a polite live region says what is shown
//!   ("Showing 3 to 4 of 6").
//! - Optional rotation (`autoplay`): a pause/play button first in the
//!   carousel; rotation pauses while the pointer is over the carousel or
//!   focus is in it, and never runs under `prefers-reduced-motion: reduce`.
//!
//! Natively (SSR) it renders its initial state: the first `per_page`
//! slides visible, Previous disabled.

mod dom;

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::{ByPtr, use_keyed_effect};

use dom::Span;

/// Equal when every field is: the slides by identity (see [`ByPtr`]), so a
/// parent's render, which builds new slides, renders the carousel again
/// without walking the old and new slides' trees to compare them.
#[derive(Properties, PartialEq)]
pub struct CarouselProps {
    /// The region's accessible name ("Related articles", "Articles").
    pub label: AttrValue,
    /// `true`: a region, i.e. a landmark, whose `label` should be unique on
    /// the page. `false`: a `group` (which the WAI-ARIA carousel pattern
    /// allows as well), for carousels that several of a page would repeat
    /// under the same name: a card's related articles, or an unlabelled
    /// widget (screen reader users get the name when they enter it, without
    /// a list of landmarks full of look-alikes).
    #[prop_or(true)]
    pub landmark: bool,
    /// The slides' contents, in order.
    pub slides: ByPtr<[Html]>,
    /// What the carousel holds, as `data-kind` on the region for per-use
    /// styling: `related` (a card's related articles) or `list` (the
    /// carousel layout). A data attribute rather than a class, as every
    /// class is a literal (see `components/mod.rs` and docs/size.md).
    #[prop_or_default]
    pub kind: Option<&'static str>,
    /// A short visible caption beside the buttons (the region is already
    /// named by `label`, so it is hidden from assistive technology).
    #[prop_or_default]
    pub caption: Option<AttrValue>,
    /// Slides expected on screen before anything is measured (SSR, first
    /// paint).
    #[prop_or(2)]
    pub per_page: usize,
    /// Rotation period in ms; `None`: no rotation.
    #[prop_or_default]
    pub autoplay: Option<u32>,
    /// Overrides `prefers-reduced-motion` (tests); `None`: ask the browser.
    #[prop_or_default]
    pub reduced_motion: Option<bool>,
}

/// Where the action that is waiting for the scrolling to settle came from:
/// a button (which may have become disabled: focus moves to the other one)
/// or a key pressed inside a slide (which may now be inert: focus moves to
/// the first visible slide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Prev,
    Next,
    Slide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Back,
    Forward,
}

/// The slide to bring to the start edge for a step from `span`; `None` at
/// that end.
fn target(span: Span, n: usize, step: Step) -> Option<usize> {
    match step {
        Step::Forward => (span.last + 1 < n).then_some(span.last + 1),
        Step::Back => {
            let page = span.last.saturating_sub(span.first) + 1;
            (span.first > 0).then(|| span.first.saturating_sub(page))
        }
    }
}

/// The span before any measurement, kept inside `0..n`.
fn clamp(span: Span, n: usize) -> Span {
    let last = span.last.min(n.saturating_sub(1));
    Span {
        first: span.first.min(last),
        last,
    }
}

/// A slide count as part of an effect key.
fn count_key(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// "Showing 3 to 4 of 6" / "Showing 5 of 6".
pub fn announcement(first: usize, last: usize, n: usize) -> String {
    if first == last {
        format!("Showing {} of {n}", first + 1)
    } else {
        format!("Showing {} to {} of {n}", first + 1, last + 1)
    }
}

/// Everything a carousel keeps between renders, in one reducer (one hook
/// type rather than a `use_state` each; see docs/size.md): the slides on
/// screen, the live region's text and what pauses the rotation.
#[derive(Clone, PartialEq)]
struct State {
    /// `None` until measured: the first `per_page` slides.
    span: Option<Span>,
    message: String,
    playing: bool,
    hovered: bool,
    focused: bool,
    /// A settled move that may need focus put back.
    refocus: Refocus,
    /// The move in progress: shared by every state, set by the buttons and
    /// keys and taken when the scrolling settles, never while rendering.
    pending: Rc<Cell<Pending>>,
}

/// A request to check focus after a settled move, numbered so that the
/// same request twice still runs the effect that handles it.
#[derive(Clone, Copy, Default, PartialEq)]
struct Refocus {
    request: u32,
    origin: Option<Origin>,
}

/// The move started by a button or a key, until the scrolling settles.
#[derive(Clone, Copy, Default, PartialEq)]
struct Pending {
    /// Whether the live region announces where it ends.
    announce: bool,
    origin: Option<Origin>,
}

/// What a settled move leaves to do.
struct Settled {
    /// The live region's new text, if the move announces itself.
    message: Option<String>,
    /// Where the move came from, if focus may need putting back.
    origin: Option<Origin>,
}

/// A change to a carousel's [`State`].
enum Change {
    /// A measurement, and what is left to do when the scrolling settled.
    Measured {
        span: Span,
        settled: Option<Settled>,
    },
    TogglePlaying,
    Hovered(bool),
    Focused(bool),
}

impl Default for State {
    fn default() -> Self {
        State {
            span: None,
            message: String::new(),
            playing: true,
            hovered: false,
            focused: false,
            refocus: Refocus::default(),
            pending: Rc::default(),
        }
    }
}

impl Reducible for State {
    type Action = Change;

    /// The same `Rc` when nothing changes, so Yew does not render again.
    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut next = (*self).clone();
        match change {
            Change::Measured { span, settled } => {
                next.span = Some(span);
                if let Some(Settled { message, origin }) = settled {
                    if let Some(message) = message {
                        next.message = message;
                    }
                    if origin.is_some() {
                        next.refocus = Refocus {
                            request: next.refocus.request.wrapping_add(1),
                            origin,
                        };
                    }
                }
            }
            Change::TogglePlaying => next.playing = !next.playing,
            Change::Hovered(on) => next.hovered = on,
            Change::Focused(on) => next.focused = on,
        }
        if next == *self { self } else { Rc::new(next) }
    }
}

#[component]
pub fn Carousel(props: &CarouselProps) -> Html {
    let n = props.slides.0.len();
    let state = use_reducer(State::default);
    // The elements the carousel measures, scrolls and focuses.
    let section = use_node_ref();
    let track = use_node_ref();
    let prev_ref = use_node_ref();
    let next_ref = use_node_ref();
    let rotate_ref = use_node_ref();
    let change = state.dispatcher();
    let initial = Span {
        first: 0,
        last: props.per_page.max(1) - 1,
    };
    let shown = clamp(state.span.unwrap_or(initial), n);
    let at_start = shown.first == 0;
    let at_end = shown.last + 1 >= n;
    let pending = &state.pending;

    // Asked only of a carousel that rotates (one per widget at most).
    let autoplay = props.autoplay.filter(|_| {
        !props
            .reduced_motion
            .unwrap_or_else(dom::prefers_reduced_motion)
    });
    let running = autoplay.is_some() && state.playing && !state.hovered && !state.focused;

    // Measure on scroll and resize; once settled, announce and ask for
    // focus to be checked (after the render that applies the new span).
    {
        let (track, change) = (track.clone(), change.clone());
        let pending = Rc::clone(pending);
        use_keyed_effect(
            [count_key(n), 0, 0, 0],
            Box::new(move || {
                let report: dom::Report = Rc::new(move |measured: Option<Span>, settled: bool| {
                    let Some(span) = measured else {
                        return;
                    };
                    let settled = settled.then(|| {
                        let Pending { announce, origin } = pending.take();
                        Settled {
                            message: announce.then(|| announcement(span.first, span.last, n)),
                            origin,
                        }
                    });
                    change.dispatch(Change::Measured { span, settled });
                });
                let watch = dom::watch(&track, report);
                Some(Box::new(move || drop(watch)))
            }),
        );
    }

    // After a move: a pressed button that became disabled has dropped focus
    // to the page, so hand it to the other one; a focused slide that went
    // off screen (inert) has too, so continue on the first one on screen.
    {
        let (track, prev_ref, next_ref) = (track.clone(), prev_ref.clone(), next_ref.clone());
        let Refocus { request, origin } = state.refocus;
        use_keyed_effect(
            [request, 0, 0, 0],
            Box::new(move || {
                match origin {
                    Some(Origin::Next) if at_end && !at_start => {
                        dom::focus(&prev_ref);
                    }
                    Some(Origin::Prev) if at_start && !at_end => {
                        dom::focus(&next_ref);
                    }
                    Some(Origin::Slide) if !dom::has_focus_within(&track) => {
                        dom::focus_slide(&track, shown.first);
                    }
                    _ => {}
                }
                None
            }),
        );
    }

    // Rotation: one page per period, back to the start after the end.
    {
        let track = track.clone();
        let override_reduced = props.reduced_motion;
        let period = autoplay.filter(|_| running);
        use_keyed_effect(
            [period.unwrap_or(0), count_key(n), 0, 0],
            Box::new(move || {
                let interval = period.and_then(|ms| {
                    dom::interval(ms, move || {
                        if override_reduced.unwrap_or_else(dom::prefers_reduced_motion) {
                            return;
                        }
                        if let Some(s) = dom::measure(&track) {
                            let to = target(s, n, Step::Forward).unwrap_or(0);
                            dom::scroll_to(&track, to);
                        }
                    })
                });
                Some(Box::new(move || drop(interval)))
            }),
        );
    }

    let go = {
        let (track, pending) = (track.clone(), Rc::clone(pending));
        move |step: Step, origin: Origin| {
            let from = dom::measure(&track).unwrap_or(shown);
            if let Some(to) = target(from, n, step) {
                pending.set(Pending {
                    announce: true,
                    origin: Some(origin),
                });
                dom::scroll_to(&track, to);
            }
        }
    };
    let on_prev = {
        let go = go.clone();
        Callback::from(move |_: MouseEvent| go(Step::Back, Origin::Prev))
    };
    let on_next = {
        let go = go.clone();
        Callback::from(move |_: MouseEvent| go(Step::Forward, Origin::Next))
    };
    let onkeydown = {
        let (section, track) = (section.clone(), track.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.alt_key() || e.ctrl_key() || e.meta_key() || e.shift_key() {
                return;
            }
            let right = match e.key().as_str() {
                "ArrowRight" => true,
                "ArrowLeft" => false,
                _ => return,
            };
            // Handled here, not by the track's own scrolling, nor by an
            // enclosing carousel.
            e.prevent_default();
            e.stop_propagation();
            let step = if right != dom::is_rtl(&section) {
                Step::Forward
            } else {
                Step::Back
            };
            let origin = if dom::contains_target(&track, &e) {
                Origin::Slide
            } else if step == Step::Forward {
                Origin::Next
            } else {
                Origin::Prev
            };
            go(step, origin);
        })
    };

    let onfocusin = {
        let (change, rotate_ref) = (change.clone(), rotate_ref.clone());
        // Focus on the pause/play button itself does not pause: the reader
        // is about to press it.
        Callback::from(move |e: FocusEvent| {
            change.dispatch(Change::Focused(!dom::is_target(&rotate_ref, &e)));
        })
    };
    let onfocusout = {
        let (change, section) = (change.clone(), section.clone());
        Callback::from(move |e: FocusEvent| {
            if !dom::contains_related(&section, &e) {
                change.dispatch(Change::Focused(false));
            }
        })
    };
    let onmouseenter = {
        let change = change.clone();
        Callback::from(move |_: MouseEvent| change.dispatch(Change::Hovered(true)))
    };
    let onmouseleave = {
        let change = change.clone();
        Callback::from(move |_: MouseEvent| change.dispatch(Change::Hovered(false)))
    };

    if n == 0 {
        return Html::default();
    }

    let rotation = autoplay.map(|_| {
        let onclick = Callback::from(move |_: MouseEvent| change.dispatch(Change::TogglePlaying));
        let (label, icon) = if state.playing {
            ("Stop automatic slide show", "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z")
        } else {
            ("Start automatic slide show", "M8 5.14v13.72L19 12z")
        };
        html! {
            <button type="button" class="ac-cbtn ac-rotate" part="button" ref={rotate_ref.clone()}
                aria-label={label} {onclick}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                    <path d={icon} fill="currentColor" />
                </svg>
            </button>
        }
    });
    let rotation_state = autoplay.map(|_| match (state.playing, running) {
        (false, _) => "stopped",
        (true, true) => "running",
        (true, false) => "paused",
    });
    let chevron = |d: &'static str| {
        html! {
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path {d} fill="none" stroke="currentColor" stroke-width="2.2"
                    stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        }
    };
    let caption = props.caption.clone().map(|c| {
        html! { <p class="ac-carousel-title" aria-hidden="true">{ c }</p> }
    });

    html! {
        <section ref={section} class="ac-carousel" data-kind={props.kind}
            role={(!props.landmark).then_some("group")}
            aria-roledescription="carousel" aria-label={props.label.clone()}
            data-autoplay={rotation_state} {onkeydown} {onfocusin} {onfocusout} {onmouseenter} {onmouseleave}>
            <div class="ac-carousel-bar">
                { caption }
                <div class="ac-controls">
                    { rotation }
                    <button type="button" class="ac-cbtn ac-prev" part="button" ref={prev_ref}
                        aria-label="Previous slides" disabled={at_start} onclick={on_prev}>
                        { chevron("M15 5l-7 7 7 7") }
                    </button>
                    <button type="button" class="ac-cbtn ac-next" part="button" ref={next_ref}
                        aria-label="Next slides" disabled={at_end} onclick={on_next}>
                        { chevron("M9 5l7 7-7 7") }
                    </button>
                </div>
            </div>
            <div class="ac-track" ref={track}>
                { for props.slides.0.iter().enumerate().map(|(i, slide)| {
                    let hidden = i < shown.first || i > shown.last;
                    html! {
                        <div key={i} class="ac-slide" role="group" aria-roledescription="slide"
                            aria-label={format!("{} of {n}", i + 1)} inert={hidden}>
                            { slide.clone() }
                        </div>
                    }
                }) }
            </div>
            <p class="ac-sr" aria-live="polite" aria-atomic="true">{ state.message.clone() }</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_by_page_without_wrapping() {
        let span = |first, last| Span { first, last };
        assert_eq!(target(span(0, 1), 6, Step::Forward), Some(2));
        assert_eq!(target(span(2, 3), 6, Step::Forward), Some(4));
        assert_eq!(target(span(4, 5), 6, Step::Forward), None);
        assert_eq!(target(span(0, 1), 6, Step::Back), None);
        assert_eq!(target(span(4, 5), 6, Step::Back), Some(2));
        // A last page that is not full: back a whole page, not past 0.
        assert_eq!(target(span(2, 5), 6, Step::Back), Some(0));
        assert_eq!(target(span(1, 2), 6, Step::Back), Some(0));
        assert_eq!(clamp(span(0, 1), 1), span(0, 0));
        assert_eq!(clamp(span(4, 5), 3), span(2, 2));
        assert_eq!(announcement(2, 3, 6), "Showing 3 to 4 of 6");
        assert_eq!(announcement(5, 5, 6), "Showing 6 of 6");
    }

    /// Issue 19: `eq` returned `false` for every pair, so props were not
    /// even equal to themselves.
    #[test]
    #[allow(clippy::eq_op)]
    fn props_eq_is_reflexive_and_compares_slides_by_identity() {
        let props = || CarouselProps {
            label: AttrValue::from("Related"),
            landmark: true,
            slides: vec![Html::default()].into(),
            kind: None,
            caption: None,
            per_page: 2,
            autoplay: None,
            reduced_motion: None,
        };
        let a = props();
        assert!(a == a);
        let same_slides = CarouselProps {
            slides: a.slides.clone(),
            ..props()
        };
        assert!(a == same_slides);
        assert!(a != props(), "new slides, however alike, render again");
        let other_label = CarouselProps {
            label: AttrValue::from("Articles"),
            slides: a.slides.clone(),
            ..props()
        };
        assert!(a != other_label);
    }
}
