// Manual check: signs in and screenshots the main screens (light and dark) into $SHOTS_DIR.
// Usage: node end2end/screenshots.mjs http://127.0.0.1:3000 admin@example.com password
import { chromium } from "@playwright/test";

const [base, email, password] = process.argv.slice(2);
const dir = process.env.SHOTS_DIR ?? "/tmp/shots";
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const errors = [];
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
page.on("pageerror", (e) => errors.push(String(e)));
await page.goto(`${base}/login`);
await page.screenshot({ path: `${dir}/01-login.png` });
await page.getByLabel("Email or username").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(`${base}/`);
await page.waitForSelector('body[data-hydrated="true"]');
await page.screenshot({ path: `${dir}/02-dashboard.png` });
await page.goto(`${base}/organizations`);
await page.waitForSelector('body[data-hydrated="true"]');
await page.screenshot({ path: `${dir}/03-organizations.png` });
const first = page.locator("table tbody tr a").first();
await first.click();
await page.waitForSelector("form .form-grid");
await page.getByLabel("Name", { exact: true }).fill("");
await page.getByLabel("Website").fill("not a url");
await page.getByRole("button", { name: "Save" }).click();
await page.waitForSelector(".field-error");
await page.screenshot({ path: `${dir}/04-org-invalid.png`, fullPage: true });
await page.getByRole("button", { name: "Delete" }).click();
await page.screenshot({ path: `${dir}/05-delete-dialog.png` });
await page.getByRole("button", { name: "Cancel" }).click();
await page.getByRole("button", { name: "Toggle dark mode" }).click();
await page.goto(`${base}/organizations?q=wonka&sort=name:desc&per_page=10`);
await page.screenshot({ path: `${dir}/06-organizations-dark.png` });
await page.setViewportSize({ width: 390, height: 800 });
await page.screenshot({ path: `${dir}/07-mobile.png` });
console.log("console errors:", JSON.stringify(errors));
await browser.close();
