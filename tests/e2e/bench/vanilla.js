// The peer of `cargo xtask bench shards`: a plain JavaScript renderer of the
// same cards from the same v2 archive, written the way a careful developer
// would without article-cards. It fetches the manifest, then the pages of
// the chain the options need (the newest pages in parallel, then `prev`
// until there are enough articles), parses them with `JSON.parse`, and
// builds the cards with `createElement` and `textContent` (never HTML) in a
// shadow root styled by the widget's own stylesheet, so both draw the same
// boxes. It checks URLs as the widget does (http(s) or relative only) and
// skips what it cannot show, but validates nothing else: it is the floor a
// renderer of this data can reach in JS, not an equal.
//
//   import { render } from "./vanilla.js";
//   await render(host, { src: "/data/a/index.json", limit: 24, topic: "Climate" });
//
// It reads a version 1 bundle too (all its articles are in the one file).

const SAFE = /^https?:$/;

/** `url` resolved against `base`, or null unless http(s). */
function safeUrl(url, base) {
  if (typeof url !== "string" || url === "") return null;
  try {
    const u = new URL(url, base);
    return SAFE.test(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return JSON.parse(await response.text());
}

/** The chain of the manifest the options need: a topic's, else all. */
function chainFor(manifest, topic) {
  if (topic) {
    const want = topic.toLowerCase();
    const entry = (manifest.topics || []).find((t) => String(t.name).toLowerCase() === want);
    return entry ? entry.chain : { count: 0, pages: [] };
  }
  return manifest.all;
}

/** The first `limit` articles of `chain`, newest first. */
async function articlesOf(chain, base, limit) {
  const names = chain.pages || [];
  const pages = await Promise.all(
    names.map((name) => getJson(safeUrl(name, base))),
  );
  const articles = pages.flatMap((p) => p.articles || []);
  let prev = pages.length > 0 ? pages[pages.length - 1].prev : null;
  while (articles.length < limit && prev) {
    const page = await getJson(safeUrl(prev, base));
    articles.push(...(page.articles || []));
    prev = page.prev;
  }
  return articles.slice(0, limit);
}

const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

function relativeDate(iso, format, now) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  const seconds = (then - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "minute");
}

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function card(article, providers, base, format, now) {
  const li = el("li", "ac-item");
  const box = el("article", "ac-card", { part: "card", "data-type": article.type || "article" });
  const image = article.image && safeUrl(article.image.src, base);
  if (image) {
    box.setAttribute("data-media", "");
    const media = el("div", "ac-media");
    const img = el("img", "ac-img", {
      part: "image",
      src: image,
      alt: "",
      loading: "lazy",
      decoding: "async",
    });
    if (article.image.width) img.width = article.image.width;
    if (article.image.height) img.height = article.image.height;
    media.append(img);
    box.append(media);
  }
  const body = el("div", "ac-body");
  const meta = el("div", "ac-meta");
  const provider = article.provider && providers[article.provider];
  if (provider) {
    const span = el("span", "ac-provider", { part: "provider" });
    const logo = provider.logo && safeUrl(provider.logo.src, base);
    if (logo) {
      span.append(el("img", "ac-mark ac-logo", {
        part: "provider-logo",
        src: logo,
        width: "64",
        height: "64",
        alt: "",
        loading: "lazy",
        decoding: "async",
      }));
    }
    const name = el("span", "ac-provider-name");
    name.textContent = provider.name;
    span.append(name);
    meta.append(span);
  }
  if (article.published) {
    const text = relativeDate(article.published, format, now);
    if (text) {
      const time = el("time", "ac-date", { part: "date", datetime: article.published });
      time.textContent = text;
      meta.append(time);
    }
  }
  body.append(meta);
  const h = el("h3", "ac-title", { part: "title" });
  const href = safeUrl(article.url, base);
  if (href) {
    const a = el("a", "ac-link", { href, target: "_blank", rel: "noopener noreferrer" });
    a.textContent = article.title;
    h.append(a);
  } else {
    h.textContent = article.title;
  }
  body.append(h);
  if (article.excerpt) {
    const p = el("p", "ac-excerpt", { part: "excerpt", "data-lines": "3" });
    p.textContent = article.excerpt;
    body.append(p);
  }
  if (article.topics && article.topics.length > 0) {
    const ul = el("ul", "ac-topics", { role: "list", "aria-label": "Topics" });
    for (const topic of article.topics) {
      const t = el("li", "ac-topic", { part: "topic" });
      t.textContent = topic;
      ul.append(t);
    }
    body.append(ul);
  }
  box.append(body);
  li.append(box);
  return li;
}

/** The stylesheet, fetched once per page and shared by every host. */
let sheet;
async function styles(cssUrl) {
  if (!sheet) {
    const text = await (await fetch(cssUrl)).text();
    sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
  }
  return sheet;
}

/**
 * Renders the first `limit` cards of the archive whose manifest is `src`
 * (of `topic` only, when given) into `host`'s shadow root.
 */
export async function render(host, { src, limit = 24, topic = null, css = "/css/style.css" }) {
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  root.adoptedStyleSheets = [await styles(css)];
  const base = new URL(src, location.href).href;
  const manifest = await getJson(base);
  let articles;
  if (manifest.version === 1) {
    // A version 1 bundle: its articles are in newest order already.
    const want = topic && topic.toLowerCase();
    articles = (manifest.articles || [])
      .filter((a) => !want || (a.topics || []).some((t) => String(t).toLowerCase() === want))
      .slice(0, limit);
  } else if (manifest.version === 2) {
    articles = await articlesOf(chainFor(manifest, topic), base, limit);
  } else {
    throw new Error(`${src}: neither a version 1 bundle nor a version 2 manifest`);
  }
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
    numeric: "auto",
  });
  const now = Date.now();
  const wrap = el("div", "ac", { "data-theme": "light", "data-layout": "grid" });
  const list = el("ul", "ac-list", { role: "list", "aria-label": "Articles" });
  const providers = manifest.providers || {};
  for (const article of articles) list.append(card(article, providers, base, format, now));
  wrap.append(list);
  root.replaceChildren(wrap);
  return articles.length;
}
