import {
  test as base,
  expect,
  type APIRequestContext,
  type APIResponse,
  type Frame,
  type Page,
} from "@playwright/test";
import * as crypto from "node:crypto";

export { expect };

/** The Super Admin that playwright.config.ts makes the server create on its first start. */
export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "correct-horse-battery";

/** A short random lowercase token, to keep names unique across parallel tests and runs. */
export function uniqueSuffix(): string {
  return Date.now().toString(36).slice(-5) + crypto.randomBytes(3).toString("hex");
}

// ---------------------------------------------------------------------------------------------
// Console errors: every test fails when a page logged a console error or threw (hydration errors
// and wasm panics show up there). The browser's own "Failed to load resource ... status of 4xx"
// lines are expected (a 401 for a wrong password, a 422 for invalid input, a 409/412 conflict),
// so they are allowed; a 5xx is not. Warnings about the security headers count as errors. A test
// can allow more with `consoleErrors.allow(/regex/)`.
// ---------------------------------------------------------------------------------------------

export class ConsoleErrors {
  readonly messages: string[] = [];
  private readonly allowed: RegExp[] = [
    /^Failed to load resource: the server responded with a status of 4\d\d\b/,
  ];

  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  add(message: string): void {
    this.messages.push(message);
  }

  unexpected(): string[] {
    return this.messages.filter((m) => !this.allowed.some((re) => re.test(m)));
  }
}

export const test = base.extend<{ consoleErrors: ConsoleErrors }>({
  consoleErrors: [
    async ({ context }, use) => {
      const errors = new ConsoleErrors();
      context.on("console", (msg) => {
        // The browser's complaints about the server's security headers come as warnings, and
        // count as errors here: such a header is ignored in part, or wrong.
        const headerWarning =
          msg.type() === "warning" && /Permissions-Policy|Content Security Policy/i.test(msg.text());
        if (msg.type() !== "error" && !headerWarning) return;
        const where = msg.location().url;
        errors.add(where ? `${msg.text()} (at ${where})` : msg.text());
      });
      context.on("weberror", (err) => {
        errors.add(`uncaught page error: ${err.error().message}`);
      });
      await use(errors);
      expect(errors.unexpected(), "console errors and uncaught page errors").toEqual([]);
    },
    { auto: true },
  ],
});

// ---------------------------------------------------------------------------------------------
// The UI
// ---------------------------------------------------------------------------------------------

/** Waits until the wasm bundle has hydrated the page (the app sets <body data-hydrated="true">). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForSelector('body[data-hydrated="true"]');
}

/**
 * A full page load of `path`, then (with JavaScript) the wait for hydration: a test must never
 * click, type or navigate away while the page is still hydrating, or it passes or fails by timing.
 */
export async function goto(
  page: Page,
  path: string,
  opts: { javaScript?: boolean } = {},
): Promise<void> {
  if (!(opts.javaScript ?? true)) {
    await page.goto(path);
    return;
  }
  await expectNoRefetchWhileHydrating(page, path, () => page.goto(path).then(() => undefined));
}

/**
 * Runs `load` (a navigation) and waits for hydration, failing if the page called a server
 * function before it was hydrated: hydration must read the server's serialized data. A page that
 * fetches it again gets whatever changed meanwhile, and its HTML no longer matches (the hydration
 * error that made the suite flaky under parallel writers).
 */
async function expectNoRefetchWhileHydrating(
  page: Page,
  what: string,
  load: () => Promise<void>,
): Promise<void> {
  const calls: string[] = [];
  // Only the new document's calls count. Until the navigation commits, the page that is being
  // left still runs: its bell may ask for its count then (its poll, or the window's focus coming
  // back after another context closed), and that call is not the new page refetching.
  let committed = false;
  const onNavigated = (frame: Frame) => {
    if (frame === page.mainFrame()) committed = true;
  };
  const onRequest = (request: { url(): string; method(): string }) => {
    if (!committed) return;
    const path = new URL(request.url()).pathname;
    // The sign-in form itself posts to /api/sign_in; that is the navigation, not a refetch.
    if (path.startsWith("/api/") && path !== "/api/sign_in") calls.push(`${request.method()} ${path}`);
  };
  page.on("framenavigated", onNavigated);
  page.on("request", onRequest);
  try {
    await load();
    await waitForHydration(page);
  } finally {
    page.off("request", onRequest);
    page.off("framenavigated", onNavigated);
  }
  expect(calls, `server functions called while ${what} hydrated`).toEqual([]);
}

