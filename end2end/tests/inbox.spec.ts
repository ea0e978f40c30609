import { test, expect, sandboxAdmin } from "./fixtures";
import { signUpAndConnect } from "./helpers";

test("a comment made on Instagram appears live in the open inbox; replying to it reaches Instagram", async ({ page, request }) => {
  await signUpAndConnect(page, "tiny.sprout", "inbox");
  const inbox = page.getByTestId("inbox");
  // The page holds its live connection before the comment is made.
  await expect(inbox.getByTestId("inbox-live")).toHaveText("Live");
  const before = Number(await inbox.getByTestId("inbox-unread").textContent());

  // Someone comments on Instagram: the sandbox stores it and sends Meta's signed webhook.
  const text = `So lovely 🌱 ${Date.now()}`;
  const made = await request.post("/sandbox/__admin/webhooks/events", {
    ...sandboxAdmin(),
    data: { events: [{ kind: "comment", account: "tiny.sprout", text, from_username: "green.thumb" }] },
  });
  expect(made.status()).toBe(201);
  const commentId: string = (await made.json()).created[0];

  // Within 2 s, without reloading.
  const item = inbox.getByTestId("inbox-item").filter({ hasText: text });
  await expect(item).toBeVisible({ timeout: 2_000 });
  await expect(item).toContainText("@green.thumb");
  // It says which post was commented on: its picture, its caption's start, a link to it.
  const post = item.getByTestId("inbox-post");
  await expect(post).toHaveAttribute("href", /^https?:\/\/\S+/);
  await expect(post.locator(".inbox-post-caption")).not.toBeEmpty();
  await expect(post.locator("img")).toHaveAttribute("src", /^https?:\/\//);
  await expect(inbox.getByTestId("inbox-unread")).toHaveText(String(before + 1));

  // Reply from the inbox: the reply shows under the comment at once, and on Instagram.
  await item.getByRole("button", { name: "Reply" }).click();
  const reply = `Thank you! ${Date.now()}`;
  await item.getByLabel("Your reply").fill(reply);
  await item.getByRole("button", { name: "Send reply" }).click();
  await expect(item.getByTestId("inbox-reply")).toContainText(reply);
  await expect(inbox.getByTestId("inbox-unread")).toHaveText(String(before));

  const token = (await (await request.post("/sandbox/__admin/tokens", { ...sandboxAdmin(), data: { account: "tiny.sprout" } })).json()).access_token;
  const replies = await (await request.get(`/sandbox/v25.0/${commentId}/replies?fields=text,username&access_token=${token}`)).json();
  expect(replies.data.map((r: { text: string }) => r.text)).toContain(reply);

  // Hiding it shows at once too.
  await item.getByRole("button", { name: "Hide" }).click();
  await expect(item.getByText("Hidden")).toBeVisible();

  // On another page, the navigation counts what arrives, live.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await expect(page).toHaveURL(/\/instagram-calendar/);
  await expect(page.getByTestId("nav-unread")).toHaveCount(0);
  await request.post("/sandbox/__admin/webhooks/events", {
    ...sandboxAdmin(),
    data: { events: [{ kind: "message", account: "tiny.sprout", text: "Do you sell seedlings?", from_username: "seed.lover" }] },
  });
  await expect(page.getByTestId("nav-unread")).toHaveText("1", { timeout: 2_000 });

  // Back on the dashboard, the message is answered in its conversation.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Dashboard/ }).click();
  const messagesTab = page.getByTestId("inbox").getByRole("tab", { name: /Messages/ });
  await messagesTab.click();
  await expect(messagesTab).toHaveAttribute("aria-selected", "true");
  const message = page.getByTestId("inbox-item").filter({ hasText: "Do you sell seedlings?" });
  // Meta's message webhook names nobody: Crealia asked Instagram who wrote.
  await expect(message).toContainText("@seed.lover");
  await message.getByRole("button", { name: "Reply" }).click();
  const answer = message.getByLabel("Your reply");
  await answer.fill("Yes, on Saturdays!");

  // Another message arriving while the answer is being typed: it shows, and the answer being
  // written keeps its text and the focus.
  await request.post("/sandbox/__admin/webhooks/events", {
    ...sandboxAdmin(),
    data: { events: [{ kind: "message", account: "tiny.sprout", text: "And on Sundays?", from_username: "seed.lover" }] },
  });
  await expect(page.getByTestId("inbox-item").filter({ hasText: "And on Sundays?" })).toContainText("@seed.lover", { timeout: 2_000 });
  await expect(answer).toHaveValue("Yes, on Saturdays!");
  await expect(answer).toBeFocused();

  await message.getByRole("button", { name: "Send reply" }).click();
  await expect(message.getByTestId("inbox-reply")).toContainText("Yes, on Saturdays!");
  // The answered message is read; the one that came meanwhile is not.
  await expect(page.getByTestId("nav-unread")).toHaveText("1");
  const sent = (await (await request.get("/sandbox/__admin/messages", sandboxAdmin())).json()).messages;
  expect(sent.map((m: { text: string }) => m.text)).toContain("Yes, on Saturdays!");
});
