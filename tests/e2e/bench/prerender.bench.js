// `cargo xtask bench prerender`: the first card painted, CLS and bytes of
// script for the same 24 cards of one bundle shown three ways, in
// interleaved runs in headless Chromium on one loopback origin:
// - `prerendered`: `article-cards render`'s fragment in the HTML, taken
//   over by the widget (script-tag embed);
// - `widget`: the widget alone (script-tag embed on a placeholder);
// - `vanilla`: the vanilla-JS peer of `bench shards` (vanilla.js).
// Prints medians (min–max). Asserts no time: it fails only on a run that
// errs or logs a console error.
//
//   node bench/prerender.bench.js --data DIR [--runs N]
//
// DIR/archive/index.json is the archive's manifest (version 2: `article-cards
// bundle --out-dir DIR/archive`; its shards and images beside it);
// DIR/fragment.html is `article-cards render DIR/archive/index.json --src
// /data/archive/index.json --limit 24 --related off --theme light
// --css-href /pkg/article-cards.css`.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { launch, newPage } from "../lib/browser.js";
import { DIST, ROOT, serve } from "../lib/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const WAYS = ["prerendered", "widget", "vanilla"];
const SRC = "/data/archive/index.json";

function parseArgs(argv) {
  const options = { data: null, runs: 9 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--data") options.data = argv[++i];
    else if (argv[i] === "--runs") options.runs = Math.max(1, Number(argv[++i]) || 1);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!options.data) throw new Error("usage: node bench/prerender.bench.js --data DIR [--runs N]");
  return options;
}

function page(body, scripts) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>article-cards: prerender benchmark</title>
  <link rel="icon" href="data:,">
  <script src="/bench/prerender-page.js"></script>
</head>
<body>
<main>
  <h1>Benchmark</h1>
  ${body}
</main>
${scripts}
</body>
</html>
`;
}

function writePages(dir) {
  const fragment = readFileSync(path.join(dir, "fragment.html"), "utf8");
  const embed = `<script src="/pkg/embed.js" async></script>`;
  writeFileSync(path.join(dir, "prerendered.html"), page(fragment, embed));
  writeFileSync(
    path.join(dir, "widget.html"),
    page(
      `<div data-article-cards data-src="${SRC}" data-limit="24" data-related="off" ` +
        `data-theme="light"><a href="https://news.example/">More news</a></div>`,
      embed,
    ),
  );
  writeFileSync(
    path.join(dir, "vanilla.html"),
    page(
      `<div id="news"></div>`,
      `<script type="module">import { render } from "/bench/vanilla.js";` +
        `render(document.getElementById("news"), { src: "${SRC}", limit: 24, css: "/pkg/article-cards.css" });</script>`,
    ),
  );
}

async function once(browser, origin, way) {
  const { page: tab, context, errors } = await newPage(browser);
  try {
    await tab.goto(`${origin}/data/${way}.html`);
    await tab.waitForFunction(() => window.__bench?.done === true, null, {
      timeout: 60_000,
      polling: 50,
    });
    const r = await tab.evaluate(() => window.__bench);
    r.consoleErrors = errors.slice();
    return r;
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const range = (xs, f) =>
  `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const ms = (x) => `${x.toFixed(0)} ms`;
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const data = path.resolve(options.data);
  writePages(data);
  // Inline module script in vanilla.html: no CSP here.
  const server = await serve({
    mounts: { "/bench/": here, "/data/": data, "/pkg/": DIST, "/css/": path.join(ROOT, "crates/widget/src") },
  });
  const browser = await launch();
  const results = new Map(WAYS.map((w) => [w, []]));
  const problems = [];
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const way of WAYS) {
        const r = await once(browser, server.origin, way);
        const label = `${way}, run ${run}/${options.runs}`;
        if (r.error) {
          problems.push(`${label}: ${r.error}`);
          continue;
        }
        for (const e of r.consoleErrors) problems.push(`${label}: console error: ${e}`);
        process.stderr.write(
          `  ${label}: first card ${r.firstCard.toFixed(0)} ms, FCP ${(r.fcp ?? NaN).toFixed(0)} ms, ` +
            `CLS ${r.cls.toFixed(4)}, script ${kib(r.scriptBefore)} before / ${kib(r.scriptTotal)}\n`,
        );
        results.get(way).push(r);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const rows = WAYS.map((way) => {
    const rs = results.get(way);
    if (rs.length === 0) return `| ${way} | failed |||||`;
    return (
      `| ${way} | ${range(rs.map((r) => r.firstCard), ms)} | ${range(rs.map((r) => r.fcp ?? NaN), ms)} ` +
      `| ${range(rs.map((r) => r.lcp ?? NaN), ms)} | ${Math.max(...rs.map((r) => r.cls)).toFixed(4)} ` +
      `| ${kib(median(rs.map((r) => r.scriptBefore)))} | ${kib(median(rs.map((r) => r.scriptTotal)))} |`
    );
  });
  console.log(
    `\nheadless Chromium, loopback, ${options.runs} interleaved runs, medians (min–max), from navigation start:\n\n` +
      "| way | first card painted | FCP | LCP | CLS (max) | script before first card | script in all |\n" +
      "|---|---:|---:|---:|---:|---:|---:|\n" +
      rows.join("\n"),
  );
  if (problems.length > 0) {
    console.error(`\nFAILED:\n${problems.join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
