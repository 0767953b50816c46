import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { sql } from "./db";

/** Helpers for the users page specs (bots.spec.ts, people.spec.ts). */

export const stamp = () => `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
export const hex = (bytes: number) => randomBytes(bytes).toString("hex");

export async function acmeId(): Promise<string> {
  const [row] = await sql<{ id: string }>`SELECT id FROM accounts WHERE name = 'Acme'`;
  return row!.id;
}

/** Inserts live bots straight into the database, as an admin with psql would. */
export async function insertBots(names: string[], opts: { deactivated?: (name: string, i: number) => boolean } = {}) {
  const account = await acmeId();
  const bots = names.map((name, i) => ({ id: `bot_${hex(11)}`, name, status: opts.deactivated?.(name, i) ? "deactivated" : "active" }));
  for (const b of bots) {
    await sql`INSERT INTO principals (id, kind, name, name_key, status, account_id) VALUES (${b.id}, 'bot', ${b.name}, ${b.name.toLowerCase()}, ${b.status}, ${account})`;
  }
  return bots;
}

/** Turns test bots into tombstones (what a delete does), so they leave no trace in later lists. */
export async function retireBots(prefix: string) {
  await sql`UPDATE principals SET deleted_at = now(), name_key = NULL, name_skeleton = NULL, name_skeleton_lower = NULL, status = 'deactivated'
    WHERE kind = 'bot' AND deleted_at IS NULL AND name LIKE ${`${prefix}%`}`;
}

export async function botInDb(id: string) {
  const [row] = await sql<{ name: string; status: string; deleted_at: Date | null }>`SELECT name, status, deleted_at FROM principals WHERE id = ${id}`;
  return row;
}

export async function botIdByName(name: string): Promise<string> {
  const [row] = await sql<{ id: string }>`SELECT id FROM principals WHERE kind = 'bot' AND name = ${name} AND deleted_at IS NULL`;
  return row!.id;
}

export const toast = (page: Page, text: string | RegExp) => page.getByTestId("toast").filter({ hasText: text });
export const botsTable = (page: Page) => page.getByTestId("bots-table");
export const botRow = (page: Page, name: string) => botsTable(page).locator("tbody tr").filter({ has: page.getByRole("link", { name, exact: true }) });
