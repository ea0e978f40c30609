import { test, expect, sandboxAdmin } from "./fixtures";
import { signUpAndConnect } from "./helpers";

test("the dashboard shows the sandbox account's numbers, a chart with hover, and a range picker", async ({ page, request }) => {
  await signUpAndConnect(page, "mira.moves", "dash");

  // The numbers are the sandbox's own.
  const world = await (await request.get("/sandbox/__admin/world", sandboxAdmin())).json();
  const mira = world.accounts.find((a: { username: string }) => a.username === "mira.moves");
  await expect(page.getByTestId("followers")).toHaveText(mira.followers_count.toLocaleString("en-US"));

  // The chart is there and hovering a day shows its value.
  const columns = page.getByTestId("chart-column");
  await expect(columns.first()).toBeAttached();
  await columns.nth(2).hover();
  const tooltip = page.getByTestId("chart-tooltip").first();
  await expect(tooltip).toContainText(/\d{4}-\d{2}-\d{2}: [\d,]+/);
  // It stays while the pointer rests there (the tooltip itself must not take the pointer away
  // from the column, which made it flicker).
  await page.waitForTimeout(1_000);
  await expect(tooltip).toBeVisible({ timeout: 0 });

  // The range picker changes the figures, and leaves a caption being written as it was.
  const caption = page.getByLabel("Caption");
  await caption.fill("Half-written thought #draft");
  const reach = page.getByTestId("metric-reach").locator(".metric-value");
  const weekly = await reach.textContent();
  await page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "30 days" }).click();
  await expect(page).toHaveURL(/days=30/);
  await expect(reach).not.toHaveText(weekly ?? "");
  await expect(page.getByTestId("range-note")).toContainText(/compared with the 30 days before\. Up to \d+ \w+: Instagram reports with a delay/);
  await expect(caption).toHaveValue("Half-written thought #draft");

  // So does the Refresh button.
  const reloaded = page.waitForResponse((r) => r.url().includes("/api/load_dashboard"));
  await page.getByRole("button", { name: "Refresh" }).click();
  await reloaded;
  await expect(page.getByTestId("followers")).toBeVisible();
  await expect(caption).toHaveValue("Half-written thought #draft");
});
