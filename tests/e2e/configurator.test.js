// The demo's configurator (started as `cargo xtask demo`): every control
// round-trips into the three snippets (script tag, npm mount code, custom
// element), each parsed back and compared whole with what the controls say,
// and into the live preview; a copied snippet works on a page of ANOTHER
// origin (a second loopback server) under a strict Content-Security-Policy;
// the "try a snippet" frame renders it, sandboxed.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { startDemo } from "./lib/demo.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { ROOT } from "./lib/server.js";

let demo;
let origin;
let browser;
let version;
let bundle;

before(async () => {
  version = JSON.parse(await readFile(path.join(ROOT, "pkg/package.json"), "utf8")).version;
  // The demo writes www/bundle.json (not in the repository): read it after.
  demo = await startDemo();
  bundle = JSON.parse(await readFile(path.join(ROOT, "www/bundle.json"), "utf8"));
  origin = demo.origin;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

/** A page that also reports failed requests (with their URL) as errors. */
async function openPage(options = { viewport: { width: 1280, height: 900 } }) {
  const opened = await newPage(browser, options);
  opened.page.on("response", (response) => {
    if (response.status() >= 400) opened.errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return opened;
}

/**
 * The three snippets, parsed: the script tag's `data-*` and the element's
 * attributes (name → value), the npm code's options object, the theme
 * rule of each (property → value), and the files' URLs.
 */
async function readSnippets(page) {
  const text = {
    script: await page.locator("#snip-script").textContent(),
    npm: await page.locator("#snip-npm").textContent(),
    element: await page.locator("#snip-element").textContent(),
  };
  const parsed = await page.evaluate(({ script, element }) => {
    const parse = (html, selector) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const host = doc.querySelector(selector);
      const attrs = {};
      for (const { name, value } of host ? host.attributes : []) attrs[name] = value;
      const theme = {};
      for (const style of doc.querySelectorAll("style")) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(style.textContent);
        for (const rule of sheet.cssRules) {
          theme.selector = rule.selectorText;
          for (const name of rule.style) theme[name] = rule.style.getPropertyValue(name).trim();
        }
      }
      const scripts = [...doc.querySelectorAll("script")].map((s) => ({ src: s.getAttribute("src"), type: s.type, inline: s.textContent.trim() }));
      return { attrs, theme, scripts };
    };
    return { script: parse(script, "[data-article-cards]"), element: parse(element, "article-cards") };
  }, text);
  const call = /mount\(document\.querySelector\("#news"\), ([\s\S]*?)\);/.exec(text.npm);
  assert.ok(call, `npm snippet without a mount call:\n${text.npm}`);
  const npmTheme = {};
  const css = /\/\* In your stylesheet:\n#news \{\n([\s\S]*?)\n\}\n\*\//.exec(text.npm);
  for (const line of css ? css[1].split("\n") : []) {
    const m = /^\s*(--[\w-]+): (.*);$/.exec(line);
    assert.ok(m, `bad theme line in the npm snippet: ${line}`);
    npmTheme[m[1]] = m[2];
  }
  return { text, ...parsed, npm: { options: JSON.parse(call[1]), theme: npmTheme } };
}

const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const attrValue = (v) => (Array.isArray(v) ? v.join(",") : typeof v === "boolean" ? (v ? "on" : "off") : String(v));

/** Fails unless the snippets say exactly `options`, `theme` and `base`. */
async function assertSnippets(page, { options, theme, base }, what) {
  const s = await readSnippets(page);
  assert.deepEqual(s.npm.options, options, `${what}: npm options`);
  const attrs = Object.fromEntries(Object.entries(options).map(([k, v]) => [kebab(k), attrValue(v)]));
  const data = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [`data-${k}`, v]));
  assert.deepEqual(s.script.attrs, { "data-article-cards": "", ...data }, `${what}: script-tag attributes`);
  assert.deepEqual(s.element.attrs, attrs, `${what}: element attributes`);
  const rule = (selector) => (Object.keys(theme).length ? { selector, ...theme } : {});
  assert.deepEqual(s.script.theme, rule("[data-article-cards]"), `${what}: script-tag theme`);
  assert.deepEqual(s.element.theme, rule("article-cards"), `${what}: element theme`);
  assert.deepEqual(s.npm.theme, theme, `${what}: npm theme`);
  // External scripts only, from where the files are hosted.
  assert.deepEqual(s.script.scripts, [{ src: `${base}embed.js`, type: "", inline: "" }], `${what}: script tag's script`);
  assert.deepEqual(s.element.scripts, [{ src: `${base}define.js`, type: "module", inline: "" }], `${what}: element's script`);
  return s;
}

