import { test, expect, sandboxAdmin } from "./fixtures";
import { ownAccount, scheduleInTwoHours, signUpAndConnect } from "./helpers";
import { execFileSync } from "node:child_process";
import path from "node:path";

const square = path.join(__dirname, "..", "fixtures", "square.jpg");

test("the control room shows a post scheduled in another tab, counts it down, and cancels it", async ({ page, request }) => {
  test.setTimeout(90_000);
  const username = await ownAccount(request, "room");
  await signUpAndConnect(page, username, "room");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Control room" }).click();
  await expect(page).toHaveURL(/\/dashboard\/instagram$/);
  await expect(page.getByTestId("account-card").filter({ hasText: `@${username}` })).toBeVisible();
  await expect(page.getByTestId("live-state")).toHaveText("Live");
  await expect(page.getByTestId("health-database")).toHaveAttribute("data-level", "green");

  // Another tab of the same creator schedules a post two hours ahead.
  const other = await page.context().newPage();
  await other.goto("/instagram-dashboard");
  await scheduleInTwoHours(other, square, "From the other tab #fika");

  // It appears here without a reload, and its countdown runs.
  const post = page.getByTestId("queued-post").filter({ hasText: "From the other tab" });
  await expect(post).toBeVisible();
  const countdown = post.getByTestId("countdown");
  await expect(countdown).toHaveText(/^in (1 h 5\d|2 h 00) min \d\d s$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first ?? "", { timeout: 5_000 });

  // Cancel works here, and the other tab hears of it too.
  await post.getByTestId("cancel-post").click();
  await post.getByTestId("confirm-cancel").click();
  await expect(post).toHaveCount(0);
  await expect(other.getByTestId("post-row").filter({ hasText: "From the other tab" }).getByTestId("post-status")).toHaveText("CANCELLED", { timeout: 15_000 });
});

test("the cache item turns red when Redis stops and green when it is back", async ({ page, request }) => {
  test.setTimeout(60_000);
  const port = process.env.E2E_REDIS_PORT;
  if (!port) throw new Error("E2E_REDIS_PORT is not set: run the browser tests through scripts/test");
  await signUpAndConnect(page, await ownAccount(request, "redis"), "redis");
  await page.goto("/dashboard/instagram");
  const cache = page.getByTestId("health-cache");
  await expect(cache).toHaveAttribute("data-level", "green");
  try {
    execFileSync("redis-cli", ["-p", port, "shutdown", "nosave"], { stdio: "ignore" });
  } catch {
    // redis-cli reports the connection closing under it
  }
  try {
    await expect(cache).toHaveAttribute("data-level", "red", { timeout: 20_000 });
    await expect(cache).toContainText("Redis");
  } finally {
    execFileSync("redis-server", ["--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes"], { stdio: "ignore" });
  }
  await expect(cache).toHaveAttribute("data-level", "green", { timeout: 20_000 });
});

test("checking a revoked account's connection offers Reconnect", async ({ page, request }) => {
  test.setTimeout(60_000);
  // An account of this test's own: revoking it disturbs no other test.
  const username = await ownAccount(request, "revoked");
  await signUpAndConnect(page, username, "revoke");
  await page.goto("/dashboard/instagram");
  const card = page.getByTestId("account-card").filter({ hasText: `@${username}` });
  await card.getByTestId("check-connection").click();
  await expect(card.getByText("Instagram accepts this account's access.")).toBeVisible();
  await expect(card.getByTestId("reconnect")).toHaveCount(0);

  await request.post("/sandbox/__admin/tokens/revoke", { ...sandboxAdmin(), data: { account: username } });
  // Instagram is asked at most once per 5 s per account; the next press after that hears the revocation.
  await page.waitForTimeout(5_500);
  await card.getByTestId("check-connection").click();
  await expect(card.getByTestId("reconnect")).toBeVisible();
  await expect(card.getByText("Instagram no longer accepts this account's access: reconnect it.")).toBeVisible();
  await expect(page.getByTestId("health-tokens")).toHaveAttribute("data-level", "red");
});

test("a personal API token is made in settings, shown once, works, and stops when revoked", async ({ page, playwright, request }) => {
  const username = await ownAccount(request, "tokens");
  await signUpAndConnect(page, username, "tokens");
  await page.goto("/dashboard/instagram");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await page.getByLabel("Name").fill("my script");
  await page.getByRole("button", { name: "Create token" }).click();
  const value = (await page.getByTestId("token-value").textContent()) ?? "";
  expect(value).toMatch(/^crealia_pat_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("token-row").filter({ hasText: "my script" })).toContainText("read");

  // A client of its own (no cookie): the token alone.
  const api = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
  const status = await api.get("/api/status", { headers: { authorization: `Bearer ${value}` } });
  expect(status.status()).toBe(200);
  expect((await status.json()).accounts[0].username).toBe(username);

  // Shown once: after a reload the page lists it without its value.
  await page.reload();
  await expect(page.getByTestId("token-row").filter({ hasText: "my script" })).toContainText("last used");
  await expect(page.getByTestId("token-value")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(value);

  await page.getByTestId("token-row").filter({ hasText: "my script" }).getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByTestId("token-row")).toHaveCount(0);
  expect((await api.get("/api/status", { headers: { authorization: `Bearer ${value}` } })).status()).toBe(401);
  await api.dispose();
});
