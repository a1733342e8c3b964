//! One effect hook for the whole widget. Yew's `use_effect_with` is generic
//! over its dependencies and its closure, so each call links its own copy
//! of Yew's effect code into the wasm; [`use_keyed_effect`] calls it once,
//! with one key type and boxed closures (docs/size.md has the measurement).

use yew::prelude::*;

/// What an effect depends on: it runs after a render whose key differs from
/// the previous render's. Callers pack their dependencies into the four
/// numbers (see [`text_key`] for text).
pub type EffectKey = [u32; 4];

/// What an effect leaves to undo before it runs again and on unmount.
pub type Cleanup = Option<Box<dyn FnOnce()>>;

/// `use_effect_with(key, …)` for every effect of the widget: `effect` runs
/// after the first render and after each render with a new `key`; the
/// cleanup it returns runs before the next run and when the component goes.
#[hook]
pub fn use_keyed_effect(key: EffectKey, effect: Box<dyn FnOnce() -> Cleanup>) {
    use_effect_with(key, move |_| {
        let cleanup = effect();
        move || {
            if let Some(cleanup) = cleanup {
                cleanup();
            }
        }
    });
}

/// A text as a key part (FNV-1a): two texts that collide would only make
/// an effect keyed on them skip a run, so use it where that is harmless.
pub fn text_key(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keys_differ_for_locales() {
        let keys: Vec<u32> = ["en", "fr", "pt-BR", "pt-PT", ""]
            .iter()
            .map(|t| text_key(t))
            .collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(keys.iter().skip(i + 1).all(|b| b != a), "{keys:?}");
        }
        assert_eq!(text_key("en"), text_key("en"));
    }
}
