import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import path from "node:path";
import { ownAccount, scheduleInTwoHours, signUpAndConnect } from "./helpers";

const password = "a long enough password";

function uniqueEmail(): string {
  return `creator-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

async function signUp(page: Page, email: string) {
  await page.goto("/auth/signup");
  await page.getByLabel("Your name").fill("Ana Lens");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/instagram-auth$/);
}

/// Signs out from the accounts page a new creator lands on, once its list has loaded: signed
/// out while the list is still being asked for, its answer is "not signed in" and takes the
/// visitor to sign in instead of the landing page.
async function signOutOfNewAccount(page: Page) {
  await expect(page.getByText("No account connected yet")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
}

test("sign up, sign out, sign in, connect a sandbox account and disconnect it", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await expect(page.getByRole("heading", { name: "Instagram accounts" })).toBeVisible();
  await expect(page.getByText("No account connected yet")).toBeVisible();
  await expect(page.getByText("Ana Lens")).toBeVisible();

  // Sign out: back to the landing page, and the accounts page is closed again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/instagram-auth");
  await expect(page).toHaveURL(/\/auth\/signin\?next=%2Finstagram-auth$/);

  // Sign in: back where we were going.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/instagram-auth$/);

  // Connect through the sandbox's consent page.
  await page.getByRole("button", { name: "Connect an Instagram account" }).click();
  await expect(page.getByRole("heading", { name: "Allow access to your Instagram account?" })).toBeVisible();
  await page.getByLabel(/@nordlys\.cafe/).check();
  await page.getByRole("button", { name: "Allow" }).click();
  // Instagram appends `#_` to its redirect and browsers keep a fragment across redirects.
  await expect(page).toHaveURL(/\/instagram-auth\?connected=nordlys\.cafe(#_)?$/);
  await expect(page.getByRole("status")).toContainText("@nordlys.cafe is connected.");
  const row = page.getByTestId("connection-nordlys.cafe");
  await expect(row).toBeVisible();
  await expect(row).toContainText("Active");

  // Disconnect it: asked first, with what it does.
  await row.getByText("Disconnect…").click();
  await expect(row.getByTestId("disconnect-confirm")).toContainText("No scheduled post is affected");
  await row.getByRole("button", { name: "Disconnect @nordlys.cafe", exact: true }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No account connected yet")).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  // The browser reports the server function's 401 answer in its console.
  test.info().annotations.push({ type: "expected-console-error", description: "status of 401" });
  const email = uniqueEmail();
  await signUp(page, email);
  await signOutOfNewAccount(page);
  await page.goto("/auth/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not right. Check both and try again.");
});

test("cancelling on Instagram says so and offers to try again", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.getByRole("button", { name: "Connect an Instagram account" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/instagram-auth\?error=denied(#_)?$/);
  await expect(page.getByRole("status")).toContainText("You cancelled on Instagram");
  await expect(page.getByRole("status").getByRole("button", { name: "Try again" })).toBeVisible();
});

test("without JavaScript, a wrong password still explains itself", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await page.goto("/auth/signin");
  await page.getByLabel("Email").fill("nobody-here@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not right. Check both and try again.");
  await context.close();
});

test("another site's form cannot sign a visitor into an account (login CSRF)", async ({ page, context, baseURL }) => {
  // The refused post's 403 shows in the browser's console.
  test.info().annotations.push({ type: "expected-console-error", description: "status of 403" });
  const email = uniqueEmail();
  await signUp(page, email);
  await signOutOfNewAccount(page);
  await page.goto("/auth/signin");
  const action = await page.locator("form").filter({ has: page.getByLabel("Password") }).getAttribute("action");
  expect(action).toBeTruthy();

  // An attacker's page (not Crealia's origin) posts the attacker's credentials by itself.
  await page.goto("about:blank");
  await page.setContent(`
    <form method="post" action="${baseURL}${action}">
      <input name="email" value="${email}"><input name="password" value="${password}">
    </form>
    <script>document.forms[0].submit()</script>`);
  await expect(page.locator("body")).toContainText("another site");
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === "crealia_session")).toBeUndefined();
});

test("disconnecting says first how many scheduled posts it cancels", async ({ page, request }) => {
  test.setTimeout(60_000);
  const username = await ownAccount(request, "leaving");
  await signUpAndConnect(page, username, "leaving");
  await scheduleInTwoHours(page, path.join(__dirname, "..", "fixtures", "square.jpg"), "Before I go #fika");
  await page.goto("/instagram-auth");
  const row = page.getByTestId(`connection-${username}`);
  await row.getByText("Disconnect…").click();
  await expect(row.getByTestId("disconnect-confirm")).toContainText("1 scheduled post will be cancelled");
  await row.getByRole("button", { name: `Disconnect @${username}`, exact: true }).click();
  await expect(row).toHaveCount(0);
});

test("the landing page invites to create an account, and a connected account leads on to its dashboard", async ({ page, request }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/auth\/signup$/);
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();

  const username = await ownAccount(request, "onward");
  await signUpAndConnect(page, username, "onward");
  // Where Instagram's consent sends the creator back to.
  await page.goto(`/instagram-auth?connected=${username}`);
  await expect(page.getByRole("status")).toContainText(`@${username} is connected.`);
  await page.getByRole("link", { name: `Open @${username}'s dashboard` }).click();
  await expect(page).toHaveURL(/\/instagram-dashboard\?account=\d+$/);
  await expect(page.getByRole("heading", { name: `@${username}` })).toBeVisible();
});
