import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, uniqueSuffix } from "./helpers";
import type { APIRequestContext, Browser } from "@playwright/test";

// /me/security's credentials: the personal access token (shown once, works as Basic, revoked) and
// the active sessions (one signed out from another browser, everywhere else). Each test has a user
// of its own: signing out "everywhere else" as the shared Super Admin would end the sessions of
// the tests running beside it.

const PASSWORD = "security password 1";

async function newUser(request: APIRequestContext): Promise<string> {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Security ${suffix}` });
  const email = `keeper-${suffix}@security.example`;
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, role: "User", organization_id: orgId, password: PASSWORD } },
    }),
    201,
  );
  return email;
}

async function basicStatus(request: APIRequestContext, token: string): Promise<number> {
  const res = await request.get("/v2/user/me", { headers: { Authorization: `Basic ${token}` } });
  return res.status();
}

async function signedInContext(browser: Browser, email: string, javaScript = true) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await signIn(page, { email, password: PASSWORD, javaScript });
  return { context, page };
}

test("generate an access token, copy it once, use it as Basic, revoke it", async ({ page, request }) => {
  const email = await newUser(request);
  await signIn(page, { email, password: PASSWORD });
  await goto(page, "/me/security");
  const card = page.locator("#access-token");
  await expect(card.getByText("You have no access token.")).toBeVisible();
  await card.getByRole("button", { name: "Generate token", exact: true }).click();
  const shown = page.getByLabel("Your new access token", { exact: true });
  await expect(shown).toBeVisible();
  const token = await shown.inputValue();
  expect(token.length).toBeGreaterThanOrEqual(43);
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  expect(await basicStatus(request, token)).toBe(200);

  // Shown once: a reload says it exists, never what it is.
  await goto(page, "/me/security");
  await expect(page.getByLabel("Your new access token", { exact: true })).toHaveCount(0);
  await expect(card.getByText(/Generated .* UTC · last used .* UTC/)).toBeVisible();

  // Revoking asks first; Cancel keeps it.
  await card.getByRole("button", { name: "Revoke token", exact: true }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
  expect(await basicStatus(request, token)).toBe(200);
  await card.getByRole("button", { name: "Revoke token", exact: true }).click();
  await dialog.getByRole("button", { name: "Revoke token", exact: true }).click();
  await expect(page.getByText("Access token revoked. It no longer works.")).toBeVisible();
  await expect(card.getByText("You have no access token.")).toBeVisible();
  expect(await basicStatus(request, token)).toBe(401);
});

test("sign out another browser's session, then everywhere else", async ({ browser, request }) => {
  const email = await newUser(request);
  const laptop = await signedInContext(browser, email);
  const phone = await signedInContext(browser, email);
  const tablet = await signedInContext(browser, email);
  try {
    await goto(laptop.page, "/me/security");
    const rows = laptop.page.locator("#sessions tbody tr");
    await expect(rows).toHaveCount(3);
    await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);

    // The phone's session: the newest of the others is listed first after this one's.
    const other = rows.filter({ hasNotText: "This device" }).first();
    await other.getByRole("button", { name: /^Sign out/ }).click();
    await expect(laptop.page.getByText("That session is signed out.")).toBeVisible();
    await expect(rows).toHaveCount(2);

    // One of the two other browsers is signed out now; "everywhere else" ends the last.
    await laptop.page.getByRole("button", { name: "Sign out everywhere else", exact: true }).click();
    const dialog = laptop.page.getByRole("alertdialog");
    await dialog.getByRole("button", { name: "Sign out everywhere else", exact: true }).click();
    await expect(laptop.page.getByText("Signed out of 1 other session.")).toBeVisible();
    await expect(rows).toHaveCount(1);

    for (const { page } of [phone, tablet]) {
      await page.goto("/me");
      await page.waitForURL((url) => url.pathname === "/login");
    }
    // This browser stays signed in.
    await goto(laptop.page, "/me");
    await expect(laptop.page.getByRole("heading", { name: "Profile", exact: true })).toBeVisible();
  } finally {
    await Promise.all([laptop.context.close(), phone.context.close(), tablet.context.close()]);
  }
});

test("without JavaScript: the token is shown once after a plain post, the other sessions end", async ({ browser, request }) => {
  const email = await newUser(request);
  const other = await signedInContext(browser, email);
  const plain = await signedInContext(browser, email, false);
  try {
    const page = plain.page;
    await page.goto("/me/security");
    await page.getByRole("button", { name: "Generate token", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/me/security");
    expect(page.url()).not.toContain("token=");
    await expect(page.getByText("Access token generated. Copy it now: it is shown only once.")).toBeVisible();
    const token = await page.getByLabel("Your new access token", { exact: true }).inputValue();
    expect(await basicStatus(request, token)).toBe(200);
    await page.reload();
    await expect(page.getByLabel("Your new access token", { exact: true })).toHaveCount(0);

    // Without JavaScript there is no dialog: the button posts at once.
    await page.getByRole("button", { name: "Sign out everywhere else", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/me/security");
    await expect(page.getByText("Signed out everywhere else.")).toBeVisible();
    await expect(page.locator("#sessions tbody tr")).toHaveCount(1);
    await other.page.goto("/me");
    await other.page.waitForURL((url) => url.pathname === "/login");

    await page.getByRole("button", { name: "Revoke token", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/me/security");
    await expect(page.getByText("Access token revoked. It no longer works.")).toBeVisible();
    expect(await basicStatus(request, token)).toBe(401);
  } finally {
    await Promise.all([other.context.close(), plain.context.close()]);
  }
});
