// Headless Chromium through playwright-core (never downloads a browser),
// with every console error and uncaught exception of a page collected, and
// axe-core run inside the widget's shadow roots.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A new page in its own context. `errors` collects console errors and page
 * errors; `violations` collects `securitypolicyviolation` events.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 800 },
    colorScheme: "light",
    ...options,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, context, errors };
}

let axeSource;

/**
 * axe-core over the whole page, keeping only violations whose nodes are
 * inside a shadow root (the widget); returns `[{ id, help, targets }]`.
 * Injected with `evaluate`, which a page's CSP does not block.
 */
export async function axeInsideWidget(page) {
  axeSource ||= await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n) => n.target),
    }));
  });
  return results
    .map((v) => ({ ...v, targets: v.targets.filter((t) => Array.isArray(t[0]) || t.length > 1) }))
    .filter((v) => v.targets.length > 0);
}
