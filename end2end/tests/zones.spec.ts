// A new patient's time zone comes from their browser: schedules and
// reminders follow the patient's clock from the first day.
import { expect, test } from "@playwright/test";
import { hydrated, signedUp } from "./pages";

test("a patient signing up in Taipei keeps schedules in Asia/Taipei", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "Asia/Taipei" });
  const page = await context.newPage();
  const adopted = page.waitForResponse((r) => r.url().includes("/api/notify/adopt_zone"));
  await signedUp(page);
  await hydrated(page);
  expect((await adopted).ok()).toBe(true);
  await page.goto("/settings/notifications");
  await hydrated(page);
  await expect(page.getByTestId("pref-zone")).toHaveValue("Asia/Taipei");
  // Today names the zone and raises no "your device differs" banner.
  await page.goto("/today");
  await hydrated(page);
  await expect(page.getByText("Asia/Taipei").first()).toBeVisible();
  await expect(page.getByTestId("zone-banner")).toHaveCount(0);
  await context.close();
});

test("a zone the patient chose is not overwritten by a travelling browser", async ({ browser }) => {
  const home = await browser.newContext({ timezoneId: "Europe/Berlin" });
  const page = await home.newPage();
  const adopted = page.waitForResponse((r) => r.url().includes("/api/notify/adopt_zone"));
  const person = await signedUp(page);
  await hydrated(page);
  await adopted;
  await page.goto("/settings/notifications");
  await expect(page.getByTestId("pref-zone")).toHaveValue("Europe/Berlin");
  await home.close();

  const away = await browser.newContext({ timezoneId: "America/New_York" });
  const other = await away.newPage();
  await other.goto("/sign-in");
  await hydrated(other);
  await other.getByLabel("Email").fill(person.email);
  await other.getByLabel("Password", { exact: true }).fill(person.password);
  const asked = other.waitForResponse((r) => r.url().includes("/api/notify/adopt_zone"));
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other).toHaveURL(/\/$/);
  await hydrated(other);
  await asked;
  await other.goto("/settings/notifications");
  await hydrated(other);
  await expect(other.getByTestId("pref-zone")).toHaveValue("Europe/Berlin");
  // Today offers the traveller the device's zone instead.
  await other.goto("/today");
  await hydrated(other);
  await expect(other.getByTestId("zone-banner")).toContainText("America/New_York");
  await away.close();
});
