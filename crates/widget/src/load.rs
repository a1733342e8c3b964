//! Fetching a bundle: `fetch` with one deadline for the whole load (each
//! attempt's `AbortController` fires when it passes), retries with backoff
//! on network errors, 5xx and 429 while the deadline leaves room for them,
//! the body read chunk by chunk up to [`MAX_BUNDLE_BYTES`] and handed to
//! [`decode`](crate::decode). A 429 or 503 with
//! `Retry-After: <seconds>` waits that long instead (at most
//! [`RETRY_AFTER_MAX_MS`]), still within the retry budget and the deadline.
//! A [`Cancel`] aborts the request in flight when the widget goes away.
//!
//! Each bundle that decodes is kept as the reader's *last good copy* of its
//! URL (the Cache API, at most [`KEPT_URLS`] URLs); when a later load of
//! that URL fails, the copy is shown instead of the error.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    AbortController, Cache, CacheStorage, Headers, ReadableStreamDefaultReader, Request,
    RequestInit, Response, ResponseInit,
};

use crate::browser;
use crate::decode::{MAX_BUNDLE_BYTES, decode_with, load_error};
use crate::model::{LoadError, LoadErrorKind};
use bundle::Bundle;

/// Delay before retry `n` (0-based): 300 ms, 900 ms, 2.7 s, … capped at 10 s.
pub fn backoff_ms(retry: u32) -> u32 {
    let factor = 3u32.saturating_pow(retry);
    300u32.saturating_mul(factor).min(10_000)
}

/// The longest `Retry-After` honoured; longer ones wait this long.
pub const RETRY_AFTER_MAX_MS: u32 = 10_000;

/// The wait a `Retry-After` header asks for, in ms, capped at
/// [`RETRY_AFTER_MAX_MS`]. Only the seconds form (`120`); an HTTP date or
/// anything else is `None` (the usual backoff applies).
pub fn retry_after_ms(value: &str) -> Option<u32> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Many digits: far past the cap (and past what `u32` holds).
    let secs = value.parse::<u32>().unwrap_or(u32::MAX);
    Some(secs.saturating_mul(1000).min(RETRY_AFTER_MAX_MS))
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
    },
    Failed(LoadError),
    /// The widget went away (or its `src` changed): show nothing.
    Cancelled,
}

/// Cancels one load: aborts the request in flight and wakes any wait.
pub struct Cancel {
    cancelled: Cell<bool>,
    current: RefCell<Option<AbortController>>,
    /// Resolves when cancelled; raced against every await of the load.
    promise: Promise,
    wake: Option<Function>,
}

impl Cancel {
    pub fn new() -> Rc<Self> {
        let mut wake = None;
        let promise = Promise::new(&mut |resolve, _reject| wake = Some(resolve));
        Rc::new(Cancel {
            cancelled: Cell::new(false),
            current: RefCell::new(None),
            promise,
            wake,
        })
    }

