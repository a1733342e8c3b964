// The demo with a generated archive (`cargo xtask demo --archive 1000`,
// issue 20): the "Large archive" section's widget reads the version 2
// manifest, and the stats section shows the archive's size beside the bytes
// this page loaded of it, which stay far below it as "Load more" and a topic
// fetch more pages. The figures are checked against the files on disk.

import assert from "node:assert/strict";
import { readFile, readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { startDemo } from "./lib/demo.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { ROOT } from "./lib/server.js";

const require = createRequire(import.meta.url);
const ARTICLES = 1000;
const DIR = path.join(ROOT, "target/demo-archive", String(ARTICLES));
const SHARD = /^shards\/[0-9a-f]{24}\.json$/;

let demo;
let browser;

before(async () => {
  demo = await startDemo(["--archive", String(ARTICLES)]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

/** Bytes on disk of the manifest and every shard: what the archive holds for readers. */
async function archiveBytes() {
  let total = (await stat(path.join(DIR, "index.json"))).size;
  const shards = (await readdir(path.join(DIR, "shards"))).filter((name) => SHARD.test(`shards/${name}`));
  for (const name of shards) total += (await stat(path.join(DIR, "shards", name))).size;
  return { files: 1 + shards.length, bytes: total };
}

/**
 * A page that records the archive files it fetched (`files`: paths relative
 * to the archive, each once) and reports failed requests as errors.
 */
async function openPage(options) {
  const opened = await newPage(browser, options);
  const base = `${demo.origin}/target/demo-archive/${ARTICLES}/`;
  opened.files = new Set();
  opened.page.on("requestfinished", (request) => {
    const url = request.url().split(/[?#]/)[0];
    const file = url.startsWith(base) ? url.slice(base.length) : "";
    if (file === "index.json" || SHARD.test(file)) opened.files.add(file);
  });
  opened.page.on("response", (response) => {
    if (response.status() >= 400) opened.errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return opened;
}

/** Bytes on disk of `files` (paths relative to the archive). */
async function bytesOf(files) {
  let total = 0;
  for (const file of files) total += (await stat(path.join(DIR, file))).size;
  return total;
}

/**
 * The stats once they count every file in `files` (which may still grow
 * while they catch up): `{ files, bytes }` as the page shows them.
 */
async function shownLoads(page, files) {
  let seen;
  do {
    seen = files.size;
    await page.waitForFunction(
      (n) => Number(document.getElementById("loaded-files")?.textContent) >= n,
      seen,
      { timeout: 20000 },
    );
  } while (files.size !== seen);
  return {
    files: Number(await page.locator("#loaded-files").textContent()),
    bytes: Number(await page.locator("#loaded-bytes").getAttribute("data-bytes")),
  };
}

test("the large archive: its size in the stats, beside the far smaller bytes the page loaded, as Load more and a topic fetch pages", async () => {
  const { page, errors, context, files } = await openPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${demo.origin}/#archive`);
  const widget = page.locator("#archive-widget");
  const cards = widget.locator(CARD);
  await cards.first().waitFor();
  assert.equal(await cards.count(), 12);

  // The archive's size: what `cargo xtask demo` counted is what is on disk.
  const archive = await archiveBytes();
  const pointer = JSON.parse(await readFile(path.join(ROOT, "www/archive.json"), "utf8"));
  assert.equal(pointer.articles, ARTICLES);
  assert.equal(pointer.manifestBytes + pointer.shardBytes, archive.bytes);
  await page.locator("#archive-stats").waitFor();
  assert.match(await page.locator("#archive-size-label").textContent(), /1,000 articles/);
  assert.equal(Number(await page.locator("#archive-bytes").getAttribute("data-bytes")), archive.bytes);
  assert.match(await page.locator("#archive-files").textContent(), new RegExp(`^${(archive.files).toLocaleString("en")} `));

  // The first screen: the manifest and a page or two, a small share of the archive.
  let shown = await shownLoads(page, files);
  assert.ok(files.has("index.json"), "the manifest was read");
  assert.ok(shown.files >= 2 && shown.files <= 3, `${shown.files} files for the first 12 cards`);
  assert.equal(shown.bytes, await bytesOf(files));
  assert.ok(shown.bytes * 20 < archive.bytes, `${shown.bytes} bytes loaded of ${archive.bytes}`);
  const summary = page.locator("#archive-stats-summary");
  assert.match(await summary.textContent(), new RegExp(`loaded ${shown.files} of the archive's ${archive.files.toLocaleString("en")} files`));

  // "Load more" until it fetches an older page: the stats count it.
  const before = files.size;
  const more = widget.getByRole("button", { name: "Load more" });
  for (let clicks = 0; clicks < 4 && files.size === before; clicks++) {
    const count = await cards.count();
    await more.click();
    await page.waitForFunction(
      ([n]) => document.getElementById("archive-widget").shadowRoot.querySelectorAll(".ac-card:not(.ac-skel)").length > n,
      [count],
    );
  }
  assert.ok(files.size > before, "Load more fetched a shard");
  shown = await shownLoads(page, files);
  assert.equal(shown.bytes, await bytesOf(files));
  assert.ok(shown.bytes * 10 < archive.bytes, `${shown.bytes} bytes loaded of ${archive.bytes}`);

  // A topic: that topic's newest page is fetched, and counted.
  const manifest = JSON.parse(await readFile(path.join(DIR, "index.json"), "utf8"));
  const topic = manifest.topics[0];
  await page.selectOption("#archive-topic", topic.name);
  await page.waitForFunction(
    (name) => {
      const list = [...document.getElementById("archive-widget").shadowRoot.querySelectorAll(".ac-card:not(.ac-skel)")];
      return list.length > 0 && list.every((card) => card.textContent.includes(name));
    },
    topic.name,
    { timeout: 20000 },
  );
  assert.ok(files.has(topic.chain.pages[0]), `the topic's newest page ${topic.chain.pages[0]} was fetched`);
  shown = await shownLoads(page, files);
  assert.equal(shown.bytes, await bytesOf(files));
  assert.ok(shown.bytes * 10 < archive.bytes, `${shown.bytes} bytes loaded of ${archive.bytes}`);

  // The topic list and its chart come from the manifest alone.
  assert.equal(await page.locator("#archive-topic option").count(), 1 + manifest.topics.length);
  assert.equal(await page.locator("#chart-archive-topics svg rect").count(), manifest.topics.length);

  await page.evaluate(await readFile(require.resolve("axe-core/axe.min.js"), "utf8"));
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run({ include: ["#archive", "#stats"] }, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
  });
  assert.deepEqual(violations, []);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("with the archive shown, the demo still fits a 360 px phone", async () => {
  const { page, errors, context } = await openPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(`${demo.origin}/#stats`);
  await page.locator(`#archive-widget ${CARD}`).first().waitFor();
  await page.waitForFunction(() => Number(document.getElementById("loaded-bytes")?.dataset.bytes) > 0);
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360 px`);
  assertNoConsoleErrors(errors);
  await context.close();
});
