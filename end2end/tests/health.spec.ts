// Health data in the browser: the demo year on the dashboard and its charts,
// a reading typed in by hand, and a CSV import with its progress bar.
import { expect, test } from "@playwright/test";
import { DashboardPage, hydrated, signInAsDemo, signedUp } from "./pages";

test("the dashboard shows the demo year, and its charts read rollups and raw points", async ({ page }) => {
  await signInAsDemo(page);
  const dashboard = new DashboardPage(page);
  await dashboard.open();
  const cards = dashboard.cards();
  for (const kind of ["heart_rate", "steps", "weight", "glucose", "blood_pressure", "sleep"]) {
    await expect(cards.locator(`[data-kind=${kind}] [data-testid=latest-value]`)).not.toBeEmpty();
  }
  await expect(cards.locator("[data-kind=heart_rate] svg.sparkline path")).toHaveCount(1);

  // A year of per-minute heart rate: one point per day, from the daily rollups.
  await cards.locator("[data-kind=heart_rate]").click();
  await hydrated(page);
  await page.getByRole("link", { name: "Year", exact: true }).click();
  await expect(page.getByTestId("resolution")).toHaveAttribute("data-resolution", "day");
  await expect(page.getByTestId("resolution")).toContainText(/36[5-6] points/);
  const chart = page.getByTestId("chart");
  await expect(chart.locator("path.chart-band")).toHaveCount(1);

  // The keyboard moves a readout over the points.
  await chart.focus();
  await page.keyboard.press("End");
  await expect(page.getByTestId("chart-readout")).toContainText(/bpm \(\d+–\d+, n=\d+\)/);
  await page.keyboard.press("ArrowLeft");
  const readout = await page.getByTestId("chart-readout").textContent();
  expect(readout).toMatch(/^\d{4}-\d{2}-\d{2}: \d+ bpm/);

  // Enter zooms into the chosen period; a short range reads hours.
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/from_s=\d+&to_s=\d+/);
  await expect(page.getByTestId("resolution")).toHaveAttribute("data-resolution", "hour");

  // A day reads every raw reading (one a minute).
  await page.getByRole("link", { name: "Day", exact: true }).click();
  await expect(page.getByTestId("resolution")).toHaveAttribute("data-resolution", "raw");

  // The same figures as a table.
  await page.getByRole("link", { name: "Week", exact: true }).click();
  await expect(page.getByTestId("resolution")).toHaveAttribute("data-resolution", "hour");
  await page.getByText("Show as a table").click();
  expect(await page.locator(".chart-table tbody tr").count()).toBeGreaterThan(100);

  // Glucose shows its target range and time in range.
  await page.goto("/dashboard/glucose?range=month");
  await hydrated(page);
  await expect(page.getByTestId("time-in-range")).toContainText(/Time in range \(70–180 mg\/dL\): \d+%/);
  await expect(page.getByTestId("chart").locator("rect.chart-target")).toHaveCount(1);
});

test("a patient types in a weight in pounds and sees it on the dashboard in kilograms", async ({ page }) => {
  await signedUp(page);
  const dashboard = new DashboardPage(page);
  await dashboard.open();
  await expect(page.getByTestId("no-readings")).toBeVisible();
  await page.getByRole("link", { name: "Add a reading" }).click();
  await hydrated(page);
  await page.getByTestId("kind").selectOption("weight");
  await page.getByTestId("unit").selectOption("[lb_av]");
  await page.getByTestId("value").fill("165");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByTestId("saved")).toContainText("Saved.");

  // A value outside the plausible range is refused with the reason.
  await page.getByTestId("value").fill("4000");
  await page.getByRole("button", { name: "Save reading" }).click();
  await expect(page.getByRole("alert")).toContainText("plausible range");

  await dashboard.open();
  await expect(dashboard.latest("weight")).toHaveText("74.8");
});

test("a CSV import runs in the background with a progress bar and a summary", async ({ page }) => {
  // 20,000 rows on a two-core machine shared with the other worker.
  test.setTimeout(60_000);
  await signedUp(page);
  await page.goto("/dashboard/import");
  await hydrated(page);
  const now = Date.now();
  const lines = ["time,kind,value,unit"];
  for (let i = 0; i < 20000; i++) {
    lines.push(`${new Date(now - (i + 2) * 60_000).toISOString()},heart_rate,${60 + (i % 30)},bpm`);
  }
  lines.push(`${new Date(now - 30_000).toISOString()},heart_rate,400,bpm`);
  await page.getByLabel("File").setInputFiles({
    name: "heart.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(lines.join("\n") + "\n"),
  });
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page).toHaveURL(/\/dashboard\/import\?id=\d+/);
  await hydrated(page);
  await expect(page.getByTestId("import-progress")).toBeVisible();
  await expect(page.getByTestId("import-state")).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  await expect(page.getByTestId("import-progress")).toHaveAttribute("value", "100");
  await expect(page.getByTestId("count-imported")).toHaveText("20000");
  await expect(page.getByTestId("count-rejected")).toHaveText("1");
  await expect(page.getByText("plausible range")).toBeVisible();

  await page.getByRole("link", { name: "See the dashboard" }).click();
  await hydrated(page);
  await expect(new DashboardPage(page).latest("heart_rate")).not.toBeEmpty();
});
