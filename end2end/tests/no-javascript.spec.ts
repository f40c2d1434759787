import { test, expect, apiToken, createOrg, signIn, tableRows, uniqueSuffix } from "./helpers";

// Every page renders completely on the server, and forms and list links work without wasm.
test.use({ javaScriptEnabled: false });

test("sign-in, the list and search work without JavaScript", async ({ page, request }) => {
  const token = await apiToken(request);
  const tok = `nojs${uniqueSuffix()}`;
  await createOrg(request, token, { name: `Wonka ${tok}` });

  // The login form posts and the server redirects to the dashboard.
  await signIn(page, { javaScript: false });
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);

  // The table is rendered on the server.
  await page.goto("/organizations");
  await expect(tableRows(page).first()).toBeVisible();

  // The search is a GET form.
  await page.getByLabel("Search organizations").fill(tok);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get("q") === tok);
  await expect(tableRows(page)).toHaveCount(1);
  await expect(tableRows(page).first()).toContainText(`Wonka ${tok}`);
});
