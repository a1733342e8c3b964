// Layouts at phone, tablet and desktop widths (320, 390, 768, 1280 px), for
// each of grid, list, compact and carousel, with the fixture bundle (eight
// articles with pictures): no horizontal overflow, every card a proper
// media object by its own width (from 480px the picture beside the text,
// below it the picture spanning the card above the text; compact rows keep
// their square thumbnail beside), the picture filling its box, and axe
// clean inside the widget. Screenshots go to target/e2e-artifacts/layout/.

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";
import { ROOT } from "./lib/server.js";

const ARTIFACTS = path.join(ROOT, "target/e2e-artifacts/layout");
const WIDTHS = [320, 390, 768, 1280];
const LAYOUTS = ["grid", "list", "compact", "carousel"];
/** The card width from which the picture sits beside the text (style.css). */
const BESIDE = 480;

const h = harness();

/** Boxes of every loaded card of the list (not related slides), in page pixels. */
function measure(page) {
  return page.evaluate(() => {
    const root = document.getElementById("news").shadowRoot;
    const box = (el) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
    };
    const cards = [...root.querySelectorAll(":is(.ac-list > li, [data-kind='list'] > .ac-track > .ac-slide) > .ac-card:not(.ac-skel)")];
    return {
      viewport: window.innerWidth,
      scrollWidth: document.scrollingElement.scrollWidth,
      widget: box(document.getElementById("news")),
      cards: cards.map((card) => {
        const media = card.querySelector(":scope > .ac-media");
        const picture = media?.querySelector(".ac-img, .ac-frame");
        const body = card.querySelector(":scope > .ac-body");
        return {
          title: card.querySelector(".ac-title")?.textContent,
          card: box(card),
          inner: card.clientWidth,
          media: box(media),
          picture: box(picture),
          body: box(body),
          bodyOverflow: body ? body.scrollWidth - body.clientWidth : 0,
        };
      }),
    };
  });
}

for (const layout of LAYOUTS) {
  test(`${layout}: at ${WIDTHS.join(", ")} px no overflow, the picture beside or above by the card's width, axe clean`, async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    for (const width of WIDTHS) {
      // Tall enough that every card's lazy picture is in view for the screenshot.
      const { page, errors, context } = await h.page({ viewport: { width, height: 2400 } });
      await page.goto(`${h.server.origin}/layout.html?layout=${layout}`);
      await page.waitForFunction(() => window.__ready === true);
      await page.locator(`#news ${CARD}`).first().waitFor();
      await page.waitForFunction(() => {
        const root = document.getElementById("news").shadowRoot;
        return [...root.querySelectorAll("img")]
          .filter((i) => {
            // What is in view (a carousel's later slides load when scrolled to).
            const r = i.getBoundingClientRect();
            return r.width > 0 && r.top < innerHeight && r.left < innerWidth && r.right > 0;
          })
          .every((i) => i.complete);
      });
      await page.screenshot({ path: path.join(ARTIFACTS, `${layout}-${width}.png`), fullPage: true });
      const m = await measure(page);
      const at = `${layout} at ${width}px`;

      assert.ok(m.scrollWidth <= m.viewport, `${at}: the page scrolls sideways (${m.scrollWidth} > ${m.viewport})`);
      assert.ok(m.widget.right <= m.viewport, `${at}: the widget passes the viewport's edge`);
      assert.ok(m.cards.length > 0, `${at}: no cards`);
      for (const c of m.cards) {
        const what = `${at}, "${c.title}" (card ${Math.round(c.card.width)}px)`;
        assert.ok(c.bodyOverflow <= 0, `${what}: the text overflows its box by ${c.bodyOverflow}px`);
        if (layout !== "carousel") {
          assert.ok(c.card.right <= m.widget.right + 0.5, `${what}: the card passes the widget's edge`);
        }
        assert.ok(c.media && c.picture, `${what}: no picture box`);
        // The picture fills its box: no thumbnail in a corner with a hole beside it.
        assert.ok(Math.abs(c.picture.width - c.media.width) <= 1, `${what}: picture ${c.picture.width}px in a ${c.media.width}px box`);
        assert.ok(Math.abs(c.picture.height - c.media.height) <= 1, `${what}: picture ${c.picture.height}px high in a ${c.media.height}px box`);
        const beside = () => {
          assert.ok(Math.abs(c.media.left - c.card.left) <= 1.5, `${what}: the picture is not at the card's start`);
          assert.ok(c.body.left >= c.media.right - 0.5, `${what}: the text is not beside the picture`);
          assert.ok(c.body.top < c.media.bottom, `${what}: the text is below the picture`);
        };
        if (layout === "compact") {
          // Dense rows: a square thumbnail beside the title at any width.
          assert.equal(Math.round(c.media.width), 64, `${what}: thumbnail width`);
          assert.ok(c.body.left >= c.media.right, `${what}: the title is not beside the thumbnail`);
        } else if (c.card.width >= BESIDE) {
          beside();
          assert.ok(c.media.width <= c.card.width * 0.35 + 1, `${what}: the picture takes ${c.media.width}px of ${c.card.width}px`);
          assert.ok(c.media.height >= c.media.width * 9 / 16 - 1, `${what}: the picture is cut to a strip`);
        } else {
          // Above the text, the card's whole inner width, 16:9.
          assert.ok(Math.abs(c.media.width - c.inner) <= 1, `${what}: the picture is ${c.media.width}px of ${c.inner}px`);
          assert.ok(c.media.bottom <= c.body.top + 0.5, `${what}: the picture is not above the text`);
          assert.ok(Math.abs(c.media.height - (c.media.width * 9) / 16) <= 1.5, `${what}: the picture is not 16:9`);
        }
      }
      await assertAccessible(page);
      assertNoConsoleErrors(errors);
      await context.close();
    }
  });
}
