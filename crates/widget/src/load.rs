//! Loading a bundle: the network and the Cache API are `edge.js`'s (the
//! browser's own `fetch`, timers and streams: one deadline for the whole
//! load, retries with backoff on network errors, 5xx and 429, `Retry-After`
//! honoured, the body read up to [`MAX_BUNDLE_BYTES`]); this side decodes
//! what comes back ([`decode_with`]) and says what the load came to. A
//! [`Cancel`] aborts the load when the widget goes away.
//!
//! `src` may also name a version 2 manifest (the decoder tells the versions
//! apart by content): then `edge.js` reads the pages of the chain the
//! options need and hands them back as one version 1 bundle, through the
//! same deadline, retries, cap and decoder; "Load more" asks it for older
//! pages the same way with [`more`].
//!
//! Each bundle that decodes is kept as the reader's *last good copy* of its
//! URL (at most [`KEPT_URLS`] URLs): for a manifest, the first screen of its
//! chain as that one bundle. When a later load of that URL fails, the copy
//! is shown instead of the error.

use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::browser;
use crate::decode::{MAX_BUNDLE_BYTES, decode_with, load_error};
use crate::model::{LoadError, LoadErrorKind};
use crate::options::{Images, Options};
use bundle::safe_url::is_absolute_http;
use bundle::{ArticleType, Bundle};

#[wasm_bindgen(module = "/src/edge.js")]
extern "C" {
    /// Loads `url`, or with an `archive` its pages until it holds `want`
    /// articles: `[bytes, URL after redirects, older pages remain]`, or a
    /// rejection with `[kind, n, more]`, a message, or the abort.
    #[wasm_bindgen(js_name = loadFile)]
    fn load_file(
        url: &str,
        timeout_ms: u32,
        retries: u32,
        cap: u32,
        signal: &AbortSignal,
        archive: &JsValue,
        want: u32,
    ) -> Promise;

    /// Opens a version 2 manifest for the filters (one name per line);
    /// throws a message when it is not one.
    #[wasm_bindgen(js_name = openArchive, catch)]
    fn open_archive(
        manifest: &[u8],
        base: &str,
        topics: &str,
        providers: &str,
        types: &str,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = keepCopy)]
    fn keep_copy(url: &str, base: &str, bytes: &[u8], cache: &str, kept: u32);

    /// `[bytes, base]` or null.
    #[wasm_bindgen(js_name = lastGood)]
    fn last_good_copy(url: &str, cache: &str) -> Promise;
}

/// How a load ended.
#[derive(Debug)]
pub enum Outcome {
    Loaded {
        bundle: Bundle,
        warnings: Vec<String>,
        /// The URL the bundle came from (after redirects): its origin is
        /// the bundle's origin for images.
        base: String,
        /// Why the load failed, when this bundle is the reader's last good
        /// copy of the URL rather than what the server sent now.
        offline: Option<LoadError>,
        /// For a version 2 manifest: the chain read.
        chain: Option<ChainRead>,
    },
    Failed(LoadError),
    /// The widget went away (or its `src` changed): show nothing.
    Cancelled,
}

/// A version 2 chain being read: `edge.js`'s reader of it.
#[derive(Debug, Clone)]
pub struct ChainRead {
    /// The manifest's URL (after redirects): shard names resolve against it.
    pub base: String,
    /// The reader (its manifest, the pages read, the next one).
    archive: JsValue,
    /// Older pages remain.
    pub more: bool,
}

/// Cancels one load: aborts its requests and any wait.
pub struct Cancel {
    controller: Option<AbortController>,
}

impl Cancel {
    pub fn new() -> Rc<Self> {
        Rc::new(Cancel {
            controller: AbortController::new().ok(),
        })
    }

    pub fn cancel(&self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.controller
            .as_ref()
            .is_some_and(|c| c.signal().aborted())
    }

    fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

/// Why reading a file stopped.
enum Stop {
    Failed(LoadError),
    Cancelled,
}

/// Loads and decodes what `options.src` names within `options.timeout_ms`
/// (all attempts and the pauses between them), with at most
/// `options.retries` retries; `images: cached-only` keeps only images on
/// the bundle's origin (see [`decode_with`]). For a version 2 manifest,
/// the first screen of the chain the options need is read too.
///
/// The first request is sent before this returns, not when the future is
/// first polled: a spawned future runs after the render that spawned it,
/// and the network can use the time the skeleton's render takes.
pub fn load(options: &Rc<Options>, cancel: &Rc<Cancel>) -> impl Future<Output = Outcome> + 'static {
    let url = browser::absolute_url(&options.src);
    let first = read(&url, options, cancel, &JsValue::NULL, 0);
    run(url, first, Rc::clone(options), Rc::clone(cancel))
}

