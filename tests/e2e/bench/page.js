// The benchmark page's script: marks `init-start`/`init-end` around the
// wasm instantiation, `mount` right before `mount()` and `cards-24` when the
// 24th real card is in the shadow root (a MutationObserver, so no timer or
// animation frame can delay or starve it), and keeps the largest layout
// shift. Everything ends up in `window.__bench`, with `done: true` last.

import { init, mount } from "/pkg/index.js";

const CARDS = 24;
const CARD = ".ac-card:not(.ac-skel)";

const bench = {
  done: false,
  phase: "start",
  error: null,
  readyCount: null,
  cards: 0,
  maxShift: 0,
  shifts: [],
};
window.__bench = bench;

function recordShift(entry) {
  if (entry.hadRecentInput) return;
  bench.shifts.push({
    time: entry.startTime,
    value: entry.value,
    // What moved, from where to where (viewport y, height).
    sources: (entry.sources || []).map((s) => ({
      node: s.node?.className || s.node?.nodeName || "?",
      from: [Math.round(s.previousRect.y), Math.round(s.previousRect.height)],
      to: [Math.round(s.currentRect.y), Math.round(s.currentRect.height)],
    })),
  });
  bench.maxShift = Math.max(bench.maxShift, entry.value);
}
const shiftObserver = new PerformanceObserver((list) => list.getEntries().forEach(recordShift));
shiftObserver.observe({ type: "layout-shift", buffered: true });

const src = new URLSearchParams(location.search).get("src");
const host = document.getElementById("news");
host.addEventListener("article-cards:ready", (e) => {
  performance.mark("ready");
  bench.readyCount = e.detail?.count ?? null;
});
host.addEventListener("article-cards:error", (e) => {
  bench.error = `article-cards:error: ${e.detail?.message}`;
  bench.done = true;
});

/** Resolves when `CARDS` real cards are in `root` (checked on every mutation). */
function cardsIn(root) {
  return new Promise((resolve) => {
    const check = () => {
      bench.cards = root.querySelectorAll(CARD).length;
      if (bench.cards >= CARDS) {
        performance.mark("cards-24");
        observer.disconnect();
        resolve();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(root, { childList: true, subtree: true });
    check();
  });
}

/** The images in the viewport, loaded or failed (at most `ms`). */
function visibleImagesSettled(root, ms) {
  const pending = [...root.querySelectorAll("img")]
    .filter((img) => {
      const r = img.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight && r.width > 0;
    })
    .filter((img) => !img.complete)
    .map((img) => new Promise((resolve) => {
      img.addEventListener("load", resolve, { once: true });
      img.addEventListener("error", resolve, { once: true });
    }));
  return Promise.race([
    Promise.all(pending),
    new Promise((resolve) => setTimeout(resolve, ms)),
  ]);
}

/** Two rendered frames (layout shifts are reported after a frame), or `ms`. */
function frames(ms) {
  return Promise.race([
    new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    new Promise((resolve) => setTimeout(resolve, ms)),
  ]);
}

const duration = (from, to) => performance.measure(`${from}→${to}`, from, to).duration;

async function main() {
  if (!PerformanceObserver.supportedEntryTypes.includes("layout-shift")) {
    throw new Error("this browser does not report layout shifts");
  }
  bench.phase = "init";
  performance.mark("init-start");
  await init();
  performance.mark("init-end");

  bench.phase = "mount";
  performance.mark("mount");
  const mounting = mount(host, { src, limit: CARDS, theme: "light" });
  // `mount` creates the shadow root synchronously once the module is
  // ready, which it already is: observe right after.
  await mounting;
  if (!host.shadowRoot) throw new Error("mount() returned without a shadow root");
  bench.phase = "cards";
  await cardsIn(host.shadowRoot);

  bench.phase = "settle";
  await visibleImagesSettled(host.shadowRoot, 5000);
  await frames(1000);
  shiftObserver.takeRecords().forEach(recordShift);

  const bundle = performance
    .getEntriesByType("resource")
    .find((e) => e.name.endsWith(src));
  bench.init = duration("init-start", "init-end");
  bench.toCards = duration("mount", "cards-24");
  bench.toReady = performance.getEntriesByName("ready").length ? duration("mount", "ready") : null;
  // The bundle request, from `mount` (any delay before it starts included).
  const mounted = performance.getEntriesByName("mount")[0].startTime;
  for (const shift of bench.shifts) {
    shift.afterMount = Math.round(shift.time - mounted);
    delete shift.time;
  }
  bench.fetchStart = bundle ? bundle.startTime - mounted : null;
  bench.fetchEnd = bundle ? bundle.responseEnd - mounted : null;
  bench.phase = "done";
}

main().then(
  () => { bench.done = true; },
  (error) => {
    bench.error = `${bench.phase}: ${error?.message ?? error}`;
    bench.done = true;
  },
);
