import {
  test,
  expect,
  apiToken,
  bearer,
  createOrg,
  expectStatus,
  goto,
  signIn,
  uniqueSuffix,
} from "./helpers";
import type { APIRequestContext, Page } from "@playwright/test";

const PASSWORD = "notify password 1";

/** A new organization with an Admin and a User who can sign in: their emails and the org id. */
async function organization(request: APIRequestContext, token: string) {
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Notify ${suffix}` });
  const admin = `admin-${suffix}@notify.example`;
  const user = `user-${suffix}@notify.example`;
  for (const [email, role] of [[admin, "Admin"], [user, "User"]]) {
    await expectStatus(
      await request.post("/v2/users", {
        headers: bearer(token),
        data: { user: { email, role, organization_id: orgId, password: PASSWORD } },
      }),
      201,
    );
  }
  return { orgId, admin, user };
}

/** The user's preferences as the API reports them, by name (read with the user's own token). */
async function preferencesOf(page: Page) {
  const res = await page.request.get("/v2/user/preferences/notifications");
  await expectStatus(res, 200);
  const list = (await res.json()).data as { attributes: Record<string, any> }[];
  return Object.fromEntries(list.map((p) => [p.attributes.name, p.attributes]));
}

function card(page: Page, title: string) {
  return page.getByRole("region", { name: title, exact: true });
}

test("a user turns a preference on, narrows it, and undoes a change", async ({ page, request }) => {
  const token = await apiToken(request);
  const { user } = await organization(request, token);
  await signIn(page, { email: user, password: PASSWORD });
  await goto(page, "/me/notifications");

  const reports = card(page, "Reports");
  const on = reports.getByRole("switch", { name: "Notify me" });
  await expect(on).not.toBeChecked();
  await reports.locator("label.switch").click();
  await expect(reports.getByText("Saved.")).toBeVisible();
  await expect(on).toBeChecked();
  expect((await preferencesOf(page)).report_event.enabled).toBe(true);

  // A severity chip saves at once; Undo puts the previous state back.
  await reports.getByText("9", { exact: true }).click();
  await expect(reports.getByRole("checkbox", { name: "9", exact: true })).toBeChecked();
  await expect.poll(async () => (await preferencesOf(page)).report_event.params.if_severity).toEqual([9]);
  await reports.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Change undone" })).toBeVisible();
  await expect(reports.getByRole("checkbox", { name: "9", exact: true })).not.toBeChecked();
  expect((await preferencesOf(page)).report_event.params.if_severity).toEqual([]);
  expect((await preferencesOf(page)).report_event.enabled).toBe(true);

  // Email off, in the app still on.
  const scans = card(page, "Scans");
  await scans.getByText("Email", { exact: true }).click();
  await expect(scans.getByText("Saved.")).toBeVisible();
  expect((await preferencesOf(page)).scan_event.channels).toEqual({ email: false, in_app: true });
});

test("an admin's defaults reach their users, and a locked one can't be turned off", async ({ browser, request }) => {
  const token = await apiToken(request);
  const { orgId, admin, user } = await organization(request, token);

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, { email: admin, password: PASSWORD });
  await goto(adminPage, `/organizations/${orgId}/notifications`);
  const exceptions = card(adminPage, "Exceptions");
  await exceptions.getByText("Locked on", { exact: true }).click();
  await expect(exceptions.getByText("Saved.")).toBeVisible();
  const scans = card(adminPage, "Scans");
  await scans.getByText("On by default", { exact: true }).click();
  await expect(scans.getByText("Saved.")).toBeVisible();
  await adminContext.close();

  const userContext = await browser.newContext();
  const page = await userContext.newPage();
  await signIn(page, { email: user, password: PASSWORD });
  await goto(page, "/me/notifications");
  await expect(card(page, "Scans").getByRole("switch", { name: "Notify me" })).toBeChecked();
  const locked = card(page, "Exceptions").getByRole("switch", { name: "Notify me" });
  await expect(locked).toBeChecked();
  await expect(locked).toBeDisabled();
  await expect(locked).toHaveAccessibleDescription(/Required by your organization/);
  const prefs = await preferencesOf(page);
  expect(prefs.exception_event).toMatchObject({ enabled: true, locked: true });
  // The API refuses to turn it off too.
  const refused = await page.request.put("/v2/user/preferences/notifications/exception_event/disable");
  expect(refused.status()).toBe(403);
  await userContext.close();
});

test("without JavaScript: a card saves with its button", async ({ browser, request }) => {
  const token = await apiToken(request);
  const { user } = await organization(request, token);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await signIn(page, { email: user, password: PASSWORD, javaScript: false });
    await goto(page, "/me/notifications", { javaScript: false });
    const reports = card(page, "Reports");
    // What a person clicks: the switch and the chip (the boxes themselves are visually hidden).
    await reports.locator("label.switch").click();
    await reports.getByText("7", { exact: true }).click();
    await reports.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Notification preference saved.")).toBeVisible();
    await expect(card(page, "Reports").getByRole("switch", { name: "Notify me" })).toBeChecked();
    const prefs = await preferencesOf(page);
    expect(prefs.report_event).toMatchObject({ enabled: true, params: { if_severity: [7] } });
  } finally {
    await context.close();
  }
});
