// The demo, started exactly as the README's quick start says
// (`cargo xtask demo`, here on a free port and with a time limit so the
// server always stops): it loads with zero console errors and zero axe
// violations, and it fits a 360 px phone (the configurator has its own
// file, configurator.test.js). Screenshots go to target/e2e-artifacts/.

import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { startDemo } from "./lib/demo.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { ROOT } from "./lib/server.js";

const require = createRequire(import.meta.url);
const ARTIFACTS = path.join(ROOT, "target/e2e-artifacts");

let demo;
let origin;
let browser;

before(async () => {
  demo = await startDemo();
  origin = demo.origin;
  browser = await launch();
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

/** A page that also reports failed requests (with their URL) as errors. */
async function openPage(options) {
  const opened = await newPage(browser, options);
  opened.page.on("response", (response) => {
    if (response.status() >= 400) opened.errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return opened;
}

/** Every axe violation on the page, inside shadow roots or not. */
async function axeViolations(page) {
  await page.evaluate(await readFile(require.resolve("axe-core/axe.min.js"), "utf8"));
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
  });
}

test("the demo loads clean at 1280 px: cards, gallery, stats, no errors, no axe violations", async () => {
  const { page, errors, context } = await openPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/`);
  await page.locator(`.hero-widget ${CARD}`).first().waitFor();
  assert.equal(await page.locator(`.hero-widget ${CARD}`).count(), 3);
  // The drawn statistics: one bar per topic at least.
  await page.locator("#chart-topics svg rect").first().waitFor();
  assert.ok((await page.locator("#chart-topics svg rect").count()) >= 6);
  // Without `--archive` the large archive's section, link and stats stay hidden.
  for (const id of ["#archive", "#archive-nav", "#archive-stats"]) assert.ok(await page.locator(id).isHidden(), `${id} is hidden`);
  // The on-purpose states.
  await page.locator(".demo-widget .ac-state.is-error").first().waitFor();
  await page.locator(".demo-widget .ac-state.is-empty").first().waitFor();
  // Let every gallery widget finish (the slow one takes 3 s).
  await page.waitForFunction(
    () => [...document.querySelectorAll(".demo-widget")].every((el) => {
      const section = el.shadowRoot?.querySelector(".ac");
      return section && section.getAttribute("aria-busy") !== "true";
    }),
    null,
    { timeout: 20000 },
  );
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: path.join(ARTIFACTS, "demo-1280.png"), fullPage: true });
  assertNoConsoleErrors(errors);
  await context.close();
});

test("the demo fits a 360 px phone and is keyboard-usable", async () => {
  const { page, errors, context } = await openPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(`${origin}/`);
  await page.locator(`.hero-widget ${CARD}`).first().waitFor();
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360 px`);
  // The skip link is the first stop and works.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash === "#main");
  await page.screenshot({ path: path.join(ARTIFACTS, "demo-360.png"), fullPage: true });
  assertNoConsoleErrors(errors);
  await context.close();
});
