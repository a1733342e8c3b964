// (e) A strict Content-Security-Policy: with 'wasm-unsafe-eval' the widget
// renders without a single violation; without it the fallback link stays.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";
import { standardMounts } from "./lib/server.js";

const STRICT = "script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'";
const NO_WASM = "script-src 'self'; style-src 'self'; img-src 'self'";

const h = harness({
  mounts: standardMounts(),
  headers: (path) => {
    if (path !== "/csp.html") return {};
    return { "content-security-policy": h.policy };
  },
});

test("renders under a strict CSP with no securitypolicyviolation", async () => {
  h.policy = STRICT;
  const { page, errors, context } = await h.open("/csp.html");
  const cards = page.locator(`#news ${CARD}`);
  await cards.first().waitFor();
  assert.equal(await cards.count(), 3);
  // Images are same-origin: allowed, and shown.
  await page.locator(`#news ${CARD} img`).first().waitFor();
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  await assertAccessible(page);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("without 'wasm-unsafe-eval' the fallback stays and one error explains", async () => {
  h.policy = NO_WASM;
  const { page, errors, context } = await h.page();
  const ours = () => errors.filter((e) => e.startsWith("article-cards:"));
  const explained = page.waitForEvent("console", {
    predicate: (m) => m.type() === "error" && m.text().startsWith("article-cards:"),
  });
  await page.goto(h.server.origin + "/csp.html");
  await explained;
  assert.ok((await page.evaluate(() => window.__cspViolations)).length > 0);
  // Give a second error (there must be none) the time to show up.
  await page.waitForTimeout(300);
  assert.equal(ours().length, 1, `errors: ${errors.join("\n")}`);
  assert.match(ours()[0], /wasm-unsafe-eval/);
  assert.equal(await page.locator("#fallback").isVisible(), true);
  assert.equal(await page.locator(`#news ${CARD}`).count(), 0);
  await context.close();
});
