import { test, expect } from "@playwright/test";

test("the dashboard shows the sandbox account's numbers, a chart with hover, and a range picker", async ({ page, request }) => {
  const email = `dash-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto("/auth/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/instagram-auth$/);
  await page.getByRole("link", { name: "Connect an Instagram account" }).click();
  await page.getByLabel(/@mira\.moves/).check();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("status")).toContainText("@mira.moves is connected.");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/instagram-dashboard$/);
  await expect(page.getByRole("heading", { name: "@mira.moves" })).toBeVisible();

  // The numbers are the sandbox's own.
  const world = await (await request.get("/sandbox/__admin/world")).json();
  const mira = world.accounts.find((a: { username: string }) => a.username === "mira.moves");
  await expect(page.getByTestId("followers")).toHaveText(mira.followers_count.toLocaleString("en-US"));

  // The chart is there and hovering a day shows its value.
  const columns = page.getByTestId("chart-column");
  await expect(columns.first()).toBeAttached();
  await expect(async () => {
    await columns.nth(2).hover();
    await expect(page.getByTestId("chart-tooltip").first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("chart-tooltip").first()).toContainText(/\d{4}-\d{2}-\d{2}: [\d,]+/);

  // The range picker changes the figures.
  const reach = page.getByTestId("metric-reach").locator(".metric-value");
  const weekly = await reach.textContent();
  await page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "30 days" }).click();
  await expect(page).toHaveURL(/days=30/);
  await expect(reach).not.toHaveText(weekly ?? "");
  await expect(page.getByText(/Instagram can take up to 48 hours/)).toBeVisible();
});
