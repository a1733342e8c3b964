// The widget's browser edge in JavaScript. For `load.rs`: fetching a file with one
// deadline for the whole load (each attempt aborted when it passes),
// retries with backoff on network errors, 5xx and 429 while the deadline
// leaves room, `Retry-After: <seconds>` honoured for 429 and 503, the body
// read chunk by chunk up to the cap; the reader's *last good copy* of each
// bundle URL (the Cache API); and version 2 archives (docs/bundle.md,
// "Version 2"): the chain the filters need, its pages fetched from the
// newest by each page's `prev` and handed back as one version 1 bundle. For
// `time.rs`: dates worded by the browser's `Intl`. For `browser.rs`: the
// widget's stylesheet and events.
//
// What comes back is bytes for the Rust decoder, which checks every article
// and URL; nothing here reads an article's fields or puts data in the page.
// It is JavaScript because the browser's own `fetch`, timers, streams, JSON,
// Cache API and `Intl` are used as they are, at a fraction of the widget's size
// that the same code costs in Rust through bindings (docs/size.md,
// "Version 2 reading"). The native `article-cards render` reads archives in
// Rust (`decode/v2.rs`, `shards.rs`); both follow docs/bundle.md, and the
// browser tests (`tests/web.rs`, `tests/web_shards.rs`) check this one.

// Failure kinds, thrown as `[kind, n, more]`; `load.rs` turns them into its
// `LoadErrorKind`s and messages. Final unless the kind is retried below.
const NETWORK = 0;
const TIMEOUT = 1;
const HTTP = 2; // n: the status
const TOO_LARGE = 3; // n: the bytes; `more`: at least that many
const INVALID = 4; // n: why (an archive file is not what it should be)

// Backoff before retry `n` (0-based): 300 ms, 900 ms, 2.7 s, … capped.
const backoff = (n) => Math.min(300 * 3 ** n, 10000);
// The longest `Retry-After` honoured.
const RETRY_AFTER_MAX_MS = 10000;
// Most pages of an archive fetched per call, so that filters the chain does
// not cover never walk a whole archive unasked.
const PAGES_PER_CALL = 8;
// Set on a response of `readArchive` when the chain has older pages.
const MORE = "x-article-cards-more";
// The header of a kept copy with the URL it came from after redirects.
const KEPT_BASE = "x-article-cards-base";

// A promise resolved after `ms`, or when `signal` aborts.
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

// The wait, in ms, a `Retry-After` header `value` asks for on a response
// with `status` (429 or 503; the seconds form only), capped; else
// `undefined` (the usual backoff applies).
export function retryAfterMs(status, value) {
  value = status == 429 || status == 503 ? String(value ?? "").trim() : "";
  return /^\d+$/.test(value) ? Math.min(value * 1000, RETRY_AFTER_MAX_MS) : undefined;
}

// Loads `url` (or, with an `archive`, its pages until it holds `want`
// articles) within `timeoutMs` and `retries` retries, each file at most
// `cap` bytes; `signal` cancels it (the promise then rejects with the
// abort). Resolves to `[bytes, url after redirects, older pages remain]`.
// The first request is sent before this returns.
export async function loadFile(url, timeoutMs, retries, cap, signal, archive, want) {
  const deadline = Date.now() + timeoutMs;
  for (let retry = 0; ; retry++) {
    let wait;
    try {
      return await attempt(url, deadline, cap, signal, archive, want);
    } catch (e) {
      if (signal.aborted) throw e;
      const [kind, status] = e;
      wait = e.wait ?? backoff(retry);
      const transient = kind == NETWORK || kind == TIMEOUT || (kind == HTTP && (status >= 500 || status == 429));
      // No retry that could not finish before the deadline: the reader
      // gets the error (or the last good copy) on time instead.
      if (!transient || retry >= retries || wait >= deadline - Date.now()) throw e;
    }
    await sleep(wait, signal);
    if (signal.aborted) throw signal.reason;
  }
}

