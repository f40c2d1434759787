import { test, expect, apiToken, createOrg, fetchOrg, signIn, uniqueSuffix, waitForHydration } from "./helpers";

test("deleting an organization asks first, then removes it", async ({ page, request }) => {
  const token = await apiToken(request);
  const name = `Wonka ${uniqueSuffix()}`;
  const id = await createOrg(request, token, { name });
  await signIn(page);
  await page.goto(`/organizations/${id}`);
  await waitForHydration(page);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Delete organization?");
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();

  await page.waitForURL((url) => url.pathname === "/organizations");
  expect((await fetchOrg(request, token, id)).status()).toBe(404);
});
