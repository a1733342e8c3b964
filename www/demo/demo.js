// The demo page: mounts the gallery widgets, drives the configurator and
// draws the bundle statistics; with `cargo xtask demo --archive N`, also the
// large archive (bundle version 2) and what the page loaded of it. Bundle
// text only ever reaches the page as text (textContent / SVG text nodes),
// never as HTML.
import { mount } from "../../pkg/dist/index.js";

const BUNDLE = "www/bundle.json";
/** Written by `cargo xtask demo`: the large archive's manifest URL and sizes, or `{"manifest": null}`. */
const ARCHIVE_POINTER = "www/archive.json";
const page = new URL(".", document.baseURI);

/** Options of a gallery placeholder: its JSON `data-demo` over the defaults. */
function demoOptions(el) {
  let extra = {};
  try {
    extra = JSON.parse(el.dataset.demo || "{}");
  } catch (e) {
    console.warn("demo: bad data-demo on", el, e);
  }
  return { src: BUNDLE, ...extra };
}

async function mountGallery() {
  const handles = new Map();
  await Promise.all(
    [...document.querySelectorAll(".demo-widget")].map(async (el) => {
      handles.set(el, await mount(el, demoOptions(el)));
    }),
  );
  const replay = document.getElementById("replay-loading");
  const loading = document.getElementById("loading-demo");
  if (replay && loading) {
    replay.addEventListener("click", async () => {
      handles.get(loading)?.destroy();
      // A fresh query string defeats the cache so the delay shows again.
      const options = demoOptions(loading);
      options.src = `${options.src}?t=${Date.now()}`;
      handles.set(loading, await mount(loading, options));
    });
  }
}

// ---------------------------------------------------------------- configurator

const form = document.getElementById("config-form");
const preview = document.getElementById("preview");
let previewHandle = null;
/** The package version, for the versioned CDN URL (read from pkg/package.json). */
let version = "";

/** An absolute URL for snippets pasted into another page. */
function absolute(url) {
  try {
    return new URL(url, page).href;
  } catch {
    return url;
  }
}

/**
 * The options the form describes, with defaults left out, `src` absolute:
 * a snippet holds exactly what differs from the widget's defaults.
 */
function formOptions() {
  const data = new FormData(form);
  const options = { src: absolute((data.get("src") || "").toString().trim() || BUNDLE) };
  const list = (name) => data.getAll(name).map(String);
  const topics = list("topics");
  const providers = list("providers");
  const types = list("types");
  if (topics.length) options.topics = topics;
  if (providers.length) options.providers = providers;
  if (types.length === 1) options.types = types;
  const number = (name, fallback, min, max) => {
    const raw = data.get(name);
    const n = Math.round(Number(raw));
    if (raw === "" || !Number.isFinite(n)) return fallback;
    return Math.min(max, Math.max(min, n));
  };
  const limit = number("limit", 6, 1, 100);
  if (limit !== 6) options.limit = limit;
  const lines = number("excerptLines", 3, 0, 10);
  if (lines !== 3) options.excerptLines = lines;
  for (const [name, fallback] of [
    ["layout", "grid"], ["sort", "newest"], ["theme", "auto"], ["target", "_blank"], ["images", "auto"],
  ]) {
    const value = data.get(name);
    if (value && value !== fallback) options[name] = value.toString();
  }
  const locale = data.get("locale");
  if (locale) options.locale = locale.toString();
  const heading = number("headingLevel", 3, 2, 6);
  if (heading !== 3) options.headingLevel = heading;
  if (data.get("related") === "off") options.related = false;
  const label = (data.get("label") || "").toString().trim();
  if (label) options.label = label;
  if (data.get("autoplay")) options.autoplay = true;
  return options;
}

/** `[[property, value]]`: the custom properties set to other than their default. */
function formTheme() {
  const out = [];
  for (const input of form.querySelectorAll("[name^='--ac-']")) {
    const value = input.value.trim();
    if (value === "" || value === input.dataset.default) continue;
    out.push([input.name, value + (input.dataset.unit || "")]);
  }
  return out;
}

/** Where the package files are, ending in `/`. */
function filesBase() {
  const data = new FormData(form);
  if (data.get("host") === "cdn" && version) return cdnBase();
  const own = absolute((data.get("base") || "").toString().trim() || "pkg/dist/");
  return own.endsWith("/") ? own : `${own}/`;
}

const cdnBase = () => `https://cdn.jsdelivr.net/npm/article-cards@${version}/dist/`;

