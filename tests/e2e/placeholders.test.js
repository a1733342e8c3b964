// (b) Several placeholders with different options, one added after load,
// one far below the fold that loads only when scrolled near; the module is
// fetched only when a placeholder comes near the viewport.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

const wasmRequested = () => h.server.requests.some((p) => p.endsWith(".wasm"));

test("the module is not fetched until a placeholder nears the viewport", async () => {
  h.server.requests.length = 0;
  const { page, errors, context } = await h.open("/lazy.html");
  await page.waitForLoadState("networkidle");
  assert.ok(h.server.requests.includes("/pkg/embed.js"));
  assert.equal(wasmRequested(), false, `requests: ${h.server.requests.join(", ")}`);
  assert.equal(h.server.requests.includes("/pkg/article_cards.js"), false);
  assert.equal(await page.locator("#far > a").isVisible(), true);

  await page.locator("#far").scrollIntoViewIfNeeded();
  await page.locator(`#far ${CARD}`).first().waitFor();
  assert.equal(wasmRequested(), true);
  assert.equal(await page.locator(`#far ${CARD}`).count(), 2);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("three placeholders with their own options, one added later, one below the fold", async () => {
  const { page, errors, context } = await h.open("/multi.html");
  const one = page.locator(`#one ${CARD}`);
  await one.first().waitFor();
  assert.equal(await one.count(), 2);
  assert.equal(await page.locator("#one .ac").getAttribute("data-layout"), "list");
  for (const topics of await page.locator(`#one ${CARD} .ac-topics`).allTextContents()) {
    assert.match(topics, /science/i);
  }

  // Far below the fold: not mounted yet.
  assert.equal(await page.locator("#far").evaluate((el) => el.shadowRoot === null), true);

  // Added after load.
  await page.evaluate(() => {
    const el = document.createElement("div");
    el.id = "two";
    el.dataset.articleCards = "";
    el.dataset.src = "/fixtures/bundle.json";
    el.dataset.layout = "compact";
    el.dataset.theme = "dark";
    el.dataset.limit = "3";
    el.innerHTML = '<a href="https://news.example/">News</a>';
    document.getElementById("slot-two").append(el);
  });
  const two = page.locator(`#two ${CARD}`);
  await two.first().waitFor();
  assert.equal(await two.count(), 3);
  assert.equal(await page.locator("#two .ac").getAttribute("data-layout"), "compact");
  assert.equal(await page.locator("#two .ac").getAttribute("data-theme"), "dark");

  await page.locator("#far").scrollIntoViewIfNeeded();
  const far = page.locator(`#far ${CARD}`);
  await far.first().waitFor();
  assert.equal(await far.count(), 1);

  // The loader was included twice: each placeholder still has one widget.
  const containers = await page.evaluate(() =>
    ["one", "two", "far"].map((id) => {
      const inner = document.getElementById(id).shadowRoot.querySelector("div");
      return inner.shadowRoot.querySelectorAll(".article-cards").length;
    }),
  );
  assert.deepEqual(containers, [1, 1, 1]);

  // Only the labelled widget is a landmark (a named region); the others
  // are not, and name their list from the filters instead.
  const names = await page.evaluate(() =>
    ["one", "two", "far"].map((id) => {
      const inner = document.getElementById(id).shadowRoot.querySelector("div");
      const root = inner.shadowRoot.querySelector(".ac");
      const list = root.querySelector(".ac-list");
      return [root.tagName, root.getAttribute("aria-label"), list.getAttribute("aria-label")];
    }),
  );
  assert.deepEqual(names, [
    ["SECTION", "Science news", null],
    ["DIV", null, "Articles"],
    ["DIV", null, "Articles"],
  ]);

  await assertAccessible(page);
  assertNoConsoleErrors(errors);
  await context.close();
});
