import { defineConfig } from "@playwright/test";
import * as crypto from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";

// Steward's end-to-end suite. It starts the debug server (built by `cargo leptos build --split`) on its own
// port with a fresh database, and drives Debian's Chromium: never run `npx playwright install`.
//
//   STEWARD_E2E_DATABASE_URL  run against this database (scripts/test.sh passes a throwaway
//                             PostgreSQL one); default: a new SQLite file in the temp dir
//   STEWARD_E2E_PORT          default 3100 (3000 is the dev server's)
//   STEWARD_E2E_BIN           server binary, relative to the repo root; default target/debug/steward
//   STEWARD_E2E_REUSE=1       use a server already listening on the port instead of starting one

const repoRoot = path.resolve(__dirname, "..");
const port = Number(process.env.STEWARD_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

// The Super Admin the server creates on its first start (tests/helpers.ts has the same values).
const ADMIN_EMAIL = "admin@example.com";
const ADMIN_PASSWORD = "correct-horse-battery";

// The config is evaluated again in every worker; the workers inherit the runner's environment, so
// the SQLite file is chosen once per run. global-teardown.ts deletes it.
if (!process.env.STEWARD_E2E_DATABASE_URL && !process.env.STEWARD_E2E_SQLITE_FILE) {
  process.env.STEWARD_E2E_SQLITE_FILE = path.join(
    os.tmpdir(),
    `e2e-${crypto.randomBytes(6).toString("hex")}.db`,
  );
}
const databaseUrl =
  process.env.STEWARD_E2E_DATABASE_URL ||
  `sqlite://${process.env.STEWARD_E2E_SQLITE_FILE}?mode=rwc`;

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  globalTeardown: "./global-teardown.ts",
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // No retries: a test that passes only on its second try is a bug to find, not to hide.
  retries: 0,
  reporter: "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
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
    },
  },
  projects: [{ name: "chromium" }],
  webServer: {
    command: `./${process.env.STEWARD_E2E_BIN ?? "target/debug/steward"} serve`,
    cwd: repoRoot,
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: process.env.STEWARD_E2E_REUSE === "1",
    stdout: "ignore",
    stderr: "pipe",
    env: {
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      STEWARD_ADMIN_EMAIL: ADMIN_EMAIL,
      STEWARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
  },
});
