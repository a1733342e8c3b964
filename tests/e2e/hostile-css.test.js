// (a) A blog page with hostile global CSS still shows correctly styled cards.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

test("cards on a page with hostile global CSS keep their own styles", async () => {
  const { page, errors, context } = await h.open("/blog.html");
  const cards = page.locator(`#news ${CARD}`);
  await cards.first().waitFor();
  assert.equal(await cards.count(), 4);

  // The fallback link is no longer rendered once the cards are.
  assert.equal(await page.locator("#news > a").isVisible(), false);

  const style = await cards.first().evaluate((card) => {
    const cs = (el) => getComputedStyle(el);
    const title = card.querySelector(".ac-title");
    const link = card.querySelector(".ac-link");
    const img = card.querySelector("img");
    const body = card.querySelector(".ac-body");
    return {
      titleSize: parseFloat(cs(title).fontSize),
      titleTransform: cs(title).textTransform,
      linkColor: cs(link).color,
      imgDisplay: img && cs(img).display,
      imgWidth: img && img.getBoundingClientRect().width,
      bodyPaddingTop: cs(body).paddingTop,
      cardBorderStyle: cs(card).borderTopStyle,
      cardWidth: card.getBoundingClientRect().width,
    };
  });
  assert.ok(style.titleSize >= 14 && style.titleSize <= 26, `title font-size ${style.titleSize}px`);
  assert.equal(style.titleTransform, "none");
  assert.notEqual(style.linkColor, "rgb(255, 0, 0)");
  assert.notEqual(style.imgDisplay, "none");
  assert.ok(style.imgWidth > 100, `image width ${style.imgWidth}`);
  assert.equal(style.bodyPaddingTop, "14px");
  assert.notEqual(style.cardBorderStyle, "dashed");
  assert.ok(style.cardWidth > 150, `card width ${style.cardWidth}`);

  // Images really loaded.
  const loaded = await page
    .locator(`#news ${CARD} img`)
    .first()
    .evaluate(async (img) => {
      if (!img.complete) await new Promise((r) => img.addEventListener("load", r, { once: true }));
      return img.naturalWidth;
    });
  assert.ok(loaded > 0);

  await assertAccessible(page);
  assertNoConsoleErrors(errors);
  await context.close();
});