/// The load of [`load`], its first request already sent.
async fn run(url: String, first: Reading, options: Rc<Options>, cancel: Rc<Cancel>) -> Outcome {
    let cached_only = options.images == Images::CachedOnly;
    let error = match first.await {
        Err(Stop::Cancelled) => return Outcome::Cancelled,
        Err(Stop::Failed(e)) => e,
        Ok((bytes, base, _)) => match decode_with(&bytes, Some(&base), cached_only) {
            Ok((bundle, warnings)) => {
                keep(&url, &base, &bytes);
                return Outcome::Loaded {
                    bundle,
                    warnings,
                    base,
                    offline: None,
                    chain: None,
                };
            }
            Err(e) if e.kind == LoadErrorKind::WrongVersion(2) => {
                // The first screen is all or nothing: Retry starts over.
                return match open(&bytes, base, &options) {
                    Ok(chain) => more(chain, options.limit, &options, &cancel, Some(url)).await,
                    Err(e) => Outcome::Failed(e),
                };
            }
            Err(e) => e,
        },
    };
    match last_good(&url, cached_only).await {
        Some((bundle, warnings, base)) => Outcome::Loaded {
            bundle,
            warnings,
            base,
            offline: Some(error),
            chain: None,
        },
        None => Outcome::Failed(error),
    }
}

/// A file being read by `edge.js`: its bytes, its URL after redirects and
/// whether older pages remain.
type Reading = std::pin::Pin<Box<dyn Future<Output = Result<(Vec<u8>, String, bool), Stop>>>>;

/// Starts reading `url` (or `archive`'s pages until it holds `want`
/// articles; `archive` null for a plain file): the request is sent before
/// this returns.
fn read(
    url: &str,
    options: &Options,
    cancel: &Rc<Cancel>,
    archive: &JsValue,
    want: u32,
) -> Reading {
    let promise = cancel.signal().map(|signal| {
        load_file(
            url,
            options.timeout_ms,
            options.retries,
            MAX_BUNDLE_BYTES as u32,
            &signal,
            archive,
            want,
        )
    });
    let cancel = Rc::clone(cancel);
    Box::pin(async move {
        let Some(promise) = promise else {
            return Err(Stop::Failed(load_error(LoadErrorKind::Network)));
        };
        let got = JsFuture::from(promise).await;
        if cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let got: Array = got
            .map_err(|thrown| Stop::Failed(failure(thrown)))?
            .unchecked_into();
        let bytes: Uint8Array = got.get(0).unchecked_into();
        reserve_heap(bytes.length() as usize);
        let base = got.get(1).as_string().unwrap_or_default();
        Ok((bytes.to_vec(), base, got.get(2).is_truthy()))
    })
}

/// What a rejection of `edge.js` (`[kind, n, more]`) means for the reader.
fn failure(thrown: JsValue) -> LoadError {
    let Ok(failed) = thrown.dyn_into::<Array>() else {
        return load_error(LoadErrorKind::Network);
    };
    let n = failed.get(1);
    let bytes = n.as_f64().unwrap_or(0.0) as u64;
    match failed.get(0).as_f64() {
        Some(1.0) => load_error(LoadErrorKind::Timeout),
        // In range: an HTTP status.
        Some(2.0) => load_error(LoadErrorKind::Http(bytes as u16)),
        // The body went past the cap while it was read: how much more
        // there was is unknown, so say "more than".
        Some(3.0) if failed.get(2).is_truthy() => LoadError {
            kind: LoadErrorKind::TooLarge(bytes),
            message: format!(
                "The articles file is too large (more than {} MB).",
                MAX_BUNDLE_BYTES >> 20
            )
            .into(),
        },
        Some(3.0) => load_error(LoadErrorKind::TooLarge(bytes)),
        // A file of an archive is not what it should be: `n` says why.
        Some(4.0) => LoadError {
            kind: LoadErrorKind::NotJson,
            message: n.as_string().unwrap_or_default().into(),
        },
        _ => load_error(LoadErrorKind::Network),
    }
}

