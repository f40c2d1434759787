import { test, expect, accountMenu, apiToken, bearer, createOrg, goto, signIn, uniqueSuffix } from "./helpers";
import type { Page } from "@playwright/test";
import * as fs from "node:fs";

// Every page, light and dark, desktop and phone width: axe-core finds no violation (WCAG 2.1 A/AA
// and axe's best practices), so the next screens can't quietly regress accessibility.
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// axe is injected as an inline script, which the pages' Content-Security-Policy refuses (as it
// must: only scripts with the page's nonce run). Every other spec runs under the policy.
test.use({ bypassCSP: true });

async function violations(page: Page): Promise<string[]> {
  // Measure the settled page: a dialog fading in (or a button's colour transition) has
  // half-transparent colours for a few frames, and axe would judge the contrast of those.
  // (At most a second: an animation of an element that isn't rendered never finishes.)
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 1000)),
    ]),
  );
  await page.addScriptTag({ content: AXE_SOURCE });
  const found = await page.evaluate(async () => {
    // @ts-expect-error: axe is the global the script above defines.
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map(
      (v: { id: string; impact: string; nodes: { target: string[] }[] }) =>
        `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  return found;
}

type PageIds = { id: string; userId: string; auditId: string };

// Every signed-in page, in groups (see the tests below).
const SIGNED_IN_PAGE_GROUPS: ((ids: PageIds) => string[])[] = [
  ({ id }) => [
    "/",
    "/organizations",
    "/organizations?q=no-such-organization",
    "/organizations/new",
    `/organizations/${id}`,
    `/organizations/${id}/delete`,
  ],
  ({ userId }) => [
    "/users",
    "/users?role=Super+Admin&q=no-such-user",
    `/users/${userId}`,
    `/users/${userId}/delete`,
    "/users/new",
    "/users/import",
  ],
  ({ id }) => [
    "/me",
    "/me/security",
    "/me/notifications",
    `/organizations/${id}/notifications`,
    "/notifications",
    "/notifications?read=false&notification_type=scan_event",
  ],
  ({ id, auditId }) => [
    `/organizations/${id}/policy`,
    "/settings/notification_policy",
    "/outbox",
    "/audit",
    "/audit?action=organization.create&target_type=organizations&period=7d",
    `/audit/${auditId}`,
    "/blocked_addresses",
  ],
];

for (const colorScheme of ["light", "dark"] as const) {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    test.describe(`axe, ${colorScheme}, ${width} px`, () => {
      test.use({ colorScheme, viewport: { width, height } });

      test("signed-out pages", async ({ page }) => {
        for (const path of [
          "/login",
          "/login?error=invalid&username=x%40example.com",
          "/docs",
          "/password/forgot",
          "/password/reset/not-a-token",
          "/invitation/not-a-token",
          "/confirm/not-a-token",
        ]) {
          await goto(page, path);
          expect(await violations(page), path).toEqual([]);
        }
      });

      // The signed-in pages in groups of a few, each its own test: one test of all 26 pages took
      // most of the 60 s test timeout on a loaded 2-core CI machine (each page waits up to a
      // second for its animations, then runs axe), and the groups run in parallel.
      for (const [group, paths] of SIGNED_IN_PAGE_GROUPS.entries()) {
        test(`signed-in pages, group ${group + 1}`, async ({ page, request }) => {
          const token = await apiToken(request);
          const id = await createOrg(request, token, { name: `Axe ${uniqueSuffix()}`, city: "Oslo" });
          const users = await request.get("/v2/users?per_page=1", { headers: bearer(token) });
          const userId = (await users.json()).data[0].id as string;
          const audit = await request.get(`/v2/audit/events?q[target_id]=${id}`, { headers: bearer(token) });
          const auditId = (await audit.json()).data[0].id as string;
          await signIn(page);
          for (const path of paths({ id, userId, auditId })) {
            await goto(page, path);
            expect(await violations(page), path).toEqual([]);
          }
        });
      }

      test("signed-in: the open user menu and the delete dialog", async ({ page, request }) => {
        const token = await apiToken(request);
        const id = await createOrg(request, token, { name: `Axe dialog ${uniqueSuffix()}`, city: "Oslo" });
        await signIn(page);
        await goto(page, `/organizations/${id}?notice=organization_saved`);
        expect(await violations(page), "organization page with a notice").toEqual([]);
        await accountMenu(page).click();
        expect(await violations(page), "user menu open").toEqual([]);
        await page.keyboard.press("Escape");
        await page.getByRole("link", { name: "Delete", exact: true }).click();
        await expect(page.getByRole("alertdialog")).toBeVisible();
        expect(await violations(page), "delete dialog open").toEqual([]);
      });

      test("while impersonating: the banner on every page", async ({ page, request }) => {
        const token = await apiToken(request);
        const suffix = uniqueSuffix();
        const orgId = await createOrg(request, token, { name: `Axe acting ${suffix}` });
        const created = await request.post("/v2/users", {
          headers: bearer(token),
          data: {
            user: { email: `axe-acted-${suffix}@example.com`, role: "User", organization_id: orgId, password: "acted password 1" },
          },
        });
        expect(created.status()).toBe(201);
        const userId = (await created.json()).data.id as string;
        await signIn(page);
        await goto(page, `/users/${userId}`);
        const card = page.locator("section", { has: page.getByRole("heading", { name: "Impersonate", exact: true }) });
        await card.getByLabel("Reason").fill("axe check");
        await card.getByRole("button", { name: "Impersonate", exact: true }).click();
        await page.waitForURL((url) => url.pathname === "/");
        for (const path of ["/", "/me", "/me/security", "/notifications"]) {
          await goto(page, path);
          await expect(page.getByRole("region", { name: "Impersonation" })).toBeVisible();
          expect(await violations(page), `${path} while impersonating`).toEqual([]);
        }
      });
    });
  }
}
