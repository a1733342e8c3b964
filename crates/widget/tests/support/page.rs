// Each test binary that includes this file uses part of it.
#![allow(dead_code)]

//! Page helpers for the browser tests: a host element per test, queries
//! into its shadow root, clicks, frames, waiting with a deadline, and the
//! options object `mount` takes.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

pub fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

pub fn document() -> web_sys::Document {
    window().document().unwrap()
}

/// A fresh host element at the top of the page.
pub fn host() -> Element {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().prepend_with_node_1(&el).unwrap();
    el
}

pub fn find(host: &Element, selector: &str) -> Option<Element> {
    host.shadow_root()?.query_selector(selector).unwrap()
}

pub fn count(host: &Element, selector: &str) -> u32 {
    host.shadow_root()
        .map_or(0, |s| s.query_selector_all(selector).unwrap().length())
}

pub fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().unwrap().click();
}

/// Resolves at the next animation frame.
pub async fn frame() {
    let promise = Promise::new(&mut |resolve, _| {
        window().request_animation_frame(&resolve).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits, frame by frame, until `done` holds (at most `ms` milliseconds).
pub async fn until(what: &str, ms: f64, done: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
    while !done() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for {what}"
        );
        frame().await;
    }
}

pub fn options(src: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"src".into(), &src.into()).unwrap();
    for (k, v) in extra {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}
