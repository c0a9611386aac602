// The frame on a phone and on a desktop, in both languages and both themes:
// nothing scrolls sideways, the header fits, the tab bar and the account
// menu work, and areas that do not exist yet are not offered.
import { expect, test, type Page } from "@playwright/test";
import { hydrated, openAccountMenu, signInAsDemo, signedUp } from "./pages";

const PAGES = [
  "/",
  "/dashboard",
  "/dashboard/add",
  "/dashboard/import",
  "/dashboard/heart_rate",
  "/today",
  "/medications",
  "/medications/new",
  "/documents",
  "/notifications",
  "/settings/notifications",
  "/settings/security",
  "/care-team",
  "/access-history",
];

/** How far the document is wider than the window (0 when nothing scrolls sideways). */
async function overflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The parts of the header that stick out of the window. */
async function headerOutside(page: Page) {
  return page.locator(".app-header *").evaluateAll((nodes) =>
    nodes
      .filter((n) => {
        const r = n.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
      })
      .map((n) => `${n.tagName.toLowerCase()}.${n.className}`),
  );
}

for (const width of [320, 360, 1280]) {
  for (const locale of ["en", "zh-TW"] as const) {
    test(`at ${width} px in ${locale} nothing scrolls sideways and the header fits`, async ({ page }) => {
      // Fourteen full page loads, each fetching its chunks of the client.
      test.setTimeout(90_000);
      await page.setViewportSize({ width, height: 800 });
      await page.emulateMedia({ colorScheme: locale === "en" ? "light" : "dark" });
      await signedUp(page);
      await hydrated(page);
      if (locale === "zh-TW") {
        await openAccountMenu(page);
        await page.getByLabel("Language").selectOption("zh-TW");
        await expect(page.locator("html")).toHaveAttribute("lang", "zh-TW");
      }
      for (const path of PAGES) {
        await page.goto(path);
        await hydrated(page);
        expect(await overflow(page), `${path} scrolls sideways`).toBeLessThanOrEqual(0);
        expect(await headerOutside(page), `${path}: header parts outside the window`).toEqual([]);
      }
      // Sign-out is in the account menu, inside the window.
      await openAccountMenu(page);
      const signOut = page.locator(".account-panel .sign-out button");
      await expect(signOut).toBeVisible();
      const box = await signOut.boundingBox();
      expect(box && box.x + box.width <= width).toBe(true);
    });
  }
}

test("phones get a tab bar; desktops the side navigation; unfinished areas are not offered", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signedUp(page);
  await hydrated(page);
  const tabs = page.getByRole("navigation", { name: "Tabs" });
  await expect(tabs).toBeVisible();
  await expect(tabs.getByRole("link")).toHaveText(["Today", "Dashboard", "Medications", "Documents"]);
  await tabs.getByRole("link", { name: "Medications" }).click();
  await expect(page).toHaveURL(/\/medications$/);
  await expect(tabs.getByRole("link", { name: "Medications" })).toHaveAttribute("aria-current", "page");
  // Nothing of the page hides behind the tab bar: the page can scroll past it.
  const padding = await page
    .locator(".app-body")
    .evaluate((b) => parseFloat(getComputedStyle(b).paddingBottom));
  const tabHeight = (await tabs.boundingBox())?.height ?? 0;
  expect(padding).toBeGreaterThanOrEqual(tabHeight - 1);
  // "More" opens the whole navigation.
  await tabs.getByRole("button", { name: "More" }).click();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole("link", { name: "Care team" })).toBeVisible();
  for (const name of ["Records", "Messages", "Appointments"]) {
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  }
  // The icons are drawn, not font glyphs.
  const glyphs = await page
    .locator(".nav-icon, .tab-icon")
    .evaluateAll((icons) => icons.filter((i) => i.querySelector("svg") === null).length);
  expect(glyphs).toBe(0);

  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(tabs).toBeHidden();
  await expect(nav).toBeVisible();
});

test("on a phone a chart's text is readable and a tap reads a point", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await signInAsDemo(page);
  await page.goto("/dashboard/heart_rate?range=week");
  await hydrated(page);
  const chart = page.getByTestId("chart");
  await expect(chart).toBeVisible();
  // Axis labels at their CSS size (they were scaled down to ~6 px).
  await expect
    .poll(() => chart.locator(".chart-tick").first().evaluate((t) => t.getBoundingClientRect().height))
    .toBeGreaterThanOrEqual(11);
  const plot = await chart.boundingBox();
  expect(plot!.height).toBeGreaterThanOrEqual(200);
  // The unit once, and a summary line.
  await expect(page.getByTestId("chart-readout")).toHaveText("Heart rate (bpm)");
  await expect(page.getByTestId("chart-summary")).toContainText("Average");
  // A tap shows the figures of the point under it, and stays on the page.
  await page.touchscreen.tap(plot!.x + plot!.width * 0.6, plot!.y + plot!.height / 2);
  await expect(page.getByTestId("chart-readout")).toContainText("bpm");
  await expect(page.getByTestId("chart-readout")).not.toHaveText("Heart rate (bpm)");
  await expect(page).toHaveURL(/range=week/);
  await context.close();
});
