// Shared setup of a test file: one server and one browser, closed after.

import assert from "node:assert/strict";
import { after, before } from "node:test";

import { axeInsideWidget, launch, newPage } from "./browser.js";
import { serve, standardMounts } from "./server.js";

/** Real cards (not the loading skeleton) under `scope`, through shadow roots. */
export const CARD = ".ac-card:not(.ac-skel)";

export function harness({ mounts = standardMounts(), headers } = {}) {
  const h = {};
  before(async () => {
    h.server = await serve({ mounts, headers });
    h.browser = await launch();
  });
  after(async () => {
    await h.browser?.close();
    await h.server?.close();
  });
  /** A fresh page, not navigated yet: `{ page, errors, context }`. */
  h.page = (options) => newPage(h.browser, options);
  /** Opens `path` in a fresh page; returns `{ page, errors, context }`. */
  h.open = async (path, options) => {
    const opened = await newPage(h.browser, options);
    await opened.page.goto(h.server.origin + path);
    return opened;
  };
  return h;
}

/** Fails with the collected console errors, if any. */
export function assertNoConsoleErrors(errors) {
  assert.deepEqual(errors, [], `console errors:\n${errors.join("\n")}`);
}

/** Fails when axe-core finds violations inside the widget. */
export async function assertAccessible(page) {
  const violations = await axeInsideWidget(page);
  assert.deepEqual(
    violations,
    [],
    `axe violations inside the widget:\n${JSON.stringify(violations, null, 2)}`,
  );
}
