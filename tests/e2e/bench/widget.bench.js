// `cargo xtask bench widget`: time from `mount()` to the first 24 cards in
// the DOM, in headless Chromium, for synthetic bundles, and the layout
// shifts in two parts: (a) when the skeleton replaces the host page's
// fallback link, which the widget cannot avoid (it cannot know its height
// before its code runs) and the host page can, by reserving the room; and
// (b) after the skeleton (cards, images, fonts), which is the widget's and
// must be 0. Each bundle is run again with its room reserved (`min-height`
// on the host, the widget's settled height from the first runs) to show
// that (a) is then 0. Prints figures; asserts no time. It fails on a shift
// (b), a console error, a wrong `article-cards:ready` count, or a run that
// ends in an error or never shows its cards (then the page's state and
// console are printed). A bundle the widget refuses as too large is a row
// of the table, not a failure: that is its documented cap.
//
//   node bench/widget.bench.js --data DIR [--runs N] NAME-COUNT...
//
// DIR holds `NAME-COUNT.json` (COUNT articles) and the images its articles
// point at (`cargo xtask bench widget` writes it). The page, the built
// package and the data are served from one loopback origin, so relative
// image URLs in the bundles resolve to the same server.

import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { launch, newPage } from "../lib/browser.js";
import { DIST, E2E, serve } from "../lib/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** How long one run may take before its state is dumped and the bench fails. */
const RUN_TIMEOUT_MS = 120_000;

function parseArgs(argv) {
  const options = { data: null, runs: 5, bundles: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--data") options.data = argv[++i];
    else if (arg === "--runs") options.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (/^[\w.]+-\d+$/.test(arg)) options.bundles.push(arg);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.data || options.bundles.length === 0) {
    throw new Error("usage: node bench/widget.bench.js --data DIR [--runs N] NAME-COUNT...");
  }
  return options;
}

/** What the page knows when a run did not finish: for the error message. */
async function dumpState(page) {
  return page
    .evaluate(() => {
      const root = document.getElementById("news")?.shadowRoot;
      return {
        bench: window.__bench,
        shadowRoot: Boolean(root),
        cards: root?.querySelectorAll(".ac-card:not(.ac-skel)").length ?? null,
        skeletons: root?.querySelectorAll(".ac-skel").length ?? null,
        html: root?.innerHTML.slice(0, 1500) ?? null,
      };
    })
    .catch((error) => ({ unavailable: String(error) }));
}

/**
 * One fresh page loading bundle `name`, the host's room reserved when
 * `reserve` (px) is given: `window.__bench` of the page.
 */
