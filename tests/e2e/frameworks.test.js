// React 19, Vue 3 and Svelte 5 apps (tests/e2e/frameworks/) built with Vite
// from the packed npm tarball, as a user installs it: the cards render, the
// element's properties reach the widget, and an `article-cards:select`
// handler runs and cancels the navigation. The typings are checked with tsc.
//
// `cargo xtask e2e frameworks` packs the tarball and the static zip (and
// unpacks the zip) and installs the apps' registry packages from their
// lockfile first. The static zip's example page is tested here too.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { E2E, ROOT, serve } from "./lib/server.js";

const APPS = path.join(E2E, "frameworks");
const OUT = path.join(ROOT, "target/e2e-frameworks");
const FIXTURES = path.join(E2E, "fixtures");

let browser;

before(async () => {
  const { version } = JSON.parse(await readFile(path.join(ROOT, "pkg/package.json"), "utf8"));
  const tarball = path.join(ROOT, "target/artifacts", `article-cards-${version}.tgz`);
  // Not in package.json: the tarball's hash changes with every build, so a
  // lock entry would always be stale. `--no-save` leaves both files alone.
  execFileSync(
    "npm",
    ["install", "--no-save", "--no-audit", "--no-fund", "--offline", tarball],
    { cwd: APPS, stdio: "inherit" },
  );
  const installed = JSON.parse(
    await readFile(path.join(APPS, "node_modules/article-cards/package.json"), "utf8"),
  );
  assert.equal(installed.version, version);
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Builds `name` with Vite into target/e2e-frameworks/<name>, with the fixture bundle beside it. */
async function build(name) {
  const outDir = path.join(OUT, name);
  await rm(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(APPS, "node_modules/vite/bin/vite.js"), "build", name, "--outDir", outDir, "--emptyOutDir"],
    { cwd: APPS, stdio: "inherit" },
  );
  await copyFile(path.join(FIXTURES, "bundle.json"), path.join(outDir, "bundle.json"));
  await mkdir(path.join(outDir, "images"), { recursive: true });
  return outDir;
}

for (const name of ["react", "vue", "svelte"]) {
  test(`the ${name} app renders cards and takes the select event`, async () => {
    const outDir = await build(name);
    const server = await serve({ mounts: { "/": outDir, "/images/": path.join(FIXTURES, "images") } });
    try {
      const { page, errors, context } = await newPage(browser);
      await page.goto(server.origin + "/");
      const cards = page.locator(`article-cards ${CARD}`);
      await cards.first().waitFor();
      // `limit` was set as a property (React, Svelte) or attribute (Vue).
      assert.equal(await cards.count(), 3);
      assert.equal(await page.locator("article-cards").evaluate((el) => el.limit), "3");
      assert.deepEqual(
        await page.locator("article-cards").evaluate((el) => el.options),
        { sort: "newest" },
      );
      assert.ok(
        server.requests.some((r) => r.endsWith(".wasm")),
        `the app's own copy of the .wasm was fetched (${server.requests.join(", ")})`,
      );

      // A click on a title: the app's handler gets the article and cancels
      // the navigation, which a listener on the window sees.
      await page.evaluate(() => {
        window.__clicks = [];
        window.addEventListener("click", (e) => window.__clicks.push(e.defaultPrevented));
      });
      const expected = await page
        .locator(`article-cards ${CARD}`)
        .first()
        .evaluate((card) => card.dataset.id || null);
      const start = page.url();
      await page.locator(`article-cards ${CARD} .ac-link`).first().click();
      await page.locator("#selected").filter({ hasText: /\S/ }).waitFor();
      const selected = (await page.locator("#selected").textContent()).trim();
      if (expected) assert.equal(selected, expected);
      assert.ok(selected.length > 0);
      assert.deepEqual(await page.evaluate(() => window.__clicks), [true]);
      assert.equal(page.url(), start);

      assertNoConsoleErrors(errors);
      await context.close();
    } finally {
      await server.close();
    }
  });
}

test("the static zip's example page renders cards from its own dist/", async () => {
  const { version } = JSON.parse(await readFile(path.join(ROOT, "pkg/package.json"), "utf8"));
  const dir = path.join(OUT, "static", `article-cards-${version}`);
  const server = await serve({ mounts: { "/": dir } });
  try {
    const { page, errors, context } = await newPage(browser);
    await page.goto(server.origin + "/index.html");
    const cards = page.locator(`[data-article-cards] ${CARD}`);
    await cards.first().waitFor();
    assert.equal(await cards.count(), 6);
    assert.equal(await page.evaluate(() => window.articleCards.version), version);
    assert.ok(server.requests.includes("/dist/article_cards_bg.wasm"), server.requests.join(", "));
    assertNoConsoleErrors(errors);
    await context.close();
  } finally {
    await server.close();
  }
});

test("the React, Vue and Svelte typings type-check (tsc)", () => {
  execFileSync(
    process.execPath,
    [path.join(APPS, "node_modules/typescript/bin/tsc"), "-p", "types/tsconfig.json"],
    { cwd: APPS, stdio: "inherit" },
  );
});
