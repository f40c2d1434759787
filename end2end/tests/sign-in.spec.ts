import { test, expect, ADMIN_EMAIL, ADMIN_PASSWORD, waitForHydration } from "./helpers";

test.describe("sign in", () => {
  test("a wrong password shows an error and stays on /login", async ({ page }) => {
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByLabel("Email or username", { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Invalid" })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  test("the right password lands on the dashboard", async ({ page }) => {
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByLabel("Email or username", { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await page.waitForURL((url) => url.pathname === "/");
    await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
  });
});
