//! article-cards: embeddable news cards. This crate is both the native
//! bundler (`cli` feature) and the WebAssembly widget; the bundle types in
//! [`bundle`] are the one schema both sides share.

pub mod bundle;
pub mod safe_url;
pub mod text;
pub mod youtube;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod images;
#[cfg(feature = "cli")]
pub mod net;
#[cfg(feature = "cli")]
pub mod related;

#[cfg(feature = "schema")]
pub mod schema;

pub mod widget;

/// The widget's allocator ([`heap`]), kept for its small code (see
/// docs/size.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub mod heap;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
pub(crate) static ALLOCATOR: heap::Heap = heap::Heap::new();
