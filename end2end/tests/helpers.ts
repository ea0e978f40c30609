import { expect, Page } from "@playwright/test";
import type { APIRequestContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { sandboxAdmin } from "./fixtures";

/// An Instagram account of the test's own in the sandbox (an account is connected to one
/// Crealia creator at a time, and the tests run in parallel).
export async function ownAccount(request: APIRequestContext, prefix: string): Promise<string> {
  const made = await (await request.post("/sandbox/__admin/accounts", { ...sandboxAdmin(), data: { count: 1, prefix } })).json();
  return made.accounts[0].username;
}

/// Signs up a new creator, connects the sandbox account `username` and opens its dashboard.
export async function signUpAndConnect(page: Page, username: string, prefix = "creator") {
  const email = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto("/auth/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/instagram-auth$/);
  await page.getByRole("button", { name: "Connect an Instagram account" }).click();
  await page.getByLabel(new RegExp(`@${username.replace(".", "\\.")}`)).check();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("status")).toContainText(`@${username} is connected.`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/instagram-dashboard$/);
  await expect(page.getByRole("heading", { name: `@${username}` })).toBeVisible();
}

/// Opens the dashboard's composer (`page` shows the dashboard): its code is fetched on this
/// first click, once the page is hydrated. Nothing to do when it is open already.
export async function openComposer(page: Page) {
  await expect(page.getByTestId("inbox-live")).toHaveClass(/pill-ok/); // hydrated: the button listens
  if ((await page.getByTestId("media-input").count()) > 0) return;
  await page.getByTestId("open-composer").click();
  await expect(page.getByTestId("media-input")).toBeAttached();
}

/// Schedules an image post two hours ahead from the dashboard (which `page` shows, hydrated).
export async function scheduleInTwoHours(page: Page, image: string, caption: string) {
  await openComposer(page);
  await page.getByTestId("media-input").setInputFiles(image);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Caption").fill(caption);
  await page.getByRole("radio", { name: "Schedule" }).check();
  const at = new Date(Date.now() + 2 * 3600_000).toISOString();
  await page.getByLabel("Date").fill(at.slice(0, 10));
  await page.getByLabel("Time", { exact: true }).fill(at.slice(11, 16));
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(page.getByText("Your post is scheduled.")).toBeVisible();
}

/// axe-core's WCAG 2.1 A and AA rules on the page as it stands, in light and dark: its serious
/// and critical violations, added to `found`.
export async function audit(page: Page, what: string, found: string[]) {
  for (const theme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    for (const v of results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
      found.push(`${what} (${theme}): ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
    }
  }
}
