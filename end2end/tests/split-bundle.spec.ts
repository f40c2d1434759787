import { test, expect, goto, signIn } from "./helpers";

// The first bundle carries sign-in, the dashboard and the organizations list; every other page is
// a lazy route in one of a few areas (app/src/lazy_routes.rs), each a wasm module of its own with
// the chunks it shares with other areas, fetched when a link to one of its pages shows intent
// (pointer, touch, focus) or when the server's page needs it.

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
  await expect.poll(() => chunks.some((name) => name.startsWith("split_user_list_pages_"))).toBe(true);

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

/** The split wasm files (area modules and shared chunks) that a page's head preloads. */
function preloadedWasm(html: string): string[] {
  const head = html.slice(0, html.indexOf("</head>"));
  return [...head.matchAll(/<link[^>]*rel="preload"[^>]*>/g)]
    .map((link) => /href="([^"]+)"/.exec(link[0])?.[1] ?? "")
    .filter((href) => /\/(split_|chunk_)[^/]*\.wasm$/.test(href));
}

test("every render of a split page preloads its chunks from the head", async ({ page }) => {
  await signIn(page);
  // Leptos writes the preload links with whatever reactive owner the worker thread has current;
  // without src/page_owner.rs they came out on some requests and not on others. Several requests
  // in a row, so that one lucky render cannot pass it.
  for (let attempt = 1; attempt <= 8; attempt++) {
    const hrefs = preloadedWasm(await (await page.request.get("/me/security")).text());
    expect(hrefs.length, `wasm chunk preloads in the head, request ${attempt}`).toBeGreaterThan(0);
    if (attempt === 1) {
      for (const href of hrefs) {
        expect((await page.request.get(href)).status(), href).toBe(200);
      }
    }
  }
});

test("a first visit to any split page preloads a handful of wasm files, not dozens", async ({
  page,
}) => {
  await signIn(page);
  // Over HTTP/1.1 a browser fetches six files at a time, each a round trip (562 ms on "Slow 4G").
  // The pages are split by area (app/src/lazy_routes.rs), so that a page needs its area and the
  // few chunks it shares with other areas: with a module per page the security page needed 78
  // files and the user page 100. Eighteen is three rounds, about as long as the first bundle
  // itself takes to arrive on that network.
  const list = await (await page.request.get("/organizations")).text();
  const organization = /href="(\/organizations\/[0-9a-f-]{36})"/.exec(list)?.[1];
  expect(organization, "an organization's link on the list").toBeTruthy();
  const users = await (await page.request.get("/users")).text();
  const user = /href="(\/users\/[0-9a-f-]{36})"/.exec(users)?.[1];
  expect(user, "a user's link on the list").toBeTruthy();
  const paths = [
    "/users",
    "/users/new",
    "/users/import",
    user!,
    organization!,
    "/organizations/new",
    "/me",
    "/me/security",
    "/me/notifications",
    "/notifications",
    "/audit",
    "/outbox",
    "/settings/notification_policy",
    "/docs",
  ];
  const counts: Record<string, number> = {};
  for (const path of paths) {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(200);
    counts[path] = preloadedWasm(await res.text()).length;
  }
  for (const path of paths) {
    expect(counts[path], `wasm files preloaded by ${path} (all: ${JSON.stringify(counts)})`).toBeGreaterThan(0);
    expect(counts[path], `wasm files preloaded by ${path} (all: ${JSON.stringify(counts)})`).toBeLessThanOrEqual(18);
  }
});
