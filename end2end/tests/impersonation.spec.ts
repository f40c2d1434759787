import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, uniqueSuffix } from "./helpers";

// Impersonation from a user's page: a reason is required, every page shows the banner while it
// lasts, and "Stop impersonating" returns the admin to their own session.

test("impersonate a user from their page, see the banner, stop", async ({ page, request }) => {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Acting ${suffix}` });
  const email = `acted-${suffix}@impersonation.example`;
  const created = await request.post("/v2/users", {
    headers: bearer(token),
    data: { user: { email, role: "User", organization_id: orgId, password: "acted password 1" } },
  });
  await expectStatus(created, 201);
  const userId = (await created.json()).data.id as string;

  await signIn(page);
  await goto(page, `/users/${userId}`);
  const card = page.locator("section", { has: page.getByRole("heading", { name: "Impersonate", exact: true }) });
  // A reason is required: the error sits next to the field.
  await card.getByRole("button", { name: "Impersonate", exact: true }).click();
  await expect(card.getByLabel("Reason")).toHaveAccessibleDescription(/can't be blank/);
  await card.getByLabel("Reason").fill("ticket 4711");
  await card.getByRole("button", { name: "Impersonate", exact: true }).click();

  await page.waitForURL((url) => url.pathname === "/");
  await page.waitForSelector('body[data-hydrated="true"]');
  const banner = page.getByRole("region", { name: "Impersonation" });
  await expect(banner).toContainText(email);
  await goto(page, "/me");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(banner).toBeVisible();

  await banner.getByRole("button", { name: "Stop impersonating", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/users");
  await page.waitForSelector('body[data-hydrated="true"]');
  await expect(page.getByText("You are yourself again.")).toBeVisible();
  await expect(page.getByText("You are acting as")).toHaveCount(0);

  // The audit trail has both ends, with the reason.
  const trail = await request.get(`/v2/audit/events?q[target_id]=${userId}&q[action]=user.impersonate`, {
    headers: bearer(token),
  });
  const events = (await trail.json()).data as { attributes: { changes: { reason: string } } }[];
  expect(events[0].attributes.changes.reason).toBe("ticket 4711");
});
