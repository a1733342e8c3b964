// Hand-written declarations of the article-cards ES module API.
// The bundle types come from the generated `bundle.d.ts` (do not edit that
// one: `cargo xtask codegen` rewrites it from src/bundle.rs).

import type { ArticleType } from "./bundle.js";

export type {
  Article,
  ArticleType,
  Bundle,
  Image,
  Provider,
  RelatedItem,
  Video,
  VideoProvider,
} from "./bundle.js";

/** Parts of a card that can be hidden (the title and date always show). */
export type CardPart = "image" | "excerpt" | "topics" | "provider";

/**
 * Widget options. Only `src` is required. Invalid values fall back to their
 * default with one console warning; numbers may also be given as strings
 * and lists as one comma-separated string (as attributes give them).
 */
export interface Options {
  /** URL of the bundle (absolute http(s), or relative to the page). */
  src: string;
  /** Only articles with one of these topics (any case). Default: all. */
  topics?: string | string[];
  /** Only articles from these providers, by key, name or domain. Default: all. */
  providers?: string | string[];
  /** Only these kinds. Default: all. */
  types?: string | ArticleType[];
  /** Cards per page and per "Load more", 1–100. Default: 6. */
  limit?: number | string;
  /** Default: `"newest"`. */
  sort?: "newest" | "heat";
  /** Default: `"grid"`. `"carousel"`: one scrolling row with Previous/Next. */
  layout?: "grid" | "list" | "compact" | "carousel";
  /** Default: `"auto"` (follows `prefers-color-scheme`). */
  theme?: "auto" | "light" | "dark";
  /** Language tag for dates, e.g. `"pt-BR"`. Default: the page's `lang`, else the browser's. */
  locale?: string;
  /** Lines of excerpt shown, 0–10 (0: no clamp). Default: 3. */
  excerpt_lines?: number | string;
  /** Same as `excerpt_lines`. */
  excerptLines?: number | string;
  /** Parts shown: a list of names, or an object of booleans over the defaults. */
  show?: string | CardPart[] | Partial<Record<CardPart, boolean>>;
  /** Where article links open. Default: `"_blank"`. */
  target?: "_blank" | "_self";
  /** `rel` of article links. Default: `"noopener noreferrer"`. */
  rel?: string;
  /** Longest wait for the bundle, retries included, 500–120000 ms. Default: 8000. */
  timeout_ms?: number | string;
  /** Same as `timeout_ms`. */
  timeoutMs?: number | string;
  /**
   * Retries on network errors, timeouts, 5xx and 429, 0–10, within the
   * timeout; a 429 or 503 with `Retry-After: <seconds>` waits that long (at
   * most 10 s). Default: 2.
   */
  retries?: number | string;
  /** Related-article strips on cards (not in `compact`). Default: `true`. */
  related?: boolean | string;
  /** Related articles per card, 1–12. Default: 6. */
  related_limit?: number | string;
  /** Same as `related_limit`. */
  relatedLimit?: number | string;
  /**
   * `carousel` layout only: rotation period in ms (2000–120000), `true` for
   * 6000, `false`/`0` for none. Never rotates under reduced motion. Default: none.
   */
  autoplay?: boolean | number | string;
  /**
   * The widget's accessible name, plain text (trimmed, up to 80 characters).
   * A labelled widget is a region landmark; give each one a different label.
   * Default: none (not a landmark; the list is named from the filters).
   */
  label?: string;
  /** Heading level of card titles, 2–6 (related titles one below). Default: 3. */
  heading_level?: number | string;
  /** Same as `heading_level`. */
  headingLevel?: number | string;
  /**
   * Where images may come from. `"auto"`: cached copies, then the
   * publisher's URL, then the provider's logo or monogram.
   * `"cached-only"`: only images on the bundle's own origin; nothing is
   * requested from another host (except a video player after the reader
   * presses Play). Default: `"auto"`.
   */
  images?: "auto" | "cached-only";
  /** Same as `images`. */
  imageMode?: "auto" | "cached-only";
  /** Same as `images`. */
  image_mode?: "auto" | "cached-only";
}

/** A mounted widget. */
export interface Handle {
  /** Replaces the options; the same `src` re-renders without refetching. */
  update(options: Options | string): void;
  /** Removes the widget and aborts a request in flight. Idempotent. */
  destroy(): void;
  /** Frees the JS handle only (the widget stays); `destroy()` first to remove it. */
  free(): void;
}

/** What `init` accepts: by default, the `.wasm` file next to the module. */
export type WasmSource =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module;

/**
 * Fetches and instantiates the WebAssembly module, once. Needed only with
 * bundlers that do not copy the `.wasm` (esbuild, Rollup): pass the URL
 * where you serve `article-cards/article_cards_bg.wasm`.
 */
export function init(wasmUrl?: WasmSource | Promise<WasmSource>): Promise<void>;

/**
 * Mounts a widget into `element`'s shadow root, initialising the module
 * first when needed. A string is shorthand for `{ src }`. Mounting again on
 * the same element updates the widget already there.
 */
export function mount(element: Element, options: Options | string): Promise<Handle>;

/** The custom element class registered by {@link defineElement}. */
export interface ArticleCardsElement extends HTMLElement {
  /** The live handle, once mounted. */
  readonly handle: Handle | null;
}

/**
 * Registers `<article-cards>` (or `tagName`): its attributes (`src`,
 * `topics`, `limit`, `layout`, `theme`, `locale`, `excerpt-lines`, `show`,
 * …) mirror the options; its children are shown until the cards render.
 */
export function defineElement(
  tagName?: string,
): { new (): ArticleCardsElement; prototype: ArticleCardsElement };

/** Detail of `article-cards:ready`. */
export interface ReadyDetail {
  /** Articles in the bundle (before filtering). */
  count: number;
  /** The cards are the reader's last good copy: the load failed. */
  offline: boolean;
}

/** Detail of `article-cards:error`. */
export interface ErrorDetail {
  message: string;
  /** The reader's last good copy is shown instead of the error. */
  offline: boolean;
}

/** Detail of `article-cards:select` (a reader opened an article). */
export interface SelectDetail {
  id: string;
  url: string;
}

declare global {
  interface HTMLElementEventMap {
    "article-cards:ready": CustomEvent<ReadyDetail>;
    "article-cards:error": CustomEvent<ErrorDetail>;
    "article-cards:select": CustomEvent<SelectDetail>;
  }
  interface HTMLElementTagNameMap {
    "article-cards": ArticleCardsElement;
  }
}
