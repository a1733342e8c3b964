// Version 2 archives end to end (issue 20): archives of 1,000 and 100,000
// generated articles (the bench's corpus, bundled by `article-cards bundle
// --out-dir --related off`; `cargo xtask e2e shards` makes them in
// target/e2e-shards/ and names that folder in `E2E_SHARDS`) are served from
// loopback and read by the widget. The bytes it fetches before its first 24
// cards (manifest and shards) are counted: they must be small and nearly
// the same for both archives, since they depend on what is shown, not on
// the size of the archive. A topic filter must fetch that topic's chain
// only, and "Load more" the page just older than those read (`prev`).

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { DIST, ROOT, serve } from "./lib/server.js";

const SIZES = [1_000, 100_000];
const ARCHIVES = process.env.E2E_SHARDS || path.join(ROOT, "target/e2e-shards");
const LIMIT = 24;
/** Bytes the first screen may fetch (manifest + shards), uncompressed: the goal. */
const FIRST_SCREEN_MAX = 64 * 1024;
/** How far apart the first screens of the two archives may be: the goal. */
const SPREAD_MAX = 0.1;

let tmp, server, browser;

const archiveDir = (n) => path.join(ARCHIVES, String(n));
const prefix = (n) => `/a${n}/`;

before(async () => {
  for (const n of SIZES) {
    try {
      await stat(path.join(archiveDir(n), "index.json"));
    } catch {
      throw new Error(`no archive of ${n} articles in ${ARCHIVES}: run \`cargo xtask e2e shards\`, which makes them`);
    }
  }
  tmp = await mkdtemp(path.join(tmpdir(), "ac-e2e-shards-"));
  await mkdir(path.join(tmp, "page"));
  await writeFile(
    path.join(tmp, "page/index.html"),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shards</title><link rel="icon" href="data:,"></head>
<body><main><div id="cards"></div></main>
<script type="module">
  import { mount } from "/pkg/index.js";
  const query = new URLSearchParams(location.search);
  const options = { src: query.get("src"), limit: ${LIMIT}, related: "off" };
  if (query.get("topics")) options.topics = [query.get("topics")];
  const el = document.getElementById("cards");
  el.addEventListener("article-cards:ready", (e) => { window.ready = e.detail; });
  el.addEventListener("article-cards:error", (e) => { window.failed = e.detail; });
  mount(el, options);
</script>
</body></html>`,
  );
  const mounts = { "/pkg/": DIST, "/": path.join(tmp, "page") };
  for (const n of SIZES) mounts[prefix(n)] = archiveDir(n);
  server = await serve({ mounts });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function manifest(n) {
  return JSON.parse(await readFile(path.join(archiveDir(n), "index.json"), "utf8"));
}

/** A page shard of archive `n`, by its name in the manifest. */
async function shard(n, name) {
  return JSON.parse(await readFile(path.join(archiveDir(n), name), "utf8"));
}

/**
 * The archive files (names relative to the manifest: `index.json`,
 * `shards/….json`) requested since `from`, in order; images are not
 * counted.
 */
function archiveFiles(n, from) {
  return server.requests
    .slice(from)
    .filter((p) => p.startsWith(prefix(n)))
    .map((p) => p.slice(prefix(n).length))
    .filter((name) => name === "index.json" || name.startsWith("shards/"));
}

async function bytesOf(n, names) {
  let bytes = 0;
  for (const name of names) bytes += (await stat(path.join(archiveDir(n), name))).size;
  return bytes;
}

/**
 * Opens the page on archive `n` (with `topics`, if given) and waits for its
 * first cards. Returns the open page, the archive files fetched for them
 * and their bytes on disk, and the cards shown.
 */
async function firstScreen(n, topics) {
  const opened = await newPage(browser);
  const from = server.requests.length;
  let url = `${server.origin}/?src=${prefix(n)}index.json`;
  if (topics) url += `&topics=${encodeURIComponent(topics)}`;
  await opened.page.goto(url);
  await opened.page.waitForFunction(() => window.ready !== undefined || window.failed !== undefined);
  assert.equal(await opened.page.evaluate(() => window.failed?.message), undefined, `${n}: no load error`);
  const fetched = archiveFiles(n, from);
  const cards = await opened.page.locator(`#cards ${CARD}`).count();
  return { ...opened, from, fetched, bytes: await bytesOf(n, fetched), cards };
}

test("the first 24 cards fetch the manifest and its first pages, about the same bytes whatever the archive's size", async () => {
  const bytes = {};
  for (const n of SIZES) {
    const m = await manifest(n);
    assert.equal(m.count, n);
    const screen = await firstScreen(n);
    assert.equal(screen.cards, LIMIT, `${n}: ${LIMIT} cards`);
    assert.equal(screen.fetched[0], "index.json", `${n}: the manifest first`);
    assert.deepEqual(
      screen.fetched.slice(1),
      m.all.pages,
      `${n}: the all chain's first pages, newest first, nothing else`,
    );
    assert.ok(
      screen.bytes <= FIRST_SCREEN_MAX,
      `${n}: ${screen.bytes} bytes before the first ${LIMIT} cards (at most ${FIRST_SCREEN_MAX})`,
    );
    assertNoConsoleErrors(screen.errors);
    await screen.context.close();
    bytes[n] = screen.bytes;
    console.log(`${n} articles: ${screen.bytes} bytes in ${screen.fetched.length} files before ${LIMIT} cards`);
  }
  const [small, large] = SIZES.map((n) => bytes[n]);
  const spread = Math.max(small, large) / Math.min(small, large) - 1;
  assert.ok(
    spread <= SPREAD_MAX,
    `the first screen of ${SIZES[1]} articles (${large} B) is within ${SPREAD_MAX * 100}% of that of ${SIZES[0]} (${small} B)`,
  );
});

test("a topic filter fetches only that topic's chain", async () => {
  const n = SIZES[1];
  const m = await manifest(n);
  const topic = m.topics.find((t) => t.name === "Space");
  assert.ok(topic, "the manifest has the topic");
  // Named in another case: the widget compares topics ignoring case.
  const screen = await firstScreen(n, "space");
  assert.equal(screen.cards, LIMIT);
  assert.deepEqual(
    screen.fetched,
    ["index.json", ...topic.chain.pages],
    "the manifest, then the topic chain's first pages only",
  );
  const allPages = new Set(m.all.pages);
  assert.ok(
    topic.chain.pages.every((p) => !allPages.has(p)),
    "the topic's pages are not the all chain's (so the check above can fail)",
  );
  const shown = await screen.page.locator(`#cards ${CARD}`).allTextContents();
  assert.ok(shown.every((text) => text.includes("Space")), "every card is on the topic");
  assertNoConsoleErrors(screen.errors);
  await screen.context.close();
});

test("Load more fetches the page just older than those read (prev), and only it", async () => {
  const n = SIZES[1];
  const m = await manifest(n);
  const screen = await firstScreen(n);
  const { page } = screen;
  assert.equal(screen.cards, LIMIT);
  const oldest = await shard(n, m.all.pages.at(-1));
  assert.equal(typeof oldest.prev, "string", "the chain goes on past the first screen");
  assert.ok(!screen.fetched.includes(oldest.prev), "the older page was not read for the first screen");
  const read = (await Promise.all(m.all.pages.map((p) => shard(n, p)))).reduce(
    (sum, p) => sum + p.articles.length,
    0,
  );
  // Two screens need more articles than the first pages hold: the next
  // one has to come from the older page.
  assert.ok(read < 2 * LIMIT, `${read} articles read for the first screen`);

  const from = server.requests.length;
  await page.getByRole("button", { name: "Load more" }).click();
  await page.waitForFunction(
    ([sel, want]) => document.getElementById("cards").shadowRoot.querySelectorAll(sel).length >= want,
    [CARD, 2 * LIMIT],
  );
  assert.equal(await page.locator(`#cards ${CARD}`).count(), 2 * LIMIT);
  assert.deepEqual(archiveFiles(n, from), [oldest.prev], "Load more fetched the prev page only");
  assertNoConsoleErrors(screen.errors);
  await screen.context.close();
});
