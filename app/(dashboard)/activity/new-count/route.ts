import { NextResponse, type NextRequest } from "next/server";
import { getActor, mustFinishSigningIn } from "@/lib/auth/actor";
import { countNewerEvents } from "@/lib/domain/events/list-events";
import { CURSOR_PATTERN, eventsQueryFromParams } from "@/lib/validation/events";

/** How many events matching the filters are newer than `since` (at most 100): the audit log's "N new events". */
export async function GET(request: NextRequest) {
  const admission = await getActor();
  // A person who must choose a new password reaches nothing else (as requireActor does for pages).
  if (!admission?.ok || mustFinishSigningIn(admission.value)) return NextResponse.json({ error: "Sign in to see activity." }, { status: 401 });
  const since = request.nextUrl.searchParams.get("since") ?? "";
  if (!CURSOR_PATTERN.test(since)) return NextResponse.json({ error: "since must be a cursor" }, { status: 400 });
  const count = await countNewerEvents(admission.value, eventsQueryFromParams(request.nextUrl.searchParams), since);
  return NextResponse.json({ count }, { headers: { "Cache-Control": "no-store" } });
}
