//! The widget: Yew components (renderable natively with Yew SSR, so most UI
//! tests need no browser) and, on wasm32 only, the browser edge that fetches
//! a bundle, mounts the components into a shadow root and talks to the page.

pub mod model;
