import type { Page } from "@playwright/test";

/**
 * Waits, when needed, until the current 30-second TOTP step has at least 10 s left. A test that
 * sends the previous step's code (so that the current one is still unused for a sign-in later) must
 * send it early in a step: the server accepts it for one step more, and no longer once the next
 * begins (a request crossing that boundary was refused: "That code does not match").
 */
export async function earlyInTotpStep(page: Page): Promise<void> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 20_000) await page.waitForTimeout(30_000 - intoStep + 250);
}
