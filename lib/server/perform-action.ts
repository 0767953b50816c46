import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { requireActor } from "@/lib/auth/actor";
import { requestContextFrom } from "@/lib/server/request-context";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
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
  mutate: (actor: Actor, ctx: RequestContext) => Promise<Result<T>>,
  onSuccess: (data: T) => void,
): Promise<Result<T>> {
  const actor = await requireActor();
  try {
    const result = await mutate(actor, requestContextFrom(await headers()));
    if (result.ok) onSuccess(result.data);
    return result;
  } catch (error) {
    unstable_rethrow(error);
    console.error(`[action] ${name} failed:`, error);
    return fail("internal", GENERIC_FAILURE);
  }
}
