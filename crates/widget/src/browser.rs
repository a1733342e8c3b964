//! The few `web_sys` helpers the edge needs: the shadow root and its shared
//! stylesheet, host events, locale, console and clock. Nothing here writes
//! HTML or `style` attributes: the stylesheet is a constructed
//! `CSSStyleSheet` adopted by each shadow root, which a strict `style-src`
//! Content-Security-Policy allows.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{Document, Element, ShadowRoot, ShadowRootInit, ShadowRootMode, Window};

use crate::components::STYLE;

/// Prefix of every console message and error the widget emits.
pub const LOG_PREFIX: &str = "article-cards: ";

pub fn window() -> Option<Window> {
    web_sys::window()
}

pub fn document() -> Option<Document> {
    window()?.document()
}

/// `Date.now()`, in milliseconds.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("{LOG_PREFIX}{message}")));
}

pub fn error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("{LOG_PREFIX}{message}")));
}

/// The element's open shadow root, attached if it has none. A closed root
/// attached by someone else cannot be reached: that is an error, as is an
/// element that cannot host a shadow root (`<img>`, `<input>`, …).
pub fn open_shadow_root(host: &Element) -> Result<ShadowRoot, String> {
    if let Some(root) = host.shadow_root() {
        return Ok(root);
    }
    host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(|_| {
            format!(
                "cannot attach a shadow root to this <{}> element (it already has a closed \
                 one, or it is not a container); mount on a <div> or a custom element",
                host.tag_name().to_ascii_lowercase()
            )
        })
}

/// Adds the widget's stylesheet (one for every widget of this wasm
/// instance, built once) to the root's `adoptedStyleSheets`, keeping any
/// others: `true` when this call added it.
pub fn adopt_style(root: &ShadowRoot) -> Result<bool, String> {
    adopt_sheet(root, STYLE).map_err(|thrown| {
        thrown
            .as_string()
            .unwrap_or_else(|| "the widget stylesheet could not be used".to_owned())
    })
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/edge.js")]
extern "C" {
    /// See [`adopt_style`]; throws a message when the browser cannot.
    #[wasm_bindgen(js_name = adoptSheet, catch)]
    fn adopt_sheet(root: &ShadowRoot, css: &str) -> Result<bool, JsValue>;

    /// Removes the widget's stylesheet from the root's
    /// `adoptedStyleSheets`.
    #[wasm_bindgen(js_name = unadoptSheet)]
    pub fn unadopt_style(root: &ShadowRoot);
}

/// A detail object from string/number pairs.
pub fn detail(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// Dispatches a bubbling, composed `CustomEvent` on the host element.
pub fn dispatch(host: &Element, name: &str, detail: &JsValue) {
    fire(host, name, detail, false);
}

/// [`dispatch`], cancelable: `false` when a listener called
/// `preventDefault()`.
pub fn dispatch_cancelable(host: &Element, name: &str, detail: &JsValue) -> bool {
    fire(host, name, detail, true)
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/edge.js")]
extern "C" {
    /// Dispatches a bubbling, composed `CustomEvent` on `host`: `false`
    /// when it was cancelable and a listener called `preventDefault()`.
    fn fire(host: &Element, name: &str, detail: &JsValue, cancelable: bool) -> bool;
}

/// The locale to format with: the option, else the page's
/// `<html lang>`, else the browser's language, else `en`.
pub fn resolve_locale(option: Option<&str>) -> String {
    let pick = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    pick(option.map(str::to_owned))
        .or_else(|| {
            pick(
                document()
                    .and_then(|d| d.document_element())
                    .and_then(|html| html.get_attribute("lang")),
            )
        })
        .or_else(|| pick(window().and_then(|w| w.navigator().language())))
        .unwrap_or_else(|| "en".to_owned())
}

/// The absolute URL of `src` as seen from this page (`document.baseURI`).
pub fn absolute_url(src: &str) -> String {
    let base = document()
        .and_then(|d| d.base_uri().ok().flatten())
        .filter(|b| bundle::safe_url::is_absolute_http(b));
    match base {
        Some(base) => crate::url::resolve(&base, src).unwrap_or_else(|| src.to_owned()),
        None => src.to_owned(),
    }
}
