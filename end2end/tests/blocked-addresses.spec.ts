import { test, expect, goto, signIn } from "./helpers";
import * as http from "node:http";

// The per-address limit of failed sign-ins, seen and lifted by the Super Admin. The failures come
// from a loopback address of their own (127.0.0.2), so blocking it leaves every other test, all
// of them on 127.0.0.1, signing in as usual.

const BLOCKED = "127.0.0.2";

/** A failed sign-in sent from `from`: its status. */
function failedSignInFrom(from: string, baseURL: string): Promise<number> {
  const url = new URL("/auth/sign_in", baseURL);
  const body = JSON.stringify({ username: "nobody@blocked.example", password: "wrong password" });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

test("a Super Admin sees an address blocked after failed sign-ins and unblocks it", async ({ page, baseURL }) => {
  // The limit is 60 failures per window: the 61st is refused, and so is everything after it.
  let status = 0;
  for (let i = 0; i < 61 && status !== 429; i++) status = await failedSignInFrom(BLOCKED, baseURL!);
  expect(status).toBe(429);

  await signIn(page);
  await goto(page, "/audit?action=address.blocked");
  await expect(page.getByRole("link", { name: `Address ${BLOCKED}`, exact: true }).first()).toBeVisible();
  await page.getByRole("link", { name: "Blocked addresses", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Blocked addresses", exact: true })).toBeVisible();
  const row = page.locator("table tbody tr", { hasText: BLOCKED });
  await expect(row).toBeVisible();

  await row.getByRole("button", { name: `Unblock ${BLOCKED}`, exact: true }).click();
  await expect(page.getByText("Address unblocked: it can sign in again.")).toBeVisible();
  await expect(page.locator("table tbody tr", { hasText: BLOCKED })).toHaveCount(0);
  // Its count starts over: a wrong password is a wrong password again, not a 429.
  expect(await failedSignInFrom(BLOCKED, baseURL!)).toBe(401);

  await goto(page, "/audit?action=address.unblocked");
  await expect(page.getByRole("link", { name: `Address ${BLOCKED}`, exact: true }).first()).toBeVisible();
});
