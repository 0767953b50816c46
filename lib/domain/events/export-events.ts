import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { EVENT_FILTER_KEYS, type EventsQuery } from "@/lib/validation/events";
import { cursorBefore, streamEvents, type EventDetail } from "./list-events";
import { recordActorEvent } from "./record-event";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { ok } from "@/lib/domain/result";

export type ExportFormat = "csv" | "ndjson";

type Filters = Omit<EventsQuery, "before" | "after" | "limit">;

export const EXPORT_COLUMNS = [
  "id", "created_at", "type", "label", "category", "source", "actor_id", "actor_name", "actor_kind", "actor_deleted",
  "subject_kind", "subject_id", "subject_name", "bot_id", "credential_id", "credential_display", "ip", "user_agent", "data",
] as const;

function record(e: EventDetail) {
  return {
    id: e.id,
    created_at: e.createdAt.toISOString(),
    type: e.type,
    label: e.label,
    category: e.category,
    source: e.source,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    actor_kind: e.actor.kind,
    actor_deleted: e.actor.deleted,
    subject_kind: e.subject?.kind ?? null,
    subject_id: e.subject?.id ?? null,
    subject_name: e.subject?.name ?? null,
    bot_id: e.botId,
    credential_id: e.credential?.id ?? null,
    credential_display: e.credential?.display ?? null,
    ip: e.ip,
    user_agent: e.userAgent,
    data: e.data,
  };
}

/**
 * Whether a spreadsheet would read a cell as a formula: it starts with = + - @
 * (OWASP's list, with tab, CR and LF), or with any character whose
 * compatibility form (NFKC) is one of them: the fullwidth ＝ ＋ － ＠ and the
 * small ﹦ ﹢ ﹣ ﹫ that spreadsheets fold to ASCII on input, and the super- and
 * subscript ⁺ ⁼ ₊ ₌ (Unicode's own mapping, so no look-alike is missed by hand),
 * and the minus sign − (U+2212), which some spreadsheets take for a minus.
 */
export function startsLikeFormula(s: string): boolean {
  const first = s.codePointAt(0);
  if (first === undefined) return false;
  return /^[=+\-@\t\r\n\u2212]/.test(String.fromCodePoint(first).normalize("NFKC"));
}

/** One CSV cell: quoted when needed; a formula start (startsLikeFormula) is neutralised with a quote mark. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (startsLikeFormula(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The exporter was deactivated or removed after signing in: nothing is exported (the route answers 403). */
export class ExportRefused extends Error {}

/**
 * Exports exactly the filtered view (every page of it, newest first, as it was
 * when the export began) as CSV or NDJSON, under the feeds' visibility rule
 * (IPs and user agents of others for admins only). Records `events.exported`
 * first (so an export cut off half-way is still on record) and returns the
 * text as a stream read batch by batch: at most one batch of rows is in memory.
 */
export async function exportEvents(actor: Actor, q: Filters, format: ExportFormat, ctx: RequestContext, batch = 1000): Promise<ReadableStream<Uint8Array>> {
  const start = new Date();
  const filters = Object.fromEntries(
    EVENT_FILTER_KEYS.map((k) => [k, q[k]] as const).filter(([k, v]) => v !== undefined && !(k === "range" && v === "all")),
  );
  const recorded = await actorTransaction(actor, async (tx) => {
    await recordActorEvent(tx, actor, ctx, { type: "events.exported", subject: null, data: { format, filters } });
    return ok(undefined);
  });
  if (!recorded.ok) throw new ExportRefused(recorded.message);
  const batches = streamEvents(actor, q, batch, start, cursorBefore(start));
  const encoder = new TextEncoder();
  let header = format === "csv";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = "";
      if (header) {
        text += `${EXPORT_COLUMNS.join(",")}\r\n`;
        header = false;
      }
      const next = await batches.next();
      if (!next.done) {
        for (const e of next.value) {
          const r = record(e);
          text += format === "csv" ? `${EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(",")}\r\n` : `${JSON.stringify(r)}\n`;
        }
      }
      if (text) controller.enqueue(encoder.encode(text));
      if (next.done) controller.close();
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
