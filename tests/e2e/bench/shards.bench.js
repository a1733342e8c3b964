// `cargo xtask bench shards`: the first 24 cards of generated v2 archives
// (bundle v2: a manifest and content-addressed page shards), with the widget
// and with the vanilla-JS peer (vanilla.js) reading the same files, in
// interleaved runs (every archive and renderer once per round, in turn,
// the renderers' order swapped every other round),
// in headless Chromium on one loopback origin. Prints, per archive and
// renderer: the bytes of the archive fetched before the 24th card, the time
// from `mount` to it, total blocking time, and the widget's wasm memory,
// with the time's ratio to the peer; then the issue's goals beside the
// figures. Asserts no time: it fails only on a run that errs, shows the
// wrong number of cards, or logs a console error.
//
//   node bench/shards.bench.js --data DIR [--runs N] [--topic NAME] NAME...
//
// DIR/NAME/index.json is an archive's manifest (`article-cards bundle
// --out-dir DIR/NAME`), its page shards beside it.

import path from "node:path";
import { fileURLToPath } from "node:url";

import { launch, newPage } from "../lib/browser.js";
import { DIST, ROOT, serve } from "../lib/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const RUN_TIMEOUT_MS = 120_000;
const RENDERERS = ["widget", "vanilla"];

function parseArgs(argv) {
  const options = { data: null, runs: 7, topic: null, archives: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--data") options.data = argv[++i];
    else if (arg === "--runs") options.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (arg === "--topic") options.topic = argv[++i];
    else if (/^[\w.-]+$/.test(arg)) options.archives.push(arg);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.data || options.archives.length === 0) {
    throw new Error("usage: node bench/shards.bench.js --data DIR [--runs N] [--topic NAME] NAME...");
  }
  return options;
}

async function once(browser, origin, archive, renderer, topic) {
  const { page, context, errors } = await newPage(browser);
  try {
    const query = new URLSearchParams({ renderer, src: `/data/${archive}/index.json` });
    if (topic) query.set("topic", topic);
    await page.goto(`${origin}/bench/shards.html?${query}`);
    await page.waitForFunction(() => window.__bench?.done === true, null, {
      timeout: RUN_TIMEOUT_MS,
      polling: 100,
    });
    const result = await page.evaluate(() => window.__bench);
    result.consoleErrors = errors.slice();
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
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = await serve({
    mounts: {
      "/bench/": here,
      "/data/": path.resolve(options.data),
      "/pkg/": DIST,
      "/css/": path.join(ROOT, "crates/widget/src"),
    },
  });
  const browser = await launch();
  const cases = [];
  for (const archive of options.archives) {
    cases.push({ archive, topic: null });
    if (options.topic) cases.push({ archive, topic: options.topic });
  }
  const results = new Map();
  const problems = [];
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const c of cases) {
        // Each renderer goes first in every other round, so neither always
        // follows the same one.
        for (const renderer of run % 2 ? RENDERERS : [...RENDERERS].reverse()) {
          const key = `${c.archive}\t${c.topic ?? ""}\t${renderer}`;
          const r = await once(browser, server.origin, c.archive, renderer, c.topic);
          const label = `${c.archive}${c.topic ? ` topic ${c.topic}` : ""}, ${renderer}, run ${run}`;
          if (r.error) {
            problems.push(`${label}: ${r.error}`);
            continue;
          }
          if (r.cards !== 24) problems.push(`${label}: ${r.cards} cards, not 24`);
          for (const e of r.consoleErrors) problems.push(`${label}: console error: ${e}`);
          process.stderr.write(
            `  ${label}/${options.runs}: ${r.toCards.toFixed(0)} ms, ${kib(r.bytes)} in ` +
              `${r.requests} files, TBT ${r.tbt.toFixed(0)} ms\n`,
          );
          if (!results.has(key)) results.set(key, []);
          results.get(key).push(r);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const rows = [];
  const summary = new Map();
  for (const c of cases) {
    const vanilla = results.get(`${c.archive}\t${c.topic ?? ""}\tvanilla`) || [];
    const peerTime = vanilla.length ? median(vanilla.map((r) => r.toCards)) : null;
    for (const renderer of RENDERERS) {
      const rs = results.get(`${c.archive}\t${c.topic ?? ""}\t${renderer}`) || [];
      if (rs.length === 0) {
        rows.push(`| ${c.archive} | ${c.topic ?? "—"} | ${renderer} | failed ||||||`);
        continue;
      }
      const time = median(rs.map((r) => r.toCards));
      const s = {
        bytes: median(rs.map((r) => r.bytes)),
        requests: median(rs.map((r) => r.requests)),
        time,
        tbt: median(rs.map((r) => r.tbt)),
        wasm: rs[0].wasmBytes == null ? null : Math.max(...rs.map((r) => r.wasmBytes)),
        ratio: peerTime ? time / peerTime : null,
      };
      summary.set(`${c.archive}\t${c.topic ?? ""}\t${renderer}`, s);
      rows.push(
        `| ${c.archive} | ${c.topic ?? "—"} | ${renderer} | ${kib(s.bytes)} (${s.requests}) ` +
          `| ${time.toFixed(0)} ms (${Math.min(...rs.map((r) => r.toCards)).toFixed(0)}–` +
          `${Math.max(...rs.map((r) => r.toCards)).toFixed(0)}) ` +
          `| ${s.ratio == null ? "–" : `${s.ratio.toFixed(2)}×`} | ${s.tbt.toFixed(0)} ms ` +
          `| ${s.wasm == null ? "–" : mib(s.wasm)} |`,
      );
    }
  }
  console.log(
    `\nheadless Chromium, ${options.runs} interleaved runs, medians (min–max):\n\n` +
      "| archive | topic | renderer | bytes before 24 cards (files) | mount → 24 cards " +
      "| vs vanilla | TBT | wasm memory |\n|---|---|---|---:|---:|---:|---:|---:|\n" +
      rows.join("\n"),
  );

  // The issue's goals, beside the figures (reported, not asserted).
  const widget = options.archives
    .map((a) => summary.get(`${a}\t\twidget`))
    .filter(Boolean);
  if (widget.length > 0) {
    const spreadOf = (xs) => Math.max(...xs) / Math.min(...xs) - 1;
    const lines = [
      ["bytes before 24 cards ≤ 64 KiB", widget.every((s) => s.bytes <= 64 * 1024)],
      [
        `bytes within 10% across archives (${(spreadOf(widget.map((s) => s.bytes)) * 100).toFixed(1)}%)`,
        spreadOf(widget.map((s) => s.bytes)) <= 0.1,
      ],
      [
        `time within 10% across archives (${(spreadOf(widget.map((s) => s.time)) * 100).toFixed(1)}%)`,
        spreadOf(widget.map((s) => s.time)) <= 0.1,
      ],
      ["time ≤ 1.1× the vanilla peer", widget.every((s) => s.ratio != null && s.ratio <= 1.1)],
      ["TBT ≤ 50 ms", widget.every((s) => s.tbt <= 50)],
      ["wasm memory ≤ 8 MiB", widget.every((s) => s.wasm != null && s.wasm <= 8 * 1048576)],
    ];
    console.log(
      `\ngoals (widget, no topic):\n${lines.map(([g, ok]) => `- ${ok ? "met" : "NOT met"}: ${g}`).join("\n")}`,
    );
  }
  if (problems.length > 0) {
    console.error(`\nFAILED:\n${problems.join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exitCode = 1;
});
