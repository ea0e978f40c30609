import { test, expect } from "./fixtures";
import { sandboxAdmin } from "./fixtures";
import { audit, openComposer, signUpAndConnect } from "./helpers";

/// A sandbox account whose followers are online mostly on Tuesdays 18:00, Thursdays 12:00 and
/// Saturdays 09:00 (UTC), whose posts do best then and with #sunrise or #filmgrain.
async function knownAccount(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const username = `known.${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const made = await request.post("/sandbox/__admin/accounts/known", {
    ...sandboxAdmin(),
    data: {
      username,
      best_hours: [[1, 18], [3, 12], [5, 9]],
      best_hashtags: ["#sunrise", "#filmgrain"],
      weak_hashtags: ["#mondayblues"],
      posts: 60,
    },
  });
  expect(made.status()).toBe(201);
  return username;
}

test("the heat map, the audience and the suggestions show; a suggested time fills the scheduler", async ({ page, request }) => {
  test.setTimeout(90_000);
  const username = await knownAccount(request);
  await signUpAndConnect(page, username, "analyst");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
  await expect(page).toHaveURL(/\/instagram-analytics$/);
  const map = page.getByTestId("heat-map");
  await expect(map).toBeVisible({ timeout: 30_000 });
  await expect(map.locator("tbody tr")).toHaveCount(7);
  await expect(map.locator("tbody tr").first().locator("td")).toHaveCount(24);
  // The creator has no time zone yet: UTC, so the seeded hours read as they were seeded.
  const best = page.getByTestId("best-times").locator("li");
  await expect(best).toHaveCount(3);
  await expect(page.getByTestId("best-times")).toContainText("Tuesday 18:00");
  await expect(page.getByTestId("best-times")).toContainText("Thursday 12:00");
  await expect(page.getByTestId("best-times")).toContainText("Saturday 09:00");
  // The posts' own results by hour: the seeded best hours did better than the median.
  const tuesday = page.getByTestId("posts-by-hour").locator("tbody tr").nth(1);
  await expect(tuesday.locator("td").nth(18)).toHaveText(/^\d\.\d×$/);
  await expect(best.first()).toContainText(/\d+ % of your followers online, your posts at that hour reached \d\.\d× your median, from \d+ posts/);
  await expect(page.getByTestId("hashtag-advice")).toContainText("#sunrise");
  await expect(page.getByTestId("hashtag-advice")).toContainText("Never reached your median: #mondayblues");
  await expect(page.getByTestId("formats")).toContainText("Reel");
  await expect(page.getByTestId("audience").getByRole("table", { name: "Followers by age" })).toBeVisible();
  // The map's colours keep its figures readable, light and dark.
  const found: string[] = [];
  await audit(page, "/instagram-analytics with figures", found);
  expect(found).toEqual([]);

  // In the composer: the three times, and choosing one fills the scheduler.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await openComposer(page);
  // The dashboard with figures, charts and their tables, the composer open: accessible too.
  await audit(page, "/instagram-dashboard with figures", found);
  expect(found).toEqual([]);
  await page.getByRole("radio", { name: "Schedule" }).check();
  const times = page.getByTestId("suggested-time");
  await expect(times).toHaveCount(3, { timeout: 30_000 });
  const label = (await times.nth(1).textContent()) ?? "";
  const [, date, time] = label.match(/\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})\)/) ?? [];
  expect(date, label).toBeTruthy();
  await times.nth(1).click();
  await expect(page.getByLabel("Date")).toHaveValue(date);
  await expect(page.getByLabel("Time", { exact: true })).toHaveValue(time);
  await expect(page.getByLabel("Time zone")).toHaveValue("UTC");

  // And the hashtags that worked go into the caption.
  await page.getByRole("button", { name: "Hashtags that worked for you" }).click();
  await page.getByRole("button", { name: /^#sunrise: \d+ posts/ }).click();
  await expect(page.getByLabel("Caption")).toHaveValue("#sunrise");
});
