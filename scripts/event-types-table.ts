/**
 * `npx tsx scripts/event-types-table.ts`: rewrites the event types table of
 * docs/guide.md (between <!-- event-types:start --> and <!-- event-types:end -->)
 * from the catalogue, lib/domain/events/catalogue.ts. A test fails while they differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eventTypesMarkdown } from "../lib/domain/events/catalogue";

const file = path.join(import.meta.dirname, "..", "docs", "guide.md");
const doc = readFileSync(file, "utf8");
if (!doc.includes("<!-- event-types:start -->")) throw new Error(`${file} has no <!-- event-types:start --> … <!-- event-types:end --> table to rewrite.`);
const next = doc.replace(/(<!-- event-types:start -->\n)[\s\S]*?(\n<!-- event-types:end -->)/, (_, start: string, end: string) => `${start}${eventTypesMarkdown()}${end}`);
if (next === doc) console.log("docs/guide.md's event types table is up to date.");
else {
  writeFileSync(file, next);
  console.log("Rewrote docs/guide.md's event types table from the catalogue.");
}