async function attempt(url, deadline, cap, signal, archive, want) {
  const controller = new AbortController();
  let timedOut = false;
  const abort = () => controller.abort();
  signal.addEventListener("abort", abort);
  const timer = setTimeout(() => ((timedOut = true), abort()), Math.max(0, deadline - Date.now()));
  try {
    const init = { signal: controller.signal };
    const response = await (archive ? readArchive(archive, want, cap, init) : fetch(url, init));
    if (!response.ok) {
      const e = [HTTP, response.status];
      e.wait = retryAfterMs(response.status, response.headers.get("retry-after"));
      throw e;
    }
    const bytes = await capped(response, cap);
    return [bytes, response.url || url, response.headers.has(MORE)];
  } catch (e) {
    if (signal.aborted || Array.isArray(e)) throw e;
    throw [timedOut ? TIMEOUT : NETWORK];
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", abort);
    if (!signal.aborted) controller.abort();
  }
}

// The body, read chunk by chunk and stopped at `cap`: a compressed body can
// declare a small length and decode to any size.
async function capped(response, cap) {
  const declared = Number(response.headers.get("content-length"));
  if (declared > cap) throw [TOO_LARGE, declared];
  const chunks = [];
  let length = 0;
  const reader = response.body && response.body.getReader();
  for (let read; reader && !(read = await reader.read()).done; ) {
    length += read.value.length;
    if (length > cap) {
      reader.cancel();
      throw [TOO_LARGE, length, true];
    }
    chunks.push(read.value);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

// Keeps `bytes` (a bundle that decoded) as the last good copy of `url`, in
// the background, dropping the oldest copies past `kept`. Any failure (no
// Cache API outside secure contexts, private modes, quotas) only means no
// copy is kept.
export function keepCopy(url, base, bytes, cacheName, kept) {
  const response = new Response(bytes.slice(), { headers: { [KEPT_BASE]: base } });
  (async () => {
    const cache = await caches.open(cacheName);
    // `put` replaces the URL's entry and moves it last in `keys()`.
    await cache.put(url, response);
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - kept))) await cache.delete(old);
  })().catch(() => {});
}

// The last good copy of `url` as `[bytes, the URL it came from]`, or null.
export async function lastGood(url, cacheName) {
  try {
    const response = await (await caches.open(cacheName)).match(url);
    return response
      ? [new Uint8Array(await response.arrayBuffer()), response.headers.get(KEPT_BASE) || url]
      : null;
  } catch {
    return null;
  }
}

const same = (want, have) =>
  typeof have == "string" && want.trim().toLowerCase() == have.trim().toLowerCase();
const isObject = (v) => v != null && typeof v == "object" && !Array.isArray(v);
const count = (chain) => (Number.isInteger(chain.count) ? chain.count : Infinity);

// Opens the manifest `bytes` read from `base` for the filters (each list one
// name per line; `types` type names). Throws `INVALID` when it is not one.
export function openArchive(bytes, base, topics, providers, types) {
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes));
  } catch {}
  if (!isObject(manifest) || !isObject(manifest.all)) {
    throw [INVALID, "The articles manifest is not valid (`all` is not a chain)."];
  }
  const { all, providerChains, types: typeChains } = manifest;
  // The chain to read: the smallest of `all` and the chains of the filters
  // that name one topic, one provider (by key or name) or one type. Several
  // topics are an OR, which no one chain holds. The widget still applies
  // every filter to what it reads. A topic the manifest does not have
  // matches nothing: then nothing is fetched.
  const one = (list) => list.includes("\n") ? "" : list;
  const candidates = [];
  let nothing = false;
  if (one(topics)) {
    const topic = (Array.isArray(manifest.topics) ? manifest.topics : []).find(
      (t) => isObject(t) && same(topics, t.name),
    );
    nothing = !topic;
    candidates.push(topic && topic.chain);
  }
  if (one(providers)) {
    const entry = Object.entries(isObject(manifest.providers) ? manifest.providers : {}).find(
      ([key, p]) => same(providers, key) || (isObject(p) && same(providers, p.name)),
    );
    candidates.push(entry && isObject(providerChains) && providerChains[entry[0]]);
  }
  if (one(types)) candidates.push(isObject(typeChains) && typeChains[types]);
  let chain = all;
  for (const c of candidates) if (isObject(c) && count(c) < count(chain)) chain = c;
  const archive = { manifest, base, next: null, seen: new Set(), pages: [], count: 0 };
  if (!nothing) {
    if (!Array.isArray(chain.pages)) {
      throw [INVALID, "The articles manifest is not valid (a chain has no `pages` list)."];
    }
    archive.next = shardUrl(archive, chain.pages[0]);
  }
  return archive;
}

