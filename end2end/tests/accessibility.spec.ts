import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import path from "node:path";
import { audit, ownAccount, signUpAndConnect } from "./helpers";
import { SIGNED_IN_PAGES, SIGNED_OUT_PAGES } from "./pages";

test("axe-core finds no serious or critical violation on any page, light or dark", async ({ page, request }) => {
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  test.setTimeout(180_000);
  const found: string[] = [];
  for (const p of SIGNED_OUT_PAGES) {
    await page.goto(p);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await audit(page, p, found);
  }
  await signUpAndConnect(page, await ownAccount(request, "axe"), "axe");
  for (const p of SIGNED_IN_PAGES) {
    await page.goto(p);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await page.waitForLoadState("networkidle");
    await audit(page, p, found);
  }
  expect(found).toEqual([]);
});

/// Presses Tab until the focused element is the one `locator` finds (at most `max` times): it is
/// reachable by keyboard, and the focus shows where it is.
async function tabTo(page: Page, locator: ReturnType<Page["locator"]>, what: string, max = 80) {
  const target = await locator.elementHandle();
  expect(target, `${what} is on the page`).not.toBeNull();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((el) => document.activeElement === el, target)) {
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline, `the focus on ${what} is visible`).not.toBe("none");
      return;
    }
  }
  throw new Error(`${what} is not reachable with Tab within ${max} presses`);
}

test.describe("keyboard", () => {
  test("a post is scheduled with the keyboard alone", async ({ page, request }) => {
    test.setTimeout(90_000);
    await signUpAndConnect(page, await ownAccount(request, "keys"), "keys");
    await expect(page.getByTestId("inbox-live")).toHaveText("Live");
    await page.locator("body").focus();

    // The composer opens from the keyboard, and so does the file picker.
    await tabTo(page, page.getByTestId("open-composer"), "the composer's button");
    await page.keyboard.press("Enter");
    // The button gives way to the composer: the focus goes to its heading, not back to the top.
    await expect(page.getByRole("heading", { name: "New post" })).toBeFocused();
    await expect(page.getByTestId("media-input")).toBeAttached();
    const input = page.getByTestId("media-input");
    await tabTo(page, input, "the media picker");
    const chooser = page.waitForEvent("filechooser");
    await page.keyboard.press("Space");
    await (await chooser).setFiles(path.join(__dirname, "..", "fixtures", "square.jpg"));
    await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });

    await tabTo(page, page.getByLabel("Caption"), "the caption");
    await page.keyboard.type("Typed, not clicked #keyboard");
    await tabTo(page, page.getByRole("radio", { name: "Publish now" }), "the When choice");
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("radio", { name: "Schedule" })).toBeChecked();

    // Tomorrow 09:30 UTC: typed as "0930A", it is the same time on a 12- or 24-hour clock.
    const at = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10) + "T09:30";
    const [year, month, day] = at.slice(0, 10).split("-");
    const date = page.getByLabel("Date");
    await tabTo(page, date, "the date");
    await page.keyboard.type(`${month}${day}${year}`);
    if ((await date.inputValue()) !== at.slice(0, 10)) {
      // The browser's fields run day first: back out of the field (Tab moves between its
      // parts), in again, and type it that way.
      const handle = await date.elementHandle();
      for (let i = 0; i < 5 && (await page.evaluate((el) => document.activeElement === el, handle)); i++) {
        await page.keyboard.press("Shift+Tab");
      }
      await page.keyboard.press("Tab");
      await page.keyboard.type(`${day}${month}${year}`);
    }
    await tabTo(page, page.getByLabel("Time", { exact: true }), "the time");
    await page.keyboard.type("0930A");
    await tabTo(page, page.getByLabel("Time zone"), "the time zone");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("UTC");
    await expect(page.getByLabel("Date")).toHaveValue(at.slice(0, 10));
    await expect(page.getByLabel("Time", { exact: true })).toHaveValue(at.slice(11, 16));

    await tabTo(page, page.getByRole("button", { name: "Schedule", exact: true }), "the Schedule button");
    await page.keyboard.press("Enter");
    await expect(page.getByText("Your post is scheduled.")).toBeVisible();
    await expect(page.getByTestId("post-row").filter({ hasText: "Typed, not clicked" }).getByTestId("post-status")).toHaveText("PENDING");
  });
});
