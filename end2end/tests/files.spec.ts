// Images & documents in the browser: uploads with progress (and a refusal,
// and a resume after the network drops), details, search, delete; the study
// viewer on the demo CT: slices by key and wheel, window/level by dragging,
// presets, zoom, and a distance in millimetres.
import { expect, test } from "@playwright/test";
import { DocumentsPage, hydrated, signInAsDemo, signedUp } from "./pages";

/** A one-page PDF (valid enough for the server, which only checks its magic). */
function pdf(text: string) {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** A 4×4 PNG. */
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4YWMERwzEcQABchNhllvxygAAAABJRU5ErkJggg==",
  "base64",
);

test("files upload with progress, a wrong type is refused, details are saved, search finds them, delete removes one", async ({ page }) => {
  await signedUp(page);
  const documents = new DocumentsPage(page);
  await documents.open();
  await documents.upload([
    { name: "kidney-report.pdf", mimeType: "application/pdf", buffer: pdf("creatinine") },
    { name: "rash.png", mimeType: "image/png", buffer: png },
    { name: "totally-a-scan.dcm", mimeType: "application/dicom", buffer: Buffer.from("MZ\u0090 not a scan at all") },
  ]);
  const items = documents.uploads();
  await expect(items).toHaveCount(3);
  await expect(items.nth(0).getByTestId("upload-done")).toHaveText("Stored (1)");
  await expect(items.nth(1).getByTestId("upload-done")).toHaveText("Stored (1)");
  await expect(items.nth(2).getByTestId("upload-error")).toContainText("is not a JPEG, PNG or WebP photo");
  await expect(page.getByTestId("file")).toHaveCount(2);

  await page.getByTestId("file").filter({ hasText: "kidney-report" }).getByRole("link").click();
  await hydrated(page);
  await expect(page.getByTestId("file-title")).toHaveText("kidney-report");
  const open = page.getByTestId("open-pdf");
  await expect(open).toHaveAttribute("target", "_blank");
  const inline = await page.request.get(await open.getAttribute("href") as string);
  expect(inline.status()).toBe(200);
  expect(inline.headers()["content-type"]).toBe("application/pdf");
  expect(inline.headers()["content-disposition"]).toMatch(/^inline/);
  await page.getByTestId("meta-title").fill("Kidney panel");
  await page.getByTestId("meta-category").selectOption("lab_report");
  await page.getByTestId("meta-date").fill("2026-03-10");
  await page.getByTestId("meta-tags").fill("renal, follow-up");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  await documents.open();
  await documents.search("renal");
  await expect(page.getByTestId("file")).toHaveCount(1);
  await expect(page.getByTestId("file")).toContainText("Kidney panel");
  await expect(page.getByTestId("file")).toContainText("Lab report");

  await page.getByTestId("file").getByRole("link").click();
  await hydrated(page);
  await page.getByTestId("delete-file").click();
  await page.getByTestId("delete-confirm").click();
  await expect(page).toHaveURL(/\/documents$/);
  await hydrated(page);
  await expect(page.getByTestId("file")).toHaveCount(1);
  await expect(page.getByTestId("file")).toContainText("rash");
});

test("an upload that loses the network pauses and resumes", async ({ page, context }) => {
  await signedUp(page);
  const documents = new DocumentsPage(page);
  await documents.open();
  await context.setOffline(true);
  await documents.upload([
    { name: "offline.pdf", mimeType: "application/pdf", buffer: pdf("made on a train") },
  ]);
  await expect(page.getByTestId("upload-resume")).toBeVisible();
  await expect(page.getByTestId("upload-item")).toContainText("Paused");
  await context.setOffline(false);
  await page.getByTestId("upload-resume").click();
  await expect(page.getByTestId("upload-done")).toHaveText("Stored (1)");
  await expect(page.getByTestId("file")).toHaveCount(1);
});

test("the viewer scrolls slices, drags the window, zooms, and measures in millimetres", async ({ page }) => {
  await signInAsDemo(page);
  await new DocumentsPage(page).open();
  await page.getByTestId("study").first().getByRole("link").click();
  await hydrated(page);
  await expect(page.getByTestId("study-title")).toHaveText("CT chest");
  const frame = page.getByTestId("frame");
  const loaded = async () =>
    expect.poll(() => frame.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
  await loaded();
  await expect(page.getByTestId("slice-label")).toHaveText("Slice 1 of 24");
  await expect(page.getByTestId("window-label")).toHaveText("W 400 · L 40");
  await expect(page.getByTestId("dicom-tags")).toContainText("Dana Demo");
  await expect(page.getByTestId("dicom-tags")).toContainText("Explicit VR Little Endian");

  // Keys and the wheel change the slice; each slice is a new frame from the server.
  const viewer = page.getByTestId("viewer");
  await viewer.focus();
  const first = await frame.getAttribute("src");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("slice-label")).toHaveText("Slice 3 of 24");
  expect(await frame.getAttribute("src")).not.toBe(first);
  await loaded();
  await viewer.hover();
  await page.mouse.wheel(0, 120);
  await expect(page.getByTestId("slice-label")).toHaveText("Slice 4 of 24");
  await page.keyboard.press("End");
  await expect(page.getByTestId("slice-label")).toHaveText("Slice 24 of 24");

  // Window/level by dragging (the default tool): wider and higher.
  const box = (await viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId("window-label")).not.toHaveText("W 400 · L 40");
  await expect(frame).toHaveAttribute("src", /&wc=-?\d+&ww=\d+/);
  await loaded();
  await page.getByTestId("preset").selectOption("lung");
  await expect(page.getByTestId("window-label")).toHaveText("W 1500 · L -600");
  await expect(frame).toHaveAttribute("src", /&wc=-600&ww=1500/);

  // Zoom by key: the image itself grows (the page's CSP must let the zoom through), reset.
  await viewer.focus();
  const before = (await frame.boundingBox())!;
  await page.keyboard.press("+");
  await expect(viewer).toContainText("125%");
  await expect
    .poll(async () => ((await frame.boundingBox())?.width ?? 0) / before.width)
    .toBeCloseTo(1.25, 2);
  await page.keyboard.press("r");
  await expect(viewer).toContainText("100%");
  await expect(page.getByTestId("window-label")).toHaveText("W 400 · L 40");

  // Measure: a horizontal drag of 200 screen pixels across the image.
  await page.keyboard.press("m");
  await expect(page.getByTestId("tool-measure")).toHaveAttribute("aria-pressed", "true");
  const image = (await frame.boundingBox())!;
  const y = image.y + image.height / 2;
  await page.mouse.move(image.x + 100, y);
  await page.mouse.down();
  await page.mouse.move(image.x + 300, y, { steps: 4 });
  await page.mouse.up();
  const expected = (200 / image.width) * 512 * 0.7;
  const text = await page.getByTestId("distance").textContent();
  const mm = Number(/Distance: ([\d.]+) mm/.exec(text ?? "")?.[1]);
  expect(Math.abs(mm - expected)).toBeLessThan(expected * 0.02);
});
