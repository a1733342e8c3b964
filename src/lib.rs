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
pub mod related;

#[cfg(feature = "schema")]
pub mod schema;

pub mod widget;

/// The widget's allocator: talc instead of std's dlmalloc, 1.5 KiB less
/// brotli; `cargo xtask bench widget` times were the same within the
/// run-to-run spread. Like dlmalloc it grows the wasm memory only when no
/// freed block fits, so the decoder's heap reservation (`widget::load`)
/// still saves the `memory.grow` calls.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
