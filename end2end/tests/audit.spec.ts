import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, tableRows, uniqueSuffix } from "./helpers";
import type { APIRequestContext, Page } from "@playwright/test";

// /audit: a change made through the API shows on the audit screen, filtered by its action, and
// its page shows each changed field's before and after; with and without JavaScript.

async function renamedCity(request: APIRequestContext): Promise<string> {
  const token = await apiToken(request);
  const name = `Audited ${uniqueSuffix()}`;
  const id = await createOrg(request, token, { name, city: "Berlin" });
  await expectStatus(
    await request.put(`/v2/organizations/${id}`, {
      headers: bearer(token),
      data: { organization: { city: "Paris" } },
    }),
    200,
  );
  return name;
}

async function findTheUpdate(page: Page, name: string) {
  await page.getByLabel("Action", { exact: true }).selectOption("organization.update");
  await page.getByLabel("Target", { exact: true }).selectOption("organizations");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get("action") === "organization.update");
  const row = tableRows(page).filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Organization updated");
  return row;
}

for (const javaScript of [true, false]) {
  test(`the audit screen finds a change and shows its diff (JavaScript ${javaScript ? "on" : "off"})`, async ({ browser, request }) => {
    const name = await renamedCity(request);
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    try {
      await signIn(page, { javaScript });
      if (javaScript) await goto(page, "/audit");
      else await page.goto("/audit");
      await expect(page.getByRole("heading", { name: "Audit", exact: true })).toBeVisible();
      const row = await findTheUpdate(page, name);
      await row.getByRole("link").first().click();
      await page.waitForURL(/\/audit\/[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { name: "Organization updated", exact: true })).toBeVisible();
      const city = page.locator("table tbody tr").filter({ hasText: "city" });
      await expect(city).toContainText("Berlin");
      await expect(city).toContainText("Paris");
      await expect(page.getByRole("link", { name, exact: true })).toBeVisible();

      // Everything that happened to that organization: its creation and the update.
      await page.getByRole("link", { name: "Everything on this target", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/audit" && url.searchParams.has("target_id"));
      await expect(tableRows(page)).toHaveCount(2);
      await expect(tableRows(page).filter({ hasText: "Organization created" })).toHaveCount(1);
    } finally {
      await context.close();
    }
  });
}
