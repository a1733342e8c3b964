//! The JavaScript entry points: `mount(element, options)` returns a
//! [`Handle`] with `update(partial)` (merged into the options),
//! `replace(options)` and `destroy()`. Several widgets share
//! one wasm instance and one stylesheet; mounting again on the same element
//! updates the widget already there and returns an equivalent handle.
//! A host removed from the page without `destroy()` is cleaned up at the
//! next `mount` (see [`sweep`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{JSON, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot};
use yew::{AppHandle, Renderer};

use crate::browser::{self, LOG_PREFIX};
use crate::json;
use crate::options::{self, Options, RawOptions, Value};
use crate::root::{Widget, WidgetProps};

/// Class of the container the widget renders into, inside the shadow root.
pub const CONTAINER_CLASS: &str = "article-cards";

struct Mounted {
    host: Element,
    shadow: ShadowRoot,
    container: Element,
    /// Whether this widget added the stylesheet to the shadow root.
    adopted_style: bool,
    app: RefCell<Option<AppHandle<Widget>>>,
    /// The options object as last given, so `update` can merge into it.
    given: RefCell<JsValue>,
    /// Warnings already logged, so an `update` does not repeat them (a
    /// handful at most: a `Vec` costs less wasm than a set).
    logged: RefCell<Vec<String>>,
    destroyed: Cell<bool>,
    /// Whether the host has been seen in a document (at mount or a sweep).
    seen_connected: Cell<bool>,
}

thread_local! {
    /// The live widgets, by host element.
    static REGISTRY: RefCell<Vec<Rc<Mounted>>> = const { RefCell::new(Vec::new()) };
}

fn registered(host: &Element) -> Option<Rc<Mounted>> {
    REGISTRY.with(|r| r.borrow().iter().find(|m| m.host == *host).cloned())
}

/// Destroys the widgets whose host has left its document since it was
/// seen in one, i.e. was removed from the page without `destroy()`: the
/// registry would otherwise keep them (their Yew app, a request in flight)
/// for the page's lifetime. Runs on each [`mount`], which is cheap (one
/// `isConnected` per widget) and needs no timer or `MutationObserver` (which
/// would not see removals inside other shadow roots, and costs code). A
/// host mounted before it is added to the page is kept until it has been
/// seen in it, so `mount` then `append` works with other mounts between.
fn sweep() {
    let gone: Vec<Rc<Mounted>> = REGISTRY.with(|r| {
        r.borrow()
            .iter()
            .filter(|m| {
                if m.host.is_connected() {
                    m.seen_connected.set(true);
                    false
                } else {
                    m.seen_connected.get()
                }
            })
            .cloned()
            .collect()
    });
    for inner in gone {
        Handle { inner }.destroy();
    }
}

/// A mounted widget. Dropping it leaves the widget in place; call
/// `destroy()` to remove it.
#[wasm_bindgen]
pub struct Handle {
    inner: Rc<Mounted>,
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(&format!("{LOG_PREFIX}{message}")).into()
}

/// The options object as JSON text: its known keys only (own or inherited,
/// like `key in options`; nothing else is read, so extra fields such as
/// callbacks, elements or cyclic objects are ignored), copied into a plain
/// object that `JSON.stringify` writes. A function, symbol or BigInt under
/// a known key is refused, naming it, rather than left out.
fn to_json(object: &JsValue) -> Result<String, String> {
    let picked = Object::new();
    for (key, _) in RawOptions::KEYS {
        let js_key = JsValue::from_str(key);
        let value = Reflect::get(object, &js_key).map_err(|_| format!("`{key}` cannot be read"))?;
        if value.is_function() || value.is_symbol() || value.is_bigint() {
            return Err(format!("`{key}` has an unsupported type"));
        }
        if !value.is_undefined() {
            let _ = Reflect::set(&picked, &js_key, &value);
        }
    }
    JSON::stringify(&picked)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| {
            "it cannot be written as JSON: a value refers to itself or holds a BigInt".into()
        })
}

/// Converts what the page passed into validated options, logging each
/// warning once per widget. An object's known keys are read as
/// `JSON.stringify` writes them ([`to_json`]: `undefined` is absent, `NaN`
/// and the infinities are `null`, dates ISO strings; nested functions are
/// left out or `null`), by the bundle's JSON reader: no conversion of JS
/// values to [`Value`] is linked.
fn to_options(value: JsValue, logged: &RefCell<Vec<String>>) -> Result<Options, JsValue> {
    let text;
    let raw = if let Some(src) = value.as_string() {
        // `mount(el, "/articles.json")` is shorthand for `{src: ...}`.
        RawOptions {
            src: Some(Value::String(src.into())),
            ..RawOptions::default()
        }
    } else if value.is_undefined() || value.is_null() {
        RawOptions::default()
    } else {
        text = if value.is_object() {
            to_json(&value)
        } else {
            Err("not an object".into())
        };
        text.as_deref()
            .map_err(String::clone)
            .and_then(|text| {
                json::parse(text.as_bytes()).map_err(|e| format!("not readable: {}", e.what))
            })
            .and_then(RawOptions::from_value)
            .map_err(|e| {
                js_error(&format!(
                    "options must be an object such as {{ src: \"/articles.json\" }} ({e})"
                ))
            })?
    };
    let (options, warnings) = options::resolve(&raw).map_err(|e| js_error(&e))?;
    let mut seen = logged.borrow_mut();
    for warning in warnings {
        if !seen.contains(&warning) {
            browser::warn(&warning);
            seen.push(warning);
        }
    }
    Ok(options)
}

