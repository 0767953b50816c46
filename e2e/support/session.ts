import type { Page } from "@playwright/test";
import { expect } from "@playwright/test";
import { E2E_PASSWORD } from "./constants";

export const ADMIN = { email: "admin@example.com", password: E2E_PASSWORD, name: "Ada Admin" };
export const MEMBER = { email: "member@example.com", password: E2E_PASSWORD, name: "Max Member" };

export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("seat-summary")).toBeVisible();
}