/** Signs in through the login form and waits for the dashboard. */
export async function signIn(
  page: Page,
  opts: { email?: string; password?: string; javaScript?: boolean } = {},
): Promise<void> {
  const { email = ADMIN_EMAIL, password = ADMIN_PASSWORD, javaScript = true } = opts;
  await page.goto("/login");
  if (javaScript) await waitForHydration(page);
  await page.getByLabel("Email or username", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const submit = async () => {
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
  };
  // The sign-in answer is a full page load of the dashboard: let it hydrate.
  if (javaScript) await expectNoRefetchWhileHydrating(page, "the dashboard", submit);
  else await submit();
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
}

/** The rows of the page's data table. */
export function tableRows(page: Page) {
  return page.locator("table tbody tr");
}

// ---------------------------------------------------------------------------------------------
// The REST API
// ---------------------------------------------------------------------------------------------

let cachedToken: Promise<string> | undefined;

/**
 * A bearer token of the Super Admin, from POST /auth/sign_in. Cached per worker (a token stays
 * valid for hours, and each sign-in costs an Argon2 hash); pass `fresh: true` for a new one.
 */
export async function apiToken(
  request: APIRequestContext,
  opts: { fresh?: boolean } = {},
): Promise<string> {
  if (opts.fresh || !cachedToken) {
    const attempt = (async () => {
      const res = await request.post("/auth/sign_in", {
        data: { username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      });
      await expectStatus(res, 200);
      const body = await res.json();
      expect(typeof body.token, "sign-in body has a token").toBe("string");
      return body.token as string;
    })();
    if (opts.fresh) return attempt;
    cachedToken = attempt.catch((err) => {
      cachedToken = undefined;
      throw err;
    });
  }
  return cachedToken;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export async function expectStatus(res: APIResponse, status: number): Promise<void> {
  if (res.status() !== status) {
    throw new Error(
      `${res.url()}: expected HTTP ${status}, got ${res.status()}: ${await res.text()}`,
    );
  }
}

export type OrgAttrs = { name: string; company_name?: string } & Record<string, unknown>;

/** Creates an organization through POST /v2/organizations and returns its id. */
export async function createOrg(
  request: APIRequestContext,
  token: string,
  attrs: OrgAttrs,
): Promise<string> {
  const organization = { company_name: `${attrs.name} Inc.`, ...attrs };
  const res = await request.post("/v2/organizations", {
    headers: bearer(token),
    data: { organization },
  });
  await expectStatus(res, 201);
  const body = await res.json();
  expect(typeof body.data?.id, "created organization has an id").toBe("string");
  return body.data.id as string;
}

/** GET /v2/organizations/{id}: the response, for tests that expect a 404. */
export async function fetchOrg(
  request: APIRequestContext,
  token: string,
  id: string,
): Promise<APIResponse> {
  return request.get(`/v2/organizations/${id}`, { headers: bearer(token) });
}

/** GET /v2/organizations/{id}: its attributes. */
export async function getOrg(
  request: APIRequestContext,
  token: string,
  id: string,
): Promise<Record<string, unknown>> {
  const res = await fetchOrg(request, token, id);
  await expectStatus(res, 200);
  return (await res.json()).data.attributes;
}

/** PUT /v2/organizations/{id} with {"organization": attrs}. */
export async function updateOrg(
  request: APIRequestContext,
  token: string,
  id: string,
  attrs: Record<string, unknown>,
): Promise<void> {
  const res = await request.put(`/v2/organizations/${id}`, {
    headers: bearer(token),
    data: { organization: attrs },
  });
  await expectStatus(res, 200);
}

/** The account menu's button (a <summary>, named "<email>, account menu"). */
export function accountMenu(page: Page) {
  return page.locator("summary", { hasText: /, account menu$/ });
}
