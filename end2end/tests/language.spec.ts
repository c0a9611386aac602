import { expect, test, type Page } from "@playwright/test";
import { DocumentsPage, HomePage, SignInPage, hydrated, openAccountMenu, signedUp } from "./pages";

test("the language switches in place and is remembered", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await expect(signIn.heading()).toHaveText("Sign in to Hale");

  // Mark this document: a reload would lose the mark, an in-place switch keeps it.
  await page.evaluate(() => ((window as unknown as { haleMark: number }).haleMark = 42));
  await page.getByLabel("Language").selectOption("zh-TW");
  await expect(signIn.heading()).toHaveText("登入 Hale");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-TW");
  expect(await page.evaluate(() => (window as unknown as { haleMark?: number }).haleMark)).toBe(42);

  await page.reload();
  await expect(signIn.heading()).toHaveText("登入 Hale");
});

test("Accept-Language chooses the first language", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-TW" });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登入 Hale");
  await context.close();
});

test("a signed-in person's language follows them to a new browser", async ({ page, browser }) => {
  const person = await signedUp(page);
  await hydrated(page);
  await openAccountMenu(page);
  await page.getByLabel("Language").selectOption("zh-TW");
  await expect(new HomePage(page).greeting()).toContainText("您好");

  // A new browser that asks for English still gets the account's choice once signed in.
  const context = await browser.newContext({ locale: "en-US" });
  const other = await context.newPage();
  const signIn = new SignInPage(other);
  await signIn.open();
  await expect(signIn.heading()).toHaveText("Sign in to Hale");
  await signIn.signIn(person.email, person.password);
  await expect(other).toHaveURL(/\/$/);
  await expect(new HomePage(other).greeting()).toContainText("您好");
  await context.close();
});

/** A new account, switched to Traditional Chinese from its home. */
async function signedUpInChinese(page: Page) {
  await signedUp(page);
  await hydrated(page);
  await openAccountMenu(page);
  await page.getByLabel("Language").selectOption("zh-TW");
  await expect(new HomePage(page).greeting()).toContainText("您好");
}

test("a refused medication is told why in the reader's language, and re-worded when it changes", async ({ page }) => {
  await signedUpInChinese(page);
  await page.goto("/medications/new");
  await hydrated(page);
  await page.getByTestId("med-name").fill("Metformin");
  await page.getByTestId("med-dose").fill("0");
  await page.getByRole("button", { name: "儲存藥物" }).click();
  const refusal = page.locator(".error-message");
  await expect(refusal).toHaveText("無法儲存此藥物：劑量須大於零（最多 1000）。");

  // The same refusal, switched to English in place (no reload), follows the language.
  await openAccountMenu(page);
  await page.getByLabel("語言").selectOption("en");
  await expect(refusal).toHaveText("This medication cannot be saved: the dose must be more than zero (at most 1000).");
});

test("a refused reading is told why in the reader's language, and re-worded when it changes", async ({ page }) => {
  await signedUpInChinese(page);
  await page.goto("/dashboard/add");
  await hydrated(page);
  await page.getByTestId("kind").selectOption("heart_rate");
  await page.getByTestId("value").fill("400");
  await page.getByRole("button", { name: "儲存讀數" }).click();
  const refusal = page.getByRole("alert");
  await expect(refusal).toHaveText("無法儲存此讀數：數值超出心率的合理範圍（20 至 300 /min）。");

  await openAccountMenu(page);
  await page.getByLabel("語言").selectOption("en");
  await expect(refusal).toHaveText(
    "This reading cannot be saved: the value is outside the plausible range for Heart rate (20 to 300 /min).",
  );
});

test("a refused upload is told why in the reader's language, and re-worded when it changes", async ({ page }) => {
  await signedUpInChinese(page);
  const documents = new DocumentsPage(page);
  await documents.open();
  await documents.upload([
    { name: "not-a-scan.dcm", mimeType: "application/dicom", buffer: Buffer.from("MZ\u0090 not a scan at all") },
  ]);
  const refusal = documents.uploads().first().getByTestId("upload-error");
  await expect(refusal).toHaveText(
    "無法保存此檔案：內容不是 JPEG、PNG 或 WebP 照片、PDF、DICOM 檔案，也不是 DICOM 檢查的 ZIP 壓縮檔。",
  );

  await openAccountMenu(page);
  await page.getByLabel("語言").selectOption("en");
  await expect(refusal).toHaveText(
    "This file cannot be kept: its content is not a JPEG, PNG or WebP photo, a PDF, a DICOM file or a ZIP of a DICOM study.",
  );
});
