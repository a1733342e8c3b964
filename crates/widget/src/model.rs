//! The data the browser edge hands to the components: the load state of a
//! bundle and what a reader selected. Shared contract between `load`/`mount`
//! (which produce it) and `components` (which render it).

use std::rc::Rc;

use yew::{AttrValue, Callback};

use bundle::Bundle;

/// Where a widget's bundle is. Two `Ready` states are equal when they hold
/// the same bundle ([`Rc::ptr_eq`]): a decoded bundle never changes, and
/// comparing props must not walk thousands of articles (nor link a deep
/// comparison of every bundle type into the wasm).
#[derive(Debug, Clone)]
pub enum LoadState {
    /// Fetch in flight (or not started): render the skeleton.
    Loading,
    /// The bundle could not be used: render the error state with Retry.
    Failed(LoadError),
    /// A decoded bundle whose articles each passed validation (bad ones were
    /// dropped with a console warning) and whose relative URLs were resolved
    /// against the bundle's own URL.
    Ready(Rc<Bundle>),
    /// The bundle could not be loaded (why: the error), but this reader's
    /// last good copy of the same URL could: render it like `Ready`, with
    /// an "offline copy" note and Retry.
    Offline {
        bundle: Rc<Bundle>,
        error: LoadError,
    },
}

impl PartialEq for LoadState {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (LoadState::Loading, LoadState::Loading) => true,
            (LoadState::Failed(a), LoadState::Failed(b)) => a == b,
            (LoadState::Ready(a), LoadState::Ready(b)) => Rc::ptr_eq(a, b),
            (
                LoadState::Offline {
                    bundle: a,
                    error: e,
                },
                LoadState::Offline {
                    bundle: b,
                    error: f,
                },
            ) => Rc::ptr_eq(a, b) && e == f,
            _ => false,
        }
    }
}

/// Why a bundle could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The request failed (offline, DNS, CORS) after retries.
    Network,
    /// The request took longer than the timeout after retries.
    Timeout,
    /// An HTTP status other than 2xx (after retries for 5xx/429).
    Http(u16),
    /// The body is not JSON, or not a bundle.
    NotJson,
    /// The bundle has a `version` this widget does not read.
    WrongVersion(u32),
    /// The body is larger than the size cap, in bytes.
    TooLarge(u64),
}

/// A load failure with a message a reader can understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    /// One plain sentence, e.g. "The articles could not be loaded (HTTP 404)."
    pub message: AttrValue,
}

/// A version 2 chain as the view sees it: the cards are the pages read so
/// far (the bundle of [`LoadState::Ready`]), and "Load more" can ask for
/// older ones. Equal when everything is, the callback by identity.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainView {
    /// Which load read the chain: the pages shown (and the video playing)
    /// are kept while the chain grows, though its bundle is a new one.
    pub id: u32,
    /// Older pages remain to be fetched.
    pub more: bool,
    /// They are being fetched.
    pub fetching: bool,
    /// Why the last fetch of older pages failed: "Load more" says so and
    /// tries again.
    pub error: Option<LoadError>,
    /// Asks for older pages until this many articles are selected (or the
    /// chain ends).
    pub on_more: Callback<usize>,
}

/// A reader opened an article: reported up so the edge can dispatch
/// `article-cards:select` on the host element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub id: AttrValue,
    pub url: AttrValue,
}
