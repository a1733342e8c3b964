// (c) The custom element: attributes mirror options, changes update the
// widget, removal destroys it, putting it back mounts it again.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

test("<article-cards> follows its attributes and cleans up when removed", async () => {
  const { page, errors, context } = await h.open("/element.html");
  const cards = page.locator(`#el ${CARD}`);
  await cards.first().waitFor();
  assert.equal(await cards.count(), 2);
  assert.equal(await page.locator("#el > a").isVisible(), false);

  await page.evaluate(() => document.getElementById("el").setAttribute("limit", "5"));
  await page.waitForFunction(
    () => document.getElementById("el").shadowRoot.querySelector("div").shadowRoot
      .querySelectorAll(".ac-card:not(.ac-skel)").length === 5,
  );

  await page.evaluate(() => {
    const el = document.getElementById("el");
    el.setAttribute("layout", "compact");
    el.setAttribute("topics", "city");
  });
  await page.waitForFunction(() => {
    const root = document.getElementById("el").shadowRoot.querySelector("div").shadowRoot;
    return root.querySelector(".ac")?.dataset.layout === "compact";
  });
  const topics = await page.locator(`#el ${CARD} .ac-topics`).allTextContents();
  assert.ok(topics.length > 0);
  for (const t of topics) assert.match(t, /city/i);
  await assertAccessible(page);

  // Removal destroys the widget (its container goes away).
  const inner = await page.evaluateHandle(() =>
    document.getElementById("el").shadowRoot.querySelector("div"),
  );
  await page.evaluate(() => {
    window.__removed = document.getElementById("el");
    window.__removed.remove();
  });
  await page.waitForFunction((div) => div.shadowRoot.querySelector(".article-cards") === null, inner);

  // Back in the document: mounted again.
  await page.evaluate(() => document.body.append(window.__removed));
  await page.locator(`#el ${CARD}`).first().waitFor();
  assert.equal(await page.locator(`#el ${CARD}`).count(), 3);

  assertNoConsoleErrors(errors);
  await context.close();
});
