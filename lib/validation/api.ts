import { z } from "zod";
import { EVENT_CATEGORIES, EVENT_TYPES } from "@/lib/domain/events/catalogue";
import { EVENT_SOURCES } from "@/lib/domain/events/filters";
import { createBotSchema, updateBotSchema } from "./bots";
import { idSchema } from "./common";
import { aclSchema, descriptionSchema, metadataSchema, PUBLIC_KEY_MAX_LENGTH } from "./credentials";
import { domainNameSchema, regionSchema } from "./domains";
import { DATADOG_SITES, SUBSCRIPTION_MAX_DESTINATIONS, SUBSCRIPTION_MAX_SOURCES, WEBHOOK_URL_MAX_LENGTH } from "./event-streams";

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
const ownerId = idSchema.optional().meta({ description: "Who owns it, for life: a person or bot of the account. Default: the key's owner. Someone else only with an owner's key (anyone) or an admin's (bots and members)." });

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

/** ngrok's reserved domain body; `certificate_id` and `certificate_management_policy` are refused by name (Botdesk keeps no per-domain certificates). */
export const reservedDomainCreateSchema = z.object({
  domain: domainNameSchema.meta({
    description: "`app.example.com`, or a wildcard `*.example.com` (any name under example.com). Case is ignored; at most 253 characters, each part at most 63.",
  }),
  region: regionSchema.optional().meta({ description: "ngrok's region code, echoed: Botdesk serves every domain from every instance." }),
  description,
  metadata,
});
export const reservedDomainUpdateSchema = z.object({ description, metadata });

/** ngrok's event destination body (docs/event-streams.md); kinesis, firehose and cloudwatch_logs are refused by name. */
const webhookTarget = z.object({ url: z.string().max(WEBHOOK_URL_MAX_LENGTH).meta({ description: "https://…; plain http:// only to BOTDESK_DESTINATION_ALLOW's ranges." }) });
const datadogTarget = z.object({
  api_key: z.string().max(256).optional().meta({ description: "Required at creation; never read back (null)." }),
  ddsite: z.enum(DATADOG_SITES).optional().meta({ description: "Default datadoghq.com." }),
  ddtags: z.string().max(1024).optional(),
  service: z.string().max(100).optional(),
});
const eventTarget = z
  .object({ webhook: webhookTarget.nullable().optional(), datadog: datadogTarget.nullable().optional() })
  .meta({ description: "Exactly one of `webhook` or `datadog`." });
const format = z.string().max(10).meta({ description: "`json` (ngrok's only format; any case)." });
export const eventDestinationCreateSchema = z.object({ description, metadata, format: format.optional(), target: eventTarget });
export const eventDestinationUpdateSchema = z.object({ description, metadata, format: format.optional(), target: eventTarget.optional() });
const sources = z.array(z.object({ type: z.string().max(100) })).max(SUBSCRIPTION_MAX_SOURCES).meta({ description: "Event types, such as `bot_user_created.v0` (docs/event-streams.md lists them)." });
const destinationIds = z.array(idSchema).max(SUBSCRIPTION_MAX_DESTINATIONS).meta({ description: "Event destinations (`ed_…`) of the account." });
export const eventSubscriptionCreateSchema = z.object({ description, metadata, sources: sources.optional(), destination_ids: destinationIds.optional() });
export const eventSubscriptionUpdateSchema = eventSubscriptionCreateSchema;
export const eventSourceCreateSchema = z.object({ type: z.string().max(100) });

/** The largest page a list answers. */
export const LIST_MAX_LIMIT = 100;

/** A list's query string. */
export const listQuerySchema = z.object({
  before_id: idSchema.optional().meta({ description: "Only items older than this id (also read as `beforeId`)." }),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).optional().meta({ description: `Items per page, 1–${LIST_MAX_LIMIT}. Default 100.` }),
});

// What the API answers (for the document; the handlers build these objects).
const ref = { id: z.string(), uri: z.url() };
export const botUserSchema = z.object({
  ...ref,
  name: z.string(),
  active: z.boolean(),
  created_at: z.iso.datetime(),
  description: z.string().meta({ description: "Botdesk's: what the bot is for (empty when not said)." }),
  contact: z.string().meta({ description: "Botdesk's: who is responsible for it, the owning team or person (empty when not said)." }),
});
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

const nullRef = z.object(ref).nullable();
export const reservedDomainSchema = z.object({
  ...ref,
  created_at: z.iso.datetime(),
  description: z.string(),
  metadata: z.string(),
  domain: z.string().meta({ description: "The name, lowercase; `*.` first for a wildcard." }),
  region: z.string().nullable(),
  cname_target: z.null().meta({ description: "Always null: point your DNS at Botdesk's ingress yourself." }),
  certificate: nullRef.meta({ description: "Always null: the ingress uses the operator's certificate." }),
  certificate_management_policy: z.null(),
  certificate_management_status: z.null(),
  acme_challenge_cname_target: z.null(),
});

export const eventDestinationSchema = z.object({
  ...ref,
  created_at: z.iso.datetime(),
  description: z.string(),
  metadata: z.string(),
  format: z.literal("json"),
  target: z.object({
    webhook: z.object({ url: z.string(), secret: z.string().optional().meta({ description: "The signing secret (`whsec_…`): in the create answer only." }) }).nullable(),
    datadog: z.object({ api_key: z.null(), ddsite: z.string(), ddtags: z.string(), service: z.string() }).nullable(),
    kinesis: z.null(),
    firehose: z.null(),
    cloudwatch_logs: z.null(),
  }),
  failing_since: z.iso.datetime().nullable().meta({ description: "Botdesk's: since when a message to it was given up after a day of retries; null when delivering." }),
});
const eventSource = z.object({ type: z.string(), uri: z.url() });
export const eventSubscriptionSchema = z.object({
  ...ref,
  created_at: z.iso.datetime(),
  description: z.string(),
  metadata: z.string(),
  sources: z.array(eventSource),
  destinations: z.array(z.object(ref)),
});
export const eventSourceSchema = eventSource;

