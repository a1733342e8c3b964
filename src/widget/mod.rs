//! The widget: Yew components (renderable natively with SSR) and, on
//! wasm32 only, the browser edge that mounts them.
