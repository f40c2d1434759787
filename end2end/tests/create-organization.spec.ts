import { test, expect, signIn, uniqueSuffix, waitForHydration } from "./helpers";

test("creating an organization opens its page", async ({ page }) => {
  const name = `Wonka ${uniqueSuffix()}`;
  await signIn(page);
  await page.goto("/organizations/new");
  await waitForHydration(page);

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Company name", { exact: true }).fill(`${name} Chocolate Factory`);
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await page.waitForURL(
    /\/organizations\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  await expect(page.getByRole("heading", { name, exact: true }).first()).toBeVisible();
});
