import { revalidatePath } from "next/cache";
import { NextResponse } from "next/server";
import { z } from "zod";
import { getActor, mustFinishSigningIn } from "@/lib/auth/actor";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { requestContextFrom } from "@/lib/server/request-context";

/** Only a description: the key is always the signed-in person's own API key (createCredential validates the description). */
const bodySchema = z.strictObject({ description: z.unknown().optional() });

const answer = (status: number, body: Record<string, unknown>) => NextResponse.json(body, { status, headers: { "Cache-Control": "no-store" } });

/**
 * `POST /settings/api-keys {description?}` with the dashboard's session cookie: an API key owned
 * by the signed-in person, answered once as `{id, token, owner_id, description}` (201). What the
 * settings page's "Create credential" does, for programs that sign in with a password first
 * (`npm run demo:traffic -- --password …`): the same domain function (createCredential, which
 * validates and records `credential.created`, source dashboard) for the same person. Only the
 * person's own key (no owner_id); cross-site requests are refused by proxy.ts, and a JSON body is
 * required (a form on another site cannot send one without a preflight, which is never allowed).
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const admission = await getActor();
    if (!admission?.ok) return answer(401, { error: "Sign in first: this needs the dashboard's session." });
    if (mustFinishSigningIn(admission.value)) return answer(403, { error: "Finish signing in in the dashboard first (choose a new password, or set up two-factor sign-in)." });
    if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) return answer(415, { error: "Send a JSON body: {\"description\": \"…\"}." });
    let body: unknown;
    try {
      const text = await request.text();
      body = text.trim() ? JSON.parse(text) : {};
    } catch {
      return answer(400, { error: "The body is not valid JSON." });
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const extra = issue.code === "unrecognized_keys" ? issue.keys[0]!.slice(0, 40) : undefined;
      if (extra !== undefined) return answer(400, { error: `${extra}: not accepted here (the key is always your own API key).`, field: extra });
      return answer(400, { error: "The body must be a JSON object." });
    }
    const { description } = parsed.data;
    const result = await createCredential(admission.value, { kind: "api_key", description: description ?? "" }, requestContextFrom(request.headers));
    if (!result.ok) {
      const [field] = Object.keys(result.fieldErrors ?? {});
      return answer(400, { error: field ? `${field}: ${result.fieldErrors![field]}` : result.message, ...(field ? { field } : {}) });
    }
    revalidatePath("/settings");
    const { credential, token } = result.data;
    return answer(201, { id: credential.id, token, owner_id: credential.owner.id, description: credential.description });
  } catch (error) {
    if (isDatabaseUnavailable(error)) return answer(503, { error: "Botdesk cannot reach its database right now. Try again shortly." });
    console.error("[settings] creating an API key failed:", error);
    return answer(500, { error: "Botdesk could not create the key. The server log has the details." });
  }
}
