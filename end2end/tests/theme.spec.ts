import { test, expect, signIn, waitForHydration } from "./helpers";

test("the dark mode button toggles data-theme on <html>", async ({ page }) => {
  await signIn(page);
  await waitForHydration(page);
  const html = page.locator("html");
  const toggle = page.getByRole("button", { name: "Toggle dark mode" });

  // The browser prefers light (playwright.config.ts), and nothing has been chosen yet.
  await expect(html).not.toHaveAttribute("data-theme", "dark");
  await toggle.click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await toggle.click();
  await expect(html).not.toHaveAttribute("data-theme", "dark");
});