/** ngrok's Endpoint, as far as Botdesk has its fields. */
export const endpointSchema = z.object({
  ...ref,
  region: z.string(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  public_url: z.string().meta({ description: "The URL the endpoint serves, e.g. `https://app.example.com`." }),
  url: z.string(),
  proto: z.enum(["http", "https", "tcp", "tls"]),
  scheme: z.enum(["http", "https", "tcp", "tls"]),
  hostport: z.string().meta({ description: "`host:port` (443 for https and tls, 80 for http)." }),
  host: z.string(),
  port: z.number().int(),
  type: z.literal("ephemeral").meta({ description: "Bound by an agent's session (ngrok's agent endpoints)." }),
  description: z.string(),
  metadata: z.string(),
  domain: nullRef.meta({ description: "The account's reserved domain that lets it bind this hostname; null for a random name under the tunnel domain." }),
  tcp_addr: z.null(),
  tunnel: z.null(),
  edge: z.null(),
  principal: z.object({ id: z.string(), uri: z.string().nullable() }).meta({ description: "Whose credential bound it (uri: the bot user; null for a person)." }),
  tunnel_session: z.object(ref).meta({ description: "The agent session serving it." }),
  bindings: z.array(z.literal("public")),
  pooling_enabled: z.literal(false),
});

// Tunnel sessions, events and usage: read-only resources.
const ipField = z.string().nullable().meta({ description: "Where it came from; null when the key's owner may not see it (members see only their own)." });
export const tunnelSessionSchema = z.object({
  ...ref,
  agent_version: z.string(),
  credential: z.object(ref).meta({ description: "The authtoken (under /credentials) or SSH key (under /ssh_credentials) that started it." }),
  ip: ipField,
  metadata: z.string(),
  os: z.string(),
  region: z.string(),
  started_at: z.iso.datetime(),
  transport: z.enum(["ngrok/v2", "ssh"]),
  arch: z.string(),
  owner_id: z.string().meta({ description: "Whose credential started it (Botdesk's addition, as are the fields below)." }),
  ended_at: z.iso.datetime().nullable().meta({ description: "Null while it is open." }),
  end_reason: z.string().nullable(),
});

const day = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
export const eventsListQuerySchema = listQuerySchema.extend({
  principal_id: idSchema.optional().meta({ description: "Who acted (a person or a bot)." }),
  bot_id: idSchema.optional().meta({ description: "The bot it concerns: it acted, it is the subject, or it owns the credential that is." }),
  credential_id: idSchema.optional().meta({ description: "The credential used, or the one it is about." }),
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional().meta({ description: "One event type, e.g. `bot.created`." }),
  category: z.enum(EVENT_CATEGORIES).optional(),
  source: z.enum(EVENT_SOURCES).optional().meta({ description: "Where it came from: dashboard, api, agent or system." }),
  range: z.enum(["all", "24h", "7d", "30d"]).optional().meta({ description: "A period counted back from now. Default all." }),
  from: day.optional().meta({ description: "From this day (UTC) or instant, inclusive; with `to`, instead of `range`." }),
  to: day.optional().meta({ description: "To this instant, or to the end of this day (UTC)." }),
});
export const eventSchema = z.object({
  ...ref,
  type: z.string(),
  label: z.string(),
  category: z.enum(EVENT_CATEGORIES),
  source: z.enum(EVENT_SOURCES),
  created_at: z.iso.datetime(),
  principal: z.object({ id: z.string(), name: z.string(), kind: z.enum(["person", "bot"]), deleted: z.boolean() }).meta({ description: "Who acted (a deleted bot keeps its name)." }),
  subject: z.object({ id: z.string(), name: z.string(), kind: z.string().nullable() }).nullable().meta({ description: "What it was about, with its name at the time." }),
  bot_id: z.string().nullable(),
  credential: z.object({ id: z.string(), display: z.string() }).nullable().meta({ description: "The credential used (API and agents), masked." }),
  ip: ipField,
});

export const usageQuerySchema = z.object({
  principal_id: idSchema.optional().meta({ description: "Only this person or bot." }),
  limit: listQuerySchema.shape.limit,
  after: z
    .string()
    .regex(/^\d{1,19}\.\d{1,19}\.[A-Za-z0-9_]{1,64}$/, "Not a cursor: use next_page_uri")
    .optional()
    .meta({ description: "Principals after this cursor (from `next_page_uri`)." }),
});
const usageTotals = {
  sessions: z.number().int(),
  endpoints: z.number().int(),
  bytes_in: z.number().int(),
  bytes_out: z.number().int(),
  tunnel_requests: z.number().int(),
  api_requests: z.number().int(),
};
export const usageSchema = z.object({
  uri: z.url(),
  from: z.iso.date().meta({ description: "The first of the month (UTC)." }),
  to: z.iso.date().meta({ description: "Today (UTC), counted so far." }),
  principals: z
    .array(z.object({ principal: z.object({ id: z.string(), name: z.string(), kind: z.enum(["person", "bot"]), deleted: z.boolean() }), ...usageTotals }))
    .meta({ description: "One page: at most `limit` principals, most bytes first." }),
  next_page_uri: z.url().nullable().meta({ description: "The next page of principals; null on the last." }),
  total: z.object(usageTotals).meta({ description: "Over every principal the key may see, not only this page." }),
});
