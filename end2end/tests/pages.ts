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

/** What went wrong in each page's scripts since its first `hydrated` call. */
const scriptErrors = new WeakMap<Page, string[]>();

/**
 * Waits until the WASM has hydrated the page (the app marks <html>). On a
 * busy two-core machine a page loaded while an import runs can take longer
 * than the usual 10 s; a panic during hydration never marks it, and the
 * failure then names what the page's scripts reported.
 */
export async function hydrated(page: Page) {
  if (!scriptErrors.has(page)) {
    const errors: string[] = [];
    scriptErrors.set(page, errors);
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
  }
  try {
    await expect(page.locator("html[data-hydrated='true']")).toHaveCount(1, { timeout: 20_000 });
  } catch (failure) {
    const errors = scriptErrors.get(page)!;
    throw new Error(`${page.url()} did not hydrate; script errors: ${errors.join(" | ") || "none"}\n${failure}`);
  }
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
    await openAccountMenu(this.page);
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}

/** Opens the header's account menu (name, language, sign-out), if closed. */
export async function openAccountMenu(page: Page) {
  // Before hydration a click opens the server's <details>, and hydration
  // then closes it again: wait for the page to be interactive first.
  await hydrated(page);
  const menu = page.getByTestId("account-menu");
  if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
}

/** The demo patient (Dana, with a year of readings), made by `hale demo`. */
export const DEMO = { email: "demo@hale.example", password: "hale-demo-password" };

/** Signs the demo patient in, on the home page. */
export async function signInAsDemo(page: Page) {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(DEMO.email, DEMO.password);
  await expect(page).toHaveURL(/\/$/);
}

/** Opens a signed-in page and waits for it to hydrate. */
async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** Today: the day's doses, as-needed medications, the month's calendar. */
export class TodayPage {
  constructor(private readonly page: Page) {}

  async open() {
    await openHydrated(this.page, "/today");
  }

  doses() {
    return this.page.getByTestId("dose");
  }

  error() {
    return this.page.getByTestId("dose-error");
  }
}

/** Images & documents: the upload panel, the list, search. */
export class DocumentsPage {
  constructor(private readonly page: Page) {}

  async open() {
    await openHydrated(this.page, "/documents");
  }

  async upload(files: { name: string; mimeType: string; buffer: Buffer }[]) {
    await this.page.getByTestId("file-input").setInputFiles(files);
  }

  uploads() {
    return this.page.getByTestId("upload-item");
  }

  files() {
    return this.page.getByTestId("file");
  }

  async search(text: string) {
    await this.page.getByTestId("file-search").fill(text);
  }
}

/** The dashboard: a card per kind of reading. */
export class DashboardPage {
  constructor(private readonly page: Page) {}

  async open() {
    await openHydrated(this.page, "/dashboard");
  }

  cards() {
    return this.page.getByTestId("health-cards");
  }

  /** The latest value on the card of one kind (`heart_rate`, `weight`, ...). */
  latest(kind: string) {
    return this.page.locator(`[data-kind=${kind}] [data-testid=latest-value]`);
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
