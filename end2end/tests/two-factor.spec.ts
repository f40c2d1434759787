import { test, expect, apiToken, bearer, createOrg, expectStatus, goto, signIn, uniqueSuffix, waitForHydration } from "./helpers";
import type { APIRequestContext, Browser, Locator, Page } from "@playwright/test";
import { createHmac, randomInt } from "node:crypto";

// /me/security's "Two-factor authentication" card, and signing in with it: an authenticator app
// (its codes computed here as the app computes them, RFC 6238), text messages (read from the
// outbox), recovery codes, the default method, and turning it off. Each test has a user of its own.

const PASSWORD = "two factor password 1";

async function newUser(request: APIRequestContext): Promise<string> {
  const token = await apiToken(request);
  const suffix = uniqueSuffix();
  const orgId = await createOrg(request, token, { name: `Two-factor ${suffix}` });
  const email = `second-${suffix}@two-factor.example`;
  await expectStatus(
    await request.post("/v2/users", {
      headers: bearer(token),
      data: { user: { email, role: "User", organization_id: orgId, password: PASSWORD } },
    }),
    201,
  );
  return email;
}

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/=+$/, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${text}`);
    value = ((value << 5) | index) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The six-digit code of `step` (30-second steps since the epoch), as an authenticator app shows it. */
function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/**
 * Sets up the authenticator app on the open /me/security and turns it on. Answers the set-up key,
 * the step whose code was used (sign-in must use a later one: a code works once) and the
 * recovery codes shown.
 */
async function turnOnApp(page: Page, card: Locator): Promise<{ secret: string; step: number; codes: string[] }> {
  await card.getByRole("button", { name: "Set up an authenticator app", exact: true }).click();
  const key = card.getByLabel("Set-up key", { exact: true });
  await expect(key).toBeVisible();
  await expect(card.getByRole("img", { name: "QR code of the set-up key" }).locator("svg")).toBeVisible();
  const secret = await key.inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32,}$/);
  const step = currentStep();
  await card.getByLabel("Code from the app", { exact: true }).fill(totp(secret, step));
  await card.getByRole("button", { name: "Turn on", exact: true }).click();
  const codes = await recoveryCodes(card);
  return { secret, step, codes };
}

async function recoveryCodes(card: Locator): Promise<string[]> {
  const items = card.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(items).toHaveCount(10);
  const codes = await items.allInnerTexts();
  for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  return codes;
}

/** The password step in a new browser, which then asks for the second factor. */
async function startSignIn(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email or username", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.has("step"));
  await waitForHydration(page);
  return { context, page };
}

async function expectDashboard(page: Page) {
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
}

/** The newest text message to `phone` in the outbox: its six-digit code. */
async function textedCode(request: APIRequestContext, phone: string): Promise<string> {
  const token = await apiToken(request);
  const res = await request.get(`/v2/outbox?q[recipient]=${encodeURIComponent(phone)}`, { headers: bearer(token) });
  await expectStatus(res, 200);
  const messages = (await res.json()).data as { attributes: { body_text: string } }[];
  const found = messages[0]?.attributes.body_text.match(/\b(\d{6})\b/);
  if (!found) throw new Error(`no text message to ${phone}`);
  return found[1];
}

test("turn on an authenticator app, then sign in with its code and with a recovery code", async ({ page, browser }) => {
  const email = await newUser(page.request);
  await signIn(page, { email, password: PASSWORD });
  await goto(page, "/me/security");
  const card = page.locator("#two-factor");
  await expect(card.getByText("Off", { exact: true })).toBeVisible();

  // A wrong first code keeps it off and says so next to the field.
  await card.getByRole("button", { name: "Set up an authenticator app", exact: true }).click();
  const secret = await card.getByLabel("Set-up key", { exact: true }).inputValue();
  const wrong = totp(secret, currentStep() + 5);
  await card.getByLabel("Code from the app", { exact: true }).fill(wrong);
  await card.getByRole("button", { name: "Turn on", exact: true }).click();
  await expect(card.getByText("is not the right code")).toBeVisible();
  await expect(card.getByLabel("Code from the app", { exact: true })).toHaveAttribute("aria-invalid", "true");

  // Cancel, and start over: a new key.
  await card.getByRole("button", { name: "Cancel the set-up", exact: true }).click();
  await expect(page.getByText("Set-up cancelled.")).toBeVisible();
  await expect(card.getByLabel("Set-up key", { exact: true })).toHaveCount(0);
  const on = await turnOnApp(page, card);
  expect(on.secret).not.toBe(secret);
  await expect(card.getByText("On", { exact: true }).first()).toBeVisible();
  await expect(card.getByText("10 of 10", { exact: true })).toBeVisible();

  // Shown once: a reload says how many are left, never what they are.
  await goto(page, "/me/security");
  await expect(card.getByRole("list", { name: "Recovery codes" })).toHaveCount(0);
  await expect(card.getByText("10 of 10", { exact: true })).toBeVisible();

  // The password alone no longer signs in: the app's next code does.
  const withApp = await startSignIn(browser, email);
  try {
    // Only the user's own methods are offered: this one has no text messages, and asking for
    // that step by hand shows the app's.
    await expect(withApp.page.getByRole("link", { name: "Use a recovery code", exact: true })).toBeVisible();
    await expect(withApp.page.getByRole("link", { name: "Use a text message", exact: true })).toHaveCount(0);
    await goto(withApp.page, "/login?step=sms");
    await expect(withApp.page.getByLabel("Code from the text message", { exact: true })).toHaveCount(0);
    await withApp.page.getByLabel("Authentication code", { exact: true }).fill(totp(on.secret, on.step + 1));
    await withApp.page.getByRole("button", { name: "Verify", exact: true }).click();
    await expectDashboard(withApp.page);
  } finally {
    await withApp.context.close();
  }

  // A recovery code instead (as typed from paper: upper case); it works once.
  const withCode = await startSignIn(browser, email);
  try {
    await withCode.page.getByRole("link", { name: "Use a recovery code", exact: true }).click();
    await withCode.page.getByLabel("Recovery code", { exact: true }).fill(on.codes[0].toUpperCase());
    await withCode.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectDashboard(withCode.page);
  } finally {
    await withCode.context.close();
  }
  await goto(page, "/me/security");
  await expect(card.getByText("9 of 10", { exact: true })).toBeVisible();

  // A second step without a sign-in behind it (expired, or never started) starts over.
  const stranger = await browser.newContext();
  try {
    const lost = await stranger.newPage();
    await goto(lost, "/login?step=totp");
    await expect(lost.getByRole("alert")).toHaveText("That sign-in has expired. Sign in again.");
    await expect(lost.getByLabel("Authentication code", { exact: true })).toHaveCount(0);
    await lost.getByRole("link", { name: "Sign in again", exact: true }).click();
    await expect(lost.getByLabel("Email or username", { exact: true })).toBeVisible();
  } finally {
    await stranger.close();
  }
});

test("add text messages, make them the default, generate new codes and turn it all off", async ({ page, request }) => {
  const email = await newUser(request);
  await signIn(page, { email, password: PASSWORD });
  await goto(page, "/me/security");
  const card = page.locator("#two-factor");
  const first = await turnOnApp(page, card);

  // A number without its country code is refused next to the field.
  const phoneField = card.getByLabel("Mobile phone number", { exact: true });
  await phoneField.fill("555 0100");
  await card.getByRole("button", { name: "Text me a code", exact: true }).click();
  await expect(phoneField).toHaveAttribute("aria-invalid", "true");
  const phone = `+1555${randomInt(1_000_000, 9_999_999)}`;
  await phoneField.fill(phone);
  await card.getByRole("button", { name: "Text me a code", exact: true }).click();
  await expect(page.getByText("A code is on its way to your phone.")).toBeVisible();
  await expect(card.getByText(phone.slice(-4), { exact: false })).toBeVisible();
  await card.getByLabel("Code from the text message", { exact: true }).fill(await textedCode(request, phone));
  await card.getByRole("button", { name: "Turn on", exact: true }).click();
  // The app's codes stay on screen until the new set replaces them.
  await expect(card.getByText(`On · +•••••••${phone.slice(-4)}`, { exact: true })).toBeVisible();
  await expect.poll(async () => (await recoveryCodes(card)).join()).not.toBe(first.codes.join());
  const second = await recoveryCodes(card);

  // Both are on: choose which one sign-in asks for first.
  await card.getByLabel("Ask first for", { exact: true }).selectOption("sms");
  await card.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Default method saved.")).toBeVisible();
  await expect(card.locator("dd", { hasText: "Text message (SMS)" })).toBeVisible();

  // New recovery codes ask first; Cancel keeps the old ones.
  await card.getByRole("button", { name: "Generate new recovery codes", exact: true }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
  await expect(dialog).toBeHidden();
  await card.getByRole("button", { name: "Generate new recovery codes", exact: true }).click();
  await dialog.getByRole("button", { name: "Generate new codes", exact: true }).click();
  await expect(page.getByText("New recovery codes generated: the old ones no longer work.")).toBeVisible();
  await expect.poll(async () => (await recoveryCodes(card)).join()).not.toBe(second.join());

  // Turning off needs the password.
  const password = card.getByLabel("Your password", { exact: true });
  await password.fill("not my password");
  await card.getByRole("button", { name: "Turn off two-factor authentication", exact: true }).click();
  await dialog.getByRole("button", { name: "Turn it off", exact: true }).click();
  await expect(card.getByText("is incorrect")).toBeVisible();
  await password.fill(PASSWORD);
  await card.getByRole("button", { name: "Turn off two-factor authentication", exact: true }).click();
  await dialog.getByRole("button", { name: "Turn it off", exact: true }).click();
  await expect(page.getByText("Two-factor authentication is off.")).toBeVisible();
  await expect(card.getByText("Off", { exact: true })).toBeVisible();

  // The password alone signs in again.
  // (As a browser page would: this context holds the Super Admin's session cookie from
  // apiToken, and a cookie-carrying post must say where it comes from.)
  const res = await request.post("/v2/auth/sign_in", {
    data: { email, password: PASSWORD },
    headers: { origin: new URL(page.url()).origin },
  });
  await expectStatus(res, 200);
  expect((await res.json()).token).toEqual(expect.any(String));
});

test("without JavaScript: set up the app, see the codes once, turn it off", async ({ browser, request }) => {
  const email = await newUser(request);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Which responses set or cleared the codes' hand-over cookie, for the failure message below
  // (on one line: the test script's failure summary keeps an error's first line).
  const HAND_OVER_COOKIE = "steward_issued_codes";
  const handOvers: string[] = [];
  page.on("response", async (response) => {
    for (const header of await response.headersArray()) {
      if (header.name.toLowerCase() === "set-cookie" && header.value.startsWith(`${HAND_OVER_COOKIE}=`)) {
        const maxAge = /Max-Age=\d+/.exec(header.value)?.[0] ?? "no Max-Age";
        handOvers.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname} ${maxAge}`);
      }
    }
  });
  try {
    await signIn(page, { email, password: PASSWORD, javaScript: false });
    await goto(page, "/me/security", { javaScript: false });
    const card = page.locator("#two-factor");
    await card.getByRole("button", { name: "Set up an authenticator app", exact: true }).click();
    await expect(page.getByText("Scan the code with your authenticator app, then enter the code it shows.")).toBeVisible();
    const secret = await card.getByLabel("Set-up key", { exact: true }).inputValue();

    await card.getByLabel("Code from the app", { exact: true }).fill(totp(secret, currentStep() + 5));
    await card.getByRole("button", { name: "Turn on", exact: true }).click();
    await expect(card.getByText("is not the right code")).toBeVisible();

    await card.getByLabel("Code from the app", { exact: true }).fill(totp(secret, currentStep()));
    await card.getByRole("button", { name: "Turn on", exact: true }).click();
    await expect(page.getByText("Two-factor authentication is on. Keep your recovery codes somewhere safe.")).toBeVisible();
    const codes = await recoveryCodes(card);
    const download = card.getByRole("link", { name: "Download", exact: true });
    expect(decodeURIComponent((await download.getAttribute("href")) ?? "")).toContain(codes.join("\n"));
    // The page that showed the codes cleared their hand-over cookie. (This failed once under the
    // full parallel suite, the codes showing again on the next visit, and never alone: this
    // check tells whether the clearing or the next page is at fault when it happens again, and
    // its message names the responses that set and cleared the cookie.)
    const handOver = (await context.cookies()).filter((c) => c.name === HAND_OVER_COOKIE);
    expect(
      handOver,
      `the hand-over cookie is cleared once the codes are shown (set and cleared by: ${handOvers.join("; ")})`,
    ).toEqual([]);

    await goto(page, "/me/security", { javaScript: false });
    await expect(card.getByRole("list", { name: "Recovery codes" })).toHaveCount(0);

    await card.getByLabel("Your password", { exact: true }).fill(PASSWORD);
    await card.getByRole("button", { name: "Turn off two-factor authentication", exact: true }).click();
    await expect(page.getByText("Two-factor authentication is off.")).toBeVisible();
    await expect(card.getByText("Off", { exact: true })).toBeVisible();
  } finally {
    await context.close();
  }
});
