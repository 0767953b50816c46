import type { Page } from "@playwright/test";

/** Opens /activity's filter bar (collapsed unless a filter needs fixing) and returns its form. */
export async function openActivityFilters(page: Page) {
  const bar = page.getByTestId("activity-filter-bar");
  await bar.waitFor();
  if ((await bar.getAttribute("open")) === null) await bar.locator("summary").click();
  return page.getByTestId("activity-filters");
}
