import { test, expect, accountMenu, signIn } from "./helpers";

async function signOutFromMenu(page: import("@playwright/test").Page) {
  // The account menu is a disclosure (<details>): it opens with or without JavaScript.
  await accountMenu(page).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/login");

  await page.goto("/organizations");
  await page.waitForURL((url) => url.pathname === "/login");
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
}

test("signing out from the user menu ends the session", async ({ page }) => {
  await signIn(page);
  await signOutFromMenu(page);
});

test("Escape closes the user menu and returns focus to its button", async ({ page }) => {
  await signIn(page);
  const summary = accountMenu(page);
  await summary.click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeHidden();
  await expect(summary).toBeFocused();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the user menu opens and signs out", async ({ page }) => {
    await signIn(page, { javaScript: false });
    await signOutFromMenu(page);
  });
});
