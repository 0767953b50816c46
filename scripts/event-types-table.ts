/**
 * `npx tsx scripts/event-types-table.ts`: rewrites the event types tables from
 * the catalogue, lib/domain/events/catalogue.ts: docs/guide.md's (between
 * <!-- event-types:start --> and <!-- event-types:end -->) and
 * docs/event-streams.md's (<!-- stream-types:start --> … <!-- stream-types:end -->,
 * the names events are streamed under). A test fails while they differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eventTypesMarkdown } from "../lib/domain/events/catalogue";
import { streamTypesMarkdown } from "../lib/domain/event-streams/stream-types";

function rewrite(doc: string, marker: string, table: string): void {
  const file = path.join(import.meta.dirname, "..", "docs", doc);
  const text = readFileSync(file, "utf8");
  if (!text.includes(`<!-- ${marker}:start -->`)) throw new Error(`${file} has no <!-- ${marker}:start --> … <!-- ${marker}:end --> table to rewrite.`);
  const pattern = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(\\n<!-- ${marker}:end -->)`);
  const next = text.replace(pattern, (_, start: string, end: string) => `${start}${table}${end}`);
  if (next === text) console.log(`docs/${doc}'s table is up to date.`);
  else {
    writeFileSync(file, next);
    console.log(`Rewrote docs/${doc}'s table from the catalogue.`);
  }
}

rewrite("guide.md", "event-types", eventTypesMarkdown());
rewrite("event-streams.md", "stream-types", streamTypesMarkdown());
