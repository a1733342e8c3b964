// The demo, started exactly as the README's quick start says
// (`cargo xtask demo`, here on a free port and with a time limit so the
// server always stops): it loads with zero console errors and zero axe
// violations, the configurator drives the preview and the snippets, a
// pasted snippet reproduces the preview, and it fits a 360 px phone.
// Screenshots go to target/e2e-artifacts/.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { CARD, assertNoConsoleErrors } from "./lib/harness.js";
import { ROOT } from "./lib/server.js";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ARTIFACTS = path.join(ROOT, "target/e2e-artifacts");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

let demo;
let origin;
let browser;

before(async () => {
  const port = await freePort();
  // The README's command, verbatim but for the port and the time limit.
  demo = spawn("cargo", ["xtask", "demo", "--port", String(port), "--max-seconds", "1200"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so the whole tree (cargo, xtask, the server)
    // is stopped together after the tests.
    detached: true,
  });
  let log = "";
  origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${log}`)), 15 * 60 * 1000);
    const watch = (chunk) => {
      log += chunk;
      const match = /serving .* on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    demo.stdout.on("data", watch);
    demo.stderr.on("data", watch);
    demo.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cargo xtask demo exited with ${code}:\n${log}`));
    });
  });
  browser = await launch();
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    try {
      process.kill(-demo.pid, "SIGINT");
    } catch {
      demo.kill("SIGINT");
    }
  }
  demo?.stdout.destroy();
  demo?.stderr.destroy();
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

/** Titles of the real cards inside `selector`'s widget. */
function cardTitles(page, selector) {
  return page.locator(`${selector} ${CARD} .ac-title`).allTextContents();
}

test("the demo loads clean at 1280 px: cards, gallery, stats, no errors, no axe violations", async () => {
  const { page, errors, context } = await openPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/`);
  await page.locator(`.hero-widget ${CARD}`).first().waitFor();
  assert.equal(await page.locator(`.hero-widget ${CARD}`).count(), 3);
  // The drawn statistics: one bar per topic at least.
  await page.locator("#chart-topics svg rect").first().waitFor();
  assert.ok((await page.locator("#chart-topics svg rect").count()) >= 6);
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

test("the configurator updates the preview and the snippets; a pasted snippet reproduces the preview", async () => {
  const { page, errors, context } = await openPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/#configurator`);
  await page.locator(`#preview ${CARD}`).first().waitFor();

  await page.selectOption("#opt-layout", "list");
  await page.fill("#opt-limit", "2");
  await page.locator("#opt-limit").dispatchEvent("change");
  await page.waitForFunction(() => {
    const root = document.getElementById("preview").shadowRoot;
    return root?.querySelector(".ac")?.dataset.layout === "list"
      && root.querySelectorAll(".ac-card:not(.ac-skel)").length === 2;
  });
  const snippet = await page.locator("#snip-script").textContent();
  assert.match(snippet, /data-layout="list"/);
  assert.match(snippet, /data-limit="2"/);
  assert.match(await page.locator("#snip-element").textContent(), /layout="list"/);
  assert.match(await page.locator("#snip-npm").textContent(), /"layout": "list"/);
  const previewTitles = await cardTitles(page, "#preview");
  assert.equal(previewTitles.length, 2);

  // Paste the script-tag snippet into a blank page on the same server.
  const blank = await openPage({ viewport: { width: 1280, height: 900 } });
  await blank.page.goto(`${origin}/www/demo/blank.html`);
  await blank.page.setContent(`<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>Pasted snippet</title></head><body><main>${snippet}</main></body></html>`);
  await blank.page.locator(`[data-article-cards] ${CARD}`).first().waitFor();
  assert.deepEqual(await cardTitles(blank.page, "[data-article-cards]"), previewTitles);
  assertNoConsoleErrors(blank.errors);
  await blank.context.close();

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
