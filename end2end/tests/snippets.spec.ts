import { test, expect, sandboxAdmin } from "./fixtures";
import { openComposer, ownAccount, signUpAndConnect } from "./helpers";

test("a hashtag group is kept, then inserted into a caption whose counters judge the result", async ({ page, request }) => {
  const username = await ownAccount(request, "snip");
  await signUpAndConnect(page, username, "snippets");
  await openComposer(page);
  const caption = page.getByLabel("Caption");
  await caption.fill("Morning bake #fika #coffee #oslo");

  const groups = page.getByTestId("snippets-hashtags");
  await groups.getByRole("button", { name: "Hashtag groups" }).click();
  await expect(groups.getByText("Nothing kept yet")).toBeVisible();
  await groups.getByLabel("Keep the words above as").fill("Coffee");
  await groups.getByRole("button", { name: "Keep" }).click();
  await expect(groups.getByTestId("snippet")).toHaveText(["Coffee"]);

  await caption.fill("Cinnamon buns today");
  await groups.getByTestId("snippet").filter({ hasText: "Coffee" }).click();
  await expect(caption).toHaveValue("Cinnamon buns today\n#fika #coffee #oslo");
  await expect(page.getByTestId("caption-counters")).toContainText("3 / 30 hashtags");

  // Kept for the creator: there after a reload.
  await page.reload();
  await openComposer(page);
  await page.getByTestId("snippets-hashtags").getByRole("button", { name: "Hashtag groups" }).click();
  await expect(page.getByTestId("snippets-hashtags").getByTestId("snippet")).toHaveText(["Coffee"]);
});

test("a saved reply is picked with / and sent with the author's handle", async ({ page, request }) => {
  const username = await ownAccount(request, "reply");
  await signUpAndConnect(page, username, "replies");
  const inbox = page.getByTestId("inbox");
  await expect(inbox.getByTestId("inbox-live")).toHaveText("Live");
  // A message (a new account has no post to comment on): Crealia asks Instagram who wrote.
  const text = `Open on Sunday? ${Date.now()}`;
  const made = await request.post("/sandbox/__admin/webhooks/events", {
    ...sandboxAdmin(),
    data: { events: [{ kind: "message", account: username, text, from_username: "green.thumb" }] },
  });
  expect(made.status()).toBe(201);
  const messages = inbox.getByRole("tab", { name: /Messages/ });
  await messages.click();
  const item = inbox.getByTestId("inbox-item").filter({ hasText: text });
  await expect(item).toContainText("@green.thumb", { timeout: 5_000 });

  await item.getByRole("button", { name: "Reply" }).click();
  const reply = item.getByLabel("Your reply");
  // Keep an answer first, from the reply field.
  await reply.fill("Hi {username}! Yes, 9 to 3 on Sundays");
  const saved = item.getByTestId("snippets-reply");
  await saved.getByRole("button", { name: "Saved replies" }).click();
  await saved.getByLabel("Keep the words above as").fill("Sunday hours");
  await saved.getByRole("button", { name: "Keep" }).click();
  await expect(saved.getByTestId("snippet")).toHaveText(["Sunday hours"]);
  await saved.getByRole("button", { name: "Saved replies" }).click(); // closed again

  // `/` and the start of a name: the list opens filtered; a click fills the answer.
  await reply.fill("/sun");
  await expect(saved.getByTestId("snippet")).toHaveText(["Sunday hours"]);
  await saved.getByTestId("snippet").click();
  await expect(reply).toHaveValue("Hi @green.thumb! Yes, 9 to 3 on Sundays");
  await item.getByRole("button", { name: "Send reply" }).click();
  await expect(item.getByTestId("inbox-reply")).toContainText("Hi @green.thumb! Yes, 9 to 3 on Sundays");
});
