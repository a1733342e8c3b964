//! One reducer type for every stateful component of the widget: the root's
//! load and view state and each carousel's position are parts of one
//! [`Store`], so `use_reducer` (and its handle and dispatcher) is linked
//! once. Each component reads and changes its own part; the other part of
//! its store stays at its default (a few words, and two empty cells for a
//! carousel).

use std::rc::Rc;

use yew::prelude::*;

use crate::widget::components::carousel;
use crate::widget::components::{ViewChange, ViewState};
use crate::widget::model::LoadState;

/// The state of a widget's root or of one carousel.
#[derive(Clone, Default)]
pub struct Store {
    pub root: RootState,
    pub carousel: carousel::State,
}

/// A change to a [`Store`].
pub enum StoreAction {
    Root(RootAction),
    Carousel(carousel::Change),
}

impl Reducible for Store {
    type Action = StoreAction;

    fn reduce(self: Rc<Self>, action: StoreAction) -> Rc<Self> {
        let next = match action {
            StoreAction::Root(action) => self.root.changed(action).map(|root| Store {
                root,
                carousel: self.carousel.clone(),
            }),
            StoreAction::Carousel(change) => self.carousel.changed(change).map(|carousel| Store {
                root: self.root.clone(),
                carousel,
            }),
        };
        next.map_or(self, Rc::new)
    }
}

/// The root's load state and what drives it, and the view's state.
#[derive(Clone)]
pub struct RootState {
    pub state: LoadState,
    /// Bumped by Retry: part of the load's key.
    pub retry: u32,
    /// Bumped when a load finishes: the key of the event effect.
    pub finished: u32,
    /// Where the last bundle came from (after redirects), for the images.
    pub bundle_url: Option<AttrValue>,
    pub view: ViewState,
}

impl Default for RootState {
    fn default() -> Self {
        RootState {
            state: LoadState::Loading,
            retry: 0,
            finished: 0,
            bundle_url: None,
            view: ViewState::default(),
        }
    }
}

/// A change to a [`RootState`].
pub enum RootAction {
    /// A load started (new `src` or Retry).
    Start,
    /// The outcome, and the URL a bundle came from.
    Finish(LoadState, Option<AttrValue>),
    Retry,
    View(ViewChange),
}

impl RootState {
    /// The state after `action`; `None` when nothing changes.
    fn changed(&self, action: RootAction) -> Option<RootState> {
        let mut next = self.clone();
        match action {
            RootAction::Start if matches!(self.state, LoadState::Loading) => return None,
            RootAction::Start => next.state = LoadState::Loading,
            RootAction::Finish(state, bundle_url) => {
                next.state = state;
                next.finished = self.finished.wrapping_add(1);
                if bundle_url.is_some() {
                    next.bundle_url = bundle_url;
                }
            }
            RootAction::Retry => {
                next.state = LoadState::Loading;
                next.retry = self.retry.wrapping_add(1);
            }
            RootAction::View(change) => next.view.apply(change),
        }
        Some(next)
    }
}
