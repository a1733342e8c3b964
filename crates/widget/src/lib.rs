//! The widget: Yew components (renderable natively with Yew SSR, so most UI
//! tests need no browser) and, on wasm32 only, the browser edge that fetches
//! a bundle, mounts the components into a shadow root and talks to the page.

pub mod case;
pub mod components;
pub mod decode;
pub mod json;
pub mod model;
pub mod options;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
pub mod select;
pub mod shards;
pub mod time;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod load;
#[cfg(target_arch = "wasm32")]
pub mod mount;
#[cfg(target_arch = "wasm32")]
pub mod root;

#[cfg(feature = "schema")]
pub mod schema;

/// The widget's allocator ([`heap`]), kept for its small code (see
/// docs/size.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub mod heap;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
pub(crate) static ALLOCATOR: heap::Heap = heap::Heap::new();
