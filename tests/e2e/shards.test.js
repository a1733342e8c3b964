// Version 2 bundles end to end (issue 20): archives of 1,000 and 100,000
// generated articles are bundled by `article-cards bundle --out-dir` (the
// release build, made by `cargo build --release -p article-cards` when it
// is missing or stale), served from loopback, and read by the widget. The
// bytes it fetches before its first 24 cards (manifest and shards) are
// counted: they must be small and nearly the same for both archives, since
// they depend on what is shown, not on the size of the archive. A topic
// filter must fetch that topic's shards only.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { DIST, ROOT, serve } from "./lib/server.js";

const SIZES = [1_000, 100_000];
const TOPICS = ["Privacy", "Space", "Climate", "Health", "Energy", "Cities", "Sport", "Books"];
/** Bytes the first screen may fetch (manifest + shards), uncompressed. */
const FIRST_SCREEN_MAX = 64 * 1024;

let tmp, server, browser, cli;

/** Writes `n` Markdown articles into `dir`, 1,000 per folder. */
async function generate(dir, n) {
  for (let start = 0; start < n; start += 1000) {
    const sub = path.join(dir, String(start / 1000).padStart(4, "0"));
    await mkdir(sub, { recursive: true });
    const writes = [];
    for (let i = start; i < Math.min(n, start + 1000); i++) {
      // Dates spread over years, one a little apart from the next.
      const date = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
      const provider = i % 20;
      const text = [
        "---",
        `title: "Generated story ${i}"`,
        `excerpt: "What happened in story ${i}, in one sentence of plain text."`,
        `publishedDateTime: ${date}`,
        `webUrl: "https://news${provider}.example/articles/${i}"`,
        "type: article",
        "published: true",
        "provider:",
        `  name: Outlet ${provider}`,
        `  domain: news${provider}.example`,
        "topics:",
        `  - ${TOPICS[i % TOPICS.length]}`,
        "---",
        "",
      ].join("\n");
      writes.push(writeFile(path.join(sub, `${i}.md`), text));
    }
    await Promise.all(writes);
  }
}

/** The release bundler, built (or found up to date) by cargo. */
function bundler() {
  execFileSync("cargo", ["build", "--release", "--quiet", "-p", "article-cards"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return path.join(ROOT, "target/release/article-cards");
}

before(async () => {
  cli = bundler();
  tmp = await mkdtemp(path.join(tmpdir(), "ac-e2e-shards-"));
  const mounts = { "/pkg/": DIST, "/": path.join(tmp, "page") };
  for (const n of SIZES) {
    const articles = path.join(tmp, `articles-${n}`);
    await generate(articles, n);
    const out = path.join(tmp, `archive-${n}`);
    execFileSync(cli, ["bundle", articles, "--out-dir", out, "--related", "off", "--quiet"], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    mounts[`/a${n}/`] = out;
  }
  await mkdir(path.join(tmp, "page"));
  await writeFile(
    path.join(tmp, "page/index.html"),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shards</title></head>
<body><main><div id="cards"></div></main>
<script type="module">
  import { mount } from "/pkg/index.js";
  const query = new URLSearchParams(location.search);
  const options = { src: query.get("src"), limit: 24 };
  if (query.get("topics")) options.topics = [query.get("topics")];
  const el = document.getElementById("cards");
  el.addEventListener("article-cards:ready", (e) => { window.ready = e.detail; });
  mount(el, options);
</script>
</body></html>`,
  );
  server = await serve({ mounts });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * Opens the page on archive `n` (with `topics`, if given), waits for its
 * cards and returns the archive's files it fetched (paths under `/a<n>/`)
 * and their bytes on disk, with the cards shown.
 */
async function firstScreen(n, topics) {
  const { page, errors, context } = await newPage(browser);
  const prefix = `/a${n}/`;
  const from = server.requests.length;
  let url = `${server.origin}/?src=${prefix}index.json`;
  if (topics) url += `&topics=${encodeURIComponent(topics)}`;
  await page.goto(url);
  await page.waitForFunction(() => window.ready !== undefined);
  const cards = await page.locator(`#cards ${CARD}`).count();
  const fetched = server.requests.slice(from).filter((p) => p.startsWith(prefix));
  let bytes = 0;
  for (const p of fetched) {
    bytes += (await stat(path.join(tmp, `archive-${n}`, p.slice(prefix.length)))).size;
  }
  assertNoConsoleErrors(errors);
  await context.close();
  return { fetched, bytes, cards };
}

async function manifest(n) {
  return JSON.parse(await readFile(path.join(tmp, `archive-${n}`, "index.json"), "utf8"));
}

test("the first 24 cards fetch the manifest and its first pages, whatever the archive's size", async () => {
  const screens = {};
  for (const n of SIZES) {
    const m = await manifest(n);
    assert.equal(m.count, n);
    const screen = await firstScreen(n);
    assert.equal(screen.cards, 24, `${n}: 24 cards`);
    const shards = screen.fetched.filter((p) => p !== `/a${n}/index.json`);
    assert.deepEqual(
      shards.map((p) => p.slice(`/a${n}/`.length)).sort(),
      [...m.all.pages].sort(),
      `${n}: the manifest's first pages of the all chain, nothing else`,
    );
    assert.ok(
      screen.bytes <= FIRST_SCREEN_MAX,
      `${n}: ${screen.bytes} bytes before the first screen (at most ${FIRST_SCREEN_MAX})`,
    );
    screens[n] = screen;
    console.log(`${n} articles: ${screen.bytes} bytes in ${screen.fetched.length} files`);
  }
  const [small, large] = SIZES.map((n) => screens[n].bytes);
  // The manifest grows with the providers and topics tables only (the same
  // here); the shards hold 24 to 48 articles of the same shape.
  assert.ok(
    large <= small * 1.25,
    `the first screen of ${SIZES[1]} articles (${large} B) is about that of ${SIZES[0]} (${small} B)`,
  );
});

test("a topic filter fetches only that topic's shards", async () => {
  const n = SIZES[1];
  const m = await manifest(n);
  const topic = m.topics.find((t) => t.name === "Space");
  assert.ok(topic, "the manifest has the topic");
  const screen = await firstScreen(n, "space");
  assert.equal(screen.cards, 24);
  const shards = screen.fetched.filter((p) => p !== `/a${n}/index.json`);
  assert.deepEqual(
    shards.map((p) => p.slice(`/a${n}/`.length)).sort(),
    [...topic.chain.pages].sort(),
    "the topic chain's first pages only",
  );
  const allPages = new Set(m.all.pages);
  assert.ok(
    topic.chain.pages.every((p) => !allPages.has(p)),
    "the topic's pages are not the all chain's (so the check above can fail)",
  );
});