const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `[name, value]` pairs as HTML attributes: lists comma-separated, booleans on/off. */
function attributePairs(options) {
  return Object.entries(options).map(([name, value]) => {
    const text = Array.isArray(value) ? value.join(",") : typeof value === "boolean" ? (value ? "on" : "off") : String(value);
    return [kebab(name), text];
  });
}

const escapeAttr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** A CSS rule for `selector` setting the theme's custom properties, or "". */
function themeRule(selector, theme, indent = "") {
  if (!theme.length) return "";
  // Values come from our own controls, but a `<` must still never close a <style>.
  const body = theme.map(([k, v]) => `${indent}  ${k}: ${v.replace(/[<>{};]/g, "")};`).join("\n");
  return `${indent}${selector} {\n${body}\n${indent}}`;
}

function snippets(options, theme, base) {
  const pairs = attributePairs(options);
  const fallback = `<a href="${escapeAttr(options.src)}">Latest articles</a>`;
  const style = (selector) => (theme.length ? `<style>\n${themeRule(selector, theme, "  ")}\n</style>\n` : "");
  const dataAttrs = pairs.map(([k, v]) => `\n     data-${k}="${escapeAttr(v)}"`).join("");
  const script =
    style("[data-article-cards]") +
    `<div data-article-cards${dataAttrs}>\n  ${fallback}\n</div>\n` +
    `<script src="${escapeAttr(base)}embed.js" async></script>`;
  const css = theme.length ? `\n\n/* In your stylesheet:\n${themeRule("#news", theme)}\n*/` : "";
  const npm =
    `// npm install article-cards\nimport { mount } from "article-cards";\n\n` +
    `const handle = await mount(document.querySelector("#news"), ${JSON.stringify(options, null, 2)});${css}`;
  const elAttrs = pairs.map(([k, v]) => `\n  ${k}="${escapeAttr(v)}"`).join("");
  const element =
    style("article-cards") +
    `<script type="module" src="${escapeAttr(base)}define.js"></script>\n` +
    `<article-cards${elAttrs}>\n  ${fallback}\n</article-cards>`;
  return { "snip-script": script, "snip-npm": npm, "snip-element": element };
}

// The preview's theme: a stylesheet rule, as in the snippets, not a style attribute.
const previewSheet = typeof CSSStyleSheet === "function" ? new CSSStyleSheet() : null;
if (previewSheet) document.adoptedStyleSheets = [...document.adoptedStyleSheets, previewSheet];

let pending = 0;
async function refresh() {
  const options = formOptions();
  const theme = formTheme();
  for (const [id, text] of Object.entries(snippets(options, theme, filesBase()))) {
    const code = document.getElementById(id);
    if (code) code.textContent = text;
  }
  previewSheet?.replaceSync(themeRule("#preview", theme));
  const ticket = ++pending;
  try {
    if (previewHandle) {
      // The whole set: an option taken back to its default must go too.
      previewHandle.replace(options);
    } else {
      const handle = await mount(preview, options);
      if (ticket === pending || !previewHandle) previewHandle = handle;
    }
  } catch (e) {
    console.warn("demo: preview options rejected:", e);
  }
}

// ---------------------------------------------------------------- try a snippet

const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** The origin of `url` (resolved against this page), or null when it is not http(s). */
function originOf(url) {
  try {
    const u = new URL(url, page);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The strict policy a snippet needs: its scripts' origins (and WebAssembly),
 * the bundles' origins for fetches and images, the hashes of its <style>
 * blocks, nothing inline, nothing else. The snippet is parsed inert
 * (DOMParser runs no script and loads nothing).
 */
async function policyFor(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const scripts = new Set();
  for (const s of doc.querySelectorAll("script[src]")) {
    const o = originOf(s.getAttribute("src"));
    if (o) scripts.add(o);
  }
  const data = new Set(scripts);
  for (const el of doc.querySelectorAll("article-cards[src], [data-src], [data-ac-src], [data-article-cards]")) {
    for (const name of ["src", "data-src", "data-ac-src", "data-article-cards"]) {
      const value = el.getAttribute(name);
      const o = value && originOf(value);
      if (o) data.add(o);
    }
  }
  const hashes = [];
  for (const style of doc.querySelectorAll("style")) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style.textContent));
    hashes.push(`'sha256-${b64(digest)}'`);
  }
  const list = (set) => [...set].join(" ");
  return [
    "default-src 'none'",
    `script-src ${list(scripts) || "'none'"} 'wasm-unsafe-eval'`,
    `connect-src ${list(data) || "'none'"}`,
    `img-src ${list(data)} https:`,
    `style-src ${hashes.join(" ") || "'none'"}`,
    "frame-src https://www.youtube-nocookie.com",
  ].join("; ");
}

