import { test, expect } from "./fixtures";

test.describe("landing page", () => {
  test("is rendered on the server: its content is there with JavaScript off", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your Instagram control room");
    await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
    await context.close();
  });

  test("the raw HTML holds the content before any script runs", async ({ request }) => {
    const response = await request.get("/");
    expect(response.status()).toBe(200);
    // Under a Content-Security-Policy whose nonce every inline script carries.
    const csp = response.headers()["content-security-policy"];
    const nonce = /'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain("Your Instagram control room");
    expect(html).toContain("/pkg/crealia.wasm");
  });

  test("hydrates: the theme toggle switches and remembers the theme", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/");
    const toggle = page.getByRole("button", { name: /light|dark/i });
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");

    // Clicks before hydration do nothing, so wait until the toggle answers.
    await expect(async () => {
      await toggle.click();
      await expect(page.locator("html")).toHaveAttribute("data-theme", "dark", { timeout: 500 });
    }).toPass({ timeout: 15_000 });
    await expect(toggle).toHaveAttribute("aria-pressed", "true");

    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(page.getByRole("button", { name: /dark/i })).toHaveAttribute("aria-pressed", "true");
  });

  test("calls a server function from the hydrated page", async ({ page }) => {
    await page.goto("/");
    const check = page.getByRole("button", { name: "Check now" });
    await expect(async () => {
      await check.click();
      await expect(page.getByTestId("status-database")).toHaveText("ok", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(page.getByTestId("status-graph-api")).toBeVisible();
    await expect(page.getByTestId("status-cache")).toHaveText(/ok|degraded/);
    await expect(page.getByTestId("status-webhooks")).toHaveText("ok");
  });
});

test("navigation reaches the sign-in page and unknown pages say so", async ({ page }) => {
  // The browser reports the unknown page's 404 in its console.
  test.info().annotations.push({ type: "expected-console-error", description: "/no-such-page: Failed to load resource: the server responded with a status of 404" });
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/auth\/signin$/);
  await expect(page.getByRole("heading", { name: "Sign in to Crealia" })).toBeVisible();
  await expect(page).toHaveTitle("Sign in · Crealia");

  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
});
