// A loopback fault server for faults.test.js: 127.0.0.1, a random port. It
// serves the built package (`/pkg/`), one test page (`/page.html`, which
// mounts a widget with the options in its query string and records when
// its events arrive), the fixture bundle's images, and a bundle endpoint
// per fault under `/bundles/`. It answers nothing over the network but
// loopback and closes every connection (the stalled ones too) when closed.

import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { DIST, E2E } from "./server.js";

const TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/** Decoded size of the compressed bomb: past the widget's 5 MiB cap. */
export const BOMB_BYTES = 64 * 1024 * 1024;

// The page: `src`, `timeout` and `retries` from the query; `__t0` is taken
// right before `mount` (the module already initialised), and each event
// is recorded with its time since then.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Faults</title></head>
<body>
<main>
  <h1>Faults</h1>
  <h2>Latest news</h2>
  <div id="news"></div>
</main>
<script type="module">
  import { init, mount } from "/pkg/index.js";
  const query = new URLSearchParams(location.search);
  const host = document.getElementById("news");
  window.__events = [];
  for (const type of ["ready", "error"]) {
    host.addEventListener("article-cards:" + type, (e) => {
      window.__events.push({
        type,
        ms: performance.now() - window.__t0,
        offline: e.detail.offline === true,
      });
    });
  }
  await init();
  window.__t0 = performance.now();
  await mount(host, {
    src: query.get("src"),
    timeoutMs: Number(query.get("timeout")),
    retries: Number(query.get("retries")),
  });
  window.__mounted = true;
</script>
</body>
</html>
`;

/**
 * Starts the server. `faults` maps a bundle name (`/bundles/<name>.json`)
 * to a handler `(req, res, server)`; `csp` (set on the returned object)
 * is sent as the page's Content-Security-Policy when not empty. Returns
 * `{ origin, requests, csp, close }`; `requests` counts requests per path.
 */
export async function serveFaults(faults) {
  const requests = new Map();
  const state = { csp: "" };
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    requests.set(pathname, (requests.get(pathname) || 0) + 1);
    const bundle = /^\/bundles\/([\w-]+)\.json$/.exec(pathname);
    if (bundle && faults[bundle[1]]) {
      faults[bundle[1]](req, res, state);
      return;
    }
    if (pathname === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (pathname === "/page.html") {
      const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
      if (state.csp) headers["content-security-policy"] = state.csp;
      res.writeHead(200, headers).end(PAGE);
      return;
    }
    const [dir, rest] = pathname.startsWith("/pkg/")
      ? [DIST, pathname.slice(5)]
      : pathname.startsWith("/bundles/images/")
        ? [path.join(E2E, "fixtures/images"), pathname.slice(16)]
        : [];
    const file = dir && path.resolve(dir, rest);
    if (!file || !file.startsWith(dir + path.sep)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    try {
      const body = await readFile(file);
      res
        .writeHead(200, {
          "content-type": TYPES[path.extname(file)] || "application/octet-stream",
          "cache-control": "no-store",
        })
        .end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return Object.assign(state, {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  });
}

/** The fixture bundle (8 articles, images beside it under `images/`). */
export function fixtureBundle() {
  return readFile(path.join(E2E, "fixtures/bundle.json"));
}

/** A gzip body of `BOMB_BYTES` spaces: a few tens of KB on the wire. */
export function gzipBomb() {
  return gzipSync(Buffer.alloc(BOMB_BYTES, " "), { level: 9 });
}
