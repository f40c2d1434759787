import { test, expect, goto, signIn } from "./helpers";

// The first bundle carries sign-in, the dashboard and the organizations list; every other page is
// a lazy route in wasm chunks of its own (app/src/lazy_routes.rs), fetched when a link to it shows
// intent (pointer, touch, focus) or when the server's page needs it.

/** The split chunks (page modules and shared chunks) the page has requested so far. */
function chunkRequests(page: import("@playwright/test").Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    const name = new URL(request.url()).pathname.split("/").pop() ?? "";
    if (/^(split_|chunk_).*\.wasm$/.test(name)) seen.push(name);
  });
  return seen;
}

test("the organizations list needs no chunk; hovering a link to a split page fetches its chunks, and it opens", async ({
  page,
}) => {
  await signIn(page);
  const chunks = chunkRequests(page);
  await goto(page, "/organizations");
  expect(chunks, "chunks fetched by the organizations list").toEqual([]);

  const users = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" });
  await users.hover();
  await expect.poll(() => chunks.some((name) => name.startsWith("split___user_list_route_view"))).toBe(true);

  await users.click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
});

test("a first visit that lands on a split page loads its chunks and hydrates it", async ({
  page,
}) => {
  await signIn(page);
  await goto(page, "/me/security");
  await expect(page.getByRole("heading", { name: "Security", exact: true })).toBeVisible();
  // Hydrated means interactive: the page's own client code answers the form in place.
  const current = page.getByLabel("Current password", { exact: true });
  await current.fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("a brand new password");
  await page.getByLabel("Confirm the new password", { exact: true }).fill("a brand new password");
  await page.getByRole("button", { name: "Change password", exact: true }).click();
  await expect(current).toHaveAccessibleDescription(/is incorrect/);
});

test("every render of a split page preloads its chunks from the head", async ({ page }) => {
  await signIn(page);
  // Leptos writes the preload links with whatever reactive owner the worker thread has current;
  // without src/page_owner.rs they came out on some requests and not on others. Several requests
  // in a row, so that one lucky render cannot pass it.
  for (let attempt = 1; attempt <= 8; attempt++) {
    const html = await (await page.request.get("/me/security")).text();
    const head = html.slice(0, html.indexOf("</head>"));
    const hrefs = [...head.matchAll(/<link[^>]*rel="preload"[^>]*>/g)]
      .map((link) => /href="([^"]+)"/.exec(link[0])?.[1] ?? "")
      .filter((href) => /\/(split_|chunk_)[^/]*\.wasm$/.test(href));
    expect(hrefs.length, `wasm chunk preloads in the head, request ${attempt}`).toBeGreaterThan(0);
    if (attempt === 1) {
      for (const href of hrefs) {
        expect((await page.request.get(href)).status(), href).toBe(200);
      }
    }
  }
});
