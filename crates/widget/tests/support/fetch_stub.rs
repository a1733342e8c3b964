// Each test binary that includes this file uses part of it.
#![allow(dead_code)]

//! A stubbed `window.fetch` for the browser tests, routed by URL path
//! suffix: each route replies with its steps in turn (the last one
//! repeats), counts its calls and keeps their times and abort signals.
//! Nothing comes from the network.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ResponseInit};

#[derive(Clone)]
pub enum Step {
    Reply(u16, String),
    /// An empty reply with this status and `Retry-After` header.
    ReplyAfter(u16, &'static str),
    /// Never settles (unless its signal aborts, like a real fetch).
    Hang,
    /// A 200 whose body never ends: chunks of this many bytes, as fast as
    /// they are read (counted in `STREAMED`).
    Endless(u32),
}

#[derive(Default)]
pub struct Route {
    pub steps: Vec<Step>,
    pub calls: usize,
    pub signals: Vec<AbortSignal>,
    /// When each call came, in ms (`Date.now()`).
    pub times: Vec<f64>,
}

pub type FetchStub = Closure<dyn FnMut(JsValue, JsValue) -> Promise>;

thread_local! {
    pub static ROUTES: RefCell<HashMap<String, Route>> = RefCell::new(HashMap::new());
    pub static STUB: RefCell<Option<FetchStub>> = const { RefCell::new(None) };
    /// Bytes handed out by `Step::Endless` bodies.
    pub static STREAMED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

pub fn response(status: u16, body: &str) -> JsValue {
    let init = ResponseInit::new();
    init.set_status(status);
    web_sys::Response::new_with_opt_str_and_init(Some(body), &init)
        .unwrap()
        .into()
}

pub fn stub_fetch(input: JsValue, init: JsValue) -> Promise {
    let url = input.as_string().unwrap_or_default();
    let signal: Option<AbortSignal> = Reflect::get(&init, &"signal".into())
        .ok()
        .and_then(|s| s.dyn_into().ok());
    let step = ROUTES.with(|routes| {
        let mut routes = routes.borrow_mut();
        let route = routes
            .iter_mut()
            .find(|(path, _)| url.ends_with(path.as_str()))
            .map(|(_, r)| r)?;
        let step = route.steps.get(route.calls).or(route.steps.last()).cloned();
        route.calls += 1;
        route.times.push(js_sys::Date::now());
        if let Some(s) = &signal {
            route.signals.push(s.clone());
        }
        step
    });
    match step {
        Some(Step::Reply(status, body)) => Promise::resolve(&response(status, &body)),
        Some(Step::ReplyAfter(status, after)) => {
            let init = ResponseInit::new();
            init.set_status(status);
            let headers = Object::new();
            Reflect::set(&headers, &"Retry-After".into(), &after.into()).unwrap();
            init.set_headers(&headers);
            let reply = web_sys::Response::new_with_opt_str_and_init(Some(""), &init).unwrap();
            Promise::resolve(&JsValue::from(reply))
        }
        Some(Step::Hang) => Promise::new(&mut |_resolve, reject| {
            if let Some(signal) = &signal {
                let on_abort = Closure::once_into_js(move || {
                    let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("AbortError"));
                });
                signal
                    .add_event_listener_with_callback("abort", on_abort.unchecked_ref())
                    .unwrap();
            }
        }),
        Some(Step::Endless(chunk)) => {
            let pull = Closure::<dyn FnMut(JsValue)>::new(move |controller: JsValue| {
                let enqueue: js_sys::Function = Reflect::get(&controller, &"enqueue".into())
                    .unwrap()
                    .dyn_into()
                    .unwrap();
                let bytes = js_sys::Uint8Array::new_with_length(chunk);
                bytes.fill(b' ', 0, chunk);
                enqueue.call1(&controller, &bytes).unwrap();
                STREAMED.with(|s| s.set(s.get() + u64::from(chunk)));
            });
            let source = Object::new();
            Reflect::set(&source, &"pull".into(), pull.as_ref()).unwrap();
            pull.forget();
            let body = web_sys::ReadableStream::new_with_underlying_source(&source).unwrap();
            let reply = web_sys::Response::new_with_opt_readable_stream(Some(&body)).unwrap();
            Promise::resolve(&JsValue::from(reply))
        }
        None => Promise::reject(&js_sys::TypeError::new("Failed to fetch (no route)").into()),
    }
}

pub fn route(path: &str, steps: Vec<Step>) {
    STUB.with(|stub| {
        let mut stub = stub.borrow_mut();
        if stub.is_none() {
            let closure = FetchStub::new(stub_fetch);
            let window = web_sys::window().unwrap();
            Reflect::set(&window, &"fetch".into(), closure.as_ref()).unwrap();
            *stub = Some(closure);
        }
    });
    ROUTES.with(|r| {
        r.borrow_mut().insert(
            path.to_owned(),
            Route {
                steps,
                ..Route::default()
            },
        )
    });
}

pub fn calls(path: &str) -> usize {
    ROUTES.with(|r| r.borrow().get(path).map_or(0, |r| r.calls))
}

pub fn times(path: &str) -> Vec<f64> {
    ROUTES.with(|r| r.borrow().get(path).map_or(vec![], |r| r.times.clone()))
}

pub fn signals(path: &str) -> Vec<AbortSignal> {
    ROUTES.with(|r| r.borrow().get(path).map_or(vec![], |r| r.signals.clone()))
}

/// A 200 reply with `body`.
pub fn ok(body: String) -> Step {
    Step::Reply(200, body)
}
