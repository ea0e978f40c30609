import * as path from "path";
import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";

const square = path.join(__dirname, "..", "fixtures", "square.jpg");
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "Thu 3 Dec 2026, 10:00": how the post list writes a UTC wall-clock time in English.
function listed(day: Date, time: string): string {
  return `${WEEKDAYS[day.getUTCDay()]} ${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]} ${day.getUTCFullYear()}, ${time}`;
}

/// A day at least two days ahead that is not a Sunday (its next day is in the same week).
function dayAhead(): Date {
  const day = new Date(Date.now() + 2 * 86_400_000);
  if (day.getUTCDay() === 0) day.setUTCDate(day.getUTCDate() + 1);
  return day;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/// Schedules an image post on `day` at `time` (UTC, a new creator's zone) from the dashboard.
async function schedule(page: Page, caption: string, day: Date, time: string) {
  await openComposer(page);
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Caption").fill(caption);
  await page.getByRole("radio", { name: "Schedule" }).check();
  await page.getByLabel("Date").fill(iso(day));
  await page.getByLabel("Time", { exact: true }).fill(time);
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(page.getByText("Your post is scheduled.")).toBeVisible();
}

test("a person is tagged on an image by clicking where they are", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "tagging"), "tagging");
  await openComposer(page);
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Caption").fill("With friends #fika");
  await page.getByTestId("more-options").click();
  const picture = page.getByTestId("tag-area");
  await expect(picture).toBeVisible();
  const box = (await picture.boundingBox())!;
  // A quarter across, three quarters down.
  await picture.click({ position: { x: box.width * 0.25, y: box.height * 0.75 } });
  await page.getByTestId("tag-username").fill("@ana.b");
  await page.getByTestId("tag-username").press("Enter");
  await expect(page.getByTestId("tag-marker")).toHaveText("@ana.b");
  await page.getByTestId("collaborators").fill("lumen.studio, bo_bakes");
  await page.getByRole("radio", { name: "Schedule" }).check();
  const day = dayAhead();
  await page.getByLabel("Date").fill(iso(day));
  await page.getByLabel("Time", { exact: true }).fill("10:00");
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(page.getByText("Your post is scheduled.")).toBeVisible();

  const posts = await (await page.request.get("/api/instagram/schedule")).json();
  const post = posts.find((p: { caption: string }) => p.caption === "With friends #fika");
  expect(post.options.collaborators).toEqual(["lumen.studio", "bo_bakes"]);
  expect(post.options.tags).toHaveLength(1);
  const tag = post.options.tags[0];
  expect(tag.username).toBe("ana.b");
  expect(Math.abs(tag.x - 250)).toBeLessThan(30);
  expect(Math.abs(tag.y - 750)).toBeLessThan(30);
});

test("a post dragged to the next day in the calendar shows its new time in the post list", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "dragging"), "dragging");
  const day = dayAhead();
  await schedule(page, "Moving day #fika", day, "10:00");
  const row = page.getByTestId("post-row").filter({ hasText: "Moving day" });
  await expect(row).toContainText(listed(day, "10:00"));

  await page.goto(`/instagram-calendar?view=week&date=${iso(day)}`);
  const next = new Date(day.getTime() + 86_400_000);
  const entry = page.locator(`[data-date="${iso(day)}"]`).getByTestId("calendar-entry");
  await expect(entry).toBeVisible();
  await expect(page.getByRole("grid")).toHaveAttribute("data-hydrated", "true"); // the entry listens for its drag
  await entry.dragTo(page.locator(`[data-date="${iso(next)}"]`));
  await expect(page.locator(`[data-date="${iso(next)}"]`).getByTestId("calendar-entry")).toBeVisible();
  // The keyboard's way: an hour later.
  await page.locator(`[data-date="${iso(next)}"]`).getByTestId("calendar-entry").getByRole("link").press("Alt+ArrowDown");
  await expect(page.locator(`[data-date="${iso(next)}"]`).getByTestId("calendar-entry")).toContainText("11:00");

  await page.goto("/instagram-dashboard");
  await expect(page.getByTestId("post-row").filter({ hasText: "Moving day" })).toContainText(listed(next, "11:00"));
});

test("an empty day of the calendar opens the composer scheduled on that day", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "slots"), "slots");
  const day = dayAhead();
  await page.goto(`/instagram-calendar?view=week&date=${iso(day)}`);
  await page.locator(`[data-date="${iso(day)}"]`).getByTestId("calendar-slot").click();
  await expect(page).toHaveURL(new RegExp(`/instagram-dashboard\\?at=${iso(day)}`));
  await expect(page.getByRole("radio", { name: "Schedule" })).toBeChecked();
  await expect(page.getByLabel("Date")).toHaveValue(iso(day));
});

test("the feed preview is reordered by dragging one post onto another", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "grid"), "grid");
  const day = dayAhead();
  await schedule(page, "First out #fika", day, "10:00");
  await schedule(page, "Second out #fika", day, "12:00");
  await page.goto("/instagram-feed");
  await expect(page.getByTestId("feed-grid")).toHaveAttribute("data-hydrated", "true");
  const tiles = page.getByTestId("feed-tile");
  await expect(tiles).toHaveCount(2);
  // The last to go out shows first, as in Instagram's grid.
  await expect(tiles.nth(0).getByTestId("feed-when")).toContainText("12:00");
  const first = await tiles.nth(0).getAttribute("data-post");
  await tiles.nth(1).dragTo(tiles.nth(0));
  await expect(tiles.nth(0)).not.toHaveAttribute("data-post", first!);
  await expect(tiles.nth(1)).toHaveAttribute("data-post", first!);
  await expect(tiles.nth(0).getByTestId("feed-when")).toContainText("12:00");
  // And back with the keyboard's buttons.
  await tiles.nth(1).getByRole("button", { name: /Swap with the post before/ }).click();
  await expect(tiles.nth(0)).toHaveAttribute("data-post", first!);
});

test("a CSV with a bad line is reported, corrected and scheduled", async ({ page, request }) => {
  await signUpAndConnect(page, await ownAccount(request, "bulk"), "bulk");
  await page.goto("/instagram-bulk");
  await expect(page.getByRole("heading", { name: "Schedule many posts from a CSV" })).toBeVisible();
  await expect(page.getByTestId("bulk-form")).toHaveAttribute("data-hydrated", "true"); // the file input listens
  await page.getByTestId("bulk-media").setInputFiles(square);
  await expect(page.getByTestId("bulk-uploads")).toHaveText("1 of 1 files uploaded", { timeout: 20_000 });
  const day = iso(dayAhead());
  const csv = `date,time,caption,media\n${day},09:00,Morning #fika,square.jpg\n${day},25:00,Too late,square.jpg\n`;
  await page.getByTestId("bulk-text").fill(csv);
  await page.getByTestId("bulk-check").click();
  await expect(page.getByTestId("bulk-refused-line")).toHaveText(["Line 3: “25:00” is not a time: write it as 14:05."]);
  await expect(page.getByTestId("bulk-schedule")).toBeDisabled();
  await page.getByTestId("bulk-text").fill(csv.replace("25:00", "18:00"));
  await page.getByTestId("bulk-check").click();
  await expect(page.getByTestId("bulk-posts").locator("tbody tr")).toHaveCount(2);
  await page.getByTestId("bulk-schedule").click();
  await expect(page.getByTestId("bulk-done")).toContainText("2 posts are scheduled.");
});
