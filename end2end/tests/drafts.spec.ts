import * as path from "path";
import { test, expect } from "./fixtures";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";

const square = path.join(__dirname, "..", "fixtures", "square.jpg");

test("a post kept as a draft is scheduled later from the list, and duplicated", async ({ page, request }) => {
  const username = await ownAccount(request, "draft");
  await signUpAndConnect(page, username, "drafts");
  await openComposer(page);
  await page.getByTestId("media-input").setInputFiles(square);
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Caption").fill("An idea for Friday #fika");
  await page.getByTestId("save-draft").click();
  await expect(page.getByText("Your draft is saved.")).toBeVisible();

  const row = page.getByTestId("post-row").filter({ hasText: "An idea for Friday" });
  await expect(row.getByTestId("post-status")).toHaveText("DRAFT");
  await expect(row).toContainText("Draft: no time yet");

  // Its time is chosen later: it is checked then, and queued.
  await row.getByRole("button", { name: "Edit post" }).click();
  const at = new Date(Date.now() + 3 * 3600_000); // a new creator's times are in UTC
  await row.getByLabel("Date").fill(at.toISOString().slice(0, 10));
  await row.getByLabel("Time").fill(at.toISOString().slice(11, 16));
  await row.getByRole("button", { name: "Schedule at this time" }).click();
  await expect(row.getByTestId("post-status")).toHaveText("PENDING");

  // Duplicated: a new draft with the same words.
  await row.getByRole("button", { name: "Duplicate" }).click();
  const rows = page.getByTestId("post-row").filter({ hasText: "An idea for Friday" });
  await expect(rows).toHaveCount(2);
  await expect(rows.getByTestId("post-status")).toContainText(["DRAFT"]);
});
