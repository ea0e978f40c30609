import { test, expect } from "./fixtures";
import type { BrowserContext, Page } from "@playwright/test";
import path from "node:path";
import { audit, openComposer, ownAccount, signUpAndConnect } from "./helpers";
import { SIGNED_IN_PAGES, SIGNED_OUT_PAGES } from "./pages";

/// Words that stay as they are in French: names, Instagram's own words for its formats and
/// tabs, and the few words both languages spell alike.
const ALLOWED = new Set([
  "Crealia", "Instagram", "Meta", "Graph", "API", "Reel", "Reels", "Story", "Stories", "UTC", "CSV", "SVG", "PNG", "JPEG", "MP4", "MOV", "WebP", "Redis",
  "Image", "Images", "Mentions", "Messages", "Date", "Format", "Audience", "Hashtag", "Hashtags", "Interactions", "Total", "Type", "Notifications",
]);

/// Text that is not words: figures, dates, times, percentages, handles, hashtags, addresses.
function notWords(text: string): boolean {
  if (ALLOWED.has(text)) return true;
  if (!/[A-Za-zÀ-ÿ]{3,}/.test(text)) return true; // "12", "1.6×", "14:05", "—", "7 j"
  if (/^[@#][\w.]+$/.test(text) || /^\S+@\S+\.\S+$/.test(text) || /^https?:\/\//.test(text)) return true;
  if (/^[A-Z][a-z]+\/[A-Za-z_]+$/.test(text)) return true; // a time zone: "Europe/Paris"
  return [...text.matchAll(/[A-Za-zÀ-ÿ]{3,}/g)].every((m) => ALLOWED.has(m[0]));
}

/// Every piece of text a person reads or hears on the page, with where it is: text nodes and
/// the labels, titles, placeholders and alternatives of elements; except what is marked as not
/// to be translated (a creator's own captions, names, comments: `translate="no"`) and what is
/// in another language on purpose (`lang`, such as the language switch itself).
async function readable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const skipped = (el: Element | null) => !!el?.closest(`[translate="no"], script, style, template, [hidden], [lang]:not([lang="${pageLang}"])`);
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? "").replace(/\s+/g, " ").trim();
      if (text && !skipped(n.parentElement)) out.push(text);
    }
    for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
      if (skipped(el)) continue;
      for (const attr of ["aria-label", "title", "placeholder", "alt"]) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.push(v);
      }
    }
    out.push(document.title.replace(/ · Crealia$/, ""));
    return out;
  });
}

async function setLanguage(context: BrowserContext, baseURL: string, lang: "en" | "fr") {
  await context.addCookies([{ name: "crealia_lang", value: lang, url: baseURL }]);
}

/// Opens `path` in English and in French: whatever reads the same in both (and is words) was
/// left in English.
async function untranslated(page: Page, baseURL: string, path: string): Promise<string[]> {
  const seen: Record<string, Set<string>> = {};
  for (const lang of ["en", "fr"] as const) {
    await setLanguage(page.context(), baseURL, lang);
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", lang);
    await page.waitForLoadState("networkidle");
    await expect(page.getByTestId("language-switch")).toBeVisible();
    // The dashboard's composer, opened: its words too.
    if (path === "/instagram-dashboard") await openComposer(page);
    seen[lang] = new Set(await readable(page));
  }
  return [...seen.fr].filter((t) => seen.en.has(t) && !notWords(t)).map((t) => `${path}: “${t}”`);
}

test("a browser that prefers French gets Crealia in French, with <html lang>", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Votre salle de contrôle Instagram");
  await page.goto("/auth/signin");
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
  // The other way round: an English browser on the same server.
  const english = await browser.newContext({ locale: "en-US" });
  const other = await english.newPage();
  await other.goto(baseURL + "/");
  await expect(other.locator("html")).toHaveAttribute("lang", "en");
  await context.close();
  await english.close();
});

