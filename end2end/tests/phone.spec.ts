import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";
import { SIGNED_IN_PAGES, SIGNED_OUT_PAGES } from "./pages";

const WIDTHS = [360, 390];

/// The page is as wide as the window: nothing makes it scroll sideways.
async function expectNoSidewaysScroll(page: Page, what: string) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll, `${what}: the page is ${scroll} px wide in a ${inner} px window`).toBeLessThanOrEqual(inner);
}

/// The element's right edge is inside the window.
async function expectWithinWidth(page: Page, locator: ReturnType<Page["locator"]>, what: string) {
  const box = await locator.boundingBox();
  const inner = await page.evaluate(() => window.innerWidth);
  expect(box, `${what} is shown`).not.toBeNull();
  expect(box!.x + box!.width, `${what} ends inside the ${inner} px window`).toBeLessThanOrEqual(inner);
}

test("every page fits a phone: no sideways scrolling at 360 and 390 px, the navigation within reach", async ({ page, request }) => {
  // The page that does not exist answers 404, as it should; the browser says so in its console.
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  test.setTimeout(120_000);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 780 });
    for (const path of SIGNED_OUT_PAGES) {
      await page.goto(path);
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
      await expectNoSidewaysScroll(page, `${path} at ${width} px, signed out`);
    }
  }

  await page.setViewportSize({ width: 1280, height: 800 });
  await signUpAndConnect(page, await ownAccount(request, "phone"), "phone");
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 780 });
    for (const path of SIGNED_IN_PAGES) {
      await page.goto(path);
      // Hydrated: the navigation knows who is signed in.
      const signOut = page.getByRole("button", { name: "Sign out" });
      await expect(signOut).toBeVisible();
      await expectNoSidewaysScroll(page, `${path} at ${width} px`);
      await expectWithinWidth(page, signOut, `Sign out on ${path} at ${width} px`);
      await expectWithinWidth(page, page.getByTestId("whoami"), `the creator's name on ${path} at ${width} px`);
      if (path === "/instagram-dashboard") {
        await expectWithinWidth(page, page.getByRole("tab", { name: /Messages/ }), `the inbox's Messages tab at ${width} px`);
        await openComposer(page);
        await expectNoSidewaysScroll(page, `${path} at ${width} px, the composer open`);
      }
    }
  }
});
