import { test, expect } from "./fixtures";
import path from "node:path";
import { signUpAndConnect } from "./helpers";
import { SIGNED_IN_PAGES, SIGNED_OUT_PAGES, pageName } from "./pages";

/// Screenshots of every page at a phone's and a laptop's width, light and dark, for the README's
/// "What a creator sees". Taken by scripts/screenshots (which sets SCREENSHOTS_DIR); skipped in
/// the test suite.
const DIR = process.env.SCREENSHOTS_DIR;

test("screenshots of every page at 390 and 1280 px, light and dark", async ({ page }) => {
  test.skip(!DIR, "scripts/screenshots takes them");
  // The page that does not exist answers 404, as it should; the browser says so in its console.
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  test.setTimeout(240_000);
  const shoot = async (paths: string[], signedIn: boolean) => {
    for (const theme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: theme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
        for (const p of paths) {
          await page.goto(p);
          const nav = page.getByRole("navigation", { name: "Main" });
          await expect(signedIn ? nav.getByRole("button", { name: "Sign out" }) : nav.getByRole("link", { name: "Sign in" })).toBeVisible();
          await page.screenshot({ path: path.join(DIR!, `${pageName(p)}-${width}-${theme}.png`), fullPage: true });
        }
      }
    }
  };
  await shoot(SIGNED_OUT_PAGES, false);
  await page.setViewportSize({ width: 1280, height: 900 });
  // A seeded account with a history (scripts/screenshots runs this alone, on an app of its own).
  await signUpAndConnect(page, "lumen.studio", "shots");
  await shoot(SIGNED_IN_PAGES, true);
});
