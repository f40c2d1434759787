import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, tableRows, uniqueSuffix } from "./helpers";
import type { APIRequestContext, Page } from "@playwright/test";

async function changePassword(page: Page, from: string, to: string) {
  await goto(page, "/me/security");
  await page.getByLabel("Current password", { exact: true }).fill(from);
  await page.getByLabel("New password", { exact: true }).fill(to);
  await page.getByLabel("Confirm the new password", { exact: true }).fill(to);
  await page.getByRole("button", { name: "Change password", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /Password changed/ }).first()).toBeVisible();
}

async function noticesSent(request: APIRequestContext, token: string, email: string): Promise<number> {
  const res = await request.get(
    `/v2/outbox?q[recipient]=${encodeURIComponent(email)}&q[template]=password_changed`,
    { headers: bearer(token) },
  );
  await expectStatus(res, 200);
  return (await res.json()).meta.total_count;
}

test("the policy tab decides whether a password change notifies the user", async ({ browser, request }) => {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Policy ${suffix}` });
  const email = `policy-${suffix}@policy.example`;
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, role: "User", organization_id: orgId, password: "policy password 1" } },
    }),
    201,
  );

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin);
  await goto(admin, `/organizations/${orgId}/policy`);
  await expect(admin.getByText("This organization follows the instance default.", { exact: false })).toBeVisible();
  const passwordSwitch = admin.getByRole("switch", { name: "A password changes" });
  await expect(passwordSwitch).not.toBeChecked();
  await admin.getByText("A password changes", { exact: true }).click();
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Notification policy saved" })).toBeVisible();
  await expect(admin.getByText("This organization has a policy of its own.")).toBeVisible();

  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await signIn(user, { email, password: "policy password 1" });
  await changePassword(user, "policy password 1", "policy password 2");
  await goto(user, "/notifications");
  await expect(tableRows(user)).toHaveCount(1);
  await expect(tableRows(user).first()).toContainText("Password changed");
  expect(await noticesSent(request, token, email)).toBe(1);

  // Switched off: the next change sends nothing, in the app or by email.
  await goto(admin, `/organizations/${orgId}/policy`);
  await expect(passwordSwitch).toBeChecked();
  await admin.getByText("A password changes", { exact: true }).click();
  await admin.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Notification policy saved" })).toBeVisible();
  await changePassword(user, "policy password 2", "policy password 3");
  await goto(user, "/notifications");
  await expect(tableRows(user)).toHaveCount(1);
  expect(await noticesSent(request, token, email)).toBe(1);

  // Back to the instance default.
  await admin.getByRole("button", { name: "Use the instance default" }).click();
  await expect(admin.getByText("This organization follows the instance default.", { exact: false })).toBeVisible();
  await adminContext.close();
  await userContext.close();
});
