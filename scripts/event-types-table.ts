/**
 * `npx tsx scripts/event-types-table.ts`: rewrites README.md's event types table
 * (between <!-- event-types:start --> and <!-- event-types:end -->) from the
 * catalogue, lib/domain/events/catalogue.ts. A test fails while they differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eventTypesMarkdown } from "../lib/domain/events/catalogue";

const file = path.join(import.meta.dirname, "..", "README.md");
const readme = readFileSync(file, "utf8");
const next = readme.replace(/(<!-- event-types:start -->\n)[\s\S]*?(\n<!-- event-types:end -->)/, (_, start: string, end: string) => `${start}${eventTypesMarkdown()}${end}`);
if (next === readme) console.log("README.md's event types table is up to date.");
else {
  writeFileSync(file, next);
  console.log("Rewrote README.md's event types table from the catalogue.");
}
