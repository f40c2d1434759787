import {
  test,
  expect,
  apiToken,
  createOrg,
  getOrg,
  signIn,
  uniqueSuffix,
  updateOrg,
  waitForHydration,
} from "./helpers";
import type { Page } from "@playwright/test";

function saveButton(page: Page) {
  return page.getByRole("button", { name: "Save", exact: true });
}

test.describe("organization edit form", () => {
  test("saves a change and shows it after a reload", async ({ page, request }) => {
    const token = await apiToken(request);
    const name = `Wonka ${uniqueSuffix()}`;
    const id = await createOrg(request, token, { name, city: "Springfield" });
    await signIn(page);
    await page.goto(`/organizations/${id}`);
    await waitForHydration(page);

    const city = page.getByLabel("City", { exact: true });
    await expect(city).toHaveValue("Springfield");
    const newCity = `Shelbyville ${uniqueSuffix()}`;
    await city.fill(newCity);
    await saveButton(page).click();

    await expect(page.getByRole("status").filter({ hasText: "Organization saved" })).toBeVisible();

    await page.reload();
    await waitForHydration(page);
    await expect(page.getByLabel("City", { exact: true })).toHaveValue(newCity);
    expect((await getOrg(request, token, id)).city).toBe(newCity);
  });

  test("shows every invalid field inline and saves nothing", async ({ page, request }) => {
    const token = await apiToken(request);
    const orgName = `Wonka ${uniqueSuffix()}`;
    const id = await createOrg(request, token, { name: orgName });
    await signIn(page);
    await page.goto(`/organizations/${id}`);
    await waitForHydration(page);

    const name = page.getByLabel("Name", { exact: true });
    const website = page.getByLabel("Website", { exact: true });
    await expect(name).toHaveValue(orgName);
    await name.fill("");
    await website.fill("not a url");
    await saveButton(page).click();

    // The message is next to the field and tied to it for assistive technology.
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(name).toHaveAttribute("aria-describedby", /\S/);
    await expect(name).toHaveAccessibleDescription(/can't be blank/);
    await expect(page.getByText("can't be blank").first()).toBeVisible();

    await expect(website).toHaveAttribute("aria-invalid", "true");
    await expect(website).toHaveAccessibleDescription(/valid URL/);
    await expect(page.getByText(/valid URL/).first()).toBeVisible();

    await page.reload();
    await waitForHydration(page);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(orgName);
    const saved = await getOrg(request, token, id);
    expect(saved.name).toBe(orgName);
    expect(saved.website ?? "").not.toBe("not a url");
  });

  test("a stale save shows a conflict instead of overwriting", async ({ page, request }) => {
    const token = await apiToken(request);
    const id = await createOrg(request, token, {
      name: `Wonka ${uniqueSuffix()}`,
      city: "Springfield",
    });
    await signIn(page);
    await page.goto(`/organizations/${id}`);
    await waitForHydration(page);
    await expect(page.getByLabel("City", { exact: true })).toHaveValue("Springfield");

    // Another admin changes it after this page was opened.
    const apiCity = `Capital City ${uniqueSuffix()}`;
    await updateOrg(request, token, id, { city: apiCity });

    await page.getByLabel("City", { exact: true }).fill(`Ogdenville ${uniqueSuffix()}`);
    await saveButton(page).click();

    await expect(
      page.getByRole("alert").filter({ hasText: "changed by someone else" }),
    ).toBeVisible();
    expect((await getOrg(request, token, id)).city).toBe(apiCity);
  });
});

test.describe("organization edit form without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an invalid save shows the form with its errors and saves nothing", async ({ page, request }) => {
    const token = await apiToken(request);
    const orgName = `Wonka ${uniqueSuffix()}`;
    const id = await createOrg(request, token, { name: orgName, city: "Springfield" });
    await signIn(page, { javaScript: false });
    await page.goto(`/organizations/${id}`);

    await page.getByLabel("City", { exact: true }).fill("Ogdenville");
    await page.getByLabel("Website", { exact: true }).fill("not a url");
    await saveButton(page).click();

    await page.waitForURL((url) => url.pathname === `/organizations/${id}`);
    const website = page.getByLabel("Website", { exact: true });
    await expect(website).toHaveAttribute("aria-invalid", "true");
    await expect(website).toHaveAccessibleDescription(/valid URL/);
    // What was typed is kept, not replaced by what is stored.
    await expect(page.getByLabel("City", { exact: true })).toHaveValue("Ogdenville");
    expect((await getOrg(request, token, id)).city).toBe("Springfield");
  });

  test("a valid save comes back with a notice", async ({ page, request }) => {
    const token = await apiToken(request);
    const id = await createOrg(request, token, { name: `Wonka ${uniqueSuffix()}` });
    await signIn(page, { javaScript: false });
    await page.goto(`/organizations/${id}`);

    const city = `Shelbyville ${uniqueSuffix()}`;
    await page.getByLabel("City", { exact: true }).fill(city);
    await saveButton(page).click();

    await page.waitForURL((url) => url.pathname === `/organizations/${id}`);
    await expect(page.getByRole("status").filter({ hasText: "Organization saved." })).toBeVisible();
    await expect(page.getByLabel("City", { exact: true })).toHaveValue(city);
    expect((await getOrg(request, token, id)).city).toBe(city);
  });
});
