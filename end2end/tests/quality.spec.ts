import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { SignUpPage, hydrated, signInAsDemo, signedUp } from "./pages";

const axeSource = readFileSync(join(__dirname, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");

/** Every axe violation, whatever its impact. */
async function violations(page: Page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
    return axe.run();
  });
  return results.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

for (const scheme of ["light", "dark"] as const) {
  test(`axe finds no violation of any impact in ${scheme} mode`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/sign-in");
    await hydrated(page);
    expect(await violations(page)).toEqual([]);
    await new SignUpPage(page).open();
    expect(await violations(page)).toEqual([]);
    await signedUp(page);
    // Sign-up ends in a client-side navigation: check the home once it has its title.
    await expect(page).not.toHaveTitle("");
    expect(await violations(page)).toEqual([]);
    for (const path of [
      "/dashboard",
      "/dashboard/add",
      "/dashboard/import",
      "/dashboard/heart_rate",
      "/care-team",
      "/access-history",
      "/settings/security",
      "/medications",
      "/medications/new",
      "/today",
      "/notifications",
      "/settings/notifications",
      "/documents",
    ]) {
      await page.goto(path);
      await hydrated(page);
      expect(await violations(page), path).toEqual([]);
    }
  });

  // The pages full of the demo patient's data: cards, charts, doses, files.
  test(`axe finds no violation on the demo patient's pages in ${scheme} mode`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: scheme });
    await signInAsDemo(page);
    for (const path of ["/", "/dashboard", "/dashboard/sleep", "/today", "/medications", "/documents"]) {
      await page.goto(path);
      await hydrated(page);
      expect(await violations(page), path).toEqual([]);
    }
  });
}

test("the page hydrates: the phone menu opens and closes", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signedUp(page);
  await hydrated(page);
  const menu = page.getByRole("navigation", { name: "Tabs" }).getByRole("button", { name: "More" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Medications" }).click();
  await expect(page).toHaveURL(/\/medications$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Medications");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});

test("pages carry a nonce-based CSP and load without violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const response = await page.goto("/sign-in");
  const csp = response?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  await hydrated(page);
  // Every script with something to run carries the response's nonce. (The i18n
  // provider leaves an empty <script></script> as a hydration placeholder: it
  // runs nothing, so it needs no nonce.)
  const scriptNonces = await page.locator("script").evaluateAll((scripts) =>
    (scripts as HTMLScriptElement[])
      .filter((s) => s.src !== "" || s.textContent !== "")
      .map((s) => s.nonce),
  );
  expect(scriptNonces.length).toBeGreaterThan(0);
  for (const n of scriptNonces) expect(n).toBe(nonce);
  expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
  expect(violations).toEqual([]);
});

test("an unknown page answers 404 with a way home", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
});
