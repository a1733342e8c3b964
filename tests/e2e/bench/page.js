// The benchmark page's script: marks `init-start`/`init-end` around the
// wasm instantiation, `mount` right before `mount()`, `first-render` when
// the shadow root first has cards (the skeleton, normally) and `cards-24`
// when the 24th real card is in it (a MutationObserver, so no timer or
// animation frame can delay or starve it). Layout shifts are split by what
// moved: (a) the one that moves the text below the widget from where it was
// before `mount()`, which is the fallback link giving way to the first
// render and only the host page can avoid (by reserving the room,
// `?reserve=PX` in page.html); (b) every other one (cards replacing the
// skeleton, images, fonts), which are the widget's. Everything ends up in
// `window.__bench`, with `done: true` last.

import { init, mount } from "/pkg/index.js";

const CARDS = 24;
const CARD = ".ac-card:not(.ac-skel)";
const SKELETON = ".ac-skel";

const bench = {
  done: false,
  phase: "start",
  error: null,
  readyCount: null,
  cards: 0,
  /** What the shadow root showed first: "skeleton", "cards" or null. */
  firstRender: null,
  /** Whether real cards were in the DOM before the first render was laid out. */
  cardsBeforeLayout: null,
  /** Sum of the shifts that move the text below from its place before mount: (a). */
  shiftFirstRender: 0,
  /** Largest other shift: (b). */
  maxShiftAfter: 0,
  /** The host's height once settled: what a page would reserve. */
  height: null,
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

/**
 * Watches `root` from before its first render is laid out (Yew renders in
 * microtasks, no frame runs before `mount()` has settled): `first-render`
 * when cards (skeleton or real) first appear, and whether real cards were
 * already in when the next frame ran. Resolves when `CARDS` real cards are
 * in the DOM.
 */
function watch(root) {
  return new Promise((resolve) => {
    const check = () => {
      if (!bench.firstRender && root.querySelector(`${SKELETON}, ${CARD}`)) {
        performance.mark("first-render");
        bench.firstRender = root.querySelector(SKELETON) ? "skeleton" : "cards";
        requestAnimationFrame(() => {
          bench.cardsBeforeLayout = root.querySelector(CARD) !== null;
        });
      }
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

  // Where the text below the widget is before mount (viewport y): the shift
  // that moves it from here is (a).
  const belowY = Math.round(document.querySelector("#news ~ p").getBoundingClientRect().y);
  bench.phase = "mount";
  performance.mark("mount");
  const mounting = mount(host, { src, limit: CARDS, theme: "light" });
  // `mount` settles in microtasks (the module is ready), before any frame
  // can lay out what Yew rendered meanwhile: watching from here still sees
  // the first render before it is painted.
  await mounting;
  if (!host.shadowRoot) throw new Error("mount() returned without a shadow root");
  const cards = watch(host.shadowRoot);
  bench.phase = "cards";
  await cards;

  bench.phase = "settle";
  await visibleImagesSettled(host.shadowRoot, 5000);
  await frames(1000);
  shiftObserver.takeRecords().forEach(recordShift);
  bench.height = host.getBoundingClientRect().height;

  const bundle = performance
    .getEntriesByType("resource")
    .find((e) => e.name.endsWith(src));
  bench.init = duration("init-start", "init-end");
  bench.toCards = duration("mount", "cards-24");
  bench.toReady = performance.getEntriesByName("ready").length ? duration("mount", "ready") : null;
  // The bundle request, from `mount` (any delay before it starts included).
  const mounted = performance.getEntriesByName("mount")[0].startTime;
  for (const shift of bench.shifts) {
    shift.part = shift.sources.some((s) => s.node === "P" && s.from[0] === belowY) ? "a" : "b";
    if (shift.part === "a") bench.shiftFirstRender += shift.value;
    else bench.maxShiftAfter = Math.max(bench.maxShiftAfter, shift.value);
    shift.afterMount = Math.round(shift.time - mounted);
    delete shift.time;
  }
  bench.firstRenderAt = performance.getEntriesByName("first-render")[0].startTime - mounted;
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
