import { test, expect, apiToken, bearer, createOrg, goto, signIn, uniqueSuffix } from "./helpers";

// Import: a file with two bad rows is checked (the table names them, nothing is written), the
// fixed file is checked clean and imported whole.

test("import: the check lists the bad rows, the fixed file imports", async ({ page, request }) => {
  const token = await apiToken(request);
  const s = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Imports ${s}` });
  const bad = [
    "email,first_name,organization_id,title",
    `a-${s}@example.com,Ana,${orgId},`,
    `not-an-email,Bo,${orgId},`,
    `c-${s}@example.com,Cy,${orgId},=HYPERLINK("http://evil")`,
  ].join("\r\n");
  const fixed = [
    "email,first_name,organization_id,title",
    `a-${s}@example.com,Ana,${orgId},`,
    `b-${s}@example.com,Bo,${orgId},`,
    `c-${s}@example.com,Cy,${orgId},CISO`,
  ].join("\r\n");
  const file = (text: string) => ({ name: "users.csv", mimeType: "text/csv", buffer: Buffer.from(text) });

  await signIn(page);
  await goto(page, "/users/import");
  await page.getByLabel("CSV file").setInputFiles(file(bad));
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was imported: 2 problems" })).toBeVisible();
  const rows = page.getByRole("region", { name: "Problems in the file" }).locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("3");
  await expect(rows.nth(0)).toContainText("email");
  await expect(rows.nth(1)).toContainText("title");
  await expect(rows.nth(1)).toContainText("looks like a spreadsheet formula");

  await page.getByLabel("CSV file").setInputFiles(file(fixed));
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByText("The file is fine: 3 to create, 0 to update.")).toBeVisible();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL(/\/users\?notice=users_imported/);
  const imported = await request.get(`/v2/users?q[organization_id]=${orgId}`, { headers: bearer(token) });
  expect((await imported.json()).meta.total_count).toBe(3);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("import: a bad file comes back with its rows, a good one imports", async ({ page, request }) => {
    const token = await apiToken(request);
    const s = uniqueSuffix();
    const orgId = await createOrg(request, token, { name: `Plain imports ${s}` });
    await signIn(page, { javaScript: false });
    await goto(page, "/users/import", { javaScript: false });
    await page.getByLabel("CSV file").setInputFiles({
      name: "users.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`email,organization_id\r\nbroken,${orgId}\r\n`),
    });
    await page.getByRole("button", { name: "Check file" }).click();
    await expect(page.getByRole("region", { name: "Problems in the file" }).locator("tbody tr")).toHaveCount(1);
    await page.getByLabel("CSV file").setInputFiles({
      name: "users.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`email,organization_id\r\nplain-${s}@example.com,${orgId}\r\n`),
    });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.waitForURL(/\/users\?notice=users_imported/);
    await expect(page.getByText("Users imported.")).toBeVisible();
  });
});