// A shard's name resolved against the manifest's URL, on its origin (a
// manifest must not send readers' browsers to other hosts); else `null`.
function shardUrl(archive, name) {
  if (typeof name != "string") return null;
  try {
    const url = new URL(name, archive.base);
    return url.origin == new URL(archive.base).origin ? url.href : null;
  } catch {
    return null;
  }
}

// Fetches pages of the chain until it holds `want` articles (or it ends, or
// `PAGES_PER_CALL` pages were fetched), and at least one while it has one
// (the widget's filters may keep fewer than it read), and resolves to the
// pages read so far as one version 1 bundle; a page's HTTP failure is
// handed on as its response (and fetched again on the next call: the
// pages read are kept).
async function readArchive(archive, want, cap, init) {
  for (let n = 0; archive.next && (archive.count < want || !n) && n < PAGES_PER_CALL; n++) {
    const url = archive.next;
    const response = await fetch(url, init);
    if (!response.ok) return response;
    const text = new TextDecoder().decode(await capped(response, cap));
    let page;
    try {
      page = JSON.parse(text);
    } catch {}
    if (!isObject(page) || page.version !== 2 || !Array.isArray(page.articles)) {
      throw [INVALID, "A page of articles is not valid (it is not a version 2 page)."];
    }
    archive.seen.add(url);
    archive.pages.push(page);
    archive.count += page.articles.length;
    // A `prev` that names a page already read ends the chain instead of
    // looping.
    const prev = page.prev == null ? null : shardUrl(archive, page.prev);
    archive.next = prev && !archive.seen.has(prev) ? prev : null;
  }
  // No prototype: a record id `__proto__` stays a plain key.
  const related = Object.create(null);
  const articles = [];
  for (const page of archive.pages) {
    if (isObject(page.related)) Object.assign(related, page.related);
    for (const article of page.articles) articles.push(article);
  }
  const { generatedAt, providers } = archive.manifest;
  const bundle = JSON.stringify({ version: 1, generatedAt, providers, related, articles });
  return new Response(bundle, { headers: archive.next ? { [MORE]: "1" } : {} });
}

// The `Intl` formatters of the last locale asked for.
let dates;

// Makes the date formatters for `locale` ahead of the first card (their
// construction is the slowest part of a card's first render). A locale the
// browser rejects falls back to its default one.
export function prepareDates(locale) {
  if (dates && dates.locale === locale) return;
  const make = (Format, options) => {
    try {
      return new Format(locale || undefined, options);
    } catch {
      try {
        return new Format(undefined, options);
      } catch {}
    }
  };
  const intl = globalThis.Intl || {};
  dates = {
    locale,
    relative: intl.RelativeTimeFormat && make(intl.RelativeTimeFormat, { numeric: "auto" }),
    absolute: intl.DateTimeFormat && make(intl.DateTimeFormat, { dateStyle: "medium" }),
  };
}

// `value` `unit`s from now in words ("3 days ago"), or with no `unit` the
// date at `value` ms since the epoch; undefined without `Intl`.
export function formatDate(locale, value, unit) {
  prepareDates(locale);
  try {
    return unit ? dates.relative.format(value, unit) : dates.absolute.format(new Date(value));
  } catch {}
}

// Dispatches a bubbling, composed `CustomEvent` on `host`; `false` when it
// was cancelable and a listener called `preventDefault()`.
export function fire(host, name, detail, cancelable) {
  return host.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, cancelable, detail }));
}

// The widget's stylesheet, one for every widget of this instance.
let sheet;

// Adds the stylesheet (`css`, parsed once) to `root`'s `adoptedStyleSheets`,
// keeping any others; `true` when this call added it. Throws a message when
// the browser cannot.
export function adoptSheet(root, css) {
  if (!sheet) {
    let made;
    try {
      made = new CSSStyleSheet();
    } catch {
      throw "this browser does not support constructable stylesheets";
    }
    try {
      made.replaceSync(css);
    } catch {
      throw "the widget stylesheet could not be parsed";
    }
    sheet = made;
  }
  if (root.adoptedStyleSheets.includes(sheet)) return false;
  // A new array: older engines expose a frozen one.
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  return true;
}

// Removes the stylesheet from `root`'s `adoptedStyleSheets`.
export function unadoptSheet(root) {
  root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
}
