// `article-cards:select` is cancelable: a listener that calls
// `preventDefault()` keeps the link from being followed (an app's router
// takes the click); without one, the link is followed as usual.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertNoConsoleErrors, harness } from "./lib/harness.js";

const h = harness();

/** Opens the parts page with links to a stubbed news.example, in the same tab. */
async function open() {
  const opened = await h.page();
  await opened.context.route("https://news.example/**", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<title>article</title>" }),
  );
  await opened.page.goto(h.server.origin + "/parts.html");
  await opened.page.locator(`#mounted ${CARD}`).first().waitFor();
  return opened;
}

test("preventDefault() on article-cards:select stops the navigation", async () => {
  const { page, errors, context } = await open();
  const start = page.url();
  await page.evaluate(() => {
    window.__seen = [];
    document.getElementById("mounted").addEventListener("article-cards:select", (e) => {
      window.__seen.push({ cancelable: e.cancelable, url: e.detail.url });
      e.preventDefault();
    });
    window.addEventListener("click", (e) => window.__seen.push({ clickPrevented: e.defaultPrevented }));
  });
  await page.locator(`#mounted ${CARD} .ac-link`).first().click();
  const seen = await page.evaluate(() => window.__seen);
  assert.equal(seen.length, 2, JSON.stringify(seen));
  assert.equal(seen[0].cancelable, true);
  assert.match(seen[0].url, /^https:\/\/news\.example\//);
  assert.deepEqual(seen[1], { clickPrevented: true });
  assert.equal(page.url(), start);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("without preventDefault() the link is followed", async () => {
  const { page, context } = await open();
  const url = await page.locator(`#mounted ${CARD} .ac-link`).first().getAttribute("href");
  const navigated = page.waitForURL(url);
  await page.locator(`#mounted ${CARD} .ac-link`).first().click();
  await navigated;
  assert.equal(page.url(), url);
  await context.close();
});
