import { ExportRefused, exportEvents } from "@/lib/domain/events/export-events";
import { sessionRoute, sessionRouteError } from "@/lib/server/session-route";
import { eventsQueryFromParams } from "@/lib/validation/events";

const TYPES = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" } as const;

/** `/activity/export?format=csv|ndjson&<the audit log's filters>`: the filtered view, streamed. Signed-in people only. */
export const GET = sessionRoute("activity.export", async ({ url, actor, ctx }) => {
  const format = url.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "ndjson") return sessionRouteError(400, "invalid_input", "format must be csv or ndjson", "format");
  const query = eventsQueryFromParams(url.searchParams);
  let body: ReadableStream<Uint8Array>;
  try {
    body = await exportEvents(actor, query, format, ctx);
  } catch (error) {
    if (error instanceof ExportRefused) return sessionRouteError(403, "forbidden", error.message);
    throw error;
  }
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  return new Response(body, {
    headers: {
      "Content-Type": TYPES[format],
      "Content-Disposition": `attachment; filename="botdesk-activity-${stamp}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
