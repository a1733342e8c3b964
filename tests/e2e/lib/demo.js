// The demo, started exactly as the README's quick start says
// (`cargo xtask demo`), on a free port and with a time limit so the server
// always stops, even when a test run is killed.

import { spawn } from "node:child_process";
import net from "node:net";

import { ROOT } from "./server.js";

/** A free loopback port (closed again before it is returned). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * Starts the demo; resolves to `{ origin, stop }` once it serves. `extra`:
 * more options of `cargo xtask demo` (e.g. `["--archive", "1000"]`).
 */
export async function startDemo(extra = []) {
  const port = await freePort();
  // The README's command, verbatim but for the port and the time limit.
  const demo = spawn("cargo", ["xtask", "demo", ...extra, "--port", String(port), "--max-seconds", "1200"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so the whole tree (cargo, xtask, the server)
    // is stopped together after the tests.
    detached: true,
  });
  let log = "";
  const origin = await new Promise((resolve, reject) => {
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
  const stop = () => {
    if (demo.exitCode === null) {
      try {
        process.kill(-demo.pid, "SIGINT");
      } catch {
        demo.kill("SIGINT");
      }
    }
    demo.stdout.destroy();
    demo.stderr.destroy();
  };
  return { origin, stop };
}
