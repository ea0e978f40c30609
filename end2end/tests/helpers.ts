import { expect, Page } from "@playwright/test";

/// Signs up a new creator, connects the sandbox account `username` and opens its dashboard.
export async function signUpAndConnect(page: Page, username: string, prefix = "creator") {
  const email = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto("/auth/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/instagram-auth$/);
  await page.getByRole("button", { name: "Connect an Instagram account" }).click();
  await page.getByLabel(new RegExp(`@${username.replace(".", "\\.")}`)).check();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("status")).toContainText(`@${username} is connected.`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/instagram-dashboard$/);
  await expect(page.getByRole("heading", { name: `@${username}` })).toBeVisible();
}