    pub fn cancel(&self) {
        if self.cancelled.replace(true) {
            return;
        }
        if let Some(controller) = self.current.borrow_mut().take() {
            controller.abort();
        }
        if let Some(wake) = &self.wake {
            let _ = wake.call0(&JsValue::NULL);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

/// Why one attempt failed.
enum AttemptError {
    /// Worth retrying: network error, timeout, 5xx, 429.
    Transient(LoadErrorKind),
    /// A 429 or 503 whose `Retry-After` asks to wait this many ms.
    RetryAfter(LoadErrorKind, u32),
    Final(LoadError),
    Cancelled,
}

/// Loads and decodes the bundle at `src` within `timeout_ms` (all attempts
/// and the pauses between them), with at most `retries` retries;
/// `cached_only`: keep only images on the bundle's origin (see
/// [`decode_with`]).
///
/// The first request is sent before this returns, not when the future is
/// first polled: a spawned future runs after the render that spawned it,
/// and the network can use the time the skeleton's render takes.
pub fn load(
    src: &str,
    timeout_ms: u32,
    retries: u32,
    cached_only: bool,
    cancel: &Rc<Cancel>,
) -> impl Future<Output = Outcome> + 'static {
    let url = browser::absolute_url(src);
    let deadline = js_sys::Date::now() + f64::from(timeout_ms);
    let first = start(&url, timeout_ms, cancel);
    run(
        url,
        first,
        deadline,
        retries,
        cached_only,
        Rc::clone(cancel),
    )
}

/// Milliseconds left until `deadline` (a `Date.now()` value), 0 when past.
fn left_ms(deadline: f64) -> u32 {
    let left = (deadline - js_sys::Date::now()).max(0.0);
    // In range: `left` is at most the timeout option, a `u32`.
    left as u32
}

/// The attempts of [`load`], the first one already started.
async fn run(
    url: String,
    first: Result<Started, AttemptError>,
    deadline: f64,
    retries: u32,
    cached_only: bool,
    cancel: Rc<Cancel>,
) -> Outcome {
    let cancel = &cancel;
    let mut started = first;
    let mut retry = 0;
    let error = loop {
        let result = match started {
            Ok(started) => finish(started, cancel).await,
            Err(e) => Err(e),
        };
        let (kind, wait_ms) = match result {
            Ok((mut bytes, final_url)) => {
                let base = if final_url.is_empty() {
                    url.clone()
                } else {
                    final_url
                };
                match decode_with(&bytes, Some(&base), cached_only) {
                    Ok((bundle, warnings)) => {
                        keep(&url, &base, &mut bytes);
                        return Outcome::Loaded {
                            bundle,
                            warnings,
                            base,
                            offline: None,
                        };
                    }
                    Err(e) => break e,
                }
            }
            Err(AttemptError::Cancelled) => return Outcome::Cancelled,
            Err(AttemptError::Final(e)) => break e,
            Err(AttemptError::Transient(kind)) => (kind, backoff_ms(retry)),
            Err(AttemptError::RetryAfter(kind, ms)) => (kind, ms),
        };
        // No retry that could not finish before the deadline: the reader
        // gets the error (or the last good copy) on time instead.
        if retry >= retries || wait_ms >= left_ms(deadline) {
            break load_error(kind);
        }
        if !sleep(wait_ms, cancel).await {
            return Outcome::Cancelled;
        }
        retry += 1;
        started = start(&url, left_ms(deadline), cancel);
    };
    match last_good(&url, cached_only).await {
        Some((bundle, warnings, base)) => Outcome::Loaded {
            bundle,
            warnings,
            base,
            offline: Some(error),
        },
        None => Outcome::Failed(error),
    }
}

/// A promise resolved after `ms` milliseconds, after running `on_fire`.
/// The timer closure frees itself when it runs.
fn timer(ms: u32, on_fire: Option<Box<dyn FnOnce()>>) -> Promise {
    let ms = i32::try_from(ms).unwrap_or(i32::MAX);
    let mut on_fire = on_fire;
    Promise::new(&mut |resolve, _reject| {
        let on_fire = on_fire.take();
        let fire = Closure::once_into_js(move || {
            if let Some(f) = on_fire {
                f();
            }
            let _ = resolve.call0(&JsValue::NULL);
        });
        if let Some(window) = browser::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), ms);
        }
    })
}

/// Waits `ms`; `false` when cancelled meanwhile.
async fn sleep(ms: u32, cancel: &Cancel) -> bool {
    let race = Promise::race(&Array::of2(&timer(ms, None), &cancel.promise));
    let _ = JsFuture::from(race).await;
    !cancel.is_cancelled()
}

/// A request in flight, with what [`finish`] needs to see it through.
struct Started {
    request: Promise,
    controller: AbortController,
    /// Resolves when the attempt's time is up (and aborts it).
    deadline: Promise,
    timed_out: Rc<Cell<bool>>,
}

/// Sends one request (synchronously: `fetch` is called before this
/// returns), aborted after `timeout_ms` (what is left of the load's).
fn start(url: &str, timeout_ms: u32, cancel: &Rc<Cancel>) -> Result<Started, AttemptError> {
    if cancel.is_cancelled() {
        return Err(AttemptError::Cancelled);
    }
    let window = browser::window().ok_or(AttemptError::Transient(LoadErrorKind::Network))?;
    let controller =
        AbortController::new().map_err(|_| AttemptError::Transient(LoadErrorKind::Network))?;
    *cancel.current.borrow_mut() = Some(controller.clone());

    let timed_out = Rc::new(Cell::new(false));
    let deadline = {
        let timed_out = Rc::clone(&timed_out);
        let controller = controller.clone();
        timer(
            timeout_ms,
            Some(Box::new(move || {
                timed_out.set(true);
                controller.abort();
            })),
        )
    };
    let init = RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    let request = window.fetch_with_str_and_init(url, &init);
    Ok(Started {
        request,
        controller,
        deadline,
        timed_out,
    })
}

