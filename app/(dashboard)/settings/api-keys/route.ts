import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { sessionRoute, sessionRouteError } from "@/lib/server/session-route";

/** Only a description: the key is always the signed-in person's own API key (createCredential validates the description). */
const bodySchema = z.strictObject({ description: z.unknown().optional() });

/**
 * `POST /settings/api-keys {description?}` with the dashboard's session cookie: an API key owned
 * by the signed-in person, answered once as `{id, token, owner_id, description}` (201). What the
 * settings page's "Create credential" does, for programs that sign in with a password first
 * (`npm run demo:traffic -- --password …`): the same domain function (createCredential, which
 * validates and records `credential.created`, source dashboard) for the same person. Only the
 * person's own key (no owner_id); cross-site requests are refused by proxy.ts, and a JSON body is
 * required (a form on another site cannot send one without a preflight, which is never allowed).
 */
export const POST = sessionRoute("settings.api_keys.create", async ({ request, actor, ctx }) => {
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) return sessionRouteError(415, "unsupported_media_type", "Send a JSON body: {\"description\": \"…\"}.");
  let body: unknown;
  try {
    const text = await request.text();
    body = text.trim() ? JSON.parse(text) : {};
  } catch {
    return sessionRouteError(400, "invalid_input", "The body is not valid JSON.", "body");
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const extra = issue.code === "unrecognized_keys" ? issue.keys[0]!.slice(0, 40) : undefined;
    if (extra !== undefined) return sessionRouteError(400, "invalid_input", `${extra}: not accepted here (the key is always your own API key).`, extra);
    return sessionRouteError(400, "invalid_input", "The body must be a JSON object.", "body");
  }
  const { description } = parsed.data;
  const result = await createCredential(actor, { kind: "api_key", description: description ?? "" }, ctx);
  if (!result.ok) {
    const [field] = Object.keys(result.fieldErrors ?? {});
    return sessionRouteError(400, "invalid_input", field ? `${field}: ${result.fieldErrors![field]}` : result.message, field);
  }
  revalidatePath("/settings");
  const { credential, token } = result.data;
  return Response.json({ id: credential.id, token, owner_id: credential.owner.id, description: credential.description }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
