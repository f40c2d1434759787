import {
  test,
  expect,
  apiToken,
  bearer,
  createOrg,
  expectStatus,
  goto,
  signIn,
  tableRows,
  uniqueSuffix,
  ADMIN_EMAIL,
} from "./helpers";
import type { APIRequestContext, Page, PlaywrightWorkerArgs } from "@playwright/test";

/** The Super Admin's own user record: until users can be invited, the one user every run has. */
async function adminUser(request: APIRequestContext, token: string) {
  const res = await request.get(`/v2/users?q[email]=${encodeURIComponent(ADMIN_EMAIL)}`, {
    headers: bearer(token),
  });
  await expectStatus(res, 200);
  const body = await res.json();
  return body.data[0] as { id: string; attributes: Record<string, unknown> };
}

function saveButton(page: Page) {
  return page.getByRole("button", { name: "Save", exact: true });
}

// Both tests edit the same user (the Super Admin): one after the other, or a save of one would be
// a stale save (412) for the other.
test.describe.serial("users", () => {
  test("edit a user: every invalid field inline, nothing saved, then a save", async ({ page, request }) => {
    const token = await apiToken(request);
    const { id } = await adminUser(request, token);
    await signIn(page);
    await goto(page, `/users/${id}`);

    const email = page.getByLabel("Email", { exact: true });
    const zone = page.getByLabel("Time zone", { exact: true });
    await expect(email).toHaveValue(ADMIN_EMAIL);
    await email.fill("broken");
    await zone.fill("Mars/Base");
    await saveButton(page).click();
    await expect(email).toHaveAttribute("aria-invalid", "true");
    await expect(email).toHaveAccessibleDescription(/valid email/);
    await expect(zone).toHaveAccessibleDescription(/time zone/);
    expect((await adminUser(request, token)).attributes.email).toBe(ADMIN_EMAIL);

    const title = `CISO ${uniqueSuffix()}`;
    await email.fill(ADMIN_EMAIL);
    await zone.fill("Europe/Athens");
    await page.getByLabel("Job title", { exact: true }).fill(title);
    await saveButton(page).click();
    await expect(page.getByRole("status").filter({ hasText: "User saved" })).toBeVisible();
    await expect(email).not.toHaveAttribute("aria-invalid", "true");
    const saved = (await adminUser(request, token)).attributes;
    expect(saved.title).toBe(title);
    expect(saved.timezone).toBe("Europe/Athens");
  });

  test("the signed-in user edits their own profile at /me, without a role to choose", async ({ page, request }) => {
    const token = await apiToken(request);
    await signIn(page);
    await goto(page, "/me");
    await expect(page.getByLabel("Role", { exact: true })).toHaveCount(0);
    const title = `Head of Security ${uniqueSuffix()}`;
    await page.getByLabel("Job title", { exact: true }).fill(title);
    await saveButton(page).click();
    await expect(page.getByRole("status").filter({ hasText: "Profile saved" })).toBeVisible();
    expect((await adminUser(request, token)).attributes.title).toBe(title);
  });

  test("without JavaScript: the list filters by role, a save's errors come back inline", async ({
    browser,
    request,
  }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await signIn(page, { javaScript: false });
      await page.goto("/users");
      await expect(tableRows(page).first()).toBeVisible();

      // The role filter and the search are one GET form.
      await page.getByLabel("Role", { exact: true }).selectOption("Super Admin");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get("role") === "Super Admin");
      const rows = tableRows(page);
      await expect(rows.filter({ hasText: ADMIN_EMAIL })).toHaveCount(1);
      for (const row of await rows.all()) await expect(row).toContainText("Super Admin");

      await page.getByRole("link", { name: ADMIN_EMAIL, exact: true }).click();
      await page.waitForURL(/\/users\/[0-9a-f-]{36}$/);
      const email = page.getByLabel("Email", { exact: true });
      await email.fill("still broken");
      await saveButton(page).click();
      // A plain form post: redirected back to the form, with the error and what was typed.
      await page.waitForURL(/\/users\/[0-9a-f-]{36}/);
      await expect(page.getByLabel("Email", { exact: true })).toHaveValue("still broken");
      await expect(page.getByLabel("Email", { exact: true })).toHaveAccessibleDescription(/valid email/);
      const token = await apiToken(request);
      expect((await adminUser(request, token)).attributes.email).toBe(ADMIN_EMAIL);
    } finally {
      await context.close();
    }
  });
});

