import {
  test,
  expect,
  apiToken,
  bearer,
  createOrg,
  expectStatus,
  goto,
  signIn,
  tableRows,
  uniqueSuffix,
} from "./helpers";
import type { APIRequestContext } from "@playwright/test";

const PASSWORD = "inbox password 1";

/** A new organization with a User who wants to hear about scans: their email and the org id. */
async function listener(request: APIRequestContext, token: string) {
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Inbox ${suffix}` });
  const email = `reader-${suffix}@inbox.example`;
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, role: "User", organization_id: orgId, password: PASSWORD } },
    }),
    201,
  );
  await expectStatus(
    await request.put(`/v2/organizations/${orgId}/notification_defaults`, {
      headers: bearer(token),
      data: { notification_defaults: { scan_event: { enabled: true } } },
    }),
    200,
  );
  return { orgId, email, suffix };
}

async function postEvent(request: APIRequestContext, token: string, orgId: string, title: string) {
  const res = await request.post("/v2/events", {
    headers: bearer(token),
    data: { event: { type: "scan_event", organization_id: orgId, status: "completed", severity: 7, title, url: "/notifications" } },
  });
  await expectStatus(res, 202);
  return (await res.json()).data as { id: string; recipients: number };
}

test("an event posted through the API raises the bell on an open page and lands in the inbox", async ({ page, request }) => {
  const token = await apiToken(request);
  const { orgId, email, suffix } = await listener(request, token);
  await signIn(page, { email, password: PASSWORD });
  const bell = page.locator("a.bell");
  await expect(bell).toHaveAccessibleName("Notifications, none unread");

  const title = `Scan ${suffix} completed`;
  expect((await postEvent(request, token, orgId, title)).recipients).toBe(1);
  // The open page learns of it by itself (it polls every 10 s).
  await expect(bell).toHaveAccessibleName("Notifications, 1 unread", { timeout: 25_000 });
  await expect(bell.locator(".bell-count")).toHaveText("1");
  // ... and says so to screen readers.
  await expect(page.getByRole("status").filter({ hasText: "1 new notification" })).toBeAttached();

  await bell.click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole("heading", { name: "Notifications", exact: true })).toBeVisible();
  const row = tableRows(page).filter({ hasText: title });
  await expect(row).toContainText("Completed · severity 7");
  await row.getByRole("button", { name: `Mark “${title}” read` }).click();
  await expect(row.getByRole("button", { name: `Mark “${title}” unread` })).toBeVisible();
  await expect(bell).toHaveAccessibleName("Notifications, none unread");

  // The unread filter hides it; deleting it empties the inbox.
  await goto(page, "/notifications?read=false");
  await expect(page.getByRole("heading", { name: "No notifications yet" })).toBeVisible();
  await goto(page, "/notifications");
  await tableRows(page).filter({ hasText: title }).getByRole("button", { name: `Delete “${title}”` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Notification deleted" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No notifications yet" })).toBeVisible();
  const left = await page.request.get("/v2/notifications");
  expect((await left.json()).meta.total_count).toBe(0);
});

test("without JavaScript: the inbox marks and deletes with form posts", async ({ browser, request }) => {
  const token = await apiToken(request);
  const { orgId, email, suffix } = await listener(request, token);
  await postEvent(request, token, orgId, `First ${suffix}`);
  await postEvent(request, token, orgId, `Second ${suffix}`);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await signIn(page, { email, password: PASSWORD, javaScript: false });
    await expect(page.locator("a.bell")).toHaveAccessibleName("Notifications, 2 unread");
    await goto(page, "/notifications?notification_type=scan_event", { javaScript: false });
    await page.getByRole("button", { name: `Mark “First ${suffix}” read` }).click();
    await expect(page.getByText("Notification updated.")).toBeVisible();
    // Back on the list it came from, filter kept.
    expect(new URL(page.url()).searchParams.get("notification_type")).toBe("scan_event");
    await expect(page.locator("a.bell")).toHaveAccessibleName("Notifications, 1 unread");
    await page.getByRole("button", { name: "Mark all read" }).click();
    await expect(page.getByText("All notifications updated.")).toBeVisible();
    await expect(page.locator("a.bell")).toHaveAccessibleName("Notifications, none unread");
    await page.getByRole("button", { name: `Delete “Second ${suffix}”` }).click();
    await expect(page.getByText("Notification deleted.")).toBeVisible();
    await expect(tableRows(page)).toHaveCount(1);
  } finally {
    await context.close();
  }
});

test("the bell asks again when the window comes back, not on a focus it never lost", async ({ page, request }) => {
  const token = await apiToken(request);
  const { orgId, email, suffix } = await listener(request, token);
  await signIn(page, { email, password: PASSWORD });
  const bell = page.locator("a.bell");
  await expect(bell).toHaveAccessibleName("Notifications, none unread");
  await postEvent(request, token, orgId, `Away ${suffix}`);

  /** Dispatches `events` on the window and counts the bell's calls to the server they cause. */
  const callsAfter = (events: string[]) =>
    page.evaluate(async (events) => {
      let calls = 0;
      const fetch = window.fetch;
      window.fetch = (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url.includes("/api/notifications/counts")) calls += 1;
        return fetch(input, init);
      };
      try {
        for (const type of events) window.dispatchEvent(new FocusEvent(type));
        // The bell's request starts in the microtasks that follow the event; a timer runs after.
        await new Promise((resolve) => setTimeout(resolve, 0));
      } finally {
        window.fetch = fetch;
      }
      return calls;
    }, events);

  // A focus without a blur before it (another window closing, the page loading) asks nothing:
  // the count came with the page.
  expect(await callsAfter(["focus"])).toBe(0);
  await expect(bell).toHaveAccessibleName("Notifications, none unread");
  // Away and back: it asks once, and the bell shows what arrived meanwhile.
  expect(await callsAfter(["blur", "focus"])).toBe(1);
  await expect(bell).toHaveAccessibleName("Notifications, 1 unread");
  expect(await callsAfter(["focus"])).toBe(0);
});