/// Opens the manifest `bytes` read from `base` for `options`' filters.
fn open(bytes: &[u8], base: String, options: &Options) -> Result<ChainRead, LoadError> {
    let types: Vec<&str> = options
        .types
        .iter()
        .map(|t| match t {
            ArticleType::Article => "article",
            ArticleType::Video => "video",
        })
        .collect();
    let archive = open_archive(
        bytes,
        &base,
        &options.topics.join("\n"),
        &options.providers.join("\n"),
        &types.join("\n"),
    )
    .map_err(failure)?;
    Ok(ChainRead {
        base,
        archive,
        more: true,
    })
}

/// Reads older pages of `chain` until it holds `wanted` articles (or it
/// ends), within `options.timeout_ms`: the bundle of every page read (the
/// request is sent before this returns). `keep_as`: the URL to keep that
/// bundle as the last good copy of.
pub fn more(
    chain: ChainRead,
    wanted: usize,
    options: &Rc<Options>,
    cancel: &Rc<Cancel>,
    keep_as: Option<String>,
) -> impl Future<Output = Outcome> + 'static {
    let want = u32::try_from(wanted).unwrap_or(u32::MAX);
    let reading = read(&chain.base, options, cancel, &chain.archive, want);
    let cached_only = options.images == Images::CachedOnly;
    async move {
        let (bytes, _, more) = match reading.await {
            Ok(read) => read,
            Err(Stop::Failed(e)) => return Outcome::Failed(e),
            Err(Stop::Cancelled) => return Outcome::Cancelled,
        };
        let base = chain.base.clone();
        match decode_with(&bytes, Some(&base), cached_only) {
            Ok((bundle, warnings)) => {
                if let Some(url) = keep_as {
                    keep(&url, &base, &bytes);
                }
                Outcome::Loaded {
                    bundle,
                    warnings,
                    base,
                    offline: None,
                    chain: Some(ChainRead { more, ..chain }),
                }
            }
            Err(e) => Outcome::Failed(e),
        }
    }
}

/// The heap decoding a bundle needs at its peak, roughly, as a multiple of
/// its size: the bytes, the JSON tree read from them and the bundle built
/// from the tree. Chosen from Chromium traces of `cargo xtask bench
/// widget`'s bundles, where it left few or no `memory.grow`s to the decode
/// (figures in docs/size.md, "Speed").
const DECODE_HEAP_FACTOR: usize = 5;

/// Grows the wasm memory once, by what decoding `len` bytes will use,
/// instead of 1 MiB at a time as the allocator asks for it: each
/// `memory.grow` costs the main thread. When the memory cannot grow that
/// much, nothing is reserved and the decode grows as it goes.
fn reserve_heap(len: usize) {
    #[cfg(not(target_feature = "atomics"))]
    crate::heap::reserve(&crate::ALLOCATOR, len.saturating_mul(DECODE_HEAP_FACTOR));
}

/// The Cache API cache of the last good copies. Its name carries a version
/// so that a change of what is kept can start afresh.
pub const KEPT_CACHE: &str = "article-cards-1";

/// At most this many bundle URLs have a last good copy; storing another
/// drops the one stored longest ago.
pub const KEPT_URLS: u32 = 4;

/// Stores a bundle that decoded as the last good copy of `url` (in the
/// background; the bytes are copied before this returns).
fn keep(url: &str, base: &str, bytes: &[u8]) {
    keep_copy(url, base, bytes, KEPT_CACHE, KEPT_URLS);
}

/// The last good copy of `url`, decoded as it was when it was kept (the
/// same checks as a fresh load), if this reader has one.
async fn last_good(url: &str, cached_only: bool) -> Option<(Bundle, Vec<String>, String)> {
    let copy = JsFuture::from(last_good_copy(url, KEPT_CACHE)).await.ok()?;
    let copy: Array = copy.dyn_into().ok()?;
    let base = copy
        .get(1)
        .as_string()
        .filter(|b| is_absolute_http(b))
        .unwrap_or_else(|| url.to_owned());
    let bytes: Uint8Array = copy.get(0).dyn_into().ok()?;
    reserve_heap(bytes.length() as usize);
    let (bundle, warnings) = decode_with(&bytes.to_vec(), Some(&base), cached_only).ok()?;
    Some((bundle, warnings, base))
}