/** Evaluates `fn(root)` over the preview's shadow root until it returns true. */
async function previewShows(page, fn, arg) {
  try {
    await waitPreview(page, fn, arg);
  } catch (e) {
    const now = await page.evaluate(() => document.getElementById("preview").shadowRoot?.innerHTML.slice(0, 3000));
    throw new Error(`${e.message}\nthe preview is now:\n${now}`);
  }
}

function waitPreview(page, fn, arg) {
  return page.waitForFunction(
    ([source, a]) => {
      const root = document.getElementById("preview").shadowRoot;
      const ac = root?.querySelector(".ac");
      if (!ac || ac.getAttribute("aria-busy") === "true") return false;
      // eslint-disable-next-line no-new-func
      return new Function("root", "arg", `return (${source})(root, arg);`)(root, a);
    },
    [fn.toString(), arg],
    { timeout: 15000 },
  );
}

async function setControl(page, selector, value) {
  const input = page.locator(selector);
  const kind = await input.evaluate((el) => (el.tagName === "SELECT" ? "select" : el.type));
  if (kind === "select") await input.selectOption(value);
  else if (kind === "checkbox" || kind === "radio") await input.setChecked(value);
  else await input.fill(String(value));
  await input.dispatchEvent("change");
}

/** Waits until the snippets reflect the form (the demo refreshes on a short debounce). */
async function settle(page, expected, what) {
  let last;
  for (let i = 0; i < 100; i++) {
    try {
      return await assertSnippets(page, expected, what);
    } catch (e) {
      last = e;
      await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
    }
  }
  throw last;
}

const cards = `${CARD}`;

