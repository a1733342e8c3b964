// <article-cards src="/articles.json" topics="science" limit="4" layout="list">
//   <a href="/news">Latest news</a>   <!-- shown until the cards render -->
// </article-cards>
//
// Attributes mirror the options; changing one updates the widget, removing
// the element destroys it (and putting it back mounts it again).

import { mount } from "./index.js";

/** The attributes read as options (also accepted with a `data-` prefix). */
const ATTRIBUTES = [
  "src", "topics", "providers", "types", "limit", "sort", "layout", "theme",
  "locale", "excerpt-lines", "show", "target", "rel", "timeout-ms", "retries",
  "related", "related-limit", "autoplay", "label", "heading-level", "images",
];

/** `excerpt-lines="2"` → `{ excerpt_lines: "2" }`: the keys `mount` reads. */
export function optionsFromAttributes(element) {
  const options = {};
  for (const { name, value } of element.attributes) {
    const key = name.replace(/^data-(ac-)?/, "");
    if (ATTRIBUTES.includes(key)) options[key.replace(/-/g, "_")] = value;
  }
  return options;
}

let shared;

function hostSheet() {
  if (!shared && typeof CSSStyleSheet === "function") {
    try {
      shared = new CSSStyleSheet();
      shared.replaceSync(":host{display:block}");
    } catch {
      shared = null;
    }
  }
  return shared;
}

/**
 * The element's shadow root holds a `<slot>` (the light-DOM fallback stays
 * visible) and a hidden `<div>` the widget mounts on; when the widget has
 * rendered its cards the slot goes and the div shows.
 */
function prepare(element) {
  const root = element.shadowRoot || element.attachShadow({ mode: "open" });
  const sheet = hostSheet();
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }
  const slot = document.createElement("slot");
  const host = document.createElement("div");
  host.hidden = true;
  host.addEventListener("article-cards:ready", () => {
    slot.remove();
    host.hidden = false;
  });
  root.replaceChildren(slot, host);
  return host;
}

/**
 * Registers the custom element under `tagName` (once; a second call returns
 * the class already registered).
 */
export function defineElement(tagName = "article-cards") {
  const existing = customElements.get(tagName);
  if (existing) return existing;

  class ArticleCardsElement extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES.flatMap((name) => [name, `data-${name}`]);
    }

    #handle = null;
    #busy = false;
    #queued = false;
    #dirty = false;

    connectedCallback() {
      this.#schedule();
    }

    disconnectedCallback() {
      this.#schedule();
    }

    attributeChangedCallback() {
      this.#schedule();
    }

    /** The live handle, once mounted. */
    get handle() {
      return this.#handle;
    }

    // Changes are coalesced into one microtask, so a move in the DOM
    // (disconnect + connect) or several attribute changes cost one step.
    #schedule() {
      this.#dirty = true;
      if (this.#queued) return;
      this.#queued = true;
      queueMicrotask(() => {
        this.#queued = false;
        this.#sync();
      });
    }

    #sync() {
      // A mount in flight looks at `#dirty` when it settles.
      if (this.#busy) return;
      this.#dirty = false;
      if (!this.isConnected) {
        if (this.#handle) {
          this.#handle.destroy();
          this.#handle = null;
        }
        return;
      }
      if (this.#handle) {
        try {
          this.#handle.update(optionsFromAttributes(this));
        } catch (error) {
          console.error(error);
        }
        return;
      }
      this.#busy = true;
      mount(prepare(this), optionsFromAttributes(this))
        .then(
          (handle) => {
            this.#handle = handle;
          },
          (error) => console.error(error),
        )
        .then(() => {
          this.#busy = false;
          if (this.#dirty || (!this.isConnected && this.#handle)) this.#sync();
        });
    }
  }

  customElements.define(tagName, ArticleCardsElement);
  return ArticleCardsElement;
}
