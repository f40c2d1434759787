import { test, expect, ADMIN_EMAIL, signIn, waitForHydration } from "./helpers";

test("signing out from the user menu ends the session", async ({ page }) => {
  await signIn(page);
  await waitForHydration(page);

  await page.getByRole("button", { name: new RegExp(ADMIN_EMAIL.replace(/[.]/g, "\\.")) }).click();
  await page
    .getByRole("menuitem", { name: "Sign out", exact: true })
    .or(page.getByRole("button", { name: "Sign out", exact: true }))
    .or(page.getByRole("link", { name: "Sign out", exact: true }))
    .first()
    .click();

  await page.waitForURL((url) => url.pathname === "/login");

  await page.goto("/organizations");
  await page.waitForURL((url) => url.pathname === "/login");
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
});
