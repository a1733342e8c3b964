// The benchmark page's script: marks `init-start`/`init-end` around the
// wasm instantiation, `mount` right before `mount()`, `first-render` when
// the shadow root first has cards (the skeleton, normally) and `cards-24`
// when the 24th real card is in it (a MutationObserver, so no timer or
// animation frame can delay or starve it), and the start of the frame after
// the one that lays out the first render. Layout shifts are split there:
// the ones before it are the fallback link giving way to the first render,
// which only the host page can avoid (by reserving the room, `?reserve=PX`
// in page.html); the ones after it (cards replacing the skeleton, images,
// fonts) are the widget's. Everything ends up in `window.__bench`, with
// `done: true` last.

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
  /** Sum of the shifts up to the first render's frame: (a). */
  shiftFirstRender: 0,
  /** Largest shift after it: (b). */
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
 * Watches `root` from before its first render is laid out. `firstLaidOut` resolves one frame
 * after the first cards (skeleton or real) are in the DOM: the first frame
 * that lays them out has run its layout, and so reported its shift, by the
 * time the next frame's animation callbacks run. `cards` resolves when
 * `CARDS` real cards are in the DOM.
 */
function watch(root) {
  let laidOut;
  const firstLaidOut = new Promise((resolve) => { laidOut = resolve; });
  let gotCards;
  const cards = new Promise((resolve) => { gotCards = resolve; });
  const check = () => {
    if (!bench.firstRender && root.querySelector(`${SKELETON}, ${CARD}`)) {
      performance.mark("first-render");
      bench.firstRender = root.querySelector(SKELETON) ? "skeleton" : "cards";
      requestAnimationFrame(() => {
        // This frame lays out the first render: were real cards already in?
        bench.cardsBeforeLayout = root.querySelector(CARD) !== null;
        // The next frame's start time (what its shifts are stamped at or
        // after): the boundary.
        requestAnimationFrame((frameStart) => {
          bench.boundary = frameStart;
          laidOut();
        });
      });
    }
    bench.cards = root.querySelectorAll(CARD).length;
    if (bench.cards >= CARDS) {
      performance.mark("cards-24");
      observer.disconnect();
      gotCards();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(root, { childList: true, subtree: true });
  check();
  return { firstLaidOut, cards };
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
  // `mount` settles in microtasks (the module is ready), before any frame
  // can lay out what Yew rendered meanwhile: watching from here still sees
  // the first render before it is painted.
  await mounting;
  if (!host.shadowRoot) throw new Error("mount() returned without a shadow root");
  const watching = watch(host.shadowRoot);
  bench.phase = "cards";
  await Promise.all([watching.firstLaidOut, watching.cards]);

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
  const boundary = bench.boundary;
  for (const shift of bench.shifts) {
    shift.part = shift.time < boundary ? "a" : "b";
    if (shift.part === "a") bench.shiftFirstRender += shift.value;
    else bench.maxShiftAfter = Math.max(bench.maxShiftAfter, shift.value);
    shift.afterMount = Math.round(shift.time - mounted);
    delete shift.time;
  }
  bench.firstRenderAt = performance.getEntriesByName("first-render")[0].startTime - mounted;
  bench.firstLaidOutAt = boundary - mounted;
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
