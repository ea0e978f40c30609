// The dashboard page as a phone on loopback gets it: the weight of what it loads (HTML, JS, WASM,
// CSS; brotli quality 11 of each body, as the other size figures) and the time until it is
// interactive (hydrated, its live feed open) with the CPU slowed 4× through the DevTools protocol.
// Run by scripts/bench-size against a release build: node page.js URL EMAIL PASSWORD
const { chromium } = require("@playwright/test");
const zlib = require("zlib");

const [url, email, password] = process.argv.slice(2);
const RUNS = 5;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const signIn = await browser.newContext();
  const page = await signIn.newPage();
  await page.goto(url + "/auth/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/auth/"));
  const cookies = await signIn.cookies();

  const times = [];
  let weight = null;
  for (let run = 0; run < RUNS; run++) {
    // A cold browser each time: nothing cached, as a first visit.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies(cookies);
    const p = await context.newPage();
    const cdp = await context.newCDPSession(p);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const loaded = [];
    p.on("response", (r) => {
      const u = new URL(r.url());
      if (u.pathname === "/instagram-dashboard" || /\/pkg\/.*\.(js|wasm|css)$/.test(u.pathname)) loaded.push(r);
    });
    const start = Date.now();
    await p.goto(url + "/instagram-dashboard");
    await p.getByTestId("inbox-live").filter({ hasText: "Live" }).waitFor({ timeout: 60_000 });
    times.push(Date.now() - start);
    if (!weight) {
      // Whatever the page fetches just after (a page chunk preloaded late) counts too.
      await p.waitForTimeout(2000);
      weight = [];
      for (const r of loaded) {
        const body = await r.body();
        const br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
        weight.push({ file: new URL(r.url()).pathname, raw: body.length, br });
      }
    }
    await context.close();
  }
  await browser.close();

  const kib = (n) => (n / 1024).toFixed(1) + " KiB";
  console.log("| the dashboard page loads | raw | brotli 11 |");
  console.log("|---|---:|---:|");
  for (const w of weight) console.log(`| ${w.file} | ${kib(w.raw)} | ${kib(w.br)} |`);
  const sum = (k) => weight.reduce((s, w) => s + w[k], 0);
  console.log(`| **all** | ${kib(sum("raw"))} | **${kib(sum("br"))}** |`);
  times.sort((a, b) => a - b);
  console.log(`time to interactive (hydrated, live feed open), 4× CPU throttling, ${RUNS} cold loads: median ${times[Math.floor(RUNS / 2)]} ms, best ${times[0]} ms, worst ${times[RUNS - 1]} ms`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
