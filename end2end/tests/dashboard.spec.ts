import { test, expect, sandboxAdmin } from "./fixtures";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";

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

  // The chart has a y-axis of round figures, and the keyboard reads it too: focus shows the last
  // day, the arrow keys move along the days.
  const chart = page.getByRole("figure", { name: "Accounts reached per day" });
  const ticks = await chart.locator(".y-axis span").allTextContents();
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(ticks[0]).toBe("0");
  for (const t of ticks) expect(t).toMatch(/^-?\d+(\.\d)?[kM]?$/);
  await page.mouse.move(0, 0);
  const plot = chart.getByTestId("chart-plot");
  await plot.focus();
  const tip = chart.getByTestId("chart-tooltip");
  await expect(tip).toHaveText(/\d{4}-\d{2}-\d{2}: [\d,]+/);
  const lastDay = await tip.textContent();
  await page.keyboard.press("ArrowLeft");
  await expect(tip).not.toHaveText(lastDay ?? "");
  await page.keyboard.press("End");
  await expect(tip).toHaveText(lastDay ?? "");

  // The selected range is marked on its button.
  const ranges = page.getByRole("navigation", { name: "Range" });
  await expect(ranges.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "true");
  for (const other of ["14 days", "30 days"]) {
    expect(await ranges.getByRole("link", { name: other }).getAttribute("aria-current"), `${other} is not marked`).toBeNull();
  }

  // The range picker changes the figures, and leaves a caption being written as it was.
  await openComposer(page);
  const caption = page.getByLabel("Caption");
  await caption.fill("Half-written thought #draft");
  const reach = page.getByTestId("metric-reach").locator(".metric-value");
  const weekly = await reach.textContent();
  await page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "30 days" }).click();
  await expect(page).toHaveURL(/days=30/);
  await expect(ranges.getByRole("link", { name: "30 days" })).toHaveAttribute("aria-current", "true");
  expect(await ranges.getByRole("link", { name: "7 days" }).getAttribute("aria-current")).toBeNull();
  await expect(reach).not.toHaveText(weekly ?? "");
  await expect(page.getByTestId("range-note")).toContainText(/compared with the 30 days before\. Up to \d+ \w+: Instagram reports with a delay/);
  await expect(caption).toHaveValue("Half-written thought #draft");

  // So does the Refresh button, which shows it is working, and says when the figures were read.
  await expect(page.getByTestId("fetched-at")).toHaveText(/^Fetched at \d\d:\d\d UTC$/);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/refresh_insights*", async (route) => {
    await held;
    await route.continue();
  });
  const reloaded = page.waitForResponse((r) => r.url().includes("/api/load_dashboard"));
  await page.getByTestId("refresh").click();
  await expect(page.getByTestId("refresh")).toHaveText("Refreshing…");
  await expect(page.getByTestId("refresh")).toHaveAttribute("aria-busy", "true");
  release();
  await reloaded;
  await expect(page.getByTestId("refresh")).toHaveText("Refresh");
  await expect(page.getByTestId("followers")).toBeVisible();
  await expect(caption).toHaveValue("Half-written thought #draft");
});

test("the composer's code comes when the creator asks for it: its button, or Compose in the control room", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "lazy"), "lazy");
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith(".wasm")) wasm.push(r.url());
  });
  await page.goto("/instagram-dashboard");
  await expect(page.getByTestId("inbox-live")).toHaveClass(/pill-ok/); // hydrated
  await page.waitForLoadState("networkidle");
  const loaded = wasm.length;
  expect(loaded).toBeGreaterThan(0);
  // Closed on the first load: a button, and none of the composer's fields.
  await expect(page.getByTestId("media-input")).toHaveCount(0);
  await page.getByTestId("open-composer").click();
  await expect(page.getByTestId("media-input")).toBeAttached();
  expect(wasm.length, "the composer's code is fetched on the click").toBeGreaterThan(loaded);

  // From the control room: that account's dashboard, its composer open and in view.
  await page.goto("/dashboard/instagram");
  await page.getByRole("link", { name: "Compose" }).first().click();
  await expect(page).toHaveURL(/\/instagram-dashboard\?account=\d+#composer$/);
  await expect(page.getByTestId("media-input")).toBeAttached();
  await expect(page.getByRole("heading", { name: "New post" })).toBeInViewport();
});
