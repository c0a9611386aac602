import { expect, test } from "@playwright/test";
import { HomePage, SignInPage, SignUpPage, newPerson, signedUp } from "./pages";

test("a person signs up, signs out and signs in again", async ({ page }) => {
  const person = await signedUp(page);
  const home = new HomePage(page);
  await expect(page.getByTestId("user-name")).toHaveText(person.name);

  await home.signOut();
  await expect(page).toHaveURL(/\/sign-in$/);
  // Signed out means signed out: the home page sends us back to sign in.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);

  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(person.email.toUpperCase(), person.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(home.greeting()).toContainText(person.name);
});

test("a wrong password gets the same message as an unknown email", async ({ page }) => {
  const person = await signedUp(page);
  await new HomePage(page).signOut();
  await expect(page).toHaveURL(/\/sign-in$/);

  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(person.email, "not the right password");
  await expect(signIn.error()).toHaveText("The email or password is not correct.");
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn.signIn("nobody-" + person.email, "not the right password");
  await expect(signIn.error()).toHaveText("The email or password is not correct.");
});

test("sign-up explains what is wrong with the input", async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.open();

  await signUp.signUp({ ...newPerson(), password: "too short" });
  await expect(signUp.error()).toHaveText("Use a password of at least 12 characters.");

  await signUp.signUp({ ...newPerson(), email: "not-an-email" });
  await expect(signUp.error()).toHaveText("Enter a valid email address.");
  await expect(page).toHaveURL(/\/sign-up$/);
});

test("signing up twice with one email is refused", async ({ page, browser }) => {
  const person = await signedUp(page);
  const other = await browser.newPage();
  const signUp = new SignUpPage(other);
  await signUp.open();
  await signUp.signUp({ ...person, name: "Someone Else" });
  await expect(signUp.error()).toHaveText(
    "An account with this email already exists. Sign in instead.",
  );
  await other.close();
});

test("the password can be shown and hidden", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  const password = page.getByLabel("Password", { exact: true });
  await expect(password).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Show password" }).click();
  await expect(password).toHaveAttribute("type", "text");
  await page.getByRole("button", { name: "Hide password" }).click();
  await expect(password).toHaveAttribute("type", "password");
});