/** Renders the textarea's snippet in the sandboxed frame (an opaque origin: it can reach nothing of this page). */
async function trySnippet() {
  const input = document.getElementById("try-input");
  const frame = document.getElementById("try-frame");
  if (!input || !frame) return;
  const html = input.value;
  const policy = await policyFor(html);
  document.getElementById("try-csp").textContent = policy;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(policy)}">`;
  frame.srcdoc =
    `<!doctype html><html lang="en"><head>${meta}<meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Snippet</title></head>` +
    `<body>${html}</body></html>`;
  // The script-tag loader waits for its placeholder to come into view.
  frame.scrollIntoView({ block: "nearest" });
}

function setupTry() {
  document.getElementById("try-run")?.addEventListener("click", trySnippet);
  document.querySelectorAll("button[data-try]").forEach((button) => {
    button.addEventListener("click", () => {
      const code = document.getElementById(button.dataset.try);
      document.getElementById("try-input").value = code ? code.textContent : "";
      trySnippet();
    });
  });
}

function choice(name, value, label) {
  const wrap = document.createElement("label");
  const input = document.createElement("input");
  input.type = "checkbox";
  input.name = name;
  input.value = value;
  wrap.append(input, ` ${label}`);
  return wrap;
}

function fillChoices(container, entries) {
  container.replaceChildren(...entries.map(([value, label]) => choice(container.dataset.name, value, label)));
}

function setupConfigurator(bundle, pkg) {
  if (!form || !preview) return;
  // Absolute defaults: what a pasted snippet needs.
  form.elements.src.value = absolute(form.elements.src.value);
  form.elements.base.value = absolute(form.elements.base.value);
  version = (pkg && typeof pkg.version === "string" && /^[\w.+-]+$/.test(pkg.version) && pkg.version) || "";
  const cdn = form.querySelector("input[name='host'][value='cdn']");
  document.getElementById("cdn-base").textContent = version ? cdnBase() : "(version unknown)";
  if (!version && cdn) {
    cdn.disabled = true;
    form.querySelector("input[name='host'][value='own']").checked = true;
  }
  setupTry();
  if (bundle) {
    const topics = [...new Set(bundle.articles.flatMap((a) => a.topics || []))].sort((a, b) => a.localeCompare(b));
    fillChoices(document.getElementById("opt-topics"), topics.map((t) => [t, t]));
    const providers = Object.entries(bundle.providers || {})
      .map(([key, p]) => [p.domain || key, p.name])
      .sort((a, b) => a[1].localeCompare(b[1]));
    fillChoices(document.getElementById("opt-providers"), providers);
  }
  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", (e) => e.preventDefault());
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const code = document.getElementById(button.dataset.copy);
      const status = document.getElementById("copy-status");
      try {
        await navigator.clipboard.writeText(code ? code.textContent : "");
        button.dataset.done = "";
        button.textContent = "Copied";
        if (status) status.textContent = "Snippet copied to the clipboard.";
      } catch {
        if (status) status.textContent = "Copying was blocked: select the snippet and copy it by hand.";
      }
      setTimeout(() => {
        delete button.dataset.done;
        button.textContent = "Copy";
      }, 1600);
    });
  });
  refresh();
}

// ---------------------------------------------------------------- statistics

const SVG = "http://www.w3.org/2000/svg";

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A horizontal bar chart of `[label, count]` rows. */
function barChart(figure, rows, summary) {
  const width = 560;
  const labelWidth = 170;
  const row = 26;
  const height = rows.length * row + 8;
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary });
  rows.forEach(([label, n], i) => {
    const y = i * row + 4;
    // Room after the longest bar for its value, up to six digits.
    const barWidth = Math.max(2, ((width - labelWidth - 64) * n) / max);
    const group = svgEl("g", {});
    group.append(svgEl("title", {}, `${label}: ${n}`));
    group.append(svgEl("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", class: "label" }, label.length > 24 ? `${label.slice(0, 23)}…` : label));
    group.append(svgEl("rect", { x: labelWidth, y: y + 3, width: barWidth, height: row - 10, rx: 4, class: "bar" }));
    group.append(svgEl("text", { x: labelWidth + barWidth + 6, y: y + 15, class: "value" }, n.toLocaleString("en")));
    svg.append(group);
  });
  figure.append(svg);
}

