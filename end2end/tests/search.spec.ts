import {
  test,
  expect,
  apiToken,
  createOrg,
  signIn,
  tableRows,
  uniqueSuffix,
  waitForHydration,
  goto,
} from "./helpers";
import type { APIRequestContext, Page } from "@playwright/test";

const SUFFIXES = ["Alpha", "Charlie", "Bravo"];

/** Creates three organizations "Wonka <token> Alpha|Charlie|Bravo" and returns the token. */
async function seedThree(request: APIRequestContext): Promise<string> {
  const token = await apiToken(request);
  const tok = `wonka${uniqueSuffix()}`;
  for (const s of SUFFIXES) {
    await createOrg(request, token, { name: `Wonka ${tok} ${s}`, company_name: `Chocolate ${s}` });
  }
  // One that must not match.
  await createOrg(request, token, { name: `Slugworth ${uniqueSuffix()}` });
  return tok;
}

/** The suffixes (Alpha, Bravo, ...) of the rows' organization names, in table order. */
async function rowSuffixes(page: Page, tok: string): Promise<string[]> {
  const texts = await tableRows(page).allInnerTexts();
  return texts.map((t) => new RegExp(`Wonka ${tok} (\\w+)`).exec(t)?.[1] ?? `?${t}`);
}

test.describe("organization list", () => {
  test("search narrows the rows and keeps the query in the URL", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await page.goto("/organizations");
    await waitForHydration(page);

    const search = page.getByLabel("Search organizations");
    await search.fill(tok);
    await search.press("Enter");

    await page.waitForURL((url) => url.searchParams.get("q") === tok);
    const rows = tableRows(page);
    await expect(rows).toHaveCount(3);
    for (const row of await rows.all()) await expect(row).toContainText(tok);
  });

  test("the Name header sorts by name", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await page.goto(`/organizations?q=${tok}`);
    await waitForHydration(page);
    await expect(tableRows(page)).toHaveCount(3);

    await page.locator("thead").getByRole("link", { name: /^Name\b/ }).click();
    await page.waitForURL((url) => /^name:(asc|desc)$/.test(url.searchParams.get("sort") ?? ""));

    const url = new URL(page.url());
    expect(url.searchParams.get("q"), "the sort link keeps the search").toBe(tok);
    const asc = ["Alpha", "Bravo", "Charlie"];
    const expected = url.searchParams.get("sort") === "name:asc" ? asc : [...asc].reverse();
    await expect.poll(() => rowSuffixes(page, tok)).toEqual(expected);
  });

  test("pagination moves to the next page", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await page.goto(`/organizations?q=${tok}&per_page=2`);
    await waitForHydration(page);

    await expect(tableRows(page)).toHaveCount(2);
    await expect(page.getByText("Showing 1–2 of 3").first()).toBeVisible();

    await page.getByRole("link", { name: "Next page" }).first().click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await expect(page.getByText("Showing 3–3 of 3").first()).toBeVisible();
    await expect(tableRows(page)).toHaveCount(1);
    await expect(tableRows(page).first()).toContainText(tok);
    // Focus follows to the new rows instead of falling back to the page.
    await expect(page.locator(".list-results")).toBeFocused();
  });

  test("first, last, a typed page number, and paging at the top too", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await goto(page, `/organizations?q=${tok}&per_page=1`);

    const top = page.getByRole("navigation", { name: "Pagination, top" });
    const bottom = page.getByRole("navigation", { name: "Pagination, bottom" });
    await expect(top).toBeVisible();
    await expect(bottom).toBeVisible();

    await top.getByRole("link", { name: "Last page" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "3");
    await expect(tableRows(page).first()).toContainText("Charlie");

    await bottom.getByRole("link", { name: "First page" }).click();
    await page.waitForURL((url) => !url.searchParams.has("page"));
    await expect(tableRows(page).first()).toContainText("Alpha");

    const pageNumber = top.getByRole("spinbutton");
    await pageNumber.fill("2");
    await pageNumber.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await expect(tableRows(page).first()).toContainText("Bravo");
    expect(new URL(page.url()).searchParams.get("q"), "the page form keeps the search").toBe(tok);
  });

  test("a page past the end offers the way back", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await goto(page, `/organizations?q=${tok}&per_page=2&page=9`);
    await expect(page.getByRole("heading", { name: "Page 9 is past the end" })).toBeVisible();
    await page.getByRole("link", { name: "Go to the last page" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await expect(tableRows(page)).toHaveCount(1);
  });

  test("ArrowDown on Per page does not reload at once; Enter applies it", async ({ page, request }) => {
    const tok = await seedThree(request);
    await signIn(page);
    await goto(page, `/organizations?q=${tok}&per_page=10`);
    const perPage = page.getByLabel("Per page");
    await perPage.focus();
    await perPage.press("ArrowDown");
    await page.waitForTimeout(300);
    expect(new URL(page.url()).searchParams.get("per_page")).toBe("10");
    await perPage.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("per_page") === "25");
  });

  test("an empty search result says so and can be cleared", async ({ page }) => {
    await signIn(page);
    await goto(page, `/organizations?q=no-such-${uniqueSuffix()}`);
    await expect(page.getByRole("heading", { name: /No organizations match/ })).toBeVisible();
    await page.getByRole("link", { name: "Clear the search" }).click();
    await page.waitForURL((url) => !url.searchParams.has("q"));
    await expect(tableRows(page).first()).toBeVisible();
  });
});