test("every configurator control round-trips into the three snippets and the preview", async () => {
  const { page, errors, context } = await openPage();
  await page.goto(`${origin}/#configurator`);
  await page.locator(`#preview ${CARD}`).first().waitFor();

  const own = `${origin}/pkg/dist/`;
  const cdn = `https://cdn.jsdelivr.net/npm/article-cards@${version}/dist/`;
  const src = `${origin}/www/bundle.json`;
  const state = { options: { src }, theme: {}, base: cdn };
  const step = async (what, selector, value, change, preview, arg) => {
    await setControl(page, selector, value);
    change(state);
    await settle(page, state, what);
    if (preview) await previewShows(page, preview, arg);
  };

  // The defaults: the versioned CDN, an absolute bundle URL, nothing else.
  await settle(page, state, "defaults");
  assert.equal(await page.locator("#opt-limit").getAttribute("max"), "100");
  // Related strips are on by default (the list shows them).
  await previewShows(page, (root) => root.querySelectorAll(".ac-carousel[data-kind='related']").length > 0);

  // Where the files are: your own URL, then the CDN again, then your own.
  await step("own files", "input[name=host][value=own]", true, (s) => (s.base = own));
  await step("CDN files", "input[name=host][value=cdn]", true, (s) => (s.base = cdn));
  await step("own files", "input[name=host][value=own]", true, (s) => (s.base = own));
  await step("own URL without slash", "#opt-base", `${origin}/pkg/dist`, (s) => (s.base = own));

  // The bundle URL: another file shows in the preview (an on-purpose error), then back.
  await step("src", "#opt-src", "www/demo/states/wrong-version.json",
    (s) => (s.options.src = `${origin}/www/demo/states/wrong-version.json`),
    (root) => !!root.querySelector(".ac-state.is-error"));
  await step("src back", "#opt-src", src, (s) => (s.options.src = src), (root) => root.querySelectorAll(".ac-card:not(.ac-skel)").length > 0);

  // Limit: up to 100 (all 39 articles show), then 3 for the rest.
  await step("limit 100", "#opt-limit", "100", (s) => (s.options.limit = 100),
    (root, n) => root.querySelectorAll(".ac-list > li .ac-card:not(.ac-skel)").length === n, bundle.articles.length);
  await step("limit 3", "#opt-limit", "3", (s) => (s.options.limit = 3),
    (root) => root.querySelectorAll(".ac-list > li .ac-card:not(.ac-skel)").length === 3);

  // Filters.
  const topic = "Space";
  await step("topic", `#opt-topics input[value='${topic}']`, true, (s) => (s.options.topics = [topic]),
    (root, t) => {
      const cs = [...root.querySelectorAll(".ac-list > li .ac-card:not(.ac-skel)")];
      return cs.length > 0 && cs.every((c) => [...c.querySelectorAll(".ac-topic")].some((x) => x.textContent === t));
    }, topic);
  await step("topic off", `#opt-topics input[value='${topic}']`, false, (s) => delete s.options.topics);
  const [providerKey, provider] = Object.entries(bundle.providers)[0];
  const providerValue = provider.domain || providerKey;
  await step("provider", `#opt-providers input[value='${providerValue}']`, true, (s) => (s.options.providers = [providerValue]),
    (root, name) => {
      const cs = [...root.querySelectorAll(".ac-list > li .ac-card:not(.ac-skel)")];
      return cs.length > 0 && cs.every((c) => c.querySelector(".ac-body .ac-provider-name")?.textContent === name);
    }, provider.name);
  await step("provider off", `#opt-providers input[value='${providerValue}']`, false, (s) => delete s.options.providers);
  await step("types", "input[name=types][value=video]", true, (s) => (s.options.types = ["video"]),
    (root) => {
      const cs = [...root.querySelectorAll(".ac-list > li .ac-card:not(.ac-skel)")];
      return cs.length > 0 && cs.every((c) => c.dataset.type === "video");
    });
  await step("types off", "input[name=types][value=video]", false, (s) => delete s.options.types);

  await step("excerpt lines", "#opt-lines", "1", (s) => (s.options.excerptLines = 1),
    (root) => [...root.querySelectorAll(".ac-excerpt")].every((e) => e.dataset.lines === "1"));
  await step("layout", "#opt-layout", "list", (s) => (s.options.layout = "list"),
    (root) => root.querySelector(".ac").dataset.layout === "list");
  const hottest = [...bundle.articles].sort((a, b) => (b.heat || 0) - (a.heat || 0))[0].title;
  await step("sort", "#opt-sort", "heat", (s) => (s.options.sort = "heat"),
    (root, t) => root.querySelector(".ac-card:not(.ac-skel) .ac-title")?.textContent === t, hottest);
  await step("theme", "input[name=theme][value=dark]", true, (s) => (s.options.theme = "dark"),
    (root) => root.querySelector(".ac").dataset.theme === "dark");
  const dateBefore = await page.evaluate(() => document.getElementById("preview").shadowRoot.querySelector(".ac-date")?.getAttribute("title"));
  await step("locale", "#opt-locale", "de", (s) => (s.options.locale = "de"),
    (root, before) => {
      const t = root.querySelector(".ac-date")?.getAttribute("title");
      return !!t && t !== before;
    }, dateBefore);
  await step("related off", "#opt-related", "off", (s) => (s.options.related = false),
    (root) => root.querySelectorAll(".ac-card:not(.ac-skel)").length > 0 && !root.querySelector(".ac-carousel[data-kind='related']"));
  await step("target", "#opt-target", "_self", (s) => (s.options.target = "_self"),
    (root) => [...root.querySelectorAll(".ac-link")].every((a) => (a.getAttribute("target") || "_self") === "_self"));
  await step("images", "#opt-images", "cached-only", (s) => (s.options.images = "cached-only"),
    (root) => [...root.querySelectorAll(".ac-card:not(.ac-skel) img.ac-img")].every((i) => new URL(i.src).origin === location.origin));
  await step("heading level", "#opt-heading", "4", (s) => (s.options.headingLevel = 4),
    (root) => root.querySelectorAll("h4.ac-title").length === 3 && !root.querySelector("h3.ac-title"));
  await step("label", "#opt-label", "Tech news", (s) => (s.options.label = "Tech news"),
    (root) => root.querySelector(".ac").getAttribute("aria-label") === "Tech news");
  await step("carousel", "#opt-layout", "carousel", (s) => (s.options.layout = "carousel"),
    (root) => !!root.querySelector(".ac-carousel[data-kind='list']"));
  await step("autoplay", "input[name=autoplay]", true, (s) => (s.options.autoplay = true),
    (root) => !!root.querySelector(".ac-rotate"));

  // The look: custom properties, in a rule for the host, and on the preview.
  const style = (root, [selector, prop, want]) => {
    const el = root.querySelector(selector);
    return !!el && getComputedStyle(el)[prop].includes(want);
  };
  await step("accent", "#opt-accent", "#aa0055", (s) => (s.theme["--ac-accent"] = "#aa0055"),
    (root) => getComputedStyle(root.querySelector(".ac")).getPropertyValue("--_accent").trim() === "#aa0055");
  await step("background", "#opt-bg", "#fff8e0", (s) => (s.theme["--ac-bg"] = "#fff8e0"),
    style, [".ac-card:not(.ac-skel)", "backgroundColor", "rgb(255, 248, 224)"]);
  await step("text", "#opt-text", "#102030", (s) => (s.theme["--ac-text"] = "#102030"),
    style, [".ac", "color", "rgb(16, 32, 48)"]);
  await step("radius", "#opt-radius", "3", (s) => (s.theme["--ac-radius"] = "3px"),
    style, [".ac-card:not(.ac-skel)", "borderTopLeftRadius", "3px"]);
  const serif = 'Georgia, "Times New Roman", serif';
  await step("font", "#opt-font", serif, (s) => (s.theme["--ac-font"] = serif),
    style, [".ac", "fontFamily", "Georgia"]);

  // And back to a default: the property leaves the snippets.
  await step("accent reset", "#opt-accent", "#2457d6", (s) => delete s.theme["--ac-accent"]);
  await step("related on", "#opt-related", "on", (s) => delete s.options.related,
    (root) => !!root.querySelector(".ac")); // carousel layout: the strips are in the slides' cards
  assertNoConsoleErrors(errors);
  await context.close();
});

