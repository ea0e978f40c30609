import { test, expect } from "./fixtures";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";
import path from "node:path";

const square = path.join(__dirname, "..", "fixtures", "square.jpg");

/// "YYYY-MM-DD" and "HH:MM" in UTC, at least a minute from now.
function utcInTwoMinutes(): { date: string; time: string; label: string } {
  const at = new Date(Date.now() + 120_000);
  const iso = at.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), label: iso.slice(11, 16) };
}

test("upload with progress, publish now, schedule a minute ahead, see it in the calendar and cancel it", async ({ page }) => {
  test.setTimeout(90_000);
  await signUpAndConnect(page, "lumen.studio", "publisher");
  await openComposer(page);

  // A slow connection, so the upload's progress bar is there to see.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 20 * 1024 });
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-progress")).toBeVisible();
  await expect(page.getByTestId("upload-ready")).toContainText("1080×1080", { timeout: 30_000 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Live counters while typing.
  await page.getByLabel("Caption").fill("Fresh from the oven #fika @ana");
  const counters = page.getByTestId("caption-counters");
  await expect(counters).toContainText("30 / 2200 characters");
  await expect(counters).toContainText("1 / 30 hashtags");
  await expect(counters).toContainText("1 / 20 mentions");
  await page.getByLabel(/^Alt text/).fill("A tray of cardamom buns");

  // Once out, everything on the page that depends on it says so without a reload: the
  // composer's message, the post's row, the post count, the recent posts.
  const count = async () => Number((await page.getByTestId("post-count").textContent())?.replace(/\D/g, ""));
  const before = await count();
  await page.getByRole("button", { name: "Publish now" }).click();
  await expect(page.getByText("Your post is published on Instagram.")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("Your post is on its way.")).toHaveCount(0);
  const published = page.getByTestId("post-row").filter({ hasText: "Fresh from the oven" });
  await expect(published.getByTestId("post-status")).toHaveText("PUBLISHED");
  await expect(page.getByTestId("post-count")).toHaveText(String(before + 1).replace(/\B(?=(\d{3})+(?!\d))/g, ","), { timeout: 10_000 });
  await expect(page.getByRole("region", { name: "Recent posts" })).toContainText("Fresh from the oven");

  // Schedule another a minute or two ahead, in UTC.
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Caption").fill("Later today #fika");
  await page.getByRole("radio", { name: "Schedule" }).check();
  const when = utcInTwoMinutes();
  await page.getByLabel("Date").fill(when.date);
  await page.getByLabel("Time", { exact: true }).fill(when.time);
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(page.getByText("Your post is scheduled.")).toBeVisible();
  const scheduled = page.getByTestId("post-row").filter({ hasText: "Later today" });
  await expect(scheduled.getByTestId("post-status")).toHaveText("PENDING");

  // The calendar shows it on its day, at its time.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await expect(page).toHaveURL(/\/instagram-calendar/);
  const day = page.locator(`[data-date="${when.date}"]`);
  await expect(day.getByTestId("calendar-entry").filter({ hasText: when.label })).toHaveAttribute("data-status", "PENDING");
  await expect(day.getByTestId("calendar-entry").filter({ hasText: "Image @lumen.studio" }).first()).toBeVisible();

  // The entry opens the post on the dashboard, scrolled to and marked.
  await day.getByTestId("calendar-entry").filter({ hasText: when.label }).getByRole("link").click();
  await expect(page).toHaveURL(/\/instagram-dashboard#post-\d+$/);
  const again = page.locator(`#${page.url().split("#")[1]}`);
  await expect(again).toContainText("Later today");
  await expect(again).toBeInViewport();
  await expect(page.getByTestId("inbox-live")).toHaveText("Live"); // hydrated, its stream open

  // Edit it: the list keeps looking for news while a post is pending, and the form being
  // filled in stays as it is.
  await again.getByRole("button", { name: "Edit post" }).click();
  const caption = again.getByRole("textbox", { name: "Caption" });
  await caption.fill("Later today, with jam #fika");
  await page.waitForResponse((r) => r.url().includes("/api/list_posts"));
  await page.waitForResponse((r) => r.url().includes("/api/list_posts"));
  await expect(caption).toHaveValue("Later today, with jam #fika");
  await expect(caption).toBeFocused();
  await again.getByRole("button", { name: "Save changes" }).click();
  await expect(again.getByText("Later today, with jam #fika")).toBeVisible();

  // Cancelling asks first: "Keep it" keeps it.
  await again.getByRole("button", { name: "Cancel post…" }).click();
  await expect(again.getByRole("group", { name: "Cancel this post?" })).toContainText("It will not be published.");
  await again.getByRole("button", { name: "Keep it" }).click();
  await expect(again.getByTestId("post-status")).toHaveText("PENDING");

  // Then cancel it before it is due; Undo brings it back, as it was.
  await again.getByRole("button", { name: "Cancel post…" }).click();
  await again.getByRole("button", { name: "Yes, cancel the post" }).click();
  await expect(again.getByTestId("post-status")).toHaveText("CANCELLED");
  await page.getByTestId("undo-bar").getByRole("button", { name: "Undo" }).click();
  await expect(again.getByTestId("post-status")).toHaveText("PENDING");
  await expect(page.getByTestId("undo-bar")).toHaveCount(0);

  // Cancelled for good once the Undo has gone.
  await again.getByRole("button", { name: "Cancel post…" }).click();
  await again.getByRole("button", { name: "Yes, cancel the post" }).click();
  await expect(again.getByTestId("post-status")).toHaveText("CANCELLED");
  await expect(page.getByTestId("undo-bar")).toHaveCount(0, { timeout: 15_000 });
});

test("the composer checks as the creator types, first comment included, and drops a refusal once its cause is gone", async ({ page, request }) => {
  test.setTimeout(60_000);
  await signUpAndConnect(page, await ownAccount(request, "rules"), "rules");
  await openComposer(page);
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  const publish = page.getByRole("button", { name: "Publish now" });
  await expect(publish).toBeEnabled();

  // 31 hashtags in the first comment: held back, with the reason beside the button.
  const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(" ");
  await page.getByLabel(/^First comment/).fill(tags);
  await expect(publish).toBeDisabled();
  await expect(page.getByTestId("publish-blocked")).toHaveText("The first comment has 31 hashtags; Instagram allows 30.");
  await page.getByLabel(/^First comment/).fill(tags.split(" ").slice(1).join(" "));
  await expect(publish).toBeEnabled();
  await expect(page.getByTestId("publish-blocked")).toHaveCount(0);

  // So is the caption.
  await page.getByLabel("Caption").fill(tags);
  await expect(page.getByTestId("publish-blocked")).toHaveText("The caption has 31 hashtags; Instagram allows 30.");
  await page.getByLabel("Caption").fill("Tomorrow's buns #fika");
  await expect(publish).toBeEnabled();

  // The server's refusal (a time already past) goes once the time is changed.
  test.info().annotations.push({ type: "expected-console-error", description: "status of 422" });
  await page.getByRole("radio", { name: "Schedule" }).check();
  const past = new Date(Date.now() - 3 * 3600_000).toISOString();
  await page.getByLabel("Date").fill(past.slice(0, 10));
  await page.getByLabel("Time", { exact: true }).fill(past.slice(11, 16));
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Schedule" }).click();
  const refusal = page.getByRole("alert");
  await expect(refusal).toContainText("already passed");
  const later = new Date(Date.now() + 3 * 3600_000).toISOString();
  await page.getByLabel("Time", { exact: true }).fill(later.slice(11, 16));
  await page.getByLabel("Date").fill(later.slice(0, 10));
  await expect(refusal).toHaveCount(0);
});

test.describe("in Paris", () => {
  test.use({ timezoneId: "Europe/Paris" });

  test("the composer's time zone is the browser's, chosen from a searchable list", async ({ page, request }) => {
    await signUpAndConnect(page, await ownAccount(request, "paris"), "paris");
    await openComposer(page);
    await page.getByRole("radio", { name: "Schedule" }).check();
    const zone = page.getByLabel("Time zone");
    await expect(zone).toHaveValue("Europe/Paris");
    // The list it searches holds every zone, this one and others.
    const list = await zone.getAttribute("list");
    await expect(page.locator(`datalist#${list} option[value="Europe/Paris"]`)).toHaveCount(1);
    expect(await page.locator(`datalist#${list} option`).count()).toBeGreaterThan(300);
  });
});
