import {
  test,
  expect,
  apiToken,
  bearer,
  createOrg,
  expectStatus,
  goto,
  signIn,
  uniqueSuffix,
} from "./helpers";
import type { APIRequestContext } from "@playwright/test";

const PASSWORD = "partner password 1";

/** POST /v2/users with a password (they can sign in at once): the new user's id. */
async function addUser(
  request: APIRequestContext,
  token: string,
  user: Record<string, string>,
): Promise<string> {
  const res = await request.post("/v2/users", {
    headers: bearer(token),
    data: { user: { password: PASSWORD, ...user } },
  });
  await expectStatus(res, 201);
  return (await res.json()).data.id as string;
}

async function userAttributes(request: APIRequestContext, token: string, id: string) {
  const res = await request.get(`/v2/users/${id}`, { headers: bearer(token) });
  await expectStatus(res, 200);
  return (await res.json()).data.attributes as Record<string, any>;
}

/** A partner organization with two partner Admins: their ids and emails. */
async function partnerOrganization(request: APIRequestContext, token: string) {
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Reseller ${suffix}` });
  const emails = [`pat-${suffix}@reseller.example`, `quinn-${suffix}@reseller.example`];
  const ids: string[] = [];
  for (const email of emails) {
    const id = await addUser(request, token, { email, role: "Admin", organization_id: orgId });
    await expectStatus(
      await request.put(`/v2/users/${id}/partner`, { headers: bearer(token), data: {} }),
      200,
    );
    ids.push(id);
  }
  return { orgId, suffix, emails, ids };
}

test("a partner creates a customer with its first Admin, who is invited", async ({ page, request }) => {
  const token = await apiToken(request);
  const { suffix, emails } = await partnerOrganization(request, token);
  await signIn(page, { email: emails[0], password: PASSWORD });
  await goto(page, "/organizations/new");

  const customer = `Customer ${suffix}`;
  const adminEmail = `cass-${suffix}@customer.example`;
  await page.getByLabel("Name", { exact: true }).fill(customer);
  await page.getByLabel("Company name", { exact: true }).fill(`${customer} Inc`);
  // A bad first Admin's email is named next to its field, and nothing is created.
  await page.getByRole("group", { name: "First Admin (optional)" }).getByLabel("Email").fill("not an email");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const adminField = page.locator("#admin-email");
  await expect(adminField).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email", { exact: true }).first()).not.toHaveAttribute("aria-invalid", "true");

  await adminField.fill(adminEmail);
  await page.locator("#admin-first-name").fill("Cass");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { name: customer, exact: true })).toBeVisible();

  const found = await request.get(`/v2/users?q[email]=${encodeURIComponent(adminEmail)}`, {
    headers: bearer(token),
  });
  await expectStatus(found, 200);
  const [admin] = (await found.json()).data;
  expect(admin.attributes.role).toBe("Admin");
  expect(admin.attributes.organization.name).toBe(customer);
  expect(admin.attributes.verified).toBe(false);
});

test("a partner's customers are handed over on their page, then they can be deleted", async ({ page, request }) => {
  const token = await apiToken(request);
  const { emails, ids } = await partnerOrganization(request, token);
  // Pat creates a customer with its first Admin, and so holds it and the invitation.
  const suffix = uniqueSuffix();
  await signIn(page, { email: emails[0], password: PASSWORD });
  await goto(page, "/organizations/new");
  await page.getByLabel("Name", { exact: true }).fill(`Pat's ${suffix}`);
  await page.getByLabel("Company name", { exact: true }).fill(`Pat's ${suffix} Inc`);
  await page.locator("#admin-email").fill(`pats-${suffix}@customer.example`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Pat's ${suffix}`, exact: true })).toBeVisible();

  const canDelete = async () => {
    const res = await request.get(`/v2/users/${ids[0]}/can_delete`, { headers: bearer(token) });
    await expectStatus(res, 200);
    return (await res.json()) as { can_delete: boolean; reasons: string[] };
  };
  expect((await canDelete()).can_delete).toBe(false);

  await signIn(page);
  await goto(page, `/users/${ids[0]}`);
  const section = page.getByRole("region", { name: "Hand over" });
  await expect(section).toContainText("1 customer organization and 1 pending invitation");
  await section.getByLabel("Hand over to").selectOption(ids[1]);
  await section.getByRole("button", { name: "Hand over" }).click();
  await expect(page.getByRole("region", { name: "Hand over" })).toHaveCount(0);
  expect(await canDelete()).toEqual({ can_delete: true, reasons: [] });
});

test("an admin moves a user to another organization from the user's page", async ({ page, request }) => {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const from = await createOrg(request, token, { name: `From ${suffix}` });
  await createOrg(request, token, { name: `To ${suffix}` });
  const id = await addUser(request, token, { email: `mover-${suffix}@example.com`, organization_id: from });
  await signIn(page);
  await goto(page, `/users/${id}`);
  const organization = page.getByLabel("Organization", { exact: true });
  await expect(organization.locator("option:checked")).toHaveText(`From ${suffix}`);
  await organization.selectOption({ label: `To ${suffix}` });
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "User saved" })).toBeVisible();
  expect((await userAttributes(request, token, id)).organization.name).toBe(`To ${suffix}`);
});
