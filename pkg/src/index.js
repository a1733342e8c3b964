// article-cards: the ES module API.
//
//   import { mount } from "article-cards";
//   const handle = await mount(document.querySelector("#news"), { src: "/articles.json" });
//   handle.update({ layout: "list" });        // merged into the options
//   handle.replace({ src: "/other.json" });   // replaces them all
//   handle.destroy();
//
// Bundlers that copy the `.wasm` referenced by `new URL(…, import.meta.url)`
// (Vite, webpack 5, Parcel) need nothing more. Others (esbuild, Rollup
// without a plugin) should copy `article-cards/article_cards_bg.wasm`
// themselves and call `init(urlOfThatFile)` first.

import initWasm, { mount as mountWasm } from "./article_cards.js";

/** The package version (the same in Cargo.toml, package.json and embed.js). */
export const version = "0.1.0";

let started;

/**
 * Fetches and instantiates the WebAssembly module once. `wasmUrl` defaults
 * to the `.wasm` file next to this module. Calling it again returns the same
 * promise; after a failure the next call tries again.
 */
export function init(wasmUrl) {
  if (!started) {
    const input = wasmUrl === undefined ? undefined : { module_or_path: wasmUrl };
    started = initWasm(input).then(
      () => undefined,
      (error) => {
        started = undefined;
        throw error;
      },
    );
  }
  return started;
}

/**
 * Mounts a widget into `element`'s shadow root (initialising the module
 * first when needed). Mounting again on the same element updates it.
 */
export async function mount(element, options) {
  await init();
  // A prerendered host (`article-cards render`) brings its shadow root:
  // the widget renders beside the prerendered cards, hidden, and takes
  // their place once its own are ready (so nothing moves).
  const root = element.shadowRoot;
  const pre = root && root.querySelector("[data-prerendered]");
  const handle = mountWasm(element, options);
  const box = pre && root.lastElementChild;
  if (box && box !== pre) {
    box.hidden = true;
    element.addEventListener(
      "article-cards:ready",
      () => {
        pre.remove();
        box.hidden = false;
      },
      { once: true },
    );
  }
  return handle;
}

export { defineElement } from "./element.js";
