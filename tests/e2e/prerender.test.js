// Prerendered cards (`article-cards render`, docs/prerender.md): readable,
// linked and accessible with JavaScript off; with it, taken over by the
// widget through the script-tag embed and the custom element with no
// layout shift, under the strict CSP of the embedding tests.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { CARD, assertAccessible, assertNoConsoleErrors, harness } from "./lib/harness.js";
import { ROOT, standardMounts } from "./lib/server.js";

const STRICT = "script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'";
const gen = mkdtempSync(path.join(tmpdir(), "article-cards-prerender-"));

const TARGET = process.env.CARGO_TARGET_DIR
  ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(ROOT, "target");

/** `article-cards render` of the e2e bundle, as a user's build runs it. */
function render(args) {
  return execFileSync(
    path.join(TARGET, "debug/article-cards"),
    [
      "render", "tests/e2e/fixtures/bundle.json",
      "--src", "/fixtures/bundle.json", "--css-href", "/pkg/article-cards.css", "--out", "-", "-q",
      ...args,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
}

function page(title, body, script) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="/page.css">
</head>
<body>
<main>
  <h1>${title}</h1>
  <h2>Latest news</h2>
  <div id="news">${body}</div>
  <p id="after">Text after the widget, which must not move.</p>
  ${script}
</main>
</body>
</html>
`;
}

before(() => {
  execFileSync("cargo", ["build", "-q", "-p", "article-cards"], { cwd: ROOT, stdio: "inherit" });
  const grid = render(["--limit", "3", "--theme", "light", "--target", "_self"]);
  const carousel = render(["--layout", "carousel", "--limit", "6", "--theme", "light"]);
  const element = render(["--element", "--limit", "3", "--theme", "light"]);
  const embed = `<script src="/pkg/embed.js"></script>`;
  writeFileSync(path.join(gen, "grid.html"), page("Prerendered grid", grid, embed));
  writeFileSync(path.join(gen, "carousel.html"), page("Prerendered carousel", carousel, embed));
  writeFileSync(
    path.join(gen, "element.html"),
    page("Prerendered element", element, `<script type="module" src="/pkg/define.js"></script>`),
  );
});
after(() => process.env.KEEP_PRERENDER || rmSync(gen, { recursive: true, force: true }));

const h = harness({
  mounts: standardMounts({ "/gen/": gen }),
  headers: (p) => (p.startsWith("/gen/") ? { "content-security-policy": STRICT } : {}),
});

/** The sum of layout-shift scores since the page started (CLS). */
async function watchShifts(page) {
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.hadRecentInput) window.__shifts.push(e.value);
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

/**
 * Holds the loader scripts until the returned function is called, so that
 * the page is measured with the prerendered cards alone before the widget
 * starts.
 */
async function holdScripts(context) {
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  await context.route(/\/pkg\/(embed|define)\.js$/, async (route) => {
    await gate;
    await route.continue();
  });
  return open;
}

/** Waits until the prerendered cards are styled, and two frames more. */
async function styled(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("#news > *").shadowRoot;
    const list = root && root.querySelector(".ac-list, .ac-track");
    return list && ["grid", "flex"].includes(getComputedStyle(list).display);
  });
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  );
}

/** Waits until the widget has replaced the prerendered cards. */
async function takenOver(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("#news > *").shadowRoot;
    return root && !root.querySelector("[data-prerendered]");
  });
}

test("without JavaScript the prerendered cards are visible, linked and accessible", async () => {
  const { page, errors, context } = await h.page({ javaScriptEnabled: false });
  // The article links lead off-site: answered here, nothing leaves.
  await context.route(/^https:\/\//, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<title>article</title>" }),
  );
  await page.goto(h.server.origin + "/gen/grid.html");
  const cards = page.locator(`#news ${CARD}`);
  assert.equal(await cards.count(), 3);
  assert.ok(await cards.first().isVisible());
  // The linked stylesheet applies (`style-src 'self'` allows it).
  const columns = await page
    .locator("#news .ac-list")
    .evaluate((el) => getComputedStyle(el).display);
  assert.equal(columns, "grid");
  // Absolute dates in <time datetime>.
  const time = page.locator("#news .ac-date").first();
  assert.match(await time.getAttribute("datetime"), /^\d{4}-\d\d-\d\dT/);
  assert.match(await time.textContent(), /^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
  const link = page.locator("#news .ac-link").first();
  const href = await link.getAttribute("href");
  assert.match(href, /^https:\/\//);
  await link.click();
  await page.waitForURL(href);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations ?? []), []);
  assertNoConsoleErrors(errors);
  await context.close();
});

test("the prerendered cards, with no widget script, are accessible", async () => {
  // axe runs by evaluating script, which a context with JavaScript off
  // does not run: the page is opened with its one script (the loader)
  // blocked instead, which leaves the same DOM as without JavaScript.
  const { page, context } = await h.page();
  await context.route(/\/pkg\/.*\.js$/, (route) => route.abort());
  await page.goto(h.server.origin + "/gen/grid.html");
  assert.equal(await page.locator(`#news ${CARD}`).count(), 3);
  assert.equal(await page.locator("#news [data-prerendered]").count(), 1);
  // (No check of console errors: the blocked loader logs one.)
  await assertAccessible(page);
  await context.close();
});

for (const [name, file] of [
  ["the script-tag embed", "grid.html"],
  ["the custom element", "element.html"],
]) {
  test(`with JavaScript ${name} takes over with no layout shift under a strict CSP`, async () => {
    const { page, errors, context } = await h.page();
    const go = await holdScripts(context);
    await watchShifts(page);
    await page.goto(h.server.origin + "/gen/" + file, { waitUntil: "commit" });
    await styled(page);
    const before = await page.locator("#after").boundingBox();
    go();
    await takenOver(page);
    // The widget's own cards, with relative dates.
    const cards = page.locator(`#news ${CARD}`);
    assert.equal(await cards.count(), 3);
    await page.locator("#news .ac-date").first().waitFor();
    assert.doesNotMatch(await page.locator("#news .ac-date").first().textContent(), /\d{4}$/);
    // Two frames, so that a shift of the takeover would be reported.
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    assert.deepEqual(await page.evaluate(() => window.__shifts), []);
    assert.deepEqual(await page.locator("#after").boundingBox(), before);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assertNoConsoleErrors(errors);
    // Last: axe's own probes of the page trip the strict CSP (an inline
    // style it tries), which is not the widget's doing.
    await assertAccessible(page);
    await context.close();
  });
}

test("the taken-over carousel moves", async () => {
  const { page, errors, context } = await h.page();
  const go = await holdScripts(context);
  await watchShifts(page);
  await page.goto(h.server.origin + "/gen/carousel.html", { waitUntil: "commit" });
  await styled(page);
  go();
  await takenOver(page);
  const track = page.locator("#news .ac-carousel[data-kind='list'] .ac-track, #news .ac-track").first();
  await track.waitFor();
  assert.equal(await track.evaluate((el) => el.scrollLeft), 0);
  await page.locator("#news .ac-next").first().click();
  await page.waitForFunction(() => {
    const find = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.shadowRoot) {
          const t = el.shadowRoot.querySelector(".ac-track") || find(el.shadowRoot);
          if (t) return t;
        }
      }
      return null;
    };
    return find(document).scrollLeft > 0;
  });
  assert.deepEqual(await page.evaluate(() => window.__shifts), []);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assertNoConsoleErrors(errors);
  await context.close();
});
