// Page objects: what a person sees and does on each page, so that the tests
// read as stories and a markup change is mended in one place.
import { expect, type Page } from "@playwright/test";

let counter = 0;

/** A fresh account for one test: unique email, a valid password. */
export function newPerson(name = "Avery Example") {
  counter += 1;
  const stamp = `${Date.now()}-${process.pid}-${counter}`;
  return { name, email: `avery.${stamp}@hale.example`, password: "correct horse battery" };
}

/** Waits until the WASM has hydrated the page (the app marks <html>). */
export async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated='true']")).toHaveCount(1);
}

export class SignUpPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto("/sign-up");
    await hydrated(this.page);
  }

  async signUp(person: { name: string; email: string; password: string }) {
    await this.page.getByLabel("Your name").fill(person.name);
    await this.page.getByLabel("Email").fill(person.email);
    await this.page.getByLabel("Password", { exact: true }).fill(person.password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }

  error() {
    return this.page.getByRole("alert");
  }
}

export class SignInPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto("/sign-in");
    await hydrated(this.page);
  }

  async signIn(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  heading() {
    return this.page.getByRole("heading", { level: 1 });
  }

  error() {
    return this.page.getByRole("alert");
  }
}

export class HomePage {
  constructor(private readonly page: Page) {}

  greeting() {
    return this.page.getByTestId("greeting");
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}

/** Signs a new person up and returns them, on the home page. */
export async function signedUp(page: Page) {
  const person = newPerson();
  const signUp = new SignUpPage(page);
  await signUp.open();
  await signUp.signUp(person);
  await expect(page).toHaveURL(/\/$/);
  await expect(new HomePage(page).greeting()).toContainText(person.name);
  return person;
}
