import {
  test,
  expect,
  apiToken,
  createOrg,
  fetchOrg,
  goto,
  signIn,
  uniqueSuffix,
  ADMIN_EMAIL,
} from "./helpers";

test("deleting an organization asks first, then removes it", async ({ page, request }) => {
  const token = await apiToken(request);
  const name = `Wonka ${uniqueSuffix()}`;
  const id = await createOrg(request, token, { name });
  await signIn(page);
  await goto(page, `/organizations/${id}`);

  const opener = page.getByRole("link", { name: "Delete", exact: true });
  await opener.click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Delete organization?");
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();

  await page.waitForURL((url) => url.pathname === "/organizations");
  expect((await fetchOrg(request, token, id)).status()).toBe(404);
});

test("the dialog keeps focus inside and gives it back when closed", async ({ page, request }) => {
  const token = await apiToken(request);
  const id = await createOrg(request, token, { name: `Wonka ${uniqueSuffix()}` });
  await signIn(page);
  await goto(page, `/organizations/${id}`);

  const opener = page.getByRole("link", { name: "Delete", exact: true });
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog");
  const cancel = dialog.getByRole("button", { name: "Cancel", exact: true });
  const confirm = dialog.getByRole("button", { name: "Delete", exact: true });
  await expect(cancel).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(cancel).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(confirm).toBeFocused();

  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  expect((await fetchOrg(request, token, id)).status()).toBe(200);
});

test("Delete says why before, for an organization that still has users", async ({ page, request }) => {
  const token = await apiToken(request);
  // The Super Admin's own organization has a user: the Super Admin.
  const res = await request.get("/v2/user/organization", {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(200);
  const own = (await res.json()).data.id as string;
  await signIn(page);
  await goto(page, `/organizations/${own}`);
  const button = page.getByRole("button", { name: "Delete", exact: true });
  await expect(button).toBeDisabled();
  // At least the Super Admin (other tests may add members while this one runs).
  await expect(button).toHaveAccessibleDescription(/still has \d+ users?; move or delete them first/);
  expect(ADMIN_EMAIL).toContain("@");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("Delete opens a confirmation page whose form deletes", async ({ page, request }) => {
    const token = await apiToken(request);
    const name = `Wonka ${uniqueSuffix()}`;
    const id = await createOrg(request, token, { name });
    await signIn(page, { javaScript: false });
    await page.goto(`/organizations/${id}`);

    await page.getByRole("link", { name: "Delete", exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/organizations/${id}/delete`);
    await expect(page.getByRole("heading", { name: `Delete “${name}”?` })).toBeVisible();
    await page.getByRole("button", { name: "Delete", exact: true }).click();

    await page.waitForURL((url) => url.pathname === "/organizations");
    await expect(page.getByRole("status").filter({ hasText: "Organization deleted." })).toBeVisible();
    expect((await fetchOrg(request, token, id)).status()).toBe(404);
  });
});
