// Identity and access in the browser: sign-in through a real OpenID Connect
// provider, and a care team from invitation to access history.
import { expect, test } from "@playwright/test";
import { HomePage, hydrated, newPerson, signedUp } from "./pages";
import { totp } from "./totp";

test("a person signs in through the OpenID Connect provider", async ({ page }) => {
  const login = `oidc-${Date.now()}`;
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByRole("button", { name: "Continue with Test ID" }).click();
  // The provider's own sign-in form (oidc-provider's development login).
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password");
  await page.locator("button[type=submit]").click();
  await expect(page).toHaveURL(/\/$/);
  await expect(new HomePage(page).greeting()).toContainText(`Provider ${login}`);
  await page.goto("/settings/security");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
});

test("a patient invites a clinician, who sees them only after turning on two-step verification", async ({ browser }) => {
  const staffCode = process.env.HALE_E2E_STAFF_CODE;
  expect(staffCode, "cargo xtask test passes a staff invitation").toBeTruthy();

  // The patient creates an invitation for vitals (see) and records (see).
  const patientContext = await browser.newContext();
  const patientPage = await patientContext.newPage();
  const patient = await signedUp(patientPage);
  await patientPage.getByRole("link", { name: "Care team", exact: true }).click();
  await hydrated(patientPage);
  await patientPage.getByLabel("Their email (optional)").fill("clinician@e2e.hale.example");
  await patientPage.getByLabel("Vitals – See").check();
  await patientPage.getByLabel("Records – See").check();
  await patientPage.getByRole("button", { name: "Create invitation code" }).click();
  const code = (await patientPage.getByTestId("invitation-code").textContent())?.trim() ?? "";
  expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);

  // The invited clinician joins Hale with the administrator's invitation.
  const clinicianContext = await browser.newContext();
  const page = await clinicianContext.newPage();
  const clinician = newPerson("Dr Rivera");
  await page.goto(`/join?code=${staffCode}`);
  await hydrated(page);
  await page.getByLabel("Your name").fill(clinician.name);
  await page.getByLabel("Password", { exact: true }).fill(clinician.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/$/);

  // Joining the care team works, but the patient list needs a second factor.
  await page.getByRole("link", { name: "Join a care team", exact: true }).first().click();
  await hydrated(page);
  await page.getByLabel("Invitation code").fill(code);
  await page.getByRole("button", { name: "Join" }).click();
  await expect(page).toHaveURL(/\/patients$/);
  await expect(page.getByRole("alert")).toContainText("two-step verification");

  // Two-step verification with an authenticator app (computed here).
  await page.getByRole("link", { name: "Set up two-step verification" }).click();
  await hydrated(page);
  const mfa = page.getByRole("region", { name: "Two-step verification" });
  await mfa.getByLabel("Password", { exact: true }).fill(clinician.password);
  await mfa.getByRole("button", { name: "Set up two-step verification" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("mfa-secret").textContent())?.trim() ?? "";
  await mfa.getByLabel("Code", { exact: true }).fill(totp(secret));
  await mfa.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await expect(page.getByTestId("mfa-status")).toHaveText("Two-step verification is on.");

  // Now the patient is on the list, and their page opens.
  await page.getByRole("link", { name: "Patients", exact: true }).click();
  await expect(page.getByTestId("patients")).toContainText(patient.name);
  await page.getByRole("link", { name: patient.name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(patient.name);
  await expect(page.getByText("Vitals (See)")).toBeVisible();
  // The patient's pages carry a header saying whose they are, with the way back.
  await page.getByRole("link", { name: "Health dashboard" }).click();
  const header = page.getByTestId("patient-header");
  await expect(header).toContainText(patient.name);
  await expect(header.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await expect(header.getByRole("link", { name: "Medications" })).toHaveCount(0);
  // The clinician's home lists the patient, with what is shared.
  await page.goto("/");
  await expect(page.getByTestId("attention-row")).toContainText(patient.name);
  await expect(page.getByTestId("attention-status")).toHaveText("Medications not shared with you");
  await page.getByTestId("attention-row").getByRole("link", { name: patient.name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(patient.name);

  // The patient sees who opened their data, then ends the access.
  await patientPage.getByRole("link", { name: "Access history", exact: true }).click();
  await expect(patientPage.getByTestId("access-history")).toContainText(clinician.name);
  await patientPage.getByRole("link", { name: "Care team", exact: true }).click();
  await hydrated(patientPage);
  await expect(patientPage.getByTestId("grant")).toContainText(clinician.name);
  // Ending access asks first: the first press only says what will happen.
  const grant = patientPage.getByTestId("grant");
  await grant.getByTestId("confirm-open").click();
  await expect(grant.getByText("From now on they see nothing you shared.", { exact: false })).toBeVisible();
  await expect(grant).toContainText(clinician.name);
  await grant.getByRole("button", { name: "Yes, end access" }).click();
  await expect(patientPage.getByText("Nobody else has access to your data.")).toBeVisible();

  await page.reload();
  await expect(page.getByRole("alert")).toContainText("do not have access");
  await patientContext.close();
  await clinicianContext.close();
});
