import { test as base, expect } from "@playwright/test";

/// Every test runs with Crealia's Content-Security-Policy on (the server always sends it) and
/// fails on any CSP violation or console error a page reports.
export const test = base.extend<{ watchConsole: void }>({
  watchConsole: [
    async ({ page }, use, testInfo) => {
      const problems: string[] = [];
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${page.url()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
      await use();
      const allowed = (testInfo.annotations ?? []).filter((a) => a.type === "expected-console-error").map((a) => a.description ?? "");
      const unexpected = problems.filter((p) => !allowed.some((a) => p.includes(a)));
      expect(unexpected, "console errors and CSP violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/// Headers that open the in-process sandbox's admin API (its token is given by scripts/test).
export function sandboxAdmin(): { headers: Record<string, string> } {
  const token = process.env.SANDBOX_ADMIN_TOKEN;
  if (!token) throw new Error("SANDBOX_ADMIN_TOKEN is not set: run the browser tests through scripts/test");
  return { headers: { authorization: `Bearer ${token}` } };
}
