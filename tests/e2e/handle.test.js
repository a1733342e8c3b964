// The app-facing API: `handle.update(partial)` merges into the options and
// `handle.replace(options)` starts from nothing; the element's properties
// mirror its attributes, and `options` sits under them.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

/** The cards under `host`, once there are `n` of them. */
async function cardsBecome(page, host, n) {
  await page.waitForFunction(
    ([host, n]) => {
      const el = document.querySelector(host);
      const inner = el.shadowRoot.querySelector(".article-cards") ? el : el.shadowRoot.querySelector("div");
      const root = inner.shadowRoot;
      return root && root.querySelectorAll(".ac-card:not(.ac-skel)").length === n;
    },
    [host, n],
  );
}

test("update() merges, replace() replaces, and a wrong replace keeps the widget", async () => {
  const { page, errors, context } = await h.open("/parts.html");
  await page.locator(`#mounted ${CARD}`).first().waitFor();
  assert.equal(await page.locator(`#mounted ${CARD}`).count(), 2);

  // `src` and `target` stay: only `limit` changes.
  await page.evaluate(async () => (await window.__mounted).update({ limit: 3 }));
  await cardsBecome(page, "#mounted", 3);
  assert.equal(await page.locator(`#mounted ${CARD} .ac-link`).first().getAttribute("target"), "_self");

  // Another name of the same option replaces the first (no "given twice").
  await page.evaluate(async () => (await window.__mounted).update({ url: "/fixtures/bundle.json", limit: 4 }));
  await cardsBecome(page, "#mounted", 4);

  // `undefined` goes back to the default (`_blank`).
  await page.evaluate(async () => (await window.__mounted).update({ target: undefined }));
  await page.waitForFunction(() =>
    document.getElementById("mounted").shadowRoot.querySelector(".ac-link")?.target === "_blank",
  );

  // replace() starts from nothing: without `src` it is refused.
  const refused = await page.evaluate(async () => {
    try {
      (await window.__mounted).replace({ limit: 1 });
      return null;
    } catch (e) {
      return String(e.message || e);
    }
  });
  assert.match(refused, /src/);
  await page.evaluate(async () => (await window.__mounted).replace({ src: "/fixtures/bundle.json", limit: 1 }));
  await cardsBecome(page, "#mounted", 1);
  assert.equal(
    await page.locator(`#mounted ${CARD} .ac-link`).first().getAttribute("target"),
    "_blank",
  );
  assertNoConsoleErrors(errors);
  await context.close();
});

test("the element's properties reflect its attributes; options sit under them", async () => {
  const { page, errors, context } = await h.open("/parts.html");
  await page.locator(`#el ${CARD}`).first().waitFor();
  await page.evaluate(() => {
    const el = document.getElementById("el");
    el.limit = 3;
  });
  assert.equal(await page.evaluate(() => document.getElementById("el").getAttribute("limit")), "3");
  await cardsBecome(page, "#el", 3);

  // `options` gives what the attributes do not; the `limit` attribute wins.
  await page.evaluate(() => {
    const el = document.getElementById("el");
    el.options = { limit: 5, layout: "list", excerptLines: 1 };
  });
  await page.waitForFunction(() => {
    const inner = document.getElementById("el").shadowRoot.querySelector("div").shadowRoot;
    return inner.querySelector(".ac")?.dataset.layout === "list";
  });
  assert.equal(await page.locator(`#el ${CARD}`).count(), 3);

  // Removing the attribute lets `options` decide; lists are joined.
  await page.evaluate(() => {
    const el = document.getElementById("el");
    el.limit = null;
    el.topics = ["city", "tech"];
  });
  assert.equal(await page.evaluate(() => document.getElementById("el").getAttribute("topics")), "city,tech");
  assert.equal(await page.evaluate(() => document.getElementById("el").hasAttribute("limit")), false);
  await page.waitForFunction(() => {
    const inner = document.getElementById("el").shadowRoot.querySelector("div").shadowRoot;
    const topics = [...inner.querySelectorAll(".ac-card:not(.ac-skel) .ac-topics")].map((t) => t.textContent);
    return topics.length > 0 && topics.every((t) => /city|tech/i.test(t));
  });
  assertNoConsoleErrors(errors);
  await context.close();
});
