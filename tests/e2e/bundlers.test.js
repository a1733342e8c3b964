// (d) A consumer app installs the packed npm tarball and is built with
// Vite 8 and with webpack 5; both render cards. Offline: the package has no
// dependencies and the bundlers come from this folder's node_modules.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { launch, newPage } from "./lib/browser.js";
import { CARD, assertAccessible, assertNoConsoleErrors } from "./lib/harness.js";
import { E2E, ROOT, serve } from "./lib/server.js";

let app;
let browser;

const npm = (args, cwd) =>
  execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

before(async () => {
  app = await mkdtemp(path.join(tmpdir(), "article-cards-consumer-"));
  const packed = npm(["pack", "--json", "--pack-destination", app], path.join(ROOT, "pkg"));
  const tarball = path.join(app, JSON.parse(packed)[0].filename);
  await writeFile(
    path.join(app, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
  );
  npm(["install", "--offline", "--no-audit", "--no-fund", tarball], app);
  await writeFile(
    path.join(app, "main.js"),
    `import { mount } from "article-cards";
const handle = await mount(document.getElementById("app"), { src: "/fixtures/bundle.json", limit: 3, theme: "light" });
window.__handle = handle;
`,
  );
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (app) await rm(app, { recursive: true, force: true });
});

const page = (script) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Consumer</title></head>
<body><main><h1>Consumer app</h1><h2>News</h2><div id="app"></div></main>
<script type="module" src="${script}"></script></body></html>
`;

async function renders(outDir) {
  const server = await serve({
    mounts: { "/": outDir, "/fixtures/": path.join(E2E, "fixtures") },
  });
  try {
    const { page: p, errors, context } = await newPage(browser);
    await p.goto(server.origin + "/");
    const cards = p.locator(`#app ${CARD}`);
    await cards.first().waitFor();
    assert.equal(await cards.count(), 3);
    assert.ok(
      server.requests.some((r) => r.endsWith(".wasm")),
      `the bundle's own .wasm was fetched (${server.requests.join(", ")})`,
    );
    await assertAccessible(p);
    assertNoConsoleErrors(errors);
    await context.close();
  } finally {
    await server.close();
  }
}

test("a Vite 8 app using the npm package renders cards", async () => {
  const { build } = await import("vite");
  await writeFile(path.join(app, "index.html"), page("/main.js"));
  const outDir = path.join(app, "dist-vite");
  await build({
    root: app,
    configFile: false,
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, target: "es2022" },
  });
  const assets = await readdir(path.join(outDir, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `assets: ${assets.join(", ")}`);
  await renders(outDir);
});

test("a webpack 5 app using the npm package renders cards", async () => {
  const { default: webpack } = await import("webpack");
  const outDir = path.join(app, "dist-webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack(
      {
        mode: "production",
        context: app,
        entry: "./main.js",
        output: { path: outDir, filename: "main.js", publicPath: "auto", clean: true },
        experiments: { topLevelAwait: true },
        resolve: { modules: [path.join(app, "node_modules")] },
        performance: { hints: false },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  assert.equal(stats.hasErrors(), false, stats.toString("errors-only"));
  await writeFile(path.join(outDir, "index.html"), page("main.js"));
  await renders(outDir);
});
