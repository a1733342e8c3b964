// (b) Several placeholders with different options, one added after load
// (the page opts in with `data-observe`), one far below the fold that loads
// only when scrolled near; the module is fetched only when a placeholder
// comes near the viewport. A placeholder added later without the opt-in is
// left alone (finding 5 of issue 18).

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

  // Added after load: mounted, as the second copy of the loader has
  // `data-observe`.
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

/** In the page: appends an eager placeholder `id` to `#comments`. */
function addPlaceholder(id) {
  const el = document.createElement("div");
  el.id = id;
  el.dataset.articleCards = "/fixtures/bundle.json";
  el.dataset.eager = "";
  el.dataset.limit = "1";
  const link = document.createElement("a");
  link.href = "https://news.example/";
  link.textContent = "News";
  el.append(link);
  document.getElementById("comments").append(el);
  return el;
}

/** Widgets mounted in each placeholder (0 when it has no shadow root). */
const widgets = (page, ids) =>
  page.evaluate(
    (ids) =>
      ids.map((id) => {
        const inner = document.getElementById(id).shadowRoot?.querySelector("div");
        return inner?.shadowRoot?.querySelectorAll(".article-cards").length ?? 0;
      }),
    ids,
  );

test("finding 5: a placeholder added after the loader ran is not mounted unless the page asks", async () => {
  const { page, errors, context } = await h.open("/late.html");
  await page.locator(`#here ${CARD}`).first().waitFor();

  // Markup injected later (a comment through a sanitizer that allows
  // `data-*`), then a placeholder the page mounts itself: by the time the
  // page's own is mounted, the loader has seen both insertions.
  await page.evaluate(`(${addPlaceholder})("injected")`);
  await page.evaluate(`articleCards.scan((${addPlaceholder})("own"))`);
  await page.locator(`#own ${CARD}`).first().waitFor();
  assert.equal(await page.locator("#injected").evaluate((el) => el.shadowRoot), null);
  assert.equal(await page.locator("#injected > a").isVisible(), true);

  // Asked: a scan of the whole document mounts it, and nothing twice.
  await page.evaluate(() => window.articleCards.scan());
  await page.locator(`#injected ${CARD}`).first().waitFor();
  assert.deepEqual(await widgets(page, ["here", "own", "injected"]), [1, 1, 1]);

  // A placeholder of the page moved while it waits below the fold is
  // still its own: mounted when it comes near.
  await page.evaluate(() => {
    const far = document.getElementById("far");
    far.remove();
    document.getElementById("bottom").append(far);
  });
  await page.locator("#far").scrollIntoViewIfNeeded();
  await page.locator(`#far ${CARD}`).first().waitFor();
  assert.deepEqual(await widgets(page, ["far"]), [1]);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("finding 5: with data-observe on the script tag, placeholders added later are mounted", async () => {
  const { page, errors, context } = await h.open("/late-observe.html");
  await page.locator(`#here ${CARD}`).first().waitFor();
  await page.evaluate(`(${addPlaceholder})("later")`);
  await page.locator(`#later ${CARD}`).first().waitFor();
  assert.deepEqual(await widgets(page, ["here", "later"]), [1, 1]);
  assertNoConsoleErrors(errors);
  await context.close();
});
