// The page of `cargo xtask bench shards`: `?renderer=widget|vanilla&src=…
// [&topic=…]` renders the first 24 cards of a v2 archive with the widget
// (related strips off: the peer draws none) or with the vanilla-JS peer
// (vanilla.js), and records in `window.__bench`:
// - `toCards`: `mount` (right before `mount()` / `render()`) → the 24th card
//   in the shadow root (a MutationObserver);
// - `bytes`, `requests`: the archive's files (`/data/…`) fetched by then
//   (encoded body bytes, as served: no compression here);
// - `tbt`: total blocking time from `mount` to the 24th card (each long
//   task's time past 50 ms);
// - `wasmBytes`: the widget's wasm memory once the cards are in.

import initWasm from "/pkg/article_cards.js";
import { mount } from "/pkg/index.js";
import { render } from "/bench/vanilla.js";

const CARDS = 24;
const CARD = ".ac-card:not(.ac-skel)";
const params = new URLSearchParams(location.search);
const renderer = params.get("renderer");
const src = params.get("src");
const topic = params.get("topic");

const bench = { done: false, error: null, phase: "start" };
window.__bench = bench;

const longTasks = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({
  type: "longtask",
  buffered: true,
});

function watch(root) {
  return new Promise((resolve) => {
    const check = () => {
      if (root.querySelectorAll(CARD).length >= CARDS) {
        performance.mark("cards");
        observer.disconnect();
        resolve();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(root, { childList: true, subtree: true });
    check();
  });
}

async function main() {
  const host = document.getElementById("news");
  let wasm = null;
  if (renderer === "widget") {
    bench.phase = "init";
    wasm = await initWasm();
  }
  host.addEventListener("article-cards:error", (e) => {
    bench.error = `article-cards:error: ${e.detail?.message}`;
    bench.done = true;
  });
  bench.phase = "mount";
  // The shadow root exists once `mount()`/`render()` starts; observe it
  // from there.
  performance.mark("mount");
  let done;
  if (renderer === "widget") {
    const options = { src, limit: CARDS, theme: "light", related: "off" };
    if (topic) options.topics = topic;
    await mount(host, options);
    done = watch(host.shadowRoot);
  } else if (renderer === "vanilla") {
    const rendering = render(host, { src, limit: CARDS, topic });
    done = Promise.all([rendering, watch(host.shadowRoot)]);
  } else {
    throw new Error(`unknown renderer ${renderer}`);
  }
  bench.phase = "cards";
  await done;
  const mounted = performance.getEntriesByName("mount")[0].startTime;
  const cards = performance.getEntriesByName("cards")[0].startTime;
  bench.toCards = cards - mounted;
  const data = performance
    .getEntriesByType("resource")
    .filter((e) => new URL(e.name).pathname.startsWith("/data/") && e.responseEnd <= cards);
  bench.requests = data.length;
  bench.bytes = data.reduce((sum, e) => sum + e.encodedBodySize, 0);
  // Long tasks are reported after they end: give the last one a frame.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  bench.tbt = longTasks
    .filter((t) => t.startTime >= mounted && t.startTime < cards)
    .reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
  // The memory export, whatever name `cargo xtask dist` gave it.
  const memory = wasm && Object.values(wasm).find((v) => v instanceof WebAssembly.Memory);
  bench.wasmBytes = memory ? memory.buffer.byteLength : null;
  bench.cards = host.shadowRoot.querySelectorAll(CARD).length;
  bench.phase = "done";
}

main().then(
  () => {
    bench.done = true;
  },
  (error) => {
    bench.error = `${bench.phase}: ${error?.message ?? error}`;
    bench.done = true;
  },
);
