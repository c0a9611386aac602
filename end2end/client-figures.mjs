// The client's figures for `cargo xtask bench`: the WASM each first page
// loads (brotli-compressed at the server's level, as served) and Lighthouse's
// mobile performance score (simulated slow 4G, 4x CPU slowdown), for the
// sign-in page and, as the demo patient, the home, the dashboard and Today.
//
//   node end2end/client-figures.mjs <base url> <folder holding lighthouse's node_modules>

import { chromium } from "@playwright/test";
import { brotliCompressSync, constants } from "node:zlib";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [base, tools] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DEMO = { email: "demo@hale.example", password: "hale-demo-password" };
const PAGES = ["/sign-in", "/", "/dashboard", "/today"];
// The aims: a first page (sign-in, home) loads at most 250 KB of WASM, any
// other page at most 400 KB; every page scores at least 95.
const aimBytes = (path) => (path === "/sign-in" || path === "/" ? 250_000 : 400_000);
const AIM_SCORE = 95;

const browser = await chromium.launch({ executablePath: CHROMIUM });

// The WASM a page fetches until it has hydrated, in a fresh browser (nothing
// cached, as on a first visit).
async function wasmOf(path, storageState) {
  const context = await browser.newContext({ baseURL: base, storageState });
  const page = await context.newPage();
  const urls = new Set();
  page.on("request", (r) => new URL(r.url()).pathname.endsWith(".wasm") && urls.add(r.url()));
  await page.goto(path);
  await page.locator("html[data-hydrated='true']").waitFor({ state: "attached", timeout: 60_000 });
  let bytes = 0;
  for (const url of urls) {
    const body = await (await context.request.get(url, { headers: { "accept-encoding": "identity" } })).body();
    bytes += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  await context.close();
  return { files: urls.size, bytes };
}

const signIn = await browser.newContext({ baseURL: base });
const page = await signIn.newPage();
await page.goto("/sign-in");
await page.locator("html[data-hydrated='true']").waitFor({ state: "attached", timeout: 60_000 });
await page.getByLabel("Email").fill(DEMO.email);
await page.getByLabel("Password", { exact: true }).fill(DEMO.password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(`${base}/`);
const session = await signIn.storageState();
const cookie = session.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
await signIn.close();
const sizes = {};
for (const path of PAGES) sizes[path] = await wasmOf(path, path === "/sign-in" ? undefined : session);
await browser.close();

const lighthouse = (await import(pathToFileURL(join(tools, "node_modules/lighthouse/core/index.js")))).default;
const launcher = await import(pathToFileURL(join(tools, "node_modules/chrome-launcher/dist/index.js")));
const chrome = await launcher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
console.log("client figures (Lighthouse mobile, simulated throttling):");
console.log("  page          WASM files  WASM brotli  (aim)     performance (aim)  LCP      TBT");
try {
  for (const path of PAGES) {
    const signedIn = path !== "/sign-in";
    const result = await lighthouse(`${base}${path}`, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      extraHeaders: signedIn ? { Cookie: cookie } : undefined,
    });
    const lhr = result.lhr;
    if (lhr.runtimeError || lhr.categories.performance.score === null) {
      // A run Lighthouse could not finish is said so, not printed as a score of 0.
      console.log(`  ${path.padEnd(13)} no score: ${lhr.runtimeError?.message ?? "Lighthouse could not measure this page"}`);
      continue;
    }
    const score = Math.round(lhr.categories.performance.score * 100);
    const lcp = lhr.audits["largest-contentful-paint"].displayValue ?? "";
    const tbt = lhr.audits["total-blocking-time"].displayValue ?? "";
    const { files, bytes } = sizes[path];
    const sizeMet = bytes <= aimBytes(path) ? "met" : "NOT met";
    const scoreMet = score >= AIM_SCORE ? "met" : "NOT met";
    console.log(
      `  ${path.padEnd(13)} ${String(files).padStart(10)}  ${String(bytes).padStart(11)}  ${sizeMet.padEnd(8)}  ${String(score).padStart(11)} ${scoreMet.padEnd(7)} ${lcp.padEnd(8)} ${tbt}`,
    );
  }
} finally {
  await chrome.kill();
}
