// (f) Cached images in a real browser, with no internet. Two loopback
// servers: the "site" (the page, the package, and a bundle that
// `article-cards bundle --cache-images` made, with its cache: see
// fixtures/cached/make.mjs) and a "publisher" on another origin serving
// the originals. The fixture is broken on purpose: article a's copies
// load; b's copies are gone (its original loads); c's copies and original
// are gone (the logo stands in); d's too, and its provider's logo (the
// monogram stands in); e is hot-linked from the publisher.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { ORIGIN } from "./fixtures/cached/make.mjs";
import { launch, newPage } from "./lib/browser.js";
import { CARD, assertAccessible, assertNoConsoleErrors } from "./lib/harness.js";
import { DIST, E2E, serve } from "./lib/server.js";

const FIXTURE = path.join(E2E, "fixtures/cached");
const NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)";

let publisher, site, browser, tmp, bundle;

before(async () => {
  publisher = await serve({ mounts: { "/": path.join(FIXTURE, "publisher") } });
  // The committed bundle names the publisher ORIGIN; serve a copy that
  // names this run's publisher, next to the committed cache.
  tmp = await mkdtemp(path.join(tmpdir(), "ac-e2e-images-"));
  const text = await readFile(path.join(FIXTURE, "site/news/bundle.json"), "utf8");
  const served = text.replaceAll(ORIGIN, publisher.origin);
  bundle = JSON.parse(served);
  await writeFile(path.join(tmp, "bundle.json"), served);
  site = await serve({
    mounts: {
      "/": path.join(FIXTURE, "site"),
      "/news/": tmp,
      "/news/cache/": path.join(FIXTURE, "site/news/cache"),
      "/pkg/": DIST,
    },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await publisher?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const article = (id) => bundle.articles.find((a) => a.url.endsWith(`/news/${id}`));
const provider = (name) => Object.values(bundle.providers).find((p) => p.name === name);
/** An image's `src` and variant URLs, absolute as the browser asks for them. */
const urls = (image) => [image.src, ...image.variants.map((v) => v.src)].map(absolute);
const absolute = (url) => new URL(url, `${site.origin}/news/`).href;
/** The Harbour Gazette's cached PNG logos, 1× and 2× of 64 px. */
const logoCopies = () => {
  const png = provider("The Harbour Gazette").logo.variants.filter((v) => v.type === "image/png");
  assert.deepEqual(png.map((v) => v.width), [64, 128]);
  return png.map((v) => absolute(v.src));
};
/** The URLs the fixture breaks on purpose: the only 404s allowed. */
const broken = () =>
  new Set([
    ...urls(article("b").image),
    ...urls(article("c").image),
    ...urls(article("d").image),
    ...urls(provider("Lost Ledger").logo),
    article("c").image.original,
    article("d").image.original,
  ]);

/**
 * Opens the site with `images` and the context `options`; records every
 * request the page makes (`requests`, URLs in order) and every console
 * error with the URL it is about (`logged`).
 */
async function open(images, options = {}) {
  publisher.log.length = 0;
  publisher.requests.length = 0;
  const opened = await newPage(browser, { viewport: { width: 1100, height: 1800 }, ...options });
  const requests = [];
  const logged = [];
  opened.page.on("request", (r) => requests.push(r.url()));
  opened.page.on("console", (m) => {
    if (m.type() === "error") logged.push({ text: m.text(), url: m.location().url });
  });
  await opened.page.goto(`${site.origin}/?images=${images}`);
  return { ...opened, requests, logged };
}

/** The card of article `id`. */
const card = (page, id) =>
  page.locator(CARD).filter({ has: page.locator(`a.ac-link[href$="/news/${id}"]`) });

/** Waits until the one element of `locator` is an image that has loaded; returns its currentSrc. */
async function loaded(page, locator) {
  await locator.waitFor();
  const img = await locator.elementHandle();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, img);
  return img.evaluate((el) => el.currentSrc);
}

/** Attributes of the one element of `locator`. */
const attrs = (locator, ...names) =>
  locator.evaluate((el, names) => Object.fromEntries(names.map((n) => [n, el.getAttribute(n)])), names);

/** Fails on console errors other than 404s of the URLs broken on purpose. */
function assertOnlyExpected404s({ errors, logged }) {
  const allowed = broken();
  for (const { text, url } of logged) {
    if (text === NOT_FOUND) assert.ok(allowed.has(url), `unexpected 404: ${url}`);
  }
  assertNoConsoleErrors(errors.filter((e) => e !== NOT_FOUND));
}

test("default mode: cached copy → original on the publisher (no referrer) → logo → monogram", async () => {
  const opened = await open("auto");
  const { page, requests, context } = opened;
  await card(page, "a").first().waitFor();
  assert.equal(await page.locator(CARD).count(), 5);

  // a: a <picture> of the cached copies, with srcset/sizes and the
  // placeholder colour class, from the site.
  const a = card(page, "a");
  const webp = await attrs(a.locator('picture source[type="image/webp"]'), "srcset", "sizes");
  assert.match(webp.srcset, /^\S+-320w\.webp 320w, \S+-480w\.webp 480w$/);
  assert.equal(webp.sizes, "(min-width: 700px) 340px, 100vw");
  const aImg = a.locator("picture img.ac-img");
  const aAttrs = await attrs(aImg, "srcset", "sizes", "data-ph", "referrerpolicy");
  assert.match(aAttrs.srcset, /^\S+-320w\.jpg 320w, \S+-480w\.jpg 480w$/);
  assert.equal(aAttrs.sizes, webp.sizes);
  assert.match(aAttrs["data-ph"], /^\d+$/, "the placeholder colour until it loads");
  assert.equal(aAttrs.referrerpolicy, null, "the site's own copy");
  assert.match(await loaded(page, aImg), new RegExp(`^${site.origin}/news/cache/\\S+\\.webp$`));

  // b: the copies 404, then the original loads from the publisher.
  const bImg = card(page, "b").locator(`img.ac-img[src="${publisher.origin}/img/b.png"]`);
  assert.equal(await loaded(page, bImg), `${publisher.origin}/img/b.png`);
  assert.equal(await bImg.getAttribute("referrerpolicy"), "no-referrer");
  const copies = new Set(urls(article("b").image));
  const firstCopy = requests.findIndex((u) => copies.has(u));
  assert.ok(firstCopy >= 0, "a cached copy was tried first");
  assert.ok(firstCopy < requests.indexOf(`${publisher.origin}/img/b.png`));

  // c: copies and original 404; the provider's logo fills the image box.
  const cLogo = card(page, "c").locator(".ac-ph img.ac-logo");
  const [small, large] = logoCopies();
  assert.equal(await loaded(page, cLogo), small, "a 64 px box at 1×: the 64 px copy");
  assert.deepEqual(await attrs(cLogo, "srcset", "sizes"), {
    srcset: `${small} 64w, ${large} 128w`,
    sizes: "64px",
  });
  assert.equal(await card(page, "c").locator("img.ac-img").count(), 0);

  // d: and without a logo, the monogram (in the image box and beside the name).
  await card(page, "d").locator(".ac-ph .ac-mono").waitFor();
  assert.equal(await card(page, "d").locator(".ac-ph .ac-mono").textContent(), "LL");
  await card(page, "d").locator(".ac-meta .ac-mono").waitFor();
  assert.equal(await card(page, "d").locator("img").count(), 0);

  // e: hot-linked, from the publisher.
  const eImg = card(page, "e").locator("img.ac-img");
  assert.equal(await loaded(page, eImg), `${publisher.origin}/img/e.png`);
  assert.equal(await eImg.getAttribute("referrerpolicy"), "no-referrer");

  // The logos beside the provider names are the cached ones, sized 20 px.
  for (const id of ["a", "b", "c", "e"]) {
    const mark = card(page, id).locator(".ac-meta img.ac-logo");
    assert.equal(await mark.getAttribute("sizes"), "20px");
    assert.equal(await loaded(page, mark), small);
  }

  // The publisher saw the originals only, never with a Referer.
  assert.deepEqual(
    publisher.log.map((r) => r.path).sort(),
    ["/img/b.png", "/img/c.png", "/img/d.png", "/img/e.png"],
  );
  for (const { path: p, headers } of publisher.log) assert.equal(headers.referer, undefined, p);

  await assertAccessible(page);
  assertOnlyExpected404s(opened);
  assert.ok(opened.logged.length > 0, "the broken copies were reported");
  await context.close();
});

test('images: "cached-only" asks nothing of any host but the site', async () => {
  // A 2× screen: the 20 px marks still take the 64 px logo, the 64 px ones the 128 px.
  const opened = await open("cached-only", { deviceScaleFactor: 2 });
  const { page, requests, context } = opened;
  await card(page, "a").first().waitFor();
  assert.equal(await page.locator(CARD).count(), 5);

  const a = card(page, "a");
  assert.match(
    await a.locator('picture source[type="image/webp"]').getAttribute("srcset"),
    / 320w, .* 480w$/,
  );
  const aImg = a.locator("picture img.ac-img");
  assert.match(await aImg.getAttribute("srcset"), / 320w, .* 480w$/);
  assert.equal(await aImg.getAttribute("sizes"), "(min-width: 700px) 340px, 100vw");
  assert.match(await loaded(page, aImg), /-480w\.webp$/, "2×: the larger copy");

  // b, c: copies 404 and there is no original to try: the logo. e: the
  // hot-linked image is dropped: the logo at once. d: the monogram.
  const [small, large] = logoCopies();
  for (const id of ["b", "c", "e"]) {
    assert.equal(await loaded(page, card(page, id).locator(".ac-ph img.ac-logo")), large);
    assert.equal(await loaded(page, card(page, id).locator(".ac-meta img.ac-logo")), small);
  }
  await card(page, "d").locator(".ac-ph .ac-mono").waitFor();
  await card(page, "d").locator(".ac-meta .ac-mono").waitFor();

  // Nothing but the site: not in the page's request log, not at the
  // publisher, not even named in the widget's DOM.
  assert.deepEqual(requests.filter((u) => !u.startsWith(`${site.origin}/`)), []);
  assert.deepEqual(publisher.requests, []);
  const named = await page.evaluate((other) => {
    const root = document.getElementById("news").shadowRoot;
    return [...root.querySelectorAll("img, source")]
      .flatMap((el) => [el.getAttribute("src"), el.getAttribute("srcset")])
      .filter((v) => v && v.includes(other));
  }, publisher.origin);
  assert.deepEqual(named, []);

  assertOnlyExpected404s(opened);
  await context.close();
});