/// `"/articles.json"` as `{ src: "/articles.json" }`; anything else as
/// given.
fn shorthand(value: JsValue) -> JsValue {
    match value.as_string() {
        Some(src) => {
            let object = Object::new();
            let _ = Reflect::set(&object, &JsValue::from_str("src"), &JsValue::from_str(&src));
            object.into()
        }
        None => value,
    }
}

/// A new object: `base`'s known keys, then `partial`'s over them. A key of
/// `partial` replaces every name of its option in `base` (`excerptLines`
/// replaces `excerpt_lines`), so one option is never given twice. A
/// `partial` that is not an object is returned as it is, for
/// [`to_options`] to refuse.
fn merge(base: &JsValue, partial: &JsValue) -> JsValue {
    if !partial.is_object() {
        return partial.clone();
    }
    let merged = Object::new();
    let copy = |from: &JsValue, key: &str| {
        let js_key = JsValue::from_str(key);
        if from.is_object() && Reflect::has(from, &js_key).unwrap_or(false) {
            let value = Reflect::get(from, &js_key).unwrap_or(JsValue::UNDEFINED);
            let _ = Reflect::set(&merged, &js_key, &value);
        }
    };
    for (key, field) in RawOptions::KEYS {
        let in_partial = RawOptions::KEYS.iter().any(|(other, f)| {
            f == field && Reflect::has(partial, &JsValue::from_str(other)).unwrap_or(false)
        });
        if in_partial {
            copy(partial, key);
        } else {
            copy(base, key);
        }
    }
    merged.into()
}

/// Mounts a widget into `element`'s (open) shadow root.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<Handle, JsValue> {
    sweep();
    if let Some(inner) = registered(&element) {
        let handle = Handle { inner };
        handle.replace(options)?;
        return Ok(handle);
    }
    let logged = RefCell::new(Vec::new());
    let given = shorthand(options);
    let options = to_options(given.clone(), &logged)?;
    let shadow = browser::open_shadow_root(&element).map_err(|e| js_error(&e))?;
    let adopted_style = browser::adopt_style(&shadow).map_err(|e| js_error(&e))?;
    let document = browser::document().ok_or_else(|| js_error("no document"))?;
    let container = document
        .create_element("div")
        .map_err(|_| js_error("could not create the container"))?;
    container.set_class_name(CONTAINER_CLASS);
    shadow
        .append_child(&container)
        .map_err(|_| js_error("could not add the container to the shadow root"))?;
    let props = WidgetProps {
        options: Rc::new(options),
        host: element.clone(),
    };
    let app = Renderer::<Widget>::with_root_and_props(container.clone(), props).render();
    let seen_connected = Cell::new(element.is_connected());
    let inner = Rc::new(Mounted {
        host: element,
        shadow,
        container,
        adopted_style,
        app: RefCell::new(Some(app)),
        given: RefCell::new(given),
        logged,
        destroyed: Cell::new(false),
        seen_connected,
    });
    REGISTRY.with(|r| r.borrow_mut().push(Rc::clone(&inner)));
    Ok(Handle { inner })
}

#[wasm_bindgen]
impl Handle {
    /// Merges `partial` into the options (a key set to `undefined` goes
    /// back to its default). The same `src` re-renders without refetching.
    pub fn update(&self, partial: JsValue) -> Result<(), JsValue> {
        let merged = merge(&self.inner.given.borrow(), &shorthand(partial));
        self.replace(merged)
    }

    /// Replaces the options with `options`.
    pub fn replace(&self, options: JsValue) -> Result<(), JsValue> {
        if self.inner.destroyed.get() {
            return Err(js_error("this widget was destroyed; call mount() again"));
        }
        let given = shorthand(options);
        let options = to_options(given.clone(), &self.inner.logged)?;
        self.inner.given.replace(given);
        if let Some(app) = self.inner.app.borrow_mut().as_mut() {
            app.update(WidgetProps {
                options: Rc::new(options),
                host: self.inner.host.clone(),
            });
        }
        Ok(())
    }

    /// Removes the widget: unmounts it (aborting a request in flight),
    /// removes its container and the stylesheet it added. Idempotent.
    pub fn destroy(&self) {
        let inner = &self.inner;
        if inner.destroyed.replace(true) {
            return;
        }
        if let Some(app) = inner.app.borrow_mut().take() {
            app.destroy();
        }
        inner.container.remove();
        if inner.adopted_style {
            browser::unadopt_style(&inner.shadow);
        }
        REGISTRY.with(|r| r.borrow_mut().retain(|m| !Rc::ptr_eq(m, inner)));
    }
}
