// The measuring script of `cargo xtask bench prerender`, loaded first in
// each page's <head> (a classic script, before any card can exist). It
// records in `window.__bench`:
// - `firstCard`: the start of the first animation frame in which a card
//   title is in the document (through shadow roots): the frame that paints
//   it. For prerendered cards that is the first frame;
// - `fcp`, `lcp`: first contentful paint and the last largest-contentful-
//   paint entry, from navigation start;
// - `cls`: the layout-shift scores summed (without recent input) until the
//   page is settled: the widget's cards are in (and, prerendered, have
//   replaced the prerendered ones), two frames later;
// - `scriptBefore`, `scriptTotal`: encoded bytes of script and wasm
//   (`.js`, `.wasm`; this script not counted) fetched before the first
//   card's frame, and in all.
(function () {
  var bench = { done: false, error: null, cls: 0 };
  window.__bench = bench;
  var TITLE = ".ac-card:not(.ac-skel) .ac-title";
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      if (!e.hadRecentInput) bench.cls += e.value;
    });
  }).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      if (e.name === "first-contentful-paint") bench.fcp = e.startTime;
    });
  }).observe({ type: "paint", buffered: true });
  new PerformanceObserver(function (list) {
    var entries = list.getEntries();
    bench.lcp = entries[entries.length - 1].startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });

  function find(root, selector) {
    var hit = root.querySelector(selector);
    if (hit) return hit;
    var all = root.querySelectorAll("*");
    for (var i = 0; i < all.length; i++) {
      if (all[i].shadowRoot) {
        hit = find(all[i].shadowRoot, selector);
        if (hit) return hit;
      }
    }
    return null;
  }
  function scriptBytes(before) {
    return performance
      .getEntriesByType("resource")
      .filter(function (e) {
        var file = new URL(e.name).pathname;
        // Not this measuring script: it is no part of any way shown.
        return /\.(js|wasm)$/.test(file) && file !== "/bench/prerender-page.js" && e.responseEnd <= before;
      })
      .reduce(function (sum, e) {
        return sum + e.encodedBodySize;
      }, 0);
  }
  var prerendered = null;
  function frame(t) {
    if (bench.firstCard == null && find(document, TITLE)) {
      bench.firstCard = t;
      bench.scriptBefore = scriptBytes(t);
      prerendered = find(document, "[data-prerendered]");
    }
    var settled =
      bench.firstCard != null &&
      !find(document, "[data-prerendered]") &&
      find(document, ".ac-card:not(.ac-skel)") &&
      (!prerendered || !prerendered.isConnected);
    if (settled) {
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          bench.scriptTotal = scriptBytes(Infinity);
          bench.done = true;
        });
      });
      return;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  addEventListener("error", function (e) {
    bench.error = String(e.message);
    bench.done = true;
  });
})();