/** A second loopback origin serving one page (and nothing else) with a CSP header. */
async function otherOrigin() {
  const state = { body: "", csp: "" };
  const server = http.createServer((req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (new URL(req.url, "http://x").pathname !== "/page.html") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": state.csp });
    res.end(state.body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  });
}

const sha256 = (text) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

test("snippets copied from the configurator work on another origin under a strict CSP, and in the try frame", async () => {
  const { page, errors, context } = await openPage();
  await page.goto(`${origin}/#configurator`);
  await page.locator(`#preview ${CARD}`).first().waitFor();
  await setControl(page, "input[name=host][value=own]", true);
  await setControl(page, "#opt-layout", "list");
  await setControl(page, "#opt-limit", "2");
  await setControl(page, "#opt-related", "off");
  await setControl(page, "#opt-accent", "#aa0055");
  await previewShows(page, (root) => root.querySelector(".ac").dataset.layout === "list"
    && root.querySelectorAll(".ac-card:not(.ac-skel)").length === 2 && !root.querySelector(".ac-carousel"));
  const previewTitles = await page.locator(`#preview ${CARD} .ac-title`).allTextContents();
  const { text, script } = await settle(page, {
    options: { src: `${origin}/www/bundle.json`, limit: 2, layout: "list", related: false },
    theme: { "--ac-accent": "#aa0055" },
    base: `${origin}/pkg/dist/`,
  }, "pasted");
  assert.equal(script.scripts.length, 1);

  const other = await otherOrigin();
  try {
    assert.notEqual(new URL(other.origin).origin, new URL(origin).origin);
    for (const [name, snippet, host] of [["script tag", text.script, "[data-article-cards]"], ["custom element", text.element, "article-cards"]]) {
      const styleText = /<style>([\s\S]*?)<\/style>/.exec(snippet)[1];
      // The project's strict policy (csp.test.js), with the files' and the
      // bundle's origin named, and the snippet's one <style> by its hash.
      other.csp = `default-src 'none'; script-src 'self' ${origin} 'wasm-unsafe-eval'; connect-src ${origin}; img-src 'self' ${origin}; style-src 'self' ${sha256(styleText)}`;
      other.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pasted</title></head><body><main><h1>Pasted</h1>\n${snippet}\n</main></body></html>`;
      const pasted = await openPage();
      await pasted.page.goto(`${other.origin}/page.html`);
      const titles = pasted.page.locator(`${host} ${CARD} .ac-title`);
      await titles.first().waitFor();
      assert.deepEqual(await titles.allTextContents(), previewTitles, `${name}: the same cards as the preview`);
      assert.deepEqual(await pasted.page.evaluate(() => window.__cspViolations), [], `${name}: CSP violations`);
      // The theme reached the cards from the host's rule.
      const accent = await pasted.page.evaluate((sel) => {
        const inner = (el) => el.shadowRoot?.querySelector(".ac") || [...(el.shadowRoot?.children || [])].map(inner).find(Boolean);
        const ac = inner(document.querySelector(sel));
        return ac && getComputedStyle(ac).getPropertyValue("--_accent").trim();
      }, host);
      assert.equal(accent, "#aa0055", `${name}: theme`);
      assertNoConsoleErrors(pasted.errors);
      await pasted.context.close();
    }
  } finally {
    await other.close();
  }

  // The try frame: the same snippet, sandboxed (an opaque origin), under the policy it shows.
  for (const [button, host] of [["snip-script", "[data-article-cards]"], ["snip-element", "article-cards"]]) {
    await page.click(`button[data-try='${button}']`);
    const frame = page.frameLocator("#try-frame");
    await frame.locator(`${host} ${CARD}`).first().waitFor({ timeout: 10000 }).catch(async (e) => {
      const f = page.frames().find((x) => x !== page.mainFrame());
      const now = await f?.evaluate(() => [document.documentElement.outerHTML.slice(0, 1500), innerWidth, innerHeight]);
      throw new Error(`${e.message}\nthe frame is now: ${JSON.stringify(now)}`);
    });
    assert.deepEqual(await frame.locator(`${host} ${CARD} .ac-title`).allTextContents(), previewTitles, `try frame, ${button}`);
    const policy = await page.locator("#try-csp").textContent();
    assert.match(policy, /default-src 'none'/);
    assert.doesNotMatch(policy, /unsafe-inline/);
    assert.equal(await page.locator("#try-frame").getAttribute("sandbox"), "allow-scripts");
  }
  assertNoConsoleErrors(errors);
  await context.close();
});