async function once(browser, origin, name, reserve = null) {
  const { page, context, errors } = await newPage(browser);
  const log = [];
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`uncaught: ${e.message}`));
  try {
    const room = reserve == null ? "" : `&reserve=${reserve}`;
    await page.goto(`${origin}/bench/page.html?src=/data/${name}.json${room}`);
    try {
      await page.waitForFunction(() => window.__bench?.done === true, null, {
        timeout: RUN_TIMEOUT_MS,
        polling: 100,
      });
    } catch (error) {
      const state = await dumpState(page);
      throw new Error(
        `${name}: no result after ${RUN_TIMEOUT_MS / 1000} s (${error.message})\n` +
          `page state: ${JSON.stringify(state, null, 2)}\nconsole:\n${log.join("\n")}`,
      );
    }
    const result = await page.evaluate(() => window.__bench);
    result.consoleErrors = errors.slice();
    if (result.error) {
      result.state = await dumpState(page);
      result.console = log.slice();
    }
    return result;
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => (x == null ? "–" : `${x.toFixed(0)} ms`);
const shift = (x) => (x === 0 ? "0" : x.toFixed(4));
/** `median (min–max)` of a figure over the runs. */
const spread = (xs) => {
  const v = xs.filter((x) => x != null);
  if (v.length === 0) return "–";
  return `${ms(median(v))} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
};

/** What a run's shifts were: for the progress lines. */
function describeShifts(r) {
  let text = `shift (a) fallback → ${r.firstRender} ${shift(r.shiftFirstRender)}, ` +
    `(b) after it ${shift(r.maxShiftAfter)}`;
  if (r.cardsBeforeLayout) text += " (cards were in before the skeleton was laid out)";
  return text;
}

/** The checks every finished run must pass, as failure lines. */
function check(label, r, articles) {
  const problems = r.consoleErrors.map((e) => `${label}: console error: ${e}`);
  if (r.maxShiftAfter > 0) {
    problems.push(
      `${label}: layout shift ${shift(r.maxShiftAfter)} after the skeleton; all shifts: ` +
        JSON.stringify(r.shifts),
    );
  }
  if (r.readyCount !== articles) {
    problems.push(
      `${label}: article-cards:ready reported ${r.readyCount} articles, not ${articles}`,
    );
  }
  return problems;
}

/** A failed run, with what the page knew: for the failure list. */
function describeFailure(name, run, r) {
  return (
    `${name}, run ${run}: ${r.error}\npage state: ${JSON.stringify(r.state, null, 2)}\n` +
    `console:\n${r.console.join("\n")}`
  );
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = await serve({
    mounts: {
      "/": path.join(E2E, "pages"),
      "/bench/": here,
      "/data/": path.resolve(options.data),
      "/pkg/": DIST,
    },
  });
  const browser = await launch();
  const rows = [];
  const problems = [];
  const refusals = [];
  try {
    for (const name of options.bundles) {
      const articles = Number(name.split("-").pop());
      const bytes = (await stat(path.join(options.data, `${name}.json`))).size;
      const size = `${(bytes / 1048576).toFixed(2)} MiB`;
      const results = [];
      let refused = null;
      for (let run = 1; run <= options.runs; run++) {
        const r = await once(browser, server.origin, name);
        if (r.error && /too large/i.test(r.error)) {
          // Deterministic: one run says it all.
          refused = r.error.replace(/^article-cards:error: /, "");
          process.stderr.write(`  ${name}: refused by the widget: ${refused}\n`);
          break;
        }
        if (r.error) {
          problems.push(describeFailure(name, run, r));
          continue;
        }
        process.stderr.write(
          `  ${name}, run ${run}/${options.runs}: init ${ms(r.init)}; from mount: ` +
            `request ${ms(r.fetchStart)}, received ${ms(r.fetchEnd)}, ` +
            `24 cards ${ms(r.toCards)}, ready ${ms(r.toReady)}; ${describeShifts(r)}\n`,
        );
        results.push(r);
        problems.push(...check(`${name}, run ${run}`, r, articles));
      }

      // The same page with the widget's room reserved, as a host page would
      // with `#news { min-height: …px }`.
      const reserved = [];
      const room = results.length > 0 ? Math.max(...results.map((r) => r.height)) : null;
      for (let run = 1; room && run <= options.runs; run++) {
        const r = await once(browser, server.origin, name, room);
        const label = `${name} with ${room} px reserved, run ${run}`;
        if (r.error) {
          problems.push(describeFailure(label, run, r));
          continue;
        }
        process.stderr.write(`  ${label}/${options.runs}: ${describeShifts(r)}\n`);
        reserved.push(r);
        problems.push(...check(label, r, articles));
      }

      const label = `| ${articles.toLocaleString("en")} | ${name.replace(/-\d+$/, "")} | ${size} `;
      const largest = (rs, key) => shift(Math.max(...rs.map((r) => r[key])));
      if (refused) {
        refusals.push({ name, size, articles, refused });
        rows.push(`${label}| over the cap¹ |||||||`);
      } else if (results.length > 0) {
        rows.push(
          `${label}| ${spread(results.map((r) => r.init))} ` +
            `| ${spread(results.map((r) => r.fetchEnd))} ` +
            `| ${spread(results.map((r) => r.toCards))} ` +
            `| ${spread(results.map((r) => r.toReady))} ` +
            `| ${largest(results, "shiftFirstRender")} ` +
            `| ${reserved.length > 0 ? largest(reserved, "shiftFirstRender") : "–"} ` +
            `| ${largest([...results, ...reserved], "maxShiftAfter")} |`,
        );
      } else {
        rows.push(`${label}| failed (below) ||||||||`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  // The widget's "MB" are MiB (`human_size` in crates/widget/src/decode.rs).
  const footnotes = refusals.map(({ name, size, articles, refused }) => {
    const limit = /the limit is ([\d.]+) MB/.exec(refused)?.[1];
    const cap = limit ? `${limit} MiB cap` : `cap (${refused})`;
    return (
      `¹ ${name} (${size}) is over the widget's ${cap}: each related item copies its ` +
      `article's title, excerpt and image, so ${articles.toLocaleString("en")} articles are measured lean.`
    );
  });
  console.log(
    `\nheadless Chromium, ${options.runs} runs per bundle and per room (fresh page each), ` +
      "times median (min–max), shifts the largest of the runs:\n\n" +
      "| articles | bundle | size | wasm init | mount → bundle received | mount → 24 cards " +
      "| mount → ready | shift (a): skeleton replaces fallback | (a) with the room reserved " +
      "| shift (b): largest after the skeleton |\n" +
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
      rows.join("\n") +
      "\n\n(a) is the host page's to avoid, by reserving the widget's room (here a `min-height` " +
      "on the host, the widget's settled height); (b) is the widget's and must be 0.\n" +
      footnotes.map((f) => `${f}\n`).join(""),
  );
  if (problems.length > 0) {
    console.error(`\nFAILED:\n${problems.join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exitCode = 1;
});