/// Waits for a [`start`]ed request: `Ok` with the body and the response's
/// final URL.
async fn finish(started: Started, cancel: &Rc<Cancel>) -> Result<(Vec<u8>, String), AttemptError> {
    let Started {
        request,
        controller,
        deadline,
        timed_out,
    } = started;
    // Every await races the deadline and the cancellation; whichever wins,
    // the flags say what happened.
    let guarded = |p: Promise| Promise::race(&Array::of3(&p, &deadline, &cancel.promise));
    let stopped = || {
        if cancel.is_cancelled() {
            Some(AttemptError::Cancelled)
        } else if timed_out.get() {
            Some(AttemptError::Transient(LoadErrorKind::Timeout))
        } else {
            None
        }
    };
    let failed = |_: JsValue| stopped().unwrap_or(AttemptError::Transient(LoadErrorKind::Network));

    let settled = JsFuture::from(guarded(request)).await.map_err(failed)?;
    if let Some(stop) = stopped() {
        return Err(stop);
    }
    let response: Response = settled
        .dyn_into()
        .map_err(|_| AttemptError::Transient(LoadErrorKind::Network))?;

    let status = response.status();
    if !response.ok() {
        let kind = LoadErrorKind::Http(status);
        let retry_after = (status == 429 || status == 503)
            .then(|| response.headers().get("retry-after").ok().flatten())
            .flatten()
            .and_then(|v| retry_after_ms(&v));
        return Err(if let Some(ms) = retry_after {
            AttemptError::RetryAfter(kind, ms)
        } else if status >= 500 || status == 429 {
            AttemptError::Transient(kind)
        } else {
            AttemptError::Final(load_error(kind))
        });
    }
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared
        && len > MAX_BUNDLE_BYTES as u64
    {
        controller.abort();
        return Err(AttemptError::Final(load_error(LoadErrorKind::TooLarge(
            len,
        ))));
    }
    // Read chunk by chunk and stop at the cap: a compressed body can
    // declare a small length and decode to any size.
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    if let Some(body) = response.body() {
        let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        loop {
            let read = JsFuture::from(guarded(reader.read()))
                .await
                .map_err(failed)?;
            if let Some(stop) = stopped() {
                return Err(stop);
            }
            if Reflect::get(&read, &"done".into()).is_ok_and(|done| done.is_truthy()) {
                break;
            }
            let chunk: Uint8Array = Reflect::get(&read, &"value".into())
                .and_then(JsCast::dyn_into)
                .map_err(|_| AttemptError::Transient(LoadErrorKind::Network))?;
            let start = bytes.len();
            let len = start.saturating_add(chunk.length() as usize);
            if len > MAX_BUNDLE_BYTES {
                // Aborting the request also cancels the body stream.
                controller.abort();
                // How much more there was is unknown: say "more than".
                return Err(AttemptError::Final(LoadError {
                    kind: LoadErrorKind::TooLarge(len as u64),
                    message: format!(
                        "The articles file is too large (more than {} MB).",
                        MAX_BUNDLE_BYTES >> 20
                    )
                    .into(),
                }));
            }
            bytes.resize(len, 0);
            if let Some(tail) = bytes.get_mut(start..) {
                chunk.copy_to(tail);
            }
        }
    }
    cancel.current.borrow_mut().take();
    reserve_heap(bytes.len());
    Ok((bytes, response.url()))
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

/// The header of a kept copy that holds the URL it came from after
/// redirects (its base for relative URLs and images).
const KEPT_BASE: &str = "x-article-cards-base";

/// The page's Cache API, when it has one. It is missing outside secure
/// contexts, and throws on opaque origins; every use of it may fail (private
/// modes, quotas), and each failure only means no copy is kept or found.
fn kept() -> Option<JsFuture> {
    let caches: CacheStorage = browser::window()?.caches().ok()?;
    (!caches.is_undefined()).then(|| JsFuture::from(caches.open(KEPT_CACHE)))
}

/// Stores a bundle that decoded as the last good copy of `url`, in the
/// background, dropping the oldest copies past [`KEPT_URLS`]. The bytes are
/// copied into a `Response` before this returns.
fn keep(url: &str, base: &str, bytes: &mut [u8]) {
    let Some(open) = kept() else {
        return;
    };
    let Ok(headers) = Headers::new() else {
        return;
    };
    let _ = headers.set(KEPT_BASE, base);
    let init = ResponseInit::new();
    init.set_headers(&headers);
    let Ok(response) = Response::new_with_opt_u8_array_and_init(Some(bytes), &init) else {
        return;
    };
    let url = url.to_owned();
    spawn_local(async move {
        let Some(cache) = open.await.ok().and_then(|c| c.dyn_into::<Cache>().ok()) else {
            return;
        };
        // `put` replaces the URL's entry and moves it last in `keys()`.
        if JsFuture::from(cache.put_with_str(&url, &response))
            .await
            .is_err()
        {
            return;
        }
        let Ok(keys) = JsFuture::from(cache.keys()).await else {
            return;
        };
        let keys = Array::from(&keys);
        for old in keys
            .iter()
            .take(keys.length().saturating_sub(KEPT_URLS) as usize)
        {
            if let Ok(old) = old.dyn_into::<Request>() {
                let _ = JsFuture::from(cache.delete_with_request(&old)).await;
            }
        }
    });
}

/// The last good copy of `url`, decoded as it was when it was kept (the
/// same checks as a fresh load), if this reader has one.
async fn last_good(url: &str, cached_only: bool) -> Option<(Bundle, Vec<String>, String)> {
    let cache: Cache = kept()?.await.ok()?.dyn_into().ok()?;
    let response: Response = JsFuture::from(cache.match_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let base = response
        .headers()
        .get(KEPT_BASE)
        .ok()
        .flatten()
        .filter(|b| bundle::safe_url::is_absolute_http(b))
        .unwrap_or_else(|| url.to_owned());
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    reserve_heap(bytes.len());
    let (bundle, warnings) = decode_with(&bytes, Some(&base), cached_only).ok()?;
    Some((bundle, warnings, base))
}
