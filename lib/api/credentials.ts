import type { z } from "zod";
import type { CredentialKind, CredentialView } from "@/lib/domain/credentials/credential-view";
import { createCredential, foreignOwnerRefusal } from "@/lib/domain/credentials/create-credential";
import { getCredential, listCredentialsBefore } from "@/lib/domain/credentials/read-credentials";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { updateCredential } from "@/lib/domain/credentials/update-credential";
import { ApiError } from "./errors";
import { unwrap } from "./from-result";
import {
  apiKeyCreateSchema,
  apiKeyUpdateSchema,
  credentialCreateSchema,
  credentialUpdateSchema,
  sshCredentialCreateSchema,
  sshCredentialUpdateSchema,
} from "@/lib/validation/api";
import { keysetQuery, listBody, pathId, readJsonBody, refuseFields, validate } from "./request";
import { apiRoute, NO_CONTENT } from "./route";

/** ngrok's three credential resources: path, the kind it holds, and its list's key (ngrok's API key list is `keys`). */
export const CREDENTIAL_COLLECTIONS = {
  credentials: { kind: "authtoken", listKey: "credentials", label: "Authtoken", create: credentialCreateSchema, update: credentialUpdateSchema },
  api_keys: { kind: "api_key", listKey: "keys", label: "API key", create: apiKeyCreateSchema, update: apiKeyUpdateSchema },
  ssh_credentials: { kind: "ssh_key", listKey: "ssh_credentials", label: "SSH credential", create: sshCredentialCreateSchema, update: sshCredentialUpdateSchema },
} as const satisfies Record<string, { kind: CredentialKind; listKey: string; label: string; create: z.ZodType; update: z.ZodType }>;

export type CredentialCollection = keyof typeof CREDENTIAL_COLLECTIONS;

/** A credential as ngrok shows it; `token` only in the create response (null afterwards: Botdesk keeps only a hash). */
function credentialJson(base: string, collection: CredentialCollection, view: CredentialView, token: string | null = null) {
  const { kind } = CREDENTIAL_COLLECTIONS[collection];
  return {
    id: view.id,
    uri: `${base}/${collection}/${view.id}`,
    created_at: view.createdAt.toISOString(),
    description: view.description,
    metadata: view.metadata,
    ...(kind === "ssh_key" ? { public_key: view.publicKey ?? "" } : { token }),
    ...(kind === "api_key" ? {} : { acl: view.acl }),
    owner_id: view.owner.id,
  };
}

/**
 * `/credentials` (authtokens), `/api_keys` and `/ssh_credentials`: list, create,
 * get, update (description, metadata, acl; never the owner) and delete (revoke),
 * through the dashboard's domain functions. Admins' keys manage every
 * credential of the account; members' and bots' keys their own (others' are
 * not found), and they see their own and bots' (the dashboard's rule).
 */
export function credentialRoutes(collection: CredentialCollection) {
  const { kind, listKey, label, create, update } = CREDENTIAL_COLLECTIONS[collection];
  const notFound = () => new ApiError("ERR_BOTDESK_404", `${label} not found.`);
  const noAcl = kind === "api_key" ? ["acl"] : [];
  type Id = { id: string };

  return {
    list: apiRoute(`${collection}.list`, async ({ actor, url, base }) => {
      const query = keysetQuery(url);
      const page = await listCredentialsBefore(actor, kind, query);
      const items = page.rows.map((v) => credentialJson(base, collection, v));
      return Response.json(listBody(listKey, items, { hasMore: page.hasMore, limit: query.limit }, base, `/${collection}`, url));
    }),

    create: apiRoute(`${collection}.create`, async ({ actor, ctx, request, base }) => {
      const body = await readJsonBody(request);
      // A member's or bot's key asking for someone else's credential is refused before any validation.
      const refused = foreignOwnerRefusal(actor, (body as { owner_id?: unknown }).owner_id);
      if (refused) unwrap(refused, { forbidden: "ERR_BOTDESK_4113" });
      refuseFields(body, noAcl, "API keys have no ACL.");
      if (kind !== "ssh_key") refuseFields(body, ["public_key"], `only SSH credentials have a public key.`);
      validate(create, body);
      const { credential, token } = unwrap(
        await createCredential(
          actor,
          { kind, ownerId: body.owner_id ?? "", description: body.description, metadata: body.metadata, acl: body.acl, publicKey: body.public_key },
          ctx,
        ),
        { forbidden: "ERR_BOTDESK_4113" },
      );
      return Response.json(credentialJson(base, collection, credential, token), { status: 201 });
    }),

    get: apiRoute<Id>(`${collection}.get`, async ({ actor, params, base }) => {
      const view = await getCredential(actor, kind, pathId(params.id));
      if (!view) throw notFound();
      return Response.json(credentialJson(base, collection, view));
    }),

    update: apiRoute<Id>(`${collection}.update`, async ({ actor, ctx, request, params, base }) => {
      const id = pathId(params.id);
      const body = await readJsonBody(request);
      if (!(await getCredential(actor, kind, id))) throw notFound();
      refuseFields(body, noAcl, "API keys have no ACL.");
      refuseFields(body, ["owner_id"], "a credential's owner is set when it is created and never changes.");
      validate(update, body);
      const view = unwrap(await updateCredential(actor, { id, description: body.description, metadata: body.metadata, acl: body.acl }, ctx));
      return Response.json(credentialJson(base, collection, view));
    }),

    remove: apiRoute<Id>(`${collection}.delete`, async ({ actor, ctx, params }) => {
      const id = pathId(params.id);
      if (!(await getCredential(actor, kind, id))) throw notFound();
      unwrap(await revokeCredentials(actor, { ids: [id] }, ctx));
      return NO_CONTENT();
    }),
  };
}
