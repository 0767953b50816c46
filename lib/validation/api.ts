import { z } from "zod";
import { createBotSchema, updateBotSchema } from "./bots";
import { idSchema } from "./common";
import { aclSchema, descriptionSchema, metadataSchema, PUBLIC_KEY_MAX_LENGTH } from "./credentials";

/**
 * The REST API's request bodies (snake_case, as ngrok's API v2 names them),
 * built from the same field schemas the dashboard's forms and the domain
 * functions use. The API's handlers validate with these, and
 * /api/v1/openapi.json is generated from them, so the document cannot drift
 * from what is enforced. Unknown fields are ignored, as ngrok does, except
 * those the handlers refuse by name (an `owner_id` in a PATCH, say).
 */
const description = descriptionSchema.optional().meta({ description: "At most 255 bytes, one line." });
const metadata = metadataSchema.optional().meta({ description: "Free text for your own use, at most 4096 bytes." });
const acl = aclSchema.optional().meta({
  description: 'Bind rules: `bind:example.com`, `bind:*.example.com`, `bind:key=value` (key or value may be `*`); `["*"]` or `[]` means no restriction.',
});
const ownerId = idSchema.optional().meta({ description: "Who owns it, for life: a person or bot of the account. Default: the key's owner. Only admins may name someone else." });

// Bot bodies are the domain's own schemas: createBot and updateBot validate
// them after authorizing (a member's key gets ERR_NGROK_4111 whatever it sent).
export const botUserCreateSchema = createBotSchema;
export const botUserUpdateSchema = updateBotSchema.omit({ id: true });

export const apiKeyCreateSchema = z.object({ description, metadata, owner_id: ownerId });
export const apiKeyUpdateSchema = z.object({ description, metadata });
export const credentialCreateSchema = z.object({ description, metadata, acl, owner_id: ownerId });
export const credentialUpdateSchema = z.object({ description, metadata, acl });
export const sshCredentialCreateSchema = z.object({
  public_key: z.string().max(PUBLIC_KEY_MAX_LENGTH).meta({ description: "An OpenSSH public key line (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa ≥ 2048 bits)." }),
  description,
  metadata,
  acl,
  owner_id: ownerId,
});
export const sshCredentialUpdateSchema = credentialUpdateSchema;

/** The largest page a list answers. */
export const LIST_MAX_LIMIT = 100;

/** A list's query string. */
export const listQuerySchema = z.object({
  before_id: idSchema.optional().meta({ description: "Only items older than this id (also read as `beforeId`)." }),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).optional().meta({ description: `Items per page, 1–${LIST_MAX_LIMIT}. Default 100.` }),
});

// What the API answers (for the document; the handlers build these objects).
const ref = { id: z.string(), uri: z.url() };
export const botUserSchema = z.object({ ...ref, name: z.string(), active: z.boolean(), created_at: z.iso.datetime() });
const credentialBase = {
  ...ref,
  created_at: z.iso.datetime(),
  description: z.string(),
  metadata: z.string(),
  owner_id: z.string(),
};
const token = z.string().nullable().meta({ description: "The secret: in the create response only, null afterwards." });
export const apiKeySchema = z.object({ ...credentialBase, token });
export const credentialSchema = z.object({ ...credentialBase, token, acl: z.array(z.string()) });
export const sshCredentialSchema = z.object({ ...credentialBase, public_key: z.string(), acl: z.array(z.string()) });
export const apiErrorSchema = z.object({
  error_code: z.string().meta({ description: "ERR_NGROK_… where ngrok has a code for the same case, else ERR_BOTDESK_…" }),
  status_code: z.number().int(),
  msg: z.string(),
  details: z.object({ operation_id: z.string(), field: z.string().optional().meta({ description: "The invalid field, for validation errors." }) }),
});