test("an organization's Members lead to its users, and the filter can be dropped", async ({ page, request }) => {
  const token = await apiToken(request);
  const res = await request.get("/v2/users?per_page=1", { headers: bearer(token) });
  const organization = (await res.json()).data[0].attributes.organization as { id: string; name: string };
  await signIn(page);
  await goto(page, `/organizations/${organization.id}`);
  await page.getByRole("link", { name: /^Members \(\d+\)$/ }).click();
  await page.waitForURL((url) => url.searchParams.get("organization_id") === organization.id);
  const rows = tableRows(page);
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) await expect(row).toContainText(organization.name);

  // The filter survives a search, and "Show all" drops it.
  await page.getByLabel("Search users").fill("@");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get("q") === "@");
  expect(new URL(page.url()).searchParams.get("organization_id")).toBe(organization.id);
  await page.getByRole("link", { name: "Show all", exact: true }).click();
  await page.waitForURL((url) => !url.searchParams.has("organization_id"));
});

test("a wrong current password is refused inline, without JavaScript too", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await signIn(page, { javaScript: false });
    await page.goto("/me/security");
    await page.getByLabel("Current password", { exact: true }).fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill("a brand new password");
    await page.getByLabel("Confirm the new password", { exact: true }).fill("a different one");
    await page.getByRole("button", { name: "Change password", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/me/security");
    const current = page.getByLabel("Current password", { exact: true });
    await expect(current).toHaveAccessibleDescription(/is incorrect/);
    await expect(current).toHaveValue("");
    await expect(page.getByLabel("Confirm the new password", { exact: true })).toHaveAccessibleDescription(
      /doesn't match/,
    );
  } finally {
    await context.close();
  }
});

/**
 * Sign-in attempts of a client without cookies. The test's `request` may carry the Super Admin's
 * session cookie (`apiToken` signs in through it when its worker has no token yet), and a
 * cookie-bearing request without the site's Origin is refused (403) before it is a sign-in.
 */
async function anonymousClient(playwright: PlaywrightWorkerArgs["playwright"]) {
  return playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
}

/** A new user of a new organization, locked out by ten wrong passwords. */
async function lockedUser(request: APIRequestContext, anonymous: APIRequestContext) {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const organization_id = await createOrg(request, token, { name: `Lockout ${suffix}` });
  const email = `locked-${suffix}@lockout.example`;
  const password = "lockout password 1";
  const created = await request.post("/v2/users", {
    headers: bearer(token),
    data: { user: { email, role: "User", organization_id, password } },
  });
  await expectStatus(created, 201);
  const id = (await created.json()).data.id as string;
  for (let attempt = 0; attempt < 10; attempt++) {
    await expectStatus(await anonymous.post("/auth/sign_in", { data: { username: email, password: "wrong" } }), 401);
  }
  await expectStatus(await anonymous.post("/auth/sign_in", { data: { username: email, password } }), 401);
  return { id, email, password };
}

for (const javaScript of [true, false]) {
  test(`an admin unlocks a user locked out by failed sign-ins (JavaScript ${javaScript ? "on" : "off"})`, async ({ browser, playwright, request }) => {
    const anonymous = await anonymousClient(playwright);
    const user = await lockedUser(request, anonymous);
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    await signIn(page, { javaScript });
    await goto(page, `/users/${user.id}`, { javaScript });
    const locked = page.getByRole("region", { name: "Locked" });
    await expect(locked).toContainText("after repeated failed sign-ins");
    await locked.getByRole("button", { name: "Unlock", exact: true }).click();
    if (!javaScript) {
      await expect(page.getByRole("status").filter({ hasText: "User unlocked" })).toBeVisible();
    }
    await expect(page.getByRole("region", { name: "Locked" })).toHaveCount(0);
    await expectStatus(
      await anonymous.post("/auth/sign_in", { data: { username: user.email, password: user.password } }),
      200,
    );
    await context.close();
    await anonymous.dispose();
  });
}
