import { NextResponse, type NextRequest } from "next/server";
import { getActor } from "@/lib/auth/actor";
import { SEARCH_MAX_LENGTH, searchPrincipalOptions } from "@/lib/domain/events/principal-options";

/** The activity filters' "find by name": the account's people and bots whose name contains `q` (at most 20 of each). */
export async function GET(request: NextRequest) {
  const admission = await getActor();
  // A person who must choose a new password reaches nothing else (as requireActor does for pages).
  if (!admission?.ok || admission.value.mustChangePassword) return NextResponse.json({ error: "Sign in to see activity." }, { status: 401 });
  const q = request.nextUrl.searchParams.get("q") ?? "";
  if (q.length > SEARCH_MAX_LENGTH) return NextResponse.json({ error: `q: at most ${SEARCH_MAX_LENGTH} characters` }, { status: 400 });
  const options = await searchPrincipalOptions(admission.value, q);
  return NextResponse.json(options, { headers: { "Cache-Control": "no-store" } });
}