/** A column chart of counts per month, oldest first. */
function monthChart(figure, rows, summary) {
  const width = 1000;
  const height = 220;
  const bottom = 36;
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const step = (width - 20) / Math.max(1, rows.length);
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary });
  svg.append(svgEl("line", { x1: 10, x2: width - 10, y1: height - bottom, y2: height - bottom, class: "axis" }));
  rows.forEach(([month, n], i) => {
    const h = ((height - bottom - 24) * n) / max;
    const x = 10 + i * step + step * 0.15;
    const group = svgEl("g", {});
    group.append(svgEl("title", {}, `${month}: ${n}`));
    group.append(svgEl("rect", { x, y: height - bottom - h, width: step * 0.7, height: Math.max(h, 1), rx: 3, class: "bar" }));
    group.append(svgEl("text", { x: x + step * 0.35, y: height - bottom - h - 6, "text-anchor": "middle", class: "value" }, String(n)));
    group.append(svgEl("text", { x: x + step * 0.35, y: height - 14, "text-anchor": "middle", class: "label" }, month.slice(2)));
    svg.append(group);
  });
  figure.append(svg);
}

function countBy(items, keysOf) {
  const counts = new Map();
  for (const item of items) for (const key of keysOf(item)) counts.set(key, (counts.get(key) || 0) + 1);
  return counts;
}

function drawStats(bundle) {
  const articles = bundle.articles || [];
  const providers = bundle.providers || {};
  const topics = [...countBy(articles, (a) => a.topics || [])].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const byProvider = [...countBy(articles, (a) => (a.provider ? [providers[a.provider]?.name || a.provider] : []))].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const months = [...countBy(articles, (a) => (a.published ? [a.published.slice(0, 7)] : []))].sort((a, b) => a[0].localeCompare(b[0]));
  const videos = articles.filter((a) => a.type === "video").length;
  document.getElementById("stats-summary").textContent =
    `${articles.length} articles (${videos} videos) from ${Object.keys(providers).length} providers across ${topics.length} topics, generated ${bundle.generatedAt}.`;
  const describe = (rows) => rows.map(([k, n]) => `${k} ${n}`).join(", ");
  barChart(document.getElementById("chart-topics"), topics, `Articles per topic: ${describe(topics)}`);
  barChart(document.getElementById("chart-providers"), byProvider, `Articles per provider: ${describe(byProvider)}`);
  monthChart(document.getElementById("chart-months"), months, `Articles per month: ${describe(months)}`);
}

async function loadBundle() {
  try {
    const response = await fetch(BUNDLE);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  } catch (e) {
    document.getElementById("stats-summary").textContent = `The bundle could not be read (${e.message}).`;
    return null;
  }
}

// ---------------------------------------------------------------- large archive

