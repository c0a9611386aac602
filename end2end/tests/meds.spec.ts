import { expect, test, type Page } from "@playwright/test";
import { hydrated, signedUp, TodayPage } from "./pages";

/** Calls a server function from the page (same origin, the page's session). */
async function callJson(page: Page, endpoint: string, body: unknown) {
  return page.evaluate(
    async ([endpoint, body]) => {
      const response = await fetch(`/api/${endpoint}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    [endpoint, body] as const,
  );
}

async function addMedication(page: Page, input: Record<string, unknown>) {
  const saved = await callJson(page, "meds/save", { patient_id: null, id: null, input });
  expect(saved.status).toBe(200);
  return saved.body as number;
}

const daily = (name: string, times: string[]) => ({
  name,
  strength: "500 mg",
  form: "tablet",
  start_date: "2020-01-01",
  schedule: { kind: "times", times, dose: 1 },
});

const asNeeded = (name: string, max: number) => ({
  name,
  strength: "200 mg",
  form: "tablet",
  start_date: "2020-01-01",
  schedule: { kind: "as_needed", dose: 1, max_per_day: max },
});

async function openToday(page: Page) {
  await new TodayPage(page).open();
}

test("a medication added with the form is listed with its schedule; bad input is refused; search filters", async ({ page }) => {
  await signedUp(page);
  await page.goto("/medications/new");
  await hydrated(page);
  await page.getByTestId("med-name").fill("Metformin");
  await page.getByTestId("med-strength").fill("500 mg");
  await page.getByTestId("med-dose").fill("0");
  await page.getByRole("button", { name: "Save medication" }).click();
  await expect(page.locator(".error-message")).toContainText("the dose must be more than zero");
  await page.getByTestId("med-dose").fill("1");
  await page.getByTestId("add-time").click();
  await page.getByLabel("Time 2").fill("20:00");
  await page.getByTestId("med-supply").fill("30");
  await page.getByTestId("med-low").fill("10");
  await page.getByRole("button", { name: "Save medication" }).click();
  await expect(page).toHaveURL(/\/medications\/\d+$/);
  await expect(page.getByTestId("history")).toContainText("Added");
  await expect(page.getByTestId("supply")).toContainText("30 left");

  await page.goto("/medications/new");
  await hydrated(page);
  await page.getByTestId("med-name").fill("Lisinopril");
  await page.getByTestId("kind-as_needed").check();
  await page.getByTestId("max-per-day").fill("3");
  await page.getByRole("button", { name: "Save medication" }).click();
  await expect(page).toHaveURL(/\/medications\/\d+$/);

  await page.goto("/medications");
  await hydrated(page);
  const cards = page.getByTestId("medication");
  await expect(cards).toHaveCount(2);
  await expect(cards.filter({ hasText: "Metformin" })).toContainText("08:00, 20:00");
  await expect(cards.filter({ hasText: "Lisinopril" })).toContainText("as needed, at most 3 a day");
  await page.getByTestId("med-search").fill("metf");
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText("Metformin");
});

test("today: one tap logs a dose, undo brings it back, a skip keeps its reason, the zone is the device's from the first page", async ({ page }) => {
  await signedUp(page);
  await addMedication(page, daily("Metformin", ["00:00"]));
  await openToday(page);
  // The account took the device's zone on its first page: nothing to offer
  // (a device in another zone is offered its own: zones.spec.ts).
  await expect(page.getByTestId("today-date")).toBeVisible();
  await expect(page.getByTestId("zone-banner")).toHaveCount(0);

  const dose = page.getByTestId("dose");
  await expect(dose.getByTestId("dose-state")).toHaveText(/Due|Late/);
  await dose.getByTestId("take").click();
  await expect(dose.getByTestId("dose-state")).toHaveText("Taken");
  await dose.getByTestId("undo").click();
  await expect(dose.getByTestId("dose-state")).toHaveText(/Due|Late/);
  await dose.getByTestId("skip").click();
  await dose.getByTestId("skip-reason").fill("Side effects");
  await dose.getByTestId("confirm-skip").click();
  await expect(dose.getByTestId("dose-state")).toHaveText("Skipped");
  await expect(dose).toContainText("Side effects");
  await expect(page.getByTestId("calendar")).toBeVisible();
});

test("home: the doses left today, one tap each, and the first steps still to take", async ({ page }) => {
  await signedUp(page);
  const steps = page.getByTestId("first-steps");
  await expect(steps.locator('li[data-done="false"]')).toHaveCount(3);
  await expect(steps.getByRole("link", { name: "Add a medication and its schedule" })).toHaveAttribute("href", "/medications/new");
  await expect(page.getByTestId("home-doses")).toHaveCount(0);

  await addMedication(page, daily("Metformin", ["00:00"]));
  await page.goto("/");
  await hydrated(page);
  await expect(steps.locator('li[data-done="true"]')).toHaveCount(1);
  const dose = page.getByTestId("next-dose");
  await expect(dose).toHaveCount(1);
  await expect(dose.getByTestId("dose-state")).toHaveText(/Due|Late/);
  await dose.getByRole("button", { name: "Taken Metformin 500 mg 00:00" }).click();
  await expect(dose.getByTestId("dose-state")).toHaveText("Taken");
  await openToday(page);
  await expect(page.getByTestId("dose").getByTestId("dose-state")).toHaveText("Taken");
  await page.goto("/");
  await expect(page.getByTestId("home-doses")).toContainText("Nothing left to take today.");
});

test("offline: doses logged without a network wait on the device and are stored exactly once when it returns", async ({ page, context }) => {
  await signedUp(page);
  await addMedication(page, daily("Metformin", ["00:00"]));
  await addMedication(page, asNeeded("Ibuprofen", 4));
  await openToday(page);
  const dose = page.getByTestId("dose");
  const prn = page.getByTestId("prn");
  await expect(prn.getByTestId("prn-count")).toHaveText("0 of 4 today");

  await context.setOffline(true);
  await dose.getByTestId("take").click();
  await expect(dose.getByTestId("dose-state")).toHaveText("Saved on this device");
  await prn.getByTestId("take-prn").click();
  await expect(page.getByTestId("pending-sync")).toContainText("2 dose(s) waiting");
  await prn.getByTestId("take-prn").click();
  await expect(page.getByTestId("pending-sync")).toContainText("3 dose(s) waiting");
  const queue = await page.evaluate(() => localStorage.getItem("hale.dose-queue"));
  expect(JSON.parse(queue ?? "[]")).toHaveLength(3);

  await context.setOffline(false);
  await expect(page.getByTestId("pending-sync")).toHaveCount(0);
  await expect(page.getByTestId("dose-notice")).toContainText("have been sent");
  await expect(dose.getByTestId("dose-state")).toHaveText("Taken");
  await expect(prn.getByTestId("prn-count")).toHaveText("2 of 4 today");

  // The device sends the same queue again (an answer lost on the way back): still stored once.
  await page.evaluate((q) => localStorage.setItem("hale.dose-queue", q ?? "[]"), queue);
  await openToday(page);
  await expect(page.getByTestId("pending-sync")).toHaveCount(0);
  await expect(page.getByTestId("dose-error")).toHaveCount(0);
  await expect(dose.getByTestId("dose-state")).toHaveText("Taken");
  await expect(prn.getByTestId("prn-count")).toHaveText("2 of 4 today");
});

test("as needed: a dose beyond the daily maximum is refused with a warning", async ({ page }) => {
  await signedUp(page);
  await addMedication(page, asNeeded("Ibuprofen", 1));
  await openToday(page);
  const prn = page.getByTestId("prn");
  await prn.getByTestId("take-prn").click();
  await expect(prn.getByTestId("prn-count")).toHaveText("1 of 1 today");
  await expect(prn).toContainText("reached today's maximum");
  await prn.getByTestId("take-prn").click();
  await expect(page.getByTestId("dose-error")).toContainText("more than 1 doses today");
  await openToday(page);
  await expect(prn.getByTestId("prn-count")).toHaveText("1 of 1 today");
});

test("notifications: the bell counts unread ones, the list shows them, settings are checked and saved", async ({ page }) => {
  await signedUp(page);
  const sent = await callJson(page, "notify/test", {});
  expect(sent.status).toBe(200);
  await page.goto("/notifications");
  await hydrated(page);
  await expect(page.getByTestId("bell-count")).toHaveText("1");
  await expect(page.getByTestId("notification-list")).toContainText("Test notification");
  await page.getByTestId("read-all").click();
  await expect(page.getByTestId("read-all")).toHaveCount(0);

  await page.goto("/settings/notifications");
  await hydrated(page);
  await expect(page.getByTestId("bell-count")).toHaveCount(0);
  await page.getByTestId("pref-zone").fill("Nowhere/Land");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator(".error-message")).toContainText("time zone");
  await page.getByTestId("pref-zone").fill("Asia/Taipei");
  await page.getByLabel("Quiet hours from").fill("22:00");
  await page.getByLabel("Quiet hours until").fill("07:00");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("pref-zone")).toHaveValue("Asia/Taipei");
  await expect(page.getByLabel("Quiet hours from")).toHaveValue("22:00");
});
