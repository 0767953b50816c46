import { NextResponse, type NextRequest } from "next/server";
import { getActor, mustFinishSigningIn } from "@/lib/auth/actor";
import { ExportRefused, exportEvents } from "@/lib/domain/events/export-events";
import { eventsQueryFromParams } from "@/lib/validation/events";
import { requestContextFrom } from "@/lib/server/request-context";

const TYPES = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" } as const;

/** `/activity/export?format=csv|ndjson&<the audit log's filters>`: the filtered view, streamed. Signed-in people only. */
export async function GET(request: NextRequest) {
  const admission = await getActor();
  // A person who must choose a new password reaches nothing else (as requireActor does for pages).
  if (!admission?.ok || mustFinishSigningIn(admission.value)) return NextResponse.json({ error: "Sign in to export activity." }, { status: 401 });
  const format = request.nextUrl.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "ndjson") return NextResponse.json({ error: "format must be csv or ndjson" }, { status: 400 });
  const query = eventsQueryFromParams(request.nextUrl.searchParams);
  let body: ReadableStream<Uint8Array>;
  try {
    body = await exportEvents(admission.value, query, format, requestContextFrom(request.headers));
  } catch (error) {
    if (error instanceof ExportRefused) return NextResponse.json({ error: error.message }, { status: 403 });
    throw error;
  }
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  return new NextResponse(body, {
    headers: {
      "Content-Type": TYPES[format],
      "Content-Disposition": `attachment; filename="botdesk-activity-${stamp}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
