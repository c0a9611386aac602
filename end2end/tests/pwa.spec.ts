import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib, { brotliCompressSync } from "node:zlib";
import { type Page, chromium, expect, test } from "@playwright/test";
import { SignInPage, hydrated, signedUp } from "./pages";

test("the web manifest is served and complete", async ({ request }) => {
  const response = await request.get("/manifest.webmanifest");
  expect(response.ok()).toBe(true);
  const manifest = await response.json();
  expect(manifest.name).toBe("Hale health portal");
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  const sizes = manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]));
  for (const icon of manifest.icons) {
    const image = await request.get(icon.src);
    expect(image.ok()).toBe(true);
    expect(image.headers()["content-type"]).toBe("image/png");
  }
});

test("the service worker is served with a build-specific cache", async ({ request }) => {
  const response = await request.get("/sw.js");
  expect(response.ok()).toBe(true);
  expect(response.headers()["content-type"]).toContain("javascript");
  const body = await response.text();
  expect(body).toMatch(/const CACHE = "hale-[0-9a-f]{16}"/);
  expect(body).not.toContain("__HALE_CACHE_VERSION__");
});

test("the app registers its service worker and is installable", async ({ browserName }, testInfo) => {
  // Chromium never offers installation in an incognito profile, which is what
  // Playwright's ordinary contexts are: use a real (throw-away) profile.
  expect(browserName).toBe("chromium");
  const profile = mkdtempSync(join(tmpdir(), "hale-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    ...testInfo.project.use.launchOptions,
    baseURL: testInfo.project.use.baseURL,
    locale: "en-US",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await new SignInPage(page).open();
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(new URL(scope).pathname).toBe("/");

  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  const { url } = await cdp.send("Page.getAppManifest");
  expect(url).toMatch(/\/manifest\.webmanifest$/);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

test("without a network, pages fall back to the offline page", async ({ page, context }) => {
  await new SignInPage(page).open();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    // The page is controlled once the worker has claimed it.
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }),
      );
    }
  });
  await context.setOffline(true);
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
});

/** The most WASM, brotli-compressed as served, that a first page may load
 * before this test fails: the client is split per area (root.rs), so the
 * sign-in page and the home load the main module and their own area's chunks
 * only. It grew from 285 KB to 1.15 MB unseen once. The aim (≤ 250 KB for
 * the first page) is not reached yet; lower these bounds as the client
 * shrinks, never raise them quietly. */
const FIRST_PAGE_BROTLI_BOUND = { "/sign-in": 415_000, "/": 550_000 };

/** The main module alone (`hale.*.wasm`), which every page loads first. Its
 * data once grew from 66 KB to 289 KB when a match over translated texts let
 * the optimiser index the whole table of both languages' words: then the
 * words of every area ship in it (see `text_in!` in app/src/i18n.rs). */
const MAIN_MODULE_BROTLI_BOUND = 225_000;

/** The WASM files a page fetches until it has hydrated, with their sizes as
 * served brotli-compressed (compressed here at the server's level, so the
 * figure does not wait for the server's background pass). */
async function wasmOf(page: Page, path: string) {
  const urls = new Set<string>();
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith(".wasm")) urls.add(r.url());
  });
  await page.goto(path);
  await hydrated(page);
  const files: { name: string; bytes: number }[] = [];
  for (const url of urls) {
    const response = await page.request.get(url, { headers: { "accept-encoding": "identity" } });
    expect(response.ok(), url).toBe(true);
    const body = await response.body();
    const bytes = brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    files.push({ name: new URL(url).pathname.split("/").pop()!, bytes });
  }
  return files;
}

test("a first page loads only its own area's part of the client, within its size bound", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const signIn = await wasmOf(page, "/sign-in");
  await signedUp(page);
  // A fresh browser with the session: nothing cached, as on a first visit.
  const fresh = await browser.newContext({ storageState: await page.context().storageState() });
  const home = await wasmOf(await fresh.newPage(), "/");
  await fresh.close();
  for (const [path, files] of [["/sign-in", signIn], ["/", home]] as const) {
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(`${path}: ${files.length} WASM files, ${total} bytes brotli (bound ${FIRST_PAGE_BROTLI_BOUND[path]})`);
    expect(total).toBeGreaterThan(100_000);
    expect(total).toBeLessThanOrEqual(FIRST_PAGE_BROTLI_BOUND[path]);
    const main = files.find((f) => f.name.startsWith("hale."));
    expect(main, "the main module").toBeTruthy();
    console.log(`${path}: main module ${main!.bytes} bytes brotli (bound ${MAIN_MODULE_BROTLI_BOUND})`);
    expect(main!.bytes).toBeLessThanOrEqual(MAIN_MODULE_BROTLI_BOUND);
  }
  const names = (files: { name: string }[]) => files.map((f) => f.name).join(" ");
  // Each page brings its own area's chunk and no other area's.
  expect(names(signIn)).toContain("public_page");
  expect(names(home)).toContain("home_page");
  for (const other of ["meds_page", "health_page", "files_page", "admin_page", "care_page"]) {
    expect(names(signIn)).not.toContain(other);
    expect(names(home)).not.toContain(other);
  }
});

test("the client's WASM is served brotli-compressed", async ({ request }) => {
  const html = await (await request.get("/sign-in")).text();
  const wasm = html.match(/\/pkg\/[^"'\s]+\.wasm/)?.[0];
  expect(wasm, "the page names its WASM").toBeTruthy();
  const response = await request.get(wasm!, { headers: { "accept-encoding": "br" } });
  expect(response.ok()).toBe(true);
  expect(response.headers()["content-encoding"]).toBe("br");
});
