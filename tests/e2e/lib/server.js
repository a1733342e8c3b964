// A tiny static server for the tests: 127.0.0.1, a random port, the right
// content types (application/wasm above all), no caching, a request log
// (paths, and paths with request headers), and per-path extra headers (the
// CSP pages).

import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E = path.resolve(here, "..");
export const ROOT = path.resolve(E2E, "../..");
export const DIST = path.join(ROOT, "pkg/dist");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".map": "application/json",
};

/**
 * Serves `mounts` (URL prefix → folder; the longest prefix wins).
 * `headers(pathname)` adds response headers. Returns `{ origin, requests,
 * log, close }`; `requests` lists every path asked for, in order, and `log`
 * the same as `{ path, headers }` (header names in lower case).
 */
export async function serve({ mounts, headers = () => ({}) }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const requests = [];
  const log = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    const pathname = decodeURIComponent(url.pathname);
    requests.push(pathname);
    log.push({ path: pathname, headers: req.headers });
    if (pathname === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    const dir = prefix && path.resolve(mounts[prefix]);
    let file = dir && path.resolve(dir, "." + pathname.slice(prefix.length - 1));
    if (!file || (file !== dir && !file.startsWith(dir + path.sep))) {
      res.writeHead(404).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] || "application/octet-stream",
        "cache-control": "no-store",
        ...headers(pathname),
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/** The usual mounts: test pages at `/`, fixtures, and the built package. */
export function standardMounts(extra = {}) {
  return {
    "/": path.join(E2E, "pages"),
    "/fixtures/": path.join(E2E, "fixtures"),
    "/pkg/": DIST,
    ...extra,
  };
}
