import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { requireActor } from "@/lib/auth/actor";
import { log } from "@/lib/server/log";
import { requestContextFrom } from "@/lib/server/request-context";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";
import type { PersonActor, RequestContext } from "@/lib/domain/access/types";
import { fail, type Result } from "@/lib/domain/result";

export const GENERIC_FAILURE = "Botdesk could not finish this. Try again; if it keeps failing, the server log has the details.";

/**
 * The body of every dashboard server action. Each action is a public endpoint,
 * so the domain function it calls parses the input and decides who may do
 * what; this finds the signed-in actor (fresh from the database), runs it, lets
 * the caller refresh the pages that show the change, and turns an unexpected
 * error into a generic message (logged, never sent to the browser).
 */
export async function performAction<T>(
  name: string,
  mutate: (actor: PersonActor, ctx: RequestContext) => Promise<Result<T>>,
  onSuccess: (data: T) => void,
  /** Who may call it; requireActor unless said (setting up two-factor sign-in is open to people who must). */
  admit: () => Promise<PersonActor> = requireActor,
): Promise<Result<T>> {
  const actor = await admit();
  const requestHeaders = await headers();
  try {
    const result = await mutate(actor, requestContextFrom(requestHeaders));
    if (result.ok) onSuccess(result.data);
    return result;
  } catch (error) {
    unstable_rethrow(error);
    log.error("action", `${name} failed`, { requestId: requestHeaders.get(REQUEST_ID_HEADER), error });
    return fail("internal", GENERIC_FAILURE);
  }
}
