import * as fs from "node:fs";

// Deletes the SQLite database that playwright.config.ts chose for this run (with its -wal/-shm).
export default async function globalTeardown(): Promise<void> {
  const file = process.env.STEWARD_E2E_SQLITE_FILE;
  if (!file || process.env.STEWARD_E2E_DATABASE_URL) return;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    fs.rmSync(file + suffix, { force: true });
  }
}
