// `::part()` from the host page reaches the widget's parts through each way
// in: the script tag and the element wrap the widget in a shadow root of
// their own, and forward its parts with `exportparts`; `mount()` renders
// into the element's own shadow root.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

test("::part(title) and ::part(card) styles reach the cards through every way in", async () => {
  const { page, errors, context } = await h.open("/parts.html");
  for (const host of ["#tag", "#el", "#mounted"]) {
    const cards = page.locator(`${host} ${CARD}`);
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2, host);
    const title = cards.first().locator(".ac-title");
    assert.equal(await title.getAttribute("part"), "title");
    assert.equal(
      await title.evaluate((el) => getComputedStyle(el).color),
      "rgb(1, 2, 3)",
      `${host}: ::part(title) did not reach the title`,
    );
    assert.equal(
      await cards.first().evaluate((el) => getComputedStyle(el).outlineColor),
      "rgb(4, 5, 6)",
      `${host}: ::part(card) did not reach the card`,
    );
    // Not inherited from the page: the rule reaches only the part.
    const excerpt = cards.first().locator(".ac-excerpt");
    if ((await excerpt.count()) > 0) {
      assert.notEqual(await excerpt.evaluate((el) => getComputedStyle(el).color), "rgb(1, 2, 3)");
    }
  }
  assertNoConsoleErrors(errors);
  await context.close();
});
