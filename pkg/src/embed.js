/* article-cards loader: a classic script for pages without a build step.
 *
 *   <div data-article-cards data-src="/articles.json" data-topics="science" data-limit="4">
 *     <a href="/news">Latest news</a>   <!-- shown until the cards render -->
 *   </div>
 *   <script src="https://cdn.example/article-cards/dist/embed.js" async></script>
 *
 * The `[data-article-cards]` elements of the page, as parsed and when this
 * script runs, are mounted when they come within 300px of the viewport
 * (`data-eager` mounts at once). Placeholders added later are mounted only
 * when the page asks: `articleCards.scan(root)` mounts those under `root`
 * (the whole document by default), and `data-observe` on this script tag
 * mounts every one added from then on. Otherwise any markup that reaches the
 * page later (a comment through a sanitizer that allows `data-*`) could
 * mount cards of its own choosing. The
 * WebAssembly module and its glue are fetched from next to this script, only
 * then. The element's own content stays until the cards have rendered; if
 * the module cannot start (CSP, 404, old browser) it simply stays, and one
 * console error says why.
 *
 * Written small by hand; `cargo xtask dist` minifies it with terser.
 */
(function () {
  "use strict";
  var w = window;
  var d = document;
  var PREFIX = "article-cards: ";
  var me = d.currentScript;
  var observe = !!me && me.hasAttribute("data-observe");
  // Included twice: the first copy already watches the page; a second
  // `data-observe` still counts. (`scan` is checked, as an element with
  // `id="articleCards"` would also be `window.articleCards`.)
  var api = w.articleCards;
  if (api && typeof api.scan == "function") {
    if (observe) api.observe = observe;
    return;
  }
  api = w.articleCards = { scan: scan, observe: observe };
  var base = new URL(".", (me && me.src) || location.href).href;
  var moduleUrl = base + "article_cards.js";
  var wasmUrl = base + "article_cards_bg.wasm";
  var SELECTOR = "[data-article-cards]";
  var started;
  // Per placeholder: { root, handle } once mounted; 1 while waiting; 2
  // when taken out while waiting (it may come back without a new scan).
  var state = new WeakMap();
  var io =
    w.IntersectionObserver &&
    new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            io.unobserve(entry.target);
            start(entry.target);
          }
        });
      },
      { rootMargin: "300px" }
    );

  // The module, instantiated once for every placeholder.
  function load() {
    if (!started) {
      started = (
        w.WebAssembly
          ? import(moduleUrl).then(function (m) {
              return m.default({ module_or_path: wasmUrl }).then(function () {
                return m;
              });
            })
          : Promise.reject(new Error("this browser has no WebAssembly"))
      ).catch(function (e) {
        console.error(
          PREFIX +
            "the widget could not start, so the fallback content stays. " +
            ((e && e.message) || e) +
            " (" +
            wasmUrl +
            " must be reachable, served as application/wasm, and allowed by the " +
            "page's Content-Security-Policy: script-src 'wasm-unsafe-eval')"
        );
        throw e;
      });
    }
    return started;
  }

  // `data-excerpt-lines="2"` -> { excerpt_lines: "2" }; the bare
  // `data-article-cards="/x.json"` value stands for `data-src`.
  function options(el) {
    var o = {};
    var attrs = el.attributes;
    for (var i = 0; i < attrs.length; i++) {
      var name = attrs[i].name;
      if (name.indexOf("data-") === 0 && name !== "data-eager") {
        name = name.slice(5);
        if (name.indexOf("ac-") === 0) name = name.slice(3);
        if (name === "article-cards") {
          if (attrs[i].value) o.src = o.src || attrs[i].value;
        } else {
          o[name.split("-").join("_")] = attrs[i].value;
        }
      }
    }
    return o;
  }

  function start(el) {
    if (state.get(el) !== 1) return;
    load().then(
      function (m) {
        if (state.get(el) !== 1) return;
        if (!el.isConnected) return state.set(el, 2);
        var root = el.shadowRoot;
        try {
          if (root) throw new Error("it already has a shadow root");
          root = el.attachShadow({ mode: "open" });
        } catch (e) {
          state.delete(el);
          console.error(PREFIX + "cannot mount on this <" + el.localName + ">: " + e.message);
          return;
        }
        state.set(el, { root: root });
        show(el, m);
      },
      function () {}
    );
  }

  // The fallback stays visible through a <slot> until the widget, mounted
  // on a hidden <div> beside it, reports that its cards are rendered.
  function show(el, m) {
    var s = state.get(el);
    var slot = d.createElement("slot");
    var host = d.createElement("div");
    host.hidden = true;
    host.addEventListener("article-cards:ready", function () {
      slot.remove();
      host.hidden = false;
    });
    s.root.replaceChildren(slot, host);
    try {
      s.handle = m.mount(host, options(el));
    } catch (e) {
      console.error((e && e.message) || e);
    }
  }

  // `fresh`: whether a placeholder never seen before may be mounted.
  function add(el, fresh) {
    var s = state.get(el);
    if (s === 1) return;
    if (s && s !== 2) {
      // Put back after a removal: mount again in the shadow root we made.
      if (!s.handle)
        started.then(function (m) {
          if (el.isConnected && !s.handle) show(el, m);
        });
      return;
    }
    if (!s && !fresh) return;
    state.set(el, 1);
    if (io && !el.hasAttribute("data-eager")) io.observe(el);
    else start(el);
  }

  function remove(el) {
    var s = state.get(el);
    if (s === 1) {
      if (io) io.unobserve(el);
      state.set(el, 2);
    } else if (s && s.handle && !el.isConnected) {
      s.handle.destroy();
      s.handle = null;
    }
  }

  // `node`: an element, a document or a fragment (others hold none).
  function each(node, fn) {
    if (!node.querySelectorAll) return;
    if (node.matches && node.matches(SELECTOR)) fn(node);
    node.querySelectorAll(SELECTOR).forEach(fn);
  }

  function scan(root) {
    each(root || d, function (el) {
      add(el, 1);
    });
  }

  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.removedNodes.forEach(function (n) {
        each(n, remove);
      });
      r.addedNodes.forEach(function (n) {
        each(n, function (el) {
          // While the page is parsed, its own markup is still arriving.
          add(el, api.observe || d.readyState == "loading");
        });
      });
    });
  }).observe(d.documentElement, { childList: true, subtree: true });
  scan();
  if (d.readyState == "loading")
    d.addEventListener("DOMContentLoaded", function () {
      scan();
    });
})();
