import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, expect, test } from "@playwright/test";
import { SignInPage } from "./pages";

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

/** The most the client's WASM may weigh, brotli-compressed as served, before
 * this test fails: it catches growth (it grew from 285 KB to 1.15 MB unseen).
 * The aim of a client split per page (≤ 250 KB for the first page) is not
 * reached yet; lower this bound as the client shrinks, never raise it quietly. */
const WASM_BROTLI_BOUND = 1_245_000;

test("the client's WASM is served brotli-compressed within its size bound", async ({ request }) => {
  const html = await (await request.get("/sign-in")).text();
  const wasm = html.match(/\/pkg\/[^"'\s]+\.wasm/)?.[0];
  expect(wasm, "the page names its WASM").toBeTruthy();
  // Until the server's background pass has compressed it at brotli's best,
  // the file is compressed on the fly (streamed, without a length).
  let size = 0;
  for (let attempt = 0; attempt < 90 && size === 0; attempt++) {
    const response = await request.get(wasm!, { headers: { "accept-encoding": "br" } });
    expect(response.ok()).toBe(true);
    expect(response.headers()["content-encoding"]).toBe("br");
    size = Number(response.headers()["content-length"] ?? 0);
    if (size === 0) await new Promise((done) => setTimeout(done, 1000));
  }
  console.log(`client WASM served: ${size} bytes brotli (bound ${WASM_BROTLI_BOUND})`);
  expect(size).toBeGreaterThan(100_000);
  expect(size).toBeLessThanOrEqual(WASM_BROTLI_BOUND);
});