/** `1536` → `1.5 KiB`: binary units, as docs/bundle.md counts the 5 MiB cap. */
function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toLocaleString("en", { maximumFractionDigits: 1 })} ${units[unit]}`;
}

const count = (n) => n.toLocaleString("en");

/** `www/archive.json` with the manifest URL made absolute, or null when the demo runs without `--archive`. */
async function loadArchivePointer() {
  try {
    const response = await fetch(ARCHIVE_POINTER, { cache: "no-store" });
    if (!response.ok) return null;
    const pointer = await response.json();
    if (!pointer || typeof pointer.manifest !== "string") return null;
    const sizes = ["articles", "manifestBytes", "shards", "shardBytes"].every((k) => Number.isSafeInteger(pointer[k]) && pointer[k] >= 0);
    if (!sizes) return null;
    return { ...pointer, manifest: new URL(pointer.manifest, page).href };
  } catch (e) {
    console.warn("demo: www/archive.json could not be read:", e);
    return null;
  }
}

/**
 * What this page has loaded of the archive, from Resource Timing: every
 * request for the manifest or a shard (other requests, images included, are
 * not the archive's files). A file requested again (the manifest, read by the
 * page and by the widget; a shard after a filter comes back) counts once in
 * `files` and `bytes`, and each time in `requests` and `sent`.
 */
class ArchiveLoads {
  constructor(manifestUrl, onChange) {
    this.base = new URL(".", manifestUrl).href;
    this.manifest = manifestUrl;
    this.bodies = new Map();
    this.requests = 0;
    this.sent = 0;
    if (typeof PerformanceObserver !== "function") return;
    // Room for a long session of "Load more" in the page's own buffer; the
    // observer sees every entry whatever the buffer holds.
    performance.setResourceTimingBufferSize?.(2000);
    const observer = new PerformanceObserver((list) => {
      if (this.add(list.getEntries())) onChange(this);
    });
    observer.observe({ type: "resource", buffered: true });
  }

  /** `true` when one of `entries` is a file of the archive. */
  add(entries) {
    let changed = false;
    for (const entry of entries) {
      const url = entry.name.split("#")[0];
      const path = url.startsWith(this.base) ? url.slice(this.base.length).split("?")[0] : "";
      if (url !== this.manifest && !/^shards\/[0-9a-f]{24}\.json$/.test(path)) continue;
      this.requests += 1;
      this.sent += entry.transferSize || 0;
      this.bodies.set(path, Math.max(this.bodies.get(path) || 0, entry.decodedBodySize || 0));
      changed = true;
    }
    return changed;
  }

  get files() {
    return this.bodies.size;
  }

  get bytes() {
    let total = 0;
    for (const n of this.bodies.values()) total += n;
    return total;
  }
}

function setText(id, text, bytes) {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  if (bytes !== undefined) el.dataset.bytes = String(bytes);
}

/** The archive's row of the stats table, from the sizes `cargo xtask demo` counted. */
function drawArchiveSize(pointer) {
  const total = pointer.manifestBytes + pointer.shardBytes;
  setText("archive-size-label", `The whole archive: ${count(pointer.articles)} articles`);
  setText("archive-files", `${count(1 + pointer.shards)} (the manifest and ${count(pointer.shards)} shards)`);
  setText("archive-bytes", formatBytes(total), total);
  document.getElementById("archive-stats").hidden = false;
}

/** The loaded rows and the summary line; called again as the widget fetches more. */
function drawArchiveLoads(pointer, loads) {
  const total = pointer.manifestBytes + pointer.shardBytes;
  const share = total ? (100 * loads.bytes) / total : 0;
  setText("loaded-files", count(loads.files));
  setText("loaded-bytes", `${formatBytes(loads.bytes)} (${share.toLocaleString("en", { maximumFractionDigits: 2 })}% of the archive)`, loads.bytes);
  setText("sent-requests", `${count(loads.requests)} ${loads.requests === 1 ? "request" : "requests"}`);
  setText("sent-bytes", formatBytes(loads.sent), loads.sent);
  setText(
    "archive-stats-summary",
    `This page has loaded ${count(loads.files)} of the archive's ${count(1 + pointer.shards)} files: ${formatBytes(loads.bytes)} of ${formatBytes(total)}.`,
  );
}

/** The "Large archive" section: the widget on the manifest, a topic filter, and the stats. */
async function setupArchive(pointer) {
  const section = document.getElementById("archive");
  const host = document.getElementById("archive-widget");
  if (!section || !host) return;
  section.hidden = false;
  document.getElementById("archive-nav").hidden = false;
  document.getElementById("archive-link").href = pointer.manifest;
  setText(
    "archive-lead",
    `${count(pointer.articles)} generated articles (${pointer.command}), bundled as version 2: a manifest and pages of articles named by their content.`,
  );
  drawArchiveSize(pointer);
  const loads = new ArchiveLoads(pointer.manifest, (l) => drawArchiveLoads(pointer, l));
  drawArchiveLoads(pointer, loads);

  const options = { src: pointer.manifest, layout: "grid", limit: 12 };
  const handle = await mount(host, options);
  const select = document.getElementById("archive-topic");
  select?.addEventListener("change", () => {
    handle.replace(select.value ? { ...options, topics: [select.value] } : options);
  });

  // The topics, and their counts for the chart, come from the manifest: no shard is read for them.
  try {
    const response = await fetch(pointer.manifest);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const manifest = await response.json();
    const topics = (Array.isArray(manifest.topics) ? manifest.topics : [])
      .filter((t) => t && typeof t.name === "string" && Number.isSafeInteger(t.chain?.count))
      .map((t) => [t.name, t.chain.count]);
    for (const [name, n] of topics) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = `${name} (${count(n)})`;
      select?.append(option);
    }
    const describe = topics.map(([k, n]) => `${k} ${n}`).join(", ");
    barChart(document.getElementById("chart-archive-topics"), topics, `Articles per topic in the archive: ${describe}`);
  } catch (e) {
    console.warn("demo: the archive's manifest could not be read for its topics:", e);
  }
}

async function loadPackage() {
  try {
    const response = await fetch("pkg/package.json");
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

const [bundle, pkg, archive] = await Promise.all([loadBundle(), loadPackage(), loadArchivePointer()]);
if (bundle) drawStats(bundle);
setupConfigurator(bundle, pkg);
await Promise.all([mountGallery(), archive ? setupArchive(archive) : null]);
