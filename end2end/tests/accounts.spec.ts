import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, uniqueSuffix } from "./helpers";
import type { APIRequestContext, Page } from "@playwright/test";

// People who get in by email: an invitee accepts from the emailed link, and a forgotten password
// is reset. The links are read from the outbox, as the invitee reads them from their inbox (with
// no SMTP server configured, the outbox is where email goes).

/** The path of the newest emailed link to `email` that opens `page` ("/invitation/", ...). */
async function emailedPath(request: APIRequestContext, email: string, page: string): Promise<string> {
  const token = await apiToken(request);
  const res = await request.get(`/v2/outbox?q[recipient]=${encodeURIComponent(email)}`, {
    headers: bearer(token),
  });
  await expectStatus(res, 200);
  const messages = (await res.json()).data as { attributes: { body_text: string } }[];
  for (const message of messages) {
    const found = message.attributes.body_text.match(new RegExp(`https?://[^/\\s]+(${page}[A-Za-z0-9_-]+)`));
    if (found) return found[1];
  }
  throw new Error(`no email to ${email} with a ${page} link`);
}

async function fillPasswords(page: Page, first: string, second = first) {
  await page.getByLabel(/^(New password|Password)$/).fill(first);
  await page.getByLabel(/^Confirm the (new )?password$/).fill(second);
}

test("add a member from an organization's page, read the link on /outbox, accept it and be signed in", async ({ page, request }) => {
  const email = `invitee-${uniqueSuffix()}@example.com`;
  const organization = `Invites ${uniqueSuffix()}`;
  const orgId = await createOrg(request, await apiToken(request), { name: organization });
  await signIn(page);
  await goto(page, `/organizations/${orgId}`);
  await page.getByRole("link", { name: "Add member" }).click();
  await page.waitForURL(/\/users\/new\?organization_id=/);
  await expect(page.getByText(`Into ${organization}.`)).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("First name", { exact: true }).fill("Ines");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await page.waitForURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByText("not confirmed yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Resend invitation" })).toBeVisible();

  // The Super Admin reads the message on the outbox page.
  await goto(page, `/outbox?q=${encodeURIComponent(email)}`);
  const message = page.locator("details.outbox-message").first();
  await message.locator("summary").click();
  const body = await message.locator("pre").innerText();
  const link = body.match(/https?:\/\/[^/\s]+(\/invitation\/[A-Za-z0-9_-]+)/);
  expect(link, body).not.toBeNull();

  // The invitee, signed out, opens it.
  await page.context().clearCookies();
  await goto(page, link![1]);
  await expect(page.getByText(`You are invited to join ${organization} as User.`)).toBeVisible();
  await expect(page.getByLabel("First name", { exact: true })).toHaveValue("Ines");
  // A mismatch first: the error sits next to the field, nothing is spent.
  await fillPasswords(page, "invitee password 1", "something else");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await expect(page.locator("#field-password_confirmation-error")).toHaveText("doesn't match the password");
  await expect(page.getByLabel("Confirm the password")).toHaveAttribute("aria-invalid", "true");
  await fillPasswords(page, "invitee password 1");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
  await expect(page.getByText("your invitation is accepted")).toBeVisible();

  // The link works once.
  await page.context().clearCookies();
  await goto(page, link![1]);
  await expect(page.getByText("This invitation link is invalid, was already used, or has expired.")).toBeVisible();
});

test("forgot password, reset from the emailed link, sign in with the new one", async ({ page, request }) => {
  const email = `forgetful-${uniqueSuffix()}@example.com`;
  const token = await apiToken(request);
  const orgId = await createOrg(request, token, { name: `Resets ${uniqueSuffix()}` });
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, password: "the old password", organization_id: orgId } },
    }),
    201,
  );

  await goto(page, "/login");
  await page.getByLabel("Email or username", { exact: true }).fill(email);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.waitForURL(/\/password\/forgot/);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "an email with a link" })).toBeVisible();

  const reset = await emailedPath(request, email, "/password/reset/");
  await goto(page, reset);
  await fillPasswords(page, "short");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.locator("#field-password-error")).toContainText("is too short");
  await fillPasswords(page, "the new password");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/login\?notice=password_reset/);
  await expect(page.getByText("Your password is set.")).toBeVisible();
  await signIn(page, { email, password: "the new password" });

  // Used once: the same link now says so, and offers a new one.
  await page.context().clearCookies();
  await goto(page, reset);
  await fillPasswords(page, "yet another password");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a forgotten password is asked for with a plain form post", async ({ page }) => {
    await goto(page, "/password/forgot", { javaScript: false });
    await page.getByLabel("Email", { exact: true }).fill(`nobody-${uniqueSuffix()}@example.com`);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.waitForURL(/notice=reset_sent/);
    await expect(page.getByRole("status").filter({ hasText: "an email with a link" })).toBeVisible();
  });
});

test("a user deletes their own account from Security, after the password and a confirmation", async ({ page, request }) => {
  const email = `leaver-${uniqueSuffix()}@example.com`;
  const token = await apiToken(request);
  const orgId = await createOrg(request, token, { name: `Leavers ${uniqueSuffix()}` });
  // An Admin first, so that the leaver isn't the organization's last one.
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email: `stays-${uniqueSuffix()}@example.com`, role: "Admin", password: "stays password", organization_id: orgId } },
    }),
    201,
  );
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, password: "leaver password", organization_id: orgId } },
    }),
    201,
  );
  await signIn(page, { email, password: "leaver password" });
  await goto(page, "/me/security");
  const password = page.getByLabel("Your password", { exact: true });
  await password.fill("not my password");
  await page.getByRole("button", { name: "Delete my account" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.locator("#delete-account-password-error")).toHaveText("is incorrect");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await password.fill("leaver password");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await page.waitForURL(/\/login\?notice=account_deleted/);
  await expect(page.getByText("Your account is deleted.")).toBeVisible();
  const left = await request.get(`/v2/users?q[email]=${encodeURIComponent(email)}`, { headers: bearer(token) });
  expect((await left.json()).meta.total_count).toBe(0);
});