test("switching to French translates every page, leaves no English, and follows the creator to another browser", async ({ page, browser, request, baseURL }) => {
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  test.setTimeout(240_000);
  const username = await ownAccount(request, "langue");
  await signUpAndConnect(page, username, "langue");

  // The switch: the page loads again in French.
  await expect(page.getByTestId("inbox-live")).toHaveText("Live");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("link", { name: "Tableau de bord" })).toBeVisible();

  const left: string[] = [];
  for (const p of SIGNED_IN_PAGES) left.push(...(await untranslated(page, baseURL!, p)));
  expect(left, "English left on a French page").toEqual([]);

  // Remembered on the account: a new browser (no cookie, English preference) signs in and
  // finds Crealia in French.
  const email = await page.getByTestId("whoami").getAttribute("title");
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  const elsewhere = await browser.newContext({ locale: "en-US" });
  const other = await elsewhere.newPage();
  await other.goto(baseURL + "/auth/signin");
  await expect(other.locator("html")).toHaveAttribute("lang", "en");
  await other.getByLabel("Email").fill(email!);
  await other.getByLabel("Password").fill("a long enough password");
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other).toHaveURL(/\/instagram-auth$/);
  await expect(other.locator("html")).toHaveAttribute("lang", "fr");
  await expect(other.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
  // The frame that outlived the sign-in follows too: the switch offers English, the footer is French.
  await expect(other.getByTestId("language-switch")).toHaveText("English");
  await expect(other.locator("footer")).toContainText("la salle de contrôle");
  await other.goto(baseURL + "/instagram-dashboard");
  await expect(other.locator("html")).toHaveAttribute("lang", "fr");
  await expect(other.getByRole("link", { name: "Statistiques" })).toBeVisible();
  await elsewhere.close();
});

test("the signed-out pages leave no English in French", async ({ page, baseURL }) => {
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  const left: string[] = [];
  for (const p of SIGNED_OUT_PAGES) left.push(...(await untranslated(page, baseURL!, p)));
  expect(left, "English left on a French page").toEqual([]);
});

test("axe-core finds no serious or critical violation on any page in French", async ({ page, request, baseURL }) => {
  test.info().annotations.push({ type: "expected-console-error", description: "status of 404" });
  test.setTimeout(180_000);
  const found: string[] = [];
  await setLanguage(page.context(), baseURL!, "fr");
  for (const p of SIGNED_OUT_PAGES) {
    await page.goto(p);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await audit(page, p, found);
  }
  await setLanguage(page.context(), baseURL!, "en");
  await signUpAndConnect(page, await ownAccount(request, "axefr"), "axefr");
  await setLanguage(page.context(), baseURL!, "fr");
  for (const p of SIGNED_IN_PAGES) {
    await page.goto(p);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await page.waitForLoadState("networkidle");
    await audit(page, p, found);
  }
  expect(found).toEqual([]);
});

test("what Crealia refuses is said in French too: the composer's check and the server's answer", async ({ page, request, baseURL }) => {
  test.info().annotations.push({ type: "expected-console-error", description: "status of 422" });
  await signUpAndConnect(page, await ownAccount(request, "refus"), "refus");
  await setLanguage(page.context(), baseURL!, "fr");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByTestId("inbox-live")).toHaveText("En direct");
  await openComposer(page);
  const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(" ");
  await page.getByLabel("Légende").fill(tags);
  await expect(page.getByText("La légende compte 31 hashtags\u00a0; Instagram en autorise 30.")).toBeVisible();
  // The server's refusal of a time zone it does not know, in French.
  await page.getByLabel("Légende").fill("Bonjour");
  await page.getByTestId("media-input").setInputFiles(path.join(__dirname, "..", "fixtures", "square.jpg"));
  await expect(page.getByTestId("upload-ready")).toBeVisible({ timeout: 20_000 });
  await page.getByRole("radio", { name: "Programmer" }).check();
  const at = new Date(Date.now() + 2 * 3600_000).toISOString();
  await page.getByLabel("Date").fill(at.slice(0, 10));
  await page.getByLabel("Heure", { exact: true }).fill(at.slice(11, 16));
  await page.getByLabel("Fuseau horaire").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Programmer" }).click();
  await expect(page.getByRole("alert")).toContainText("«\u00a0Mars/Olympus\u00a0» n’est pas un fuseau horaire connu de Crealia.");
});
