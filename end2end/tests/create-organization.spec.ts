import { test, expect, goto, signIn, uniqueSuffix } from "./helpers";

const ORG_PAGE = /\/organizations\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\?.*)?$/;

test("creating an organization opens its page", async ({ page }) => {
  const name = `Wonka ${uniqueSuffix()}`;
  await signIn(page);
  await goto(page, "/organizations/new");

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Company name", { exact: true }).fill(`${name} Chocolate Factory`);
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await page.waitForURL(ORG_PAGE);
  await expect(page.getByRole("heading", { name, exact: true }).first()).toBeVisible();
});

test("an empty form shows the field errors, not a framework message", async ({ page }) => {
  await signIn(page);
  await goto(page, "/organizations/new");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  const name = page.getByLabel("Name", { exact: true });
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/can't be blank/);
  await expect(page.getByText(/missing field/)).toHaveCount(0);
  // Focus moves to the summary at the top of the form.
  await expect(page.locator(".error-summary")).toBeFocused();
  expect(new URL(page.url()).pathname).toBe("/organizations/new");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an invalid save comes back as the form with its errors and values", async ({ page }) => {
    await signIn(page, { javaScript: false });
    await page.goto("/organizations/new");
    const company = `Company ${uniqueSuffix()}`;
    await page.getByLabel("Company name", { exact: true }).fill(company);
    await page.getByLabel("Website", { exact: true }).fill("not a url");
    await page.getByRole("button", { name: "Save", exact: true }).click();

    await page.waitForURL((url) => url.pathname === "/organizations/new");
    await expect(page.getByRole("heading", { name: "New organization" })).toBeVisible();
    const name = page.getByLabel("Name", { exact: true });
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(name).toHaveAccessibleDescription(/can't be blank/);
    await expect(page.getByLabel("Website", { exact: true })).toHaveAccessibleDescription(/valid URL/);
    await expect(page.getByLabel("Company name", { exact: true })).toHaveValue(company);
  });

  test("a valid save opens the new organization with a notice", async ({ page }) => {
    const name = `Wonka ${uniqueSuffix()}`;
    await signIn(page, { javaScript: false });
    await page.goto("/organizations/new");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Company name", { exact: true }).fill(`${name} Inc.`);
    await page.getByRole("button", { name: "Save", exact: true }).click();

    await page.waitForURL(ORG_PAGE);
    await expect(page.getByRole("heading", { name, exact: true }).first()).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Organization created." })).toBeVisible();
  });
});
