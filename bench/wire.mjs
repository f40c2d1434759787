// How the app arrives over a slow network: wasm bytes on the wire on a first and a repeat visit, and
// the time until a page is interactive (hydrated) on Chrome DevTools' "Slow 4G" profile with a 4×
// CPU slowdown. Prints `key=value` lines that bench/run.sh reads.
//
//   node bench/wire.mjs <base URL> <cookie "name=value"> <path>
//
// Uses end2end's Playwright with Debian's Chromium (never `playwright install`).
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "end2end", "package.json"));
const { chromium } = require("@playwright/test");

const [base, cookie, pagePath = "/organizations"] = process.argv.slice(2);
if (!base || !cookie) {
  console.error("usage: node bench/wire.mjs <base URL> <cookie name=value> [path]");
  process.exit(2);
}

// Chrome DevTools' "Slow 4G" preset (the one formerly called "Fast 3G").
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
  uploadThroughput: (750 * 1024 * 0.9) / 8,
};
const CPU_SLOWDOWN = 4;
const RUNS = Number(process.env.WIRE_RUNS ?? 3);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});

const [cookieName, ...rest] = cookie.split("=");
const url = new URL(base);

/** One visit of `pagePath` in `page`: wasm bytes received over the network (as compressed, headers
 *  included; 0 when served from the cache) and ms from navigation start to hydrated. */
async function visit(page, cdp) {
  let wasmBytes = 0;
  const wasmRequests = new Set();
  const onResponse = (e) => {
    if (e.response.url.endsWith(".wasm")) wasmRequests.add(e.requestId);
  };
  const onFinished = (e) => {
    if (wasmRequests.has(e.requestId)) wasmBytes += e.encodedDataLength;
  };
  cdp.on("Network.responseReceived", onResponse);
  cdp.on("Network.loadingFinished", onFinished);
  const started = Date.now();
  await page.goto(base + pagePath, { waitUntil: "commit" });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60_000 });
  const interactiveMs = Date.now() - started;
  // Let the last loadingFinished events arrive.
  await page.waitForTimeout(200);
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onFinished);
  return { wasmBytes, interactiveMs };
}

const firsts = [];
const repeats = [];
for (let run = 0; run < RUNS; run++) {
  // A fresh profile per run: the first visit has an empty cache.
  const context = await browser.newContext();
  await context.addCookies([
    { name: cookieName, value: rest.join("="), domain: url.hostname, path: "/", httpOnly: true },
  ]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  firsts.push(await visit(page, cdp));
  repeats.push(await visit(page, cdp));
  await context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`wasm_first_bytes=${median(firsts.map((v) => v.wasmBytes))}`);
console.log(`wasm_repeat_bytes=${median(repeats.map((v) => v.wasmBytes))}`);
console.log(`interactive_first_ms=${median(firsts.map((v) => v.interactiveMs))}`);
console.log(`interactive_repeat_ms=${median(repeats.map((v) => v.interactiveMs))}`);
console.log(`interactive_first_all_ms=${firsts.map((v) => v.interactiveMs).join(",")}`);
